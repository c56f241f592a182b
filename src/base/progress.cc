#include "base/progress.h"

#include <unistd.h>

#include <cstdio>
#include <utility>

namespace renkei {
namespace {

int g_enabled = -1;  // -1: decide by isatty
thread_local const ProgressObserver* t_observer = nullptr;

bool Enabled() {
  if (g_enabled < 0) g_enabled = isatty(STDERR_FILENO) ? 1 : 0;
  return g_enabled == 1;
}

}  // namespace

void Progress::SetEnabled(bool enabled) { g_enabled = enabled ? 1 : 0; }

Progress::Progress(std::string label, uint64_t total, std::string unit)
    : label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { Finish(); }

ProgressObserver::ProgressObserver(Callback observer) : observer_(std::move(observer)) {
  t_observer = this;
}

ProgressObserver::~ProgressObserver() { t_observer = nullptr; }

void Progress::Update(uint64_t done) {
  if (t_observer != nullptr) t_observer->observer_(label_, done, total_);
  if (finished_ || !Enabled()) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1)) return;
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(done);
}

void Progress::Draw(uint64_t done) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const bool bytes = unit_ == "bytes";
  const double shown = bytes ? static_cast<double>(done) / 1e6 : static_cast<double>(done);
  const char* unit = bytes ? "MB" : unit_.c_str();
  if (total_ > 0) {
    constexpr int kWidth = 30;
    const double fraction =
        done >= total_ ? 1.0 : static_cast<double>(done) / static_cast<double>(total_);
    const int filled = static_cast<int>(fraction * kWidth);
    char bar[kWidth + 1];
    for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : ' ';
    bar[kWidth] = '\0';
    std::fprintf(stderr, "\r%s [%s] %3d%%  %.1f %s  %.1f s\x1b[K", label_.c_str(), bar,
                 static_cast<int>(fraction * 100), shown, unit, seconds);
  } else {
    std::fprintf(stderr, "\r%s  %.1f %s  %.1f s\x1b[K", label_.c_str(), shown, unit, seconds);
  }
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  if (drawn_) {
    std::fprintf(stderr, "\r\x1b[K");
    std::fflush(stderr);
  }
}

}  // namespace renkei
