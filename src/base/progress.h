// A progress bar on standard error for long work.
#ifndef RENKEI_BASE_PROGRESS_H_
#define RENKEI_BASE_PROGRESS_H_

#include <chrono>
#include <cstdint>
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

}  // namespace renkei

#endif  // RENKEI_BASE_PROGRESS_H_
