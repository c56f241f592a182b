// The replay cache: a node takes each signed message at most once.
//
// A message is known by its sender and nonce (federation/envelope.h). It is taken
// only when its `sent_ms` lies within `window` of this node's clock, so the cache
// needs to remember a message only until its sent time plus the window has passed
// on this clock; older copies are refused as stale. Clocks of nodes may differ by
// less than the window (NTP keeps them within seconds; the default window is 5
// minutes).
//
// Bounded: when `capacity` messages are remembered and none has expired, new ones
// are refused (Unavailable) rather than forgetting one that could then be replayed.
// Thread-safe.
#ifndef RENKEI_FEDERATION_REPLAY_CACHE_H_
#define RENKEI_FEDERATION_REPLAY_CACHE_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "base/status.h"

namespace renkei::federation {

class ReplayCache {
 public:
  static constexpr int64_t kDefaultWindowMs = 5 * 60 * 1000;
  static constexpr size_t kDefaultCapacity = 1u << 20;

  explicit ReplayCache(int64_t window_ms = kDefaultWindowMs, size_t capacity = kDefaultCapacity)
      : window_ms_(window_ms), capacity_(capacity) {}

  // Takes the message (`sender`, `nonce`) sent at `sent_ms` (the sender's clock)
  // when this node's clock reads `now_ms`. FailedPrecondition when `sent_ms` is
  // more than the window away from `now_ms` ("sent 412 s before this node's clock
  // (the window is 300 s)"); AlreadyExists when the message was taken before;
  // Unavailable when the cache is full.
  Status Admit(const std::string& sender, const std::string& nonce, int64_t sent_ms,
               int64_t now_ms);

  size_t size() const;
  int64_t window_ms() const { return window_ms_; }

 private:
  using Key = std::pair<std::string, std::string>;  // sender, nonce
  void Expire(int64_t now_ms);                      // requires mu_ held

  const int64_t window_ms_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::set<Key> seen_;                    // GUARDED_BY(mu_)
  std::multimap<int64_t, Key> expiries_;  // GUARDED_BY(mu_); forget at, on this clock
};

}  // namespace renkei::federation

#endif  // RENKEI_FEDERATION_REPLAY_CACHE_H_
