#include "pact/lifecycle.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/json.h"
#include "model/row_text.h"
#include "model/schema.h"

namespace renkei::pact {
namespace {

// What the lifecycle reads of a received document.
struct Identity {
  std::string id;
  std::optional<int64_t> version;
  std::vector<std::string> preceding;
  nlohmann::json document;  // compared as JSON values, not as text
};

// The identity of a stored or read document; nullopt for one without an id
// (it was validated on import, so that is not expected).
std::optional<Identity> IdentityOf(const std::string& text) {
  StatusOr<nlohmann::json> parsed = ParseJson<nlohmann::json>(text);
  if (!parsed.ok()) return std::nullopt;
  nlohmann::json j = std::move(*parsed);
  if (j.is_object() && j.contains("data") && j["data"].is_object()) j = j["data"];
  if (!j.is_object() || !j.contains("id") || !j["id"].is_string()) return std::nullopt;
  Identity out;
  out.id = j["id"].get<std::string>();
  if (j.contains("version") && j["version"].is_number_integer()) {
    out.version = j["version"].get<int64_t>();
  }
  if (j.contains("precedingPfIds") && j["precedingPfIds"].is_array()) {
    for (const auto& p : j["precedingPfIds"]) {
      if (p.is_string()) out.preceding.push_back(p.get<std::string>());
    }
  }
  out.document = std::move(j);
  return out;
}

std::string VersionText(const std::optional<int64_t>& v) {
  return v ? "version " + std::to_string(*v) : "no version";
}

}  // namespace

StatusOr<std::vector<model::Deletion>> SupersededFootprints(const model::Model& before,
                                                            const model::Model& read) {
  using model::Table;
  std::vector<model::Deletion> out;
  bool any = false;
  for (const model::Footprint& f : read.footprints) any = any || !f.pact_json.empty();
  if (!any) return out;

  struct Stored {
    size_t row;
    Identity identity;
  };
  std::unordered_map<std::string, Stored> stored;
  for (size_t i = 0; i < before.footprints.size(); ++i) {
    if (before.footprints[i].pact_json.empty()) continue;
    std::optional<Identity> id = IdentityOf(before.footprints[i].pact_json);
    if (!id) continue;
    std::string key = id->id;
    stored.emplace(std::move(key), Stored{i, std::move(*id)});
  }
  std::set<std::string> removed, read_ids;
  auto remove = [&](size_t row, const std::string& new_key, const std::string& why) {
    std::string key = model::RowKey(before, Table::kFootprints, row);
    if (key == new_key || !removed.insert(key).second) return;
    out.push_back({Table::kFootprints, std::move(key), why});
  };
  for (size_t i = 0; i < read.footprints.size(); ++i) {
    if (read.footprints[i].pact_json.empty()) continue;
    std::optional<Identity> id = IdentityOf(read.footprints[i].pact_json);
    if (!id) continue;
    const std::string key = model::RowKey(read, Table::kFootprints, i);
    const std::string name =
        "PACT footprint " + id->id + " (" + model::RowName(Table::kFootprints, key) + ")";
    if (!read_ids.insert(id->id).second) {
      return InvalidArgumentError(name + ": the bundle holds this footprint id twice");
    }
    auto same = stored.find(id->id);
    if (same != stored.end()) {
      const Identity& old = same->second.identity;
      const int64_t old_version = old.version.value_or(0);
      const int64_t new_version = id->version.value_or(0);
      if (new_version < old_version) {
        return InvalidArgumentError(name + ": " + VersionText(id->version) +
                                    " is older than the stored " + VersionText(old.version) +
                                    " of this footprint");
      }
      if (new_version == old_version && old.document != id->document) {
        return InvalidArgumentError(
            name + ": differs from the stored footprint with the same id and " +
            VersionText(old.version) +
            " (a changed footprint gets a higher version, or a new id listing this one in "
            "precedingPfIds)");
      }
      remove(same->second.row, key, name + ": a new version of this footprint");
    }
    for (const std::string& preceding : id->preceding) {
      auto it = stored.find(preceding);
      if (it != stored.end()) remove(it->second.row, key, name + ": precedingPfIds " + preceding);
    }
  }
  return out;
}

}  // namespace renkei::pact
