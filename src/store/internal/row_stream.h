// Rows handed over while a bundle is still being read and checked, written by a
// thread of their own: what both engines' streamed appends share
// (Store::BeginStreamedAppend). The reader copies each batch of new rows out of
// the model (whose vectors may move as it grows) into a chunk; the thread writes
// the chunks in order with the engine's `write` and feeds the same rows to the
// audit digest (internal/tables.h), so the digest is Store::Append's.
#ifndef RENKEI_STORE_INTERNAL_ROW_STREAM_H_
#define RENKEI_STORE_INTERNAL_ROW_STREAM_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"
#include "model/builder.h"
#include "model/model.h"

namespace renkei::store::internal {

// Rows copied out of the model for the writer: the rows of one table, held in
// that table's vector of `rows`; the first of them is row `first` of the model.
struct Chunk {
  model::Table table;
  size_t first = 0;
  model::Model rows;
};

class RowStream {
 public:
  // Writes one chunk; called on the stream's thread, chunks in the order given.
  using Write = std::function<Status(const Chunk& chunk, size_t rows)>;

  // Starts the thread. `first_new`: the rows of each table already in the store.
  RowStream(const model::RowCounts& first_new, Write write);
  ~RowStream();  // cancels, unless Finish was called
  RowStream(const RowStream&) = delete;
  RowStream& operator=(const RowStream&) = delete;

  // Rows of `table` of `model` before `rows` may be written (tables in
  // model::Table order); copies those not given yet. Waits while the writer is
  // far behind.
  void Add(const model::Model& model, model::Table table, size_t rows);

  // Waits for the writer: the first error of `write`, or the hex SHA-256 digest
  // of every row written.
  StatusOr<std::string> Finish();

  // Stops the writer at the next chunk and waits for it.
  void Cancel();

 private:
  void Stop(bool cancel);

  model::RowCounts given_;
  Write write_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk> queue_;  // guarded by mutex_
  bool finished_ = false;    // guarded by mutex_: no more chunks will come
  std::atomic<bool> cancel_{false};
  Status error_;        // the writer's first error; read after join
  std::string digest_;  // read after join
  std::thread writer_;
};

}  // namespace renkei::store::internal

#endif  // RENKEI_STORE_INTERNAL_ROW_STREAM_H_
