// The node's routes that change the model (PUT /api/v1/bundles, DELETE
// /api/v1/rows/{table}/{key}), the snapshots of earlier versions that ?as_of=
// reads, and what changed between two of them (GET /api/v1/diff) (DESIGN.md,
// "Versions").
#include <chrono>
#include <unordered_set>

#include "base/progress.h"

#include "footprint/changes.h"
#include "io/row_changes.h"
#include "model/diff.h"
#include "model/edit.h"
#include "model/owner.h"
#include "model/row_text.h"
#include "risk/changes.h"
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

// The rows of `diff` that belong to the organization with id `organization`
// (model/owner.h): a removed row as owned in `before`, the others in `after`.
model::ModelDiff OwnedRows(const model::ModelDiff& diff, const model::Model& before,
                           const model::Model& after, const std::string& organization) {
  const model::Owners old_owners(before), new_owners(after);
  const model::Index old_org = before.FindOrganization(organization);
  const model::Index new_org = after.FindOrganization(organization);
  model::ModelDiff out;
  for (const model::TableSchema& t : model::AllTables()) {
    const model::TableDiff& d = diff[static_cast<size_t>(t.table)];
    model::TableDiff& kept = out[static_cast<size_t>(t.table)];
    auto mine = [&](const model::Owners& owners, model::Index org, size_t row) {
      return org != model::kNoIndex && owners.Of(t.table, row) == org;
    };
    for (size_t i = 0; i < d.added.size(); ++i) {
      if (!mine(new_owners, new_org, d.added_rows[i])) continue;
      kept.added.push_back(d.added[i]);
      kept.added_rows.push_back(d.added_rows[i]);
    }
    for (size_t i = 0; i < d.removed.size(); ++i) {
      if (!mine(old_owners, old_org, d.removed_rows[i])) continue;
      kept.removed.push_back(d.removed[i]);
      kept.removed_rows.push_back(d.removed_rows[i]);
    }
    for (const model::ChangedRow& r : d.changed) {
      if (mine(new_owners, new_org, r.after_row)) kept.changed.push_back(r);
    }
  }
  return out;
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

void Node::Impl::ApiVersions(ApiCall& c) {
  StatusOr<std::vector<store::Version>> versions = [&] {
    std::lock_guard<std::mutex> lock(store_mu_);
    return store_->Versions();
  }();
  if (!versions.ok()) return SendError(c.res, {500, "InternalError", versions.status().message()});
  // Who made a version and what it did (paths, organizations) is the
  // operator's record: admins see it, other clients the numbers and times.
  Json out = Json::array();
  for (const store::Version& v : *versions) {
    Json version = {{"version", v.number}, {"time", v.time}};
    if (c.caller.client.admin) {
      version["actor"] = v.actor;
      version["action"] = v.action;
    }
    out.push_back(std::move(version));
  }
  SendJson(c.res, Json{{"versions", out}});
}

void Node::Impl::ApiDiff(ApiCall& c) {
  std::shared_ptr<const Snapshot> versions[2];
  const char* names[2] = {"from", "to"};
  for (int i = 0; i < 2; ++i) {
    if (!c.req.has_param(names[i])) {
      return SendError(c.res, BadRequest(std::string(names[i]) +
                                         ": required (a version number or an RFC 3339 time)"));
    }
    Json progress;
    StatusOr<std::shared_ptr<const Snapshot>> s =
        SnapshotAsOf(c.req.get_param_value(names[i]), &progress);
    if (SentVersionAnswer(c.res, names[i], s, progress)) return;
    versions[i] = std::move(*s);
  }
  const model::Model& before = versions[0]->model;
  const model::Model& after = versions[1]->model;
  model::ModelDiff diff = model::DiffModels(before, after);
  StatusOr<risk::RiskChanges> risk = risk::CompareRisk(before, after);
  if (!risk.ok()) return SendError(c.res, {500, "InternalError", risk.status().message()});
  StatusOr<std::vector<footprint::FootprintChange>> footprints =
      footprint::CompareFootprints(before, after, diff);
  if (!footprints.ok()) {
    return SendError(c.res, {500, "InternalError", footprints.status().message()});
  }
  if (!c.view.all()) {
    // A client sees the changes of its own organization's rows, and what the
    // analyses say of the sites and products its current grants let it see.
    diff = OwnedRows(diff, before, after, c.caller.client.organization);
    const model::Model& now = c.snap.model;
    auto site = [&](const std::string& id) {
      const model::Index s = now.FindSite(id);
      return s != model::kNoIndex && c.view.site(s);
    };
    auto product = [&](const std::string& id) {
      const model::Index p = now.FindProduct(id);
      return p != model::kNoIndex && c.view.product(p);
    };
    std::erase_if(risk->spofs_gained, [&](const std::string& id) { return !site(id); });
    std::erase_if(risk->spofs_lost, [&](const std::string& id) { return !site(id); });
    std::erase_if(risk->concentration,
                  [&](const risk::ConcentrationChange& ch) { return !product(ch.product); });
    std::erase_if(*footprints,
                  [&](const footprint::FootprintChange& f) { return !product(f.product); });
    std::unordered_set<std::string> own_rows;
    for (const model::TableSchema& t : model::AllTables()) {
      const model::TableDiff& d = diff[static_cast<size_t>(t.table)];
      for (const std::string& key : d.added) own_rows.insert(model::RowName(t.table, key));
      for (const std::string& key : d.removed) own_rows.insert(model::RowName(t.table, key));
      for (const model::ChangedRow& r : d.changed) own_rows.insert(model::RowName(t.table, r.key));
    }
    for (footprint::FootprintChange& f : *footprints) {
      std::erase_if(f.caused_by, [&](const std::string& row) { return !own_rows.count(row); });
    }
  }
  Json analyses = risk::RiskChangesJson(*risk);
  analyses["footprints_kgco2e_per_unit"] = footprint::FootprintChangesJson(*footprints);
  SendJson(c.res, Json{{"from", versions[0]->change},
                       {"to", versions[1]->change},
                       {"tables", io::RowChangesJson(diff)},
                       {"analyses", analyses}});
}

namespace {

Json ProgressOf(VersionBuild& b) {
  std::lock_guard<std::mutex> lock(b.mu);
  return {{"state", "building"},
          {"version", b.version},
          {"stage", b.stage},
          {"done", b.rows},
          {"total", b.total}};
}

}  // namespace

StatusOr<std::shared_ptr<const Snapshot>> Node::Impl::SnapshotAsOf(const std::string& as_of,
                                                                   Json* progress) {
  int64_t version = 0;
  {
    std::lock_guard<std::mutex> lock(store_mu_);
    RENKEI_ASSIGN_OR_RETURN(version, store_->VersionAt(as_of));
  }
  std::shared_ptr<VersionBuild> build;
  {
    std::lock_guard<std::mutex> cache(versions_mu_);
    for (const auto& [v, snap] : versions_) {
      if (v == version) return snap;
    }
    auto building = version_builds_.find(version);
    if (building != version_builds_.end()) {
      build = building->second;
    } else {
      if (version_builds_.size() >= kVersionSnapshots) {
        return UnavailableError(
            "as many earlier versions as the node keeps are being read; "
            "ask again in a moment");
      }
      // Threads of builds that are done are joined before another starts.
      std::erase_if(version_threads_, [](auto& t) {
        std::lock_guard<std::mutex> lock(t.first->mu);
        if (!t.first->done) return false;
        t.second.join();
        return true;
      });
      build = std::make_shared<VersionBuild>();
      build->version = version;
      version_builds_[version] = build;
      version_threads_.emplace_back(
          build, std::thread([this, build] {
            ProgressObserver observer([&](const std::string& label, uint64_t done, uint64_t total) {
              std::lock_guard<std::mutex> progress_lock(build->mu);
              build->stage = label;
              build->rows = done;
              build->total = total;
            });
            using Built = StatusOr<std::shared_ptr<const Snapshot>>;
            Built snap = [&]() -> Built {
              std::lock_guard<std::mutex> store_lock(store_mu_);
              RENKEI_ASSIGN_OR_RETURN(store::StoredModel stored, store_->ReadModel(build->version));
              {
                std::lock_guard<std::mutex> stage_lock(build->mu);
                build->stage = "building the network and its footprints";
              }
              return BuildSnapshot(*store_, std::move(stored.model), build->version);
            }();
            {
              std::lock_guard<std::mutex> kept(versions_mu_);
              if (snap.ok()) {
                versions_.emplace_back(build->version, *snap);
                if (versions_.size() > kVersionSnapshots) versions_.pop_front();
              }
              version_builds_.erase(build->version);
            }
            std::lock_guard<std::mutex> done_lock(build->mu);
            build->status = snap.status();
            if (snap.ok()) build->snap = std::move(*snap);
            build->done = true;
            build->cv.notify_all();
          }));
    }
  }
  std::unique_lock<std::mutex> lock(build->mu);
  build->cv.wait_for(lock, std::chrono::milliseconds(options_.as_of_wait_ms),
                     [&] { return build->done; });
  if (build->done) {
    if (!build->status.ok()) return build->status;
    return build->snap;
  }
  lock.unlock();
  *progress = ProgressOf(*build);
  return std::shared_ptr<const Snapshot>();
}

bool Node::Impl::SentVersionAnswer(Response& res, const char* name,
                                   const StatusOr<std::shared_ptr<const Snapshot>>& snap,
                                   const Json& progress) {
  if (!snap.ok()) {
    const Status& s = snap.status();
    if (s.code() == StatusCode::kInvalidArgument) {
      SendError(res, BadRequest(name + (": " + s.message())));
    } else if (s.code() == StatusCode::kUnavailable) {
      res.set_header("Retry-After", "2");
      SendError(res, {503, "Unavailable", s.message()});
    } else {
      SendError(res, {500, "InternalError", s.message()});
    }
    return true;
  }
  if (*snap != nullptr) return false;
  res.set_header("Retry-After", "1");
  SendJson(res, progress, 202);
  return true;
}

void Node::Impl::StopVersionBuilds() {
  std::vector<std::pair<std::shared_ptr<VersionBuild>, std::thread>> threads;
  {
    std::lock_guard<std::mutex> cache(versions_mu_);
    threads.swap(version_threads_);
  }
  for (auto& [build, thread] : threads) thread.join();
}

}  // namespace renkei::server
