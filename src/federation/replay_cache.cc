#include "federation/replay_cache.h"

#include <cstdlib>

namespace renkei::federation {

void ReplayCache::Expire(int64_t now_ms) {
  while (!expiries_.empty() && expiries_.begin()->first < now_ms) {
    seen_.erase(expiries_.begin()->second);
    expiries_.erase(expiries_.begin());
  }
}

Status ReplayCache::Admit(const std::string& sender, const std::string& nonce, int64_t sent_ms,
                          int64_t now_ms) {
  const int64_t skew = now_ms - sent_ms;
  if (skew > window_ms_ || -skew > window_ms_) {
    return FailedPreconditionError(
        "sent " + std::to_string(std::llabs(skew) / 1000) + " s " +
        (skew > 0 ? "before" : "after") + " this node's clock (the window is " +
        std::to_string(window_ms_ / 1000) + " s): a stale or replayed message, or a clock off");
  }
  std::lock_guard<std::mutex> lock(mu_);
  Expire(now_ms);
  Key key{sender, nonce};
  if (seen_.count(key)) {
    return AlreadyExistsError("message " + nonce + " from '" + sender + "' was received before");
  }
  if (seen_.size() >= capacity_) {
    return UnavailableError("the replay cache is full (" + std::to_string(capacity_) +
                            " messages in the last " + std::to_string(window_ms_ / 1000) +
                            " s); try again later");
  }
  // A copy is refused as stale once now - sent > window: the entry is needed until
  // sent + window on this clock, no longer.
  const int64_t forget_at = sent_ms + window_ms_;
  seen_.insert(key);
  expiries_.emplace(forget_at, std::move(key));
  return Status::Ok();
}

size_t ReplayCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_.size();
}

}  // namespace renkei::federation
