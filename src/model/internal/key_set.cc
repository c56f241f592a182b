#include "model/internal/key_set.h"

#include "base/memory.h"

namespace renkei::model::internal {

uint64_t KeySet::Hash(uint64_t a, uint32_t b) {
  uint64_t x = a ^ (uint64_t{b} * 0x9E3779B97F4A7C15ull);
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
}

void KeySet::Reserve(size_t n) {
  size_t capacity = 16;
  while (capacity * 7 / 10 < n) capacity *= 2;
  if (capacity > slots_.size()) Grow(capacity);
}

void KeySet::Grow(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_ = std::vector<Slot>();
  slots_.reserve(capacity);
  AdviseHugePages(slots_.data(), capacity * sizeof(Slot));
  slots_.assign(capacity, Slot{0, kEmpty});
  size_ = 0;
  for (const Slot& s : old) {
    if (s.b != kEmpty) Insert(s.a, s.b);
  }
}

bool KeySet::Insert(uint64_t a, uint32_t b) {
  if ((size_ + 1) * 10 > slots_.size() * 7) Grow(slots_.empty() ? 16 : slots_.size() * 2);
  const size_t mask = slots_.size() - 1;
  for (size_t i = Hash(a, b) & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.b == kEmpty) {
      s = Slot{a, b};
      ++size_;
      return true;
    }
    if (s.a == a && s.b == b) return false;
  }
}

bool KeySet::Contains(uint64_t a, uint32_t b) const {
  if (slots_.empty()) return false;
  const size_t mask = slots_.size() - 1;
  for (size_t i = Hash(a, b) & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.b == kEmpty) return false;
    if (s.a == a && s.b == b) return true;
  }
}

}  // namespace renkei::model::internal
