#include "store/import.h"

#include <filesystem>
#include <set>
#include <utility>

#include "io/bundle.h"
#include "store/node_records.h"
#include "trust/document_signature.h"

namespace renkei::store {
namespace {

// About how many rows the bundle at `path` holds, from the size of its files.
uint64_t EstimatedRows(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  uint64_t bytes = 0;
  if (fs::is_directory(path, ec)) {
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (entry.path().extension() == ".csv") bytes += entry.file_size(ec);
    }
  } else {
    bytes = fs::file_size(path, ec);
    if (ec) bytes = 0;
  }
  return bytes / 64;
}

}  // namespace

StatusOr<ImportResult> ImportBundle(Store& store, const ImportSource& source,
                                    const ImportOptions& options) {
  ImportResult result;
  RENKEI_ASSIGN_OR_RETURN(result.model, store.LoadModel());
  model::Model& model = result.model;
  result.before = model::CountRows(model);
  const size_t known_organizations =
      result.before[static_cast<size_t>(model::Table::kOrganizations)];
  // Whoever writes a bundle must not choose the key its footprints are checked with,
  // unless the importer says so.
  RENKEI_ASSIGN_OR_RETURN(trust::KeyRing keys, RegisteredPublicKeys(store, model));
  RENKEI_ASSIGN_OR_RETURN(const bool accept_unsigned, AcceptsUnsignedFootprints(store));
  std::set<std::string> trusted;
  io::ReadOptions read;
  read.check_footprint = [&](const nlohmann::ordered_json& document) -> StatusOr<bool> {
    const std::string signer = trust::DocumentSigner(document);
    const model::Index org = signer.empty() || keys.count(signer) != 0
                                 ? model::kNoIndex
                                 : model.FindOrganization(signer);
    const bool key_in_bundle = org != model::kNoIndex && org >= known_organizations &&
                               !model.organizations[org].public_key.empty();
    if (key_in_bundle && options.trust_new_keys) {
      keys[signer] = model.organizations[org].public_key;
      trusted.insert(signer);
    }
    StatusOr<bool> checked = trust::CheckReceivedDocument(document, keys, accept_unsigned);
    if (!checked.ok() && key_in_bundle && !options.trust_new_keys) {
      return UnauthenticatedError(checked.status().message() +
                                  " before this import (its key comes with this bundle: "
                                  "--trust-new-keys trusts it)");
    }
    return checked;
  };
  // The audit log names the keys trusted on the bundle's word.
  auto action = [&] {
    std::string a = options.action.empty() ? "import " + source.path : options.action;
    if (!trusted.empty()) {
      a += " trusting new keys of";
      for (const std::string& signer : trusted) a += " " + signer;
    }
    return a;
  };
  std::unique_ptr<StreamedAppend> streamed;
  if (options.streamed && !source.json) {
    streamed = store.BeginStreamedAppend(result.before, EstimatedRows(source.path), options.actor,
                                         action());
  }
  if (streamed != nullptr) {
    read.sink = [&](model::Table table, size_t rows) { streamed->Add(model, table, rows); };
    RENKEI_RETURN_IF_ERROR(io::ReadBundle(source.path, model, read));
    streamed->set_action(action());
    RENKEI_RETURN_IF_ERROR(streamed->Commit(&result.change));
  } else {
    if (source.json) {
      RENKEI_RETURN_IF_ERROR(io::ReadJsonBundleText(*source.json, source.name, model));
    } else {
      RENKEI_RETURN_IF_ERROR(io::ReadBundle(source.path, model, read));
    }
    RENKEI_RETURN_IF_ERROR(
        store.Append(model, result.before, options.actor, action(), &result.change));
  }
  result.after = model::CountRows(model);
  result.trusted_keys.assign(trusted.begin(), trusted.end());
  return result;
}

}  // namespace renkei::store
