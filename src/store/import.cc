#include "store/import.h"

#include <filesystem>
#include <set>
#include <utility>

#include "io/bundle.h"
#include "model/row_text.h"
#include "pact/lifecycle.h"
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
  RENKEI_ASSIGN_OR_RETURN(StoredModel before, store.ReadModel());
  const bool append = options.edit.mode == model::EditMode::kAppend;
  if (!append && !options.edit.organizations.empty() &&
      options.edit.mode != model::EditMode::kReplace) {
    return InvalidArgumentError("--organization: names whose rows a --mode replace replaces");
  }
  if (options.edit.mode == model::EditMode::kReplace && options.edit.organizations.empty()) {
    return InvalidArgumentError(
        "--mode replace: name the organizations whose rows the bundle replaces (--organization)");
  }
  result.before = model::CountRows(before.model);
  // Whether entity numbers are index + 1 (asked before rows are added to the model).
  const bool dense = before.Dense();
  // An append reads on top of the whole model; an upsert on top of its
  // organizations, sites and products alone (model/edit.h).
  model::Model upserted;
  if (!append) upserted = model::EntitiesOf(before.model);
  model::Model& model = append ? before.model : upserted;
  const size_t known_organizations =
      result.before[static_cast<size_t>(model::Table::kOrganizations)];
  // Whoever writes a bundle must not choose the key its footprints are checked with,
  // unless the importer says so.
  RENKEI_ASSIGN_OR_RETURN(trust::KeyRing keys, RegisteredPublicKeys(store, before.model));
  RENKEI_ASSIGN_OR_RETURN(const bool accept_unsigned, AcceptsUnsignedFootprints(store));
  std::set<std::string> trusted;
  io::ReadOptions read;
  io::Upsert upsert;
  if (!append) read.upsert = &upsert;
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
  // The audit log names the mode and the keys trusted on the bundle's word.
  auto action = [&] {
    std::string a = options.action.empty() ? "import " + source.path : options.action;
    if (!append) {
      a += " --mode " + std::string(model::EditModeName(options.edit.mode));
      for (const std::string& org : options.edit.organizations) a += " --organization " + org;
      if (options.edit.cascade) a += " --cascade";
    }
    if (!trusted.empty()) {
      a += " trusting new keys of";
      for (const std::string& signer : trusted) a += " " + signer;
    }
    return a;
  };
  auto read_bundle = [&]() -> Status {
    if (source.json) {
      return io::ReadJsonBundleText(*source.json, source.name, model, io::RowSink(), read.upsert);
    }
    return io::ReadBundle(source.path, model, read);
  };

  if (append) {
    std::unique_ptr<StreamedAppend> streamed;
    if (options.streamed && !source.json && dense) {
      streamed = store.BeginStreamedAppend(result.before, EstimatedRows(source.path), options.actor,
                                           action());
    }
    if (streamed != nullptr) {
      read.sink = [&](model::Table table, size_t rows) { streamed->Add(model, table, rows); };
      RENKEI_RETURN_IF_ERROR(io::ReadBundle(source.path, model, read));
      streamed->set_action(action());
      RENKEI_RETURN_IF_ERROR(streamed->Commit(&result.change));
    } else {
      RENKEI_RETURN_IF_ERROR(read_bundle());
      if (dense) {
        RENKEI_RETURN_IF_ERROR(
            store.Append(model, result.before, options.actor, action(), &result.change));
      } else {
        // Entities were removed once: new ones are numbered past every number used.
        const model::Edit edit = model::AppendEdit(model, result.before);
        RENKEI_RETURN_IF_ERROR(store.Commit(before, edit, options.actor, action(), &result.change));
      }
    }
    result.after = model::CountRows(model);
    for (size_t t = 0; t < model::kTableCount; ++t) {
      result.tables[t].added = result.after[t] - result.before[t];
    }
    result.model = std::move(model);
  } else {
    RENKEI_RETURN_IF_ERROR(read_bundle());
    // Received PACT footprints replace and supersede stored ones by their ids.
    RENKEI_ASSIGN_OR_RETURN(std::vector<model::Deletion> superseded,
                            pact::SupersededFootprints(before.model, upserted));
    upsert.deletions.insert(upsert.deletions.end(), superseded.begin(), superseded.end());
    RENKEI_ASSIGN_OR_RETURN(model::Edit edit, model::MergeEdit(before.model, std::move(upserted),
                                                               upsert, options.edit));
    if (options.check_edit) RENKEI_RETURN_IF_ERROR(options.check_edit(before.model, edit));
    if (!edit.Empty()) {
      RENKEI_RETURN_IF_ERROR(store.Commit(before, edit, options.actor,
                                          action() + ": " + edit.Summary(), &result.change));
    }
    result.tables = edit.tables;
    result.cascaded = std::move(edit.cascaded);
    result.model = std::move(edit.after);
    result.after = model::CountRows(result.model);
  }
  result.trusted_keys.assign(trusted.begin(), trusted.end());
  return result;
}

StatusOr<DeleteResult> DeleteRows(
    Store& store, const std::vector<model::Deletion>& rows, bool cascade, const std::string& actor,
    const std::function<Status(const model::Model& before, const model::Edit& edit)>& check_edit) {
  RENKEI_ASSIGN_OR_RETURN(StoredModel before, store.ReadModel());
  model::EditRequest request;
  request.cascade = cascade;
  RENKEI_ASSIGN_OR_RETURN(model::Edit edit,
                          model::MergeEdit(before.model, model::EntitiesOf(before.model),
                                           model::UpsertRead{{}, rows, {}}, request));
  if (check_edit) RENKEI_RETURN_IF_ERROR(check_edit(before.model, edit));
  std::string action = "delete";
  for (const model::Deletion& d : rows) action += " " + model::RowName(d.table, d.key);
  if (cascade) action += " --cascade";
  DeleteResult result;
  RENKEI_RETURN_IF_ERROR(
      store.Commit(before, edit, actor, action + ": " + edit.Summary(), &result.change));
  result.tables = edit.tables;
  result.cascaded = std::move(edit.cascaded);
  result.model = std::move(edit.after);
  return result;
}

}  // namespace renkei::store
