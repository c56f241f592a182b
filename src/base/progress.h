// A progress bar on standard error for long work.
#ifndef RENKEI_BASE_PROGRESS_H_
#define RENKEI_BASE_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace renkei {

// Shows "label  [#####     ]  42%  1.2 M rows  3.4 s" on standard error while work
// runs, but only when standard error is a terminal and the work has taken more than
// about a second; otherwise it prints nothing. Update() is cheap enough to call
// once per block of work (it redraws at most ten times a second). Not thread-safe.
class Progress {
 public:
  // `total` is the amount of work in `unit`s ("bytes" are shown as MB); 0 when
  // unknown, in which case only the amount done is shown.
  Progress(std::string label, uint64_t total, std::string unit);
  ~Progress();  // clears the line if one was drawn
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Update(uint64_t done);
  void Finish();

  // Forces drawing on or off, for tests and for --no-progress.
  static void SetEnabled(bool enabled);

 private:
  void Draw(uint64_t done);

  std::string label_;
  uint64_t total_;
  std::string unit_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  bool drawn_ = false;
  bool finished_ = false;
};

// While one lives, every Progress on its thread also tells `observer` its
// label, the work done and the total (0: unknown) at each Update: for work
// whose progress is shown elsewhere than on a terminal (the node's 202 answers
// while an earlier version is read). One per thread at a time.
class ProgressObserver {
 public:
  using Callback = std::function<void(const std::string& label, uint64_t done, uint64_t total)>;
  explicit ProgressObserver(Callback observer);
  ~ProgressObserver();
  ProgressObserver(const ProgressObserver&) = delete;
  ProgressObserver& operator=(const ProgressObserver&) = delete;

 private:
  Callback observer_;
  friend class Progress;
};

}  // namespace renkei

#endif  // RENKEI_BASE_PROGRESS_H_
