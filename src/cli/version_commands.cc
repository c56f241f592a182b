#include "cli/version_commands.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/numbers.h"
#include "footprint/changes.h"
#include "footprint/report.h"
#include "io/row_changes.h"
#include "model/diff.h"
#include "model/edit.h"
#include "model/row_text.h"
#include "risk/changes.h"
#include "risk/report.h"
#include "store/import.h"
#include "store/store.h"

namespace renkei::cli {
namespace {

using nlohmann::json;

struct Options {
  std::string db;
  std::string table;
  std::vector<std::string> keys;
  std::string key;
  std::string from;
  std::string to;
  std::string actor;
  bool cascade = false;
  bool json = false;
};

int RunDelete(const Options& o) {
  std::vector<model::Deletion> rows;
  for (const std::string& key : o.keys) {
    StatusOr<model::Deletion> d = model::ParseDeletion(o.table, key);
    if (!d.ok()) return ReportError(d.status());
    rows.push_back(std::move(*d));
  }
  auto store = store::Store::Open(o.db);
  if (!store.ok()) return ReportError(store.status());
  auto deleted =
      store::DeleteRows(**store, rows, o.cascade, o.actor.empty() ? DefaultActor() : o.actor);
  if (!deleted.ok()) return ReportError(deleted.status());
  size_t removed = 0;
  for (const model::TableEdit& t : deleted->tables) removed += t.removed;
  std::printf("removed %zu row%s from %s (version %lld)\n", removed, removed == 1 ? "" : "s",
              store::Printable(o.db).c_str(), static_cast<long long>(deleted->change));
  for (const std::string& row : deleted->cascaded) std::printf("  also removed %s\n", row.c_str());
  return kExitOk;
}

int RunHistory(const Options& o) {
  auto store = store::Store::Open(o.db);
  if (!store.ok()) return ReportError(store.status());
  if (!o.key.empty() && o.table.empty()) {
    return ReportError(InvalidArgumentError("--key: needs --table, the table the row is in"));
  }
  if (o.table.empty()) {
    auto versions = (*store)->Versions();
    if (!versions.ok()) return ReportError(versions.status());
    if (o.json) {
      json out = json::array();
      for (const store::Version& v : *versions) {
        out.push_back(
            {{"version", v.number}, {"time", v.time}, {"actor", v.actor}, {"action", v.action}});
      }
      PrintJson(out);
      return kExitOk;
    }
    std::printf("%8s  %-24s  %-20s  %s\n", "version", "time", "actor", "action");
    for (const store::Version& v : *versions) {
      std::printf("%8lld  %-24s  %-20s  %s\n", static_cast<long long>(v.number), v.time.c_str(),
                  v.actor.c_str(), v.action.c_str());
    }
    return kExitOk;
  }
  const std::optional<model::Table> table = model::TableByName(o.table);
  if (!table) {
    return ReportError(model::ParseDeletion(o.table, o.key).status().WithPrefix("--table"));
  }
  if (o.key.empty()) {
    return ReportError(InvalidArgumentError("--key: name the row (its key columns, ',' between)"));
  }
  auto history = (*store)->RowHistory(*table, o.key);
  if (!history.ok()) return ReportError(history.status());
  if (history->empty()) {
    return ReportError(NotFoundError("--key: no row " + model::RowName(*table, o.key) +
                                     " in any version of " + store::Printable(o.db)));
  }
  const model::TableSchema& schema = model::Schema(*table);
  if (o.json) {
    json out = json::array();
    for (const store::RowVersion& v : *history) {
      json row = json::object();
      for (size_t c = 0; c < schema.columns.size(); ++c) {
        row[std::string(schema.columns[c].name)] = v.cells[c];
      }
      out.push_back({{"from", v.from}, {"to", v.to == 0 ? json() : json(v.to)}, {"row", row}});
    }
    PrintJson(out);
    return kExitOk;
  }
  std::printf("%s\n", model::RowName(*table, o.key).c_str());
  for (const store::RowVersion& v : *history) {
    const std::string until = v.to == 0 ? "now" : "version " + std::to_string(v.to);
    std::printf("  from version %lld until %s:", static_cast<long long>(v.from), until.c_str());
    for (size_t c = 0; c < schema.columns.size(); ++c) {
      if (v.cells[c].empty()) continue;
      std::printf(" %s=%s", std::string(schema.columns[c].name).c_str(), v.cells[c].c_str());
    }
    std::printf("\n");
  }
  return kExitOk;
}

int RunDiff(const Options& o) {
  auto store = store::Store::Open(o.db);
  if (!store.ok()) return ReportError(store.status());
  auto from = (*store)->VersionAt(o.from);
  if (!from.ok()) return ReportError(from.status().WithPrefix("V1"));
  auto to = (*store)->VersionAt(o.to);
  if (!to.ok()) return ReportError(to.status().WithPrefix("V2"));
  auto before = (*store)->ReadModel(*from);
  if (!before.ok()) return ReportError(before.status());
  auto after = (*store)->ReadModel(*to);
  if (!after.ok()) return ReportError(after.status());
  const model::ModelDiff diff = model::DiffModels(before->model, after->model);
  auto risk = risk::CompareRisk(before->model, after->model);
  if (!risk.ok()) return ReportError(risk.status());
  auto footprints = footprint::CompareFootprints(before->model, after->model, diff);
  if (!footprints.ok()) return ReportError(footprints.status());
  if (o.json) {
    json analyses = risk::RiskChangesJson(*risk);
    analyses["footprints_kgco2e_per_unit"] = footprint::FootprintChangesJson(*footprints);
    PrintJson(nlohmann::ordered_json{{"from", *from},
                                     {"to", *to},
                                     {"tables", io::RowChangesJson(diff)},
                                     {"analyses", analyses}});
    return kExitOk;
  }
  std::printf("from version %lld to %lld\n", static_cast<long long>(*from),
              static_cast<long long>(*to));
  bool any = false;
  for (const model::TableSchema& t : model::AllTables()) {
    const model::TableDiff& d = diff[static_cast<size_t>(t.table)];
    for (const std::string& key : d.added) {
      std::printf("  + %s\n", model::RowName(t.table, key).c_str());
    }
    for (const model::ChangedRow& r : d.changed) {
      std::printf("  ~ %s:", model::RowName(t.table, r.key).c_str());
      for (const model::ChangedCell& c : r.cells) {
        std::printf(" %s %s -> %s", c.column.c_str(),
                    c.before.empty() ? "(none)" : c.before.c_str(),
                    c.after.empty() ? "(none)" : c.after.c_str());
      }
      std::printf("\n");
    }
    for (const std::string& key : d.removed) {
      std::printf("  - %s\n", model::RowName(t.table, key).c_str());
    }
    any = any || !d.added.empty() || !d.changed.empty() || !d.removed.empty();
  }
  if (!any) std::printf("  no rows differ\n");
  for (const std::string& site : risk->spofs_gained) {
    std::printf("single point of failure gained: %s\n", site.c_str());
  }
  for (const std::string& site : risk->spofs_lost) {
    std::printf("single point of failure lost: %s\n", site.c_str());
  }
  auto number = [](const std::optional<double>& v) {
    return v ? FormatNumber(*v) : std::string("-");
  };
  for (const footprint::FootprintChange& f : *footprints) {
    std::printf("footprint of %s: %s -> %s kgCO2e per unit\n", f.product.c_str(),
                number(f.before).c_str(), number(f.after).c_str());
    for (const std::string& row : f.caused_by) std::printf("  from %s\n", row.c_str());
    if (!f.caused_by_complete) std::printf("  and more\n");
  }
  for (const risk::ConcentrationChange& c : risk->concentration) {
    auto hhi = [&](const std::optional<risk::ConcentrationSummary>& side, bool country) {
      return side ? number(country ? side->hhi_country : side->hhi_company) : std::string("-");
    };
    std::printf("concentration of %s: country HHI %s -> %s, company HHI %s -> %s\n",
                c.product.c_str(), hhi(c.before, true).c_str(), hhi(c.after, true).c_str(),
                hhi(c.before, false).c_str(), hhi(c.after, false).c_str());
  }
  std::printf("time to survive: not computed (no stored TTS table per version)\n");
  return kExitOk;
}

}  // namespace

void AddVersionCommands(CommandLine& cl) {
  auto o = std::make_shared<Options>();
  CLI::App& app = cl.app();

  CLI::App* del = cl.Add(app, "delete", "Remove rows from the store, as one new version",
                         [o] { return RunDelete(*o); });
  del->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
  del->add_option("TABLE", o->table, "The table: organizations, sites, supply, ...")->required();
  del->add_option("KEY", o->keys,
                  "A row's key: its key columns in order, ',' between (supply: "
                  "supplier_site,customer_site,product)")
      ->required();
  del->add_flag("--cascade", o->cascade, "Remove the rows that refer to these too");
  del->add_option("--actor", o->actor, "Who is recorded in the audit log (default cli:$USER)");

  CLI::App* history = cl.Add(app, "history", "The store's versions, or the versions of one row",
                             [o] { return RunHistory(*o); });
  history->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
  history->add_option("--table", o->table, "The table of the row");
  history->add_option("--key", o->key, "The row's key (its key columns, ',' between)");
  history->add_flag("--json", o->json, "Print JSON");

  CLI::App* diff = cl.Add(app, "diff", "What changed between two versions: rows and analyses",
                          [o] { return RunDiff(*o); });
  diff->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
  diff->add_option("V1", o->from, "The earlier version (a number or a time)")->required();
  diff->add_option("V2", o->to, "The later version (a number or a time)")->required();
  diff->add_flag("--json", o->json, "Print JSON");
}

}  // namespace renkei::cli
