// A compact open-addressing set of (uint64, uint32) keys, for duplicate checks
// over millions of rows (16 bytes a slot, no allocation per key).
#ifndef RENKEI_MODEL_INTERNAL_KEY_SET_H_
#define RENKEI_MODEL_INTERNAL_KEY_SET_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace renkei::model::internal {

class KeySet {
 public:
  // `b` must not be UINT32_MAX (it marks an empty slot).
  // Returns false when the key was already present.
  bool Insert(uint64_t a, uint32_t b);
  bool Contains(uint64_t a, uint32_t b) const;
  // A hint that Insert or Contains of (a, b) comes soon: starts loading its slot.
  void Prefetch(uint64_t a, uint32_t b) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Hash(a, b) & (slots_.size() - 1)]);
  }
  size_t size() const { return size_; }
  void Reserve(size_t n);

 private:
  struct Slot {
    uint64_t a;
    uint32_t b;
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;
  static uint64_t Hash(uint64_t a, uint32_t b);
  void Grow(size_t capacity);

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

inline uint64_t PackPair(uint32_t x, uint32_t y) { return (uint64_t{x} << 32) | y; }

}  // namespace renkei::model::internal

#endif  // RENKEI_MODEL_INTERNAL_KEY_SET_H_
