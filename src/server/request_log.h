// The node's request log (NodeOptions::log), written in batches by a thread of its own.
#ifndef RENKEI_SERVER_REQUEST_LOG_H_
#define RENKEI_SERVER_REQUEST_LOG_H_

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "base/clock.h"

namespace renkei::server {

// The node's log (NodeOptions::log), written in batches by a thread of its own: a
// request costs an append under a mutex, not an fprintf and an fflush (a write(2)).
// A line reaches the file at most kFlushEvery after it was added. Thread-safe.
class RequestLog {
 public:
  explicit RequestLog(FILE* out) : out_(out) {}
  ~RequestLog() { Stop(); }
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;

  // Starts the writer; lines added before are kept for it.
  void Start() {
    if (out_ == nullptr || writer_.joinable()) return;
    writer_ = std::thread([this] { WriteLoop(); });
  }
  // Appends "<RFC 3339 time> <what><tail>"; `tail` ends with "\n".
  void Add(std::string_view what, std::string_view tail) {
    if (out_ == nullptr) return;
    thread_local std::time_t stamped = -1;
    thread_local std::string stamp;
    const std::time_t now = std::time(nullptr);
    if (now != stamped) {
      stamp = NowRfc3339();
      stamped = now;
    }
    std::lock_guard<std::mutex> lock(mu_);
    pending_.append(stamp).append(" ").append(what).append(tail);
    if (pending_.size() >= kFlushBytes) cv_.notify_one();
  }
  // Writes what is pending and stops the writer; later lines are written at Stop only.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    if (writer_.joinable()) writer_.join();
    std::lock_guard<std::mutex> lock(mu_);
    Write(pending_);
    pending_.clear();
    stopping_ = false;
  }

 private:
  static constexpr auto kFlushEvery = std::chrono::milliseconds(100);
  static constexpr size_t kFlushBytes = 64 * 1024;

  void WriteLoop() {
    std::string batch;
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      cv_.wait_for(lock, kFlushEvery,
                   [this] { return stopping_ || pending_.size() >= kFlushBytes; });
      batch.swap(pending_);
      lock.unlock();
      Write(batch);
      batch.clear();
      lock.lock();
    }
  }
  void Write(const std::string& text) {
    if (text.empty() || out_ == nullptr) return;
    std::fwrite(text.data(), 1, text.size(), out_);
    std::fflush(out_);
  }

  FILE* const out_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;    // GUARDED_BY(mu_)
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread writer_;
};

}  // namespace renkei::server

#endif  // RENKEI_SERVER_REQUEST_LOG_H_
