#include "cli/version_commands.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "base/numbers.h"
#include "footprint/roll_up.h"
#include "model/diff.h"
#include "model/edit.h"
#include "model/row_text.h"
#include "network/network.h"
#include "risk/concentration.h"
#include "risk/criticality.h"
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

std::string DefaultActor() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr && *user != '\0' ? user : "local");
}

void PrintJson(const json& j) { std::printf("%s\n", j.dump(2).c_str()); }

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

// Relative difference beyond which an analysis's number counts as changed.
constexpr double kTolerance = 1e-9;

bool Differs(double a, double b) {
  return std::fabs(a - b) > kTolerance * std::max({1.0, std::fabs(a), std::fabs(b)});
}

// The sites whose loss alone stops some demand (risk/criticality.h), by id.
StatusOr<std::set<std::string>> SpofSites(const model::Model& m) {
  RENKEI_ASSIGN_OR_RETURN(network::Network n, network::Network::Build(m));
  const risk::Criticality c = risk::Criticality::Analyse(n);
  std::set<std::string> sites;
  for (network::Index v = n.node_count(); v < n.vertex_count(); ++v) {
    for (network::Index s : c.SiteSpofs(v)) sites.insert(m.sites[s].id);
  }
  return sites;
}

// Cradle-to-gate footprint per product made somewhere (footprint/roll_up.h).
StatusOr<std::map<std::string, double>> Footprints(const model::Model& m) {
  RENKEI_ASSIGN_OR_RETURN(footprint::NetworkFootprint n, footprint::RollUp(m));
  std::map<std::string, double> out;
  for (const footprint::ProductFootprint& p : footprint::MadeProductFootprints(m, n)) {
    if (p.product != model::kNoIndex) out[m.products[p.product].id] = p.pcf;
  }
  return out;
}

struct ProductConcentration {
  double hhi_company = 0;
  double hhi_country = 0;
  std::string top_country;
  double top_country_share = 0;
};

// Concentration of supply of every product made somewhere (risk/concentration.h).
StatusOr<std::map<std::string, ProductConcentration>> Concentrations(const model::Model& m) {
  RENKEI_ASSIGN_OR_RETURN(network::Network n, network::Network::Build(m));
  std::map<std::string, ProductConcentration> out;
  for (model::Index p = 0; p < m.products.size(); ++p) {
    StatusOr<risk::Concentration> c = risk::ProductConcentration(n, p);
    if (!c.ok()) continue;  // made nowhere
    ProductConcentration& pc = out[m.products[p].id];
    pc.hhi_company = c->hhi_company;
    pc.hhi_country = c->hhi_country;
    if (!c->by_country.empty()) {
      pc.top_country = c->by_country.front().key;
      pc.top_country_share = c->by_country.front().share;
    }
  }
  return out;
}

// What the analyses say differently of `after` than of `before`.
StatusOr<json> AnalysisDeltas(const model::Model& before, const model::Model& after) {
  json out;
  RENKEI_ASSIGN_OR_RETURN(const std::set<std::string> spof_before, SpofSites(before));
  RENKEI_ASSIGN_OR_RETURN(const std::set<std::string> spof_after, SpofSites(after));
  json gained = json::array(), lost = json::array();
  for (const std::string& s : spof_after) {
    if (spof_before.count(s) == 0) gained.push_back(s);
  }
  for (const std::string& s : spof_before) {
    if (spof_after.count(s) == 0) lost.push_back(s);
  }
  out["single_points_of_failure"] = {{"gained", gained}, {"lost", lost}};

  RENKEI_ASSIGN_OR_RETURN(const auto fp_before, Footprints(before));
  RENKEI_ASSIGN_OR_RETURN(const auto fp_after, Footprints(after));
  json footprints = json::array();
  for (const auto& [product, pcf] : fp_after) {
    auto it = fp_before.find(product);
    if (it == fp_before.end()) {
      footprints.push_back({{"product", product}, {"before", nullptr}, {"after", pcf}});
    } else if (Differs(it->second, pcf)) {
      footprints.push_back({{"product", product}, {"before", it->second}, {"after", pcf}});
    }
  }
  for (const auto& [product, pcf] : fp_before) {
    if (fp_after.count(product) == 0) {
      footprints.push_back({{"product", product}, {"before", pcf}, {"after", nullptr}});
    }
  }
  out["footprints_kgco2e_per_unit"] = footprints;

  RENKEI_ASSIGN_OR_RETURN(const auto c_before, Concentrations(before));
  RENKEI_ASSIGN_OR_RETURN(const auto c_after, Concentrations(after));
  json concentration = json::array();
  auto describe = [](const ProductConcentration& c) {
    return json{{"hhi_company", c.hhi_company},
                {"hhi_country", c.hhi_country},
                {"top_country", c.top_country},
                {"top_country_share", c.top_country_share}};
  };
  for (const auto& [product, c] : c_after) {
    auto it = c_before.find(product);
    if (it != c_before.end() && !Differs(it->second.hhi_company, c.hhi_company) &&
        !Differs(it->second.hhi_country, c.hhi_country) &&
        it->second.top_country == c.top_country &&
        !Differs(it->second.top_country_share, c.top_country_share)) {
      continue;
    }
    concentration.push_back({{"product", product},
                             {"before", it == c_before.end() ? json() : describe(it->second)},
                             {"after", describe(c)}});
  }
  out["concentration"] = concentration;
  // Time to survive per site is a table the risk analyses store per version
  // when asked; two whole tables are never recomputed for a diff.
  out["time_to_survive"] = "not computed";
  return out;
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
  auto analyses = AnalysisDeltas(before->model, after->model);
  if (!analyses.ok()) return ReportError(analyses.status());
  if (o.json) {
    json tables = json::object();
    for (const model::TableSchema& t : model::AllTables()) {
      const model::TableDiff& d = diff[static_cast<size_t>(t.table)];
      if (d.added.empty() && d.removed.empty() && d.changed.empty()) continue;
      json changed = json::array();
      for (const model::ChangedRow& r : d.changed) {
        json cells = json::object();
        for (const model::ChangedCell& c : r.cells) {
          cells[c.column] = {{"before", c.before}, {"after", c.after}};
        }
        changed.push_back({{"key", r.key}, {"cells", cells}});
      }
      tables[std::string(t.name)] = {
          {"added", d.added}, {"changed", changed}, {"removed", d.removed}};
    }
    PrintJson({{"from", *from}, {"to", *to}, {"tables", tables}, {"analyses", *analyses}});
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
  const json& a = *analyses;
  for (const auto& s : a["single_points_of_failure"]["gained"]) {
    std::printf("single point of failure gained: %s\n", s.get<std::string>().c_str());
  }
  for (const auto& s : a["single_points_of_failure"]["lost"]) {
    std::printf("single point of failure lost: %s\n", s.get<std::string>().c_str());
  }
  auto number = [](const json& v) {
    return v.is_null() ? std::string("-") : FormatNumber(v.get<double>());
  };
  for (const auto& f : a["footprints_kgco2e_per_unit"]) {
    std::printf("footprint of %s: %s -> %s kgCO2e per unit\n",
                f["product"].get<std::string>().c_str(), number(f["before"]).c_str(),
                number(f["after"]).c_str());
  }
  for (const auto& c : a["concentration"]) {
    std::printf("concentration of %s: country HHI %s -> %s, company HHI %s -> %s\n",
                c["product"].get<std::string>().c_str(),
                c["before"].is_null() ? "-" : number(c["before"]["hhi_country"]).c_str(),
                number(c["after"]["hhi_country"]).c_str(),
                c["before"].is_null() ? "-" : number(c["before"]["hhi_company"]).c_str(),
                number(c["after"]["hhi_company"]).c_str());
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
