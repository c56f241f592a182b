#include "store/internal/row_stream.h"

#include <type_traits>
#include <utility>
#include <vector>

#include "model/fields.h"
#include "store/audit.h"
#include "store/internal/tables.h"

namespace renkei::store::internal {
namespace {

// Chunks waiting for the writer beyond this make Add wait.
constexpr size_t kMaxQueuedChunks = 64;

template <typename T>
void CopyRange(const std::vector<T>& from, size_t begin, size_t end, std::vector<T>& to) {
  to.assign(from.begin() + static_cast<std::ptrdiff_t>(begin),
            from.begin() + static_cast<std::ptrdiff_t>(end));
}

}  // namespace

RowStream::RowStream(const model::RowCounts& first_new, Write write)
    : given_(first_new), write_(std::move(write)) {
  writer_ = std::thread([this] {
    ContentDigest digest;
    for (;;) {
      Chunk chunk;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return !queue_.empty() || finished_; });
        if (queue_.empty()) break;
        chunk = std::move(queue_.front());
        queue_.pop_front();
      }
      changed_.notify_all();
      if (!error_.ok() || cancel_.load()) continue;  // drain
      const size_t n = model::CountRows(chunk.rows)[static_cast<size_t>(chunk.table)];
      error_ = write_(chunk, n);
      DigestTable(digest, chunk.table, chunk.rows, 0, n, cancel_);
    }
    digest_ = digest.HexDigest();
  });
}

RowStream::~RowStream() { Stop(true); }

void RowStream::Add(const model::Model& model, model::Table table, size_t rows) {
  size_t& given = given_[static_cast<size_t>(table)];
  if (!writer_.joinable() || rows <= given) return;
  Chunk chunk{table, given, model::Model()};
  model::WithRows(model, table, [&](const auto& from) {
    using Row = typename std::decay_t<decltype(from)>::value_type;
    CopyRange(from, given, rows, model::RowsOf<Row>(chunk.rows));
  });
  given = rows;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return queue_.size() < kMaxQueuedChunks; });
    queue_.push_back(std::move(chunk));
  }
  changed_.notify_all();
}

void RowStream::Stop(bool cancel) {
  if (!writer_.joinable()) return;
  if (cancel) cancel_ = true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
  }
  changed_.notify_all();
  writer_.join();
}

StatusOr<std::string> RowStream::Finish() {
  Stop(false);
  if (cancel_) return FailedPreconditionError("the append was cancelled");
  RENKEI_RETURN_IF_ERROR(error_);
  return digest_;
}

void RowStream::Cancel() { Stop(true); }

}  // namespace renkei::store::internal
