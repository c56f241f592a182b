#include "model/model.h"

#include <functional>

#include "base/memory.h"

namespace renkei::model {

const std::vector<std::string_view>& PassportDocumentTypes() {
  static const std::vector<std::string_view> types = {
      "BillOfMaterial", "Model3D", "DismantlingManual", "RemovalManual", "OtherManual", "Drawing"};
  return types;
}

Index IdIndex::Find(std::string_view id) const {
  if (slots_.empty()) return kNoIndex;
  const uint64_t hash = std::hash<std::string_view>()(id);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.index == kNoIndex) return kNoIndex;
    if (slot.hash == hash && slot.length == id.size() &&
        std::string_view(arena_).substr(slot.offset, slot.length) == id) {
      return slot.index;
    }
  }
}

void IdIndex::Prefetch(std::string_view id) const {
  if (slots_.empty()) return;
  const uint64_t hash = std::hash<std::string_view>()(id);
  __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
}

void IdIndex::PrefetchText(std::string_view id) const {
  if (slots_.empty()) return;
  const uint64_t hash = std::hash<std::string_view>()(id);
  const Slot& slot = slots_[hash & (slots_.size() - 1)];
  if (slot.index != kNoIndex && slot.hash == hash) __builtin_prefetch(arena_.data() + slot.offset);
}

void IdIndex::Reserve(size_t n) {
  size_t capacity = 16;
  while (capacity * 7 / 10 < n) capacity *= 2;
  if (capacity > slots_.size()) Grow(capacity);
}

void IdIndex::Grow(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_ = std::vector<Slot>();
  slots_.reserve(capacity);
  AdviseHugePages(slots_.data(), capacity * sizeof(Slot));
  slots_.assign(capacity, Slot{0, 0, 0, kNoIndex});
  const size_t mask = capacity - 1;
  for (const Slot& slot : old) {
    if (slot.index == kNoIndex) continue;
    size_t i = slot.hash & mask;
    while (slots_[i].index != kNoIndex) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

bool IdIndex::Insert(std::string_view id, Index index) {
  if ((size_ + 1) * 10 > slots_.size() * 7) Grow(slots_.empty() ? 16 : slots_.size() * 2);
  const uint64_t hash = std::hash<std::string_view>()(id);
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  for (;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.index == kNoIndex) break;
    if (slot.hash == hash && slot.length == id.size() &&
        std::string_view(arena_).substr(slot.offset, slot.length) == id) {
      return false;
    }
  }
  slots_[i] = Slot{hash, arena_.size(), static_cast<uint32_t>(id.size()), index};
  arena_.append(id);
  ++size_;
  return true;
}

void Model::IndexIds() {
  auto index = [](IdIndex& ids, const auto& rows) {
    ids = IdIndex();
    ids.Reserve(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) ids.Insert(rows[i].id, static_cast<Index>(i));
  };
  index(organization_ids, organizations);
  index(site_ids, sites);
  index(product_ids, products);
}

}  // namespace renkei::model
