// The node's routes that change the model (PUT /api/v1/bundles, DELETE
// /api/v1/rows/{table}/{key}) and the snapshots of earlier versions that
// ?as_of= reads (DESIGN.md, "Versions").
#include "model/edit.h"
#include "model/row_text.h"
#include "server/internal/node_impl.h"
#include "store/import.h"

namespace renkei::server {
namespace {

// The error a refused edit is sent as.
ApiError EditError(const Status& s) {
  switch (s.code()) {
    case StatusCode::kPermissionDenied:
      return {403, "AccessDenied", s.message()};
    case StatusCode::kUnavailable:
      return {409, "Conflict", s.message()};
    case StatusCode::kFailedPrecondition:
      return {409, "Conflict", s.message()};
    default:
      return BadRequest(s.message());
  }
}

// {"version": N, "tables": {"supply": {"added": 1, ...}}, "cascaded": [...]}.
Json EditJson(int64_t version, const std::array<model::TableEdit, model::kTableCount>& tables,
              const std::vector<std::string>& cascaded) {
  Json out = Json::object();
  for (const model::TableSchema& t : model::AllTables()) {
    const model::TableEdit& e = tables[static_cast<size_t>(t.table)];
    if (e.added + e.changed + e.removed == 0) continue;
    out[std::string(t.name)] = {{"added", e.added}, {"changed", e.changed}, {"removed", e.removed}};
  }
  return {{"version", version}, {"tables", out}, {"cascaded", cascaded}};
}

// The check that a client which is not an admin changes only its organization's rows.
std::function<Status(const model::Model&, const model::Edit&)> OwnerCheck(const Caller& caller) {
  if (caller.client.admin) return {};
  const std::string organization = caller.client.organization;
  return [organization](const model::Model& before, const model::Edit& edit) {
    return model::CheckOwnedBy(before, edit, organization);
  };
}

// A boolean query parameter: absent is false.
std::optional<bool> Flag(const Request& req, const std::string& name) {
  if (!req.has_param(name)) return false;
  const std::string v = req.get_param_value(name);
  if (v == "true") return true;
  if (v == "false") return false;
  return std::nullopt;
}

// Snapshots of earlier versions kept at once (each holds a whole model).
constexpr size_t kVersionSnapshots = 3;

}  // namespace

void Node::Impl::ApiPutBundles(ApiCall& c) {
  const std::string mode_text = c.req.get_param_value("mode");
  const std::optional<model::EditMode> mode = model::ParseEditMode(mode_text);
  if (!mode || *mode == model::EditMode::kAppend) {
    return SendError(c.res, BadRequest("mode: expected upsert or replace, got '" + mode_text +
                                       "' (POST /api/v1/bundles appends)"));
  }
  const std::optional<bool> cascade = Flag(c.req, "cascade");
  if (!cascade) return SendError(c.res, BadRequest("cascade: expected true or false"));
  if (c.req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    return SendError(c.res, BadRequest("content type must be application/json"));
  }
  std::vector<std::string> organizations;
  if (*mode == model::EditMode::kReplace) {
    // A client replaces its own organization's rows; an admin names whose.
    std::string org = c.req.get_param_value("organization");
    if (org.empty() && !c.caller.client.admin) org = c.caller.client.organization;
    if (org.empty()) {
      return SendError(c.res, BadRequest("organization: required with mode=replace (whose rows the "
                                         "bundle replaces)"));
    }
    organizations.push_back(org);
  }
  store::ImportOptions options;
  options.actor = "client:" + c.caller.client.id;
  options.action = "import via API";
  options.edit = {*mode, organizations, *cascade};
  options.check_edit = OwnerCheck(c.caller);
  std::lock_guard<std::mutex> lock(store_mu_);
  auto imported = store::ImportBundle(*store_, {"", c.req.body, "body"}, options);
  if (!imported.ok()) return SendError(c.res, EditError(imported.status()));
  if (imported->change != 0) {
    Status swapped = SwapIn(std::move(imported->model), imported->change);
    if (!swapped.ok()) return SendError(c.res, {500, "InternalError", swapped.message()});
  }
  SendJson(c.res, EditJson(imported->change, imported->tables, imported->cascaded));
}

void Node::Impl::ApiDeleteRows(ApiCall& c) {
  const std::optional<bool> cascade = Flag(c.req, "cascade");
  if (!cascade) return SendError(c.res, BadRequest("cascade: expected true or false"));
  StatusOr<model::Deletion> row = model::ParseDeletion(c.req.path_params[0], c.req.path_params[1]);
  if (!row.ok()) return SendError(c.res, BadRequest(row.status().message()));
  row->where = "DELETE /api/v1/rows/" + c.req.path_params[0] + "/" + c.req.path_params[1];
  std::lock_guard<std::mutex> lock(store_mu_);
  auto deleted = store::DeleteRows(*store_, {*row}, *cascade, "client:" + c.caller.client.id,
                                   OwnerCheck(c.caller));
  if (!deleted.ok()) {
    const bool missing = deleted.status().message().find("no stored ") != std::string::npos;
    return SendError(c.res, missing ? ApiError{404, "NotFound", deleted.status().message()}
                                    : EditError(deleted.status()));
  }
  Status swapped = SwapIn(std::move(deleted->model), deleted->change);
  if (!swapped.ok()) return SendError(c.res, {500, "InternalError", swapped.message()});
  SendJson(c.res, EditJson(deleted->change, deleted->tables, deleted->cascaded));
}

StatusOr<std::shared_ptr<const Snapshot>> Node::Impl::SnapshotAsOf(const std::string& as_of) {
  std::lock_guard<std::mutex> lock(store_mu_);
  RENKEI_ASSIGN_OR_RETURN(const int64_t version, store_->VersionAt(as_of));
  {
    std::lock_guard<std::mutex> cache(versions_mu_);
    for (const auto& [v, snap] : versions_) {
      if (v == version) return snap;
    }
  }
  RENKEI_ASSIGN_OR_RETURN(store::StoredModel stored, store_->ReadModel(version));
  RENKEI_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> snap,
                          BuildSnapshot(*store_, std::move(stored.model), version));
  std::lock_guard<std::mutex> cache(versions_mu_);
  versions_.emplace_back(version, snap);
  if (versions_.size() > kVersionSnapshots) versions_.pop_front();
  return snap;
}

}  // namespace renkei::server
