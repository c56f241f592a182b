#include "model/model.h"

namespace renkei::model {

Index IdIndex::Find(std::string_view id) const {
  auto it = map_.find(id);
  return it == map_.end() ? kNoIndex : it->second;
}

bool IdIndex::Insert(std::string_view id, Index index) {
  return map_.emplace(std::string(id), index).second;
}

}  // namespace renkei::model
