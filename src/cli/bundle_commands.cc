#include "cli/bundle_commands.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/numbers.h"
#include "io/bundle.h"
#include "io/split.h"
#include "io/synthetic.h"
#include "model/edit.h"
#include "model/schema.h"
#include "store/import.h"
#include "store/node_records.h"
#include "store/store.h"

namespace renkei::cli {
namespace {

struct Options {
  std::string db;
  std::string bundle;
  std::string out;
  std::string format = "csv";
  std::string by;
  std::string actor;
  bool json = false;
  bool trust_new_keys = false;
  std::string unsigned_policy;
  std::string currency;
  uint64_t sites = 1000;
  int tiers = 5;
  uint64_t seed = 1;
  std::string shape = "general";
  bool no_capacities = false;
  bool no_inventories = false;
  std::string mode = "append";
  std::vector<std::string> organizations;
  bool cascade = false;
  std::string as_of;
  std::string keep_versions;
  std::string keep_days;
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void PrintCounts(const model::RowCounts& counts, const model::RowCounts* before) {
  for (const model::TableSchema& t : model::AllTables()) {
    const size_t n = counts[static_cast<size_t>(t.table)] -
                     (before ? (*before)[static_cast<size_t>(t.table)] : 0);
    std::printf("  %-18s %8zu\n", std::string(t.name).c_str(), n);
  }
}

int RunInit(const Options& o) {
  auto store = store::Store::Create(o.db);
  if (!store.ok()) return ReportError(store.status());
  std::printf("created %s (schema version %d)\n", store::Printable(o.db).c_str(),
              (*store)->SchemaVersion());
  return kExitOk;
}

// Rows added, changed and removed per table, and the rows a cascade removed.
void PrintEdit(const std::array<model::TableEdit, model::kTableCount>& tables,
               const std::vector<std::string>& cascaded) {
  std::printf("  %-18s %8s %8s %8s\n", "table", "added", "changed", "removed");
  for (const model::TableSchema& t : model::AllTables()) {
    const model::TableEdit& e = tables[static_cast<size_t>(t.table)];
    if (e.added + e.changed + e.removed == 0) continue;
    std::printf("  %-18s %8zu %8zu %8zu\n", std::string(t.name).c_str(), e.added, e.changed,
                e.removed);
  }
  for (const std::string& row : cascaded) std::printf("  also removed %s\n", row.c_str());
}

int RunImport(const Options& o) {
  const auto start = std::chrono::steady_clock::now();
  const std::optional<model::EditMode> mode = model::ParseEditMode(o.mode);
  if (!mode) {
    return ReportError(
        InvalidArgumentError("--mode: expected append, upsert or replace, got '" + o.mode + "'"));
  }
  auto store = store::Store::Open(o.db);
  if (!store.ok()) return ReportError(store.status());
  store::ImportOptions options;
  options.actor = o.actor.empty() ? DefaultActor() : o.actor;
  options.trust_new_keys = o.trust_new_keys;
  options.streamed = true;  // this process holds the store alone
  options.edit = {*mode, o.organizations, o.cascade};
  auto imported = store::ImportBundle(**store, {o.bundle, std::nullopt, ""}, options);
  if (!imported.ok()) return ReportError(imported.status());
  for (const std::string& signer : imported->trusted_keys) {
    std::printf("trusted the public key of %s that came with the bundle\n", signer.c_str());
  }
  if (*mode == model::EditMode::kAppend) {
    std::printf("imported %s into %s in %.2f s (version %lld)\n", o.bundle.c_str(), o.db.c_str(),
                SecondsSince(start), static_cast<long long>(imported->change));
    PrintCounts(imported->after, &imported->before);
  } else if (imported->change == 0) {
    std::printf("%s changes nothing in %s (%.2f s)\n", o.bundle.c_str(), o.db.c_str(),
                SecondsSince(start));
  } else {
    std::printf("%s %s into %s in %.2f s (version %lld)\n",
                *mode == model::EditMode::kUpsert ? "upserted" : "replaced with", o.bundle.c_str(),
                o.db.c_str(), SecondsSince(start), static_cast<long long>(imported->change));
    PrintEdit(imported->tables, imported->cascaded);
  }
  return kExitOk;
}

int RunPolicy(const Options& o) {
  auto store = store::Store::Open(o.db);
  if (!store.ok()) return ReportError(store.status());
  const std::string actor = o.actor.empty() ? DefaultActor() : o.actor;
  if (!o.unsigned_policy.empty()) {
    if (o.unsigned_policy != "accept" && o.unsigned_policy != "reject") {
      return ReportError(InvalidArgumentError("--unsigned: expected accept or reject, got '" +
                                              o.unsigned_policy + "'"));
    }
    Status s = store::SetAcceptsUnsignedFootprints(**store, o.unsigned_policy == "accept", actor);
    if (!s.ok()) return ReportError(s);
  }
  if (!o.currency.empty()) {
    Status s = store::SetMarginCurrency(**store, o.currency, actor);
    if (!s.ok()) return ReportError(s);
  }
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string&>{"keep_versions", o.keep_versions},
        {"keep_days", o.keep_days}}) {
    if (value.empty()) continue;
    if (value != "all" && (!ParseUnsigned(value) || *ParseUnsigned(value) == 0)) {
      return ReportError(InvalidArgumentError(
          "--" + std::string(name == std::string("keep_days") ? "keep-days" : "keep-versions") +
          ": expected a number > 0 or 'all', got '" + value + "'"));
    }
    Status s = (*store)->SetSetting(name, value == "all" ? "0" : value, actor);
    if (s.ok()) s = (*store)->ApplyRetention();
    if (!s.ok()) return ReportError(s);
  }
  auto accept = store::AcceptsUnsignedFootprints(**store);
  if (!accept.ok()) return ReportError(accept.status());
  auto currency = store::MarginCurrency(**store);
  if (!currency.ok()) return ReportError(currency.status());
  std::printf("unsigned received footprints: %s\n",
              *accept ? "accept (stored and shown as unverified)" : "reject");
  for (const auto& [name, what] :
       {std::pair<const char*, const char*>{"keep_versions", "versions"}, {"keep_days", "days"}}) {
    auto kept = (*store)->Setting(name, "0");
    if (!kept.ok()) return ReportError(kept.status());
    std::printf("history kept (%s): %s\n", what, *kept == "0" ? "all" : kept->c_str());
  }
  std::printf("margin currency: %s\n", currency->empty()
                                           ? "not set (impacts are shown without a currency)"
                                           : currency->c_str());
  return kExitOk;
}

// A folder name for an organization id: its letters, digits, '.', '_' and '-', every
// other character as '_' ("org:jasm" -> "org_jasm").
std::string FolderName(const std::string& id) {
  std::string out = id;
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
  }
  return out;
}

int RunSplit(const Options& o) {
  namespace fs = std::filesystem;
  if (o.by != "organization") {
    return ReportError(InvalidArgumentError("--by: expected organization, got '" + o.by + "'"));
  }
  if (o.format != "csv" && o.format != "json") {
    return ReportError(
        InvalidArgumentError("--format: expected csv or json, got '" + o.format + "'"));
  }
  std::error_code ec;
  if (fs::exists(o.out, ec) && !(fs::is_directory(o.out, ec) && fs::is_empty(o.out, ec))) {
    return ReportError(InvalidArgumentError(
        o.out + ": exists and is not an empty folder; the parts are written into a new one"));
  }
  auto model = io::ReadBundle(o.bundle);
  if (!model.ok()) return ReportError(model.status());
  auto parts = io::SplitByOrganization(*model);
  if (!parts.ok()) return ReportError(parts.status());
  std::map<std::string, std::string> folders;  // folder name -> organization
  for (const io::Part& part : *parts) {
    auto [it, fresh] = folders.emplace(FolderName(part.organization), part.organization);
    if (!fresh) {
      return ReportError(InvalidArgumentError("organizations '" + it->second + "' and '" +
                                              part.organization + "' would share the folder '" +
                                              it->first + "'"));
    }
  }
  const bool csv = o.format == "csv";
  for (const io::Part& part : *parts) {
    const fs::path path = fs::path(o.out) / (FolderName(part.organization) + (csv ? "" : ".json"));
    Status s = io::WriteBundle(part.model, path.string(),
                               csv ? io::BundleFormat::kCsv : io::BundleFormat::kJson);
    if (!s.ok()) return ReportError(s);
    size_t rows = 0, own = 0;
    for (size_t n : model::CountRows(part.model)) rows += n;
    for (size_t n : part.owned) own += n;
    std::printf("%-36s %s: %zu rows, %zu its own, %zu external site%s\n", part.organization.c_str(),
                path.string().c_str(), rows, own, part.external_sites,
                part.external_sites == 1 ? "" : "s");
  }
  std::printf("split %s into %zu parts in %s\n", o.bundle.c_str(), parts->size(), o.out.c_str());
  return kExitOk;
}

int RunExport(const Options& o) {
  if (o.format != "csv" && o.format != "json") {
    return ReportError(
        InvalidArgumentError("--format: expected csv or json, got '" + o.format + "'"));
  }
  auto store = store::Store::Open(o.db);
  if (!store.ok()) return ReportError(store.status());
  auto model = (*store)->LoadModelAsOf(o.as_of);
  if (!model.ok()) return ReportError(model.status());
  Status s = io::WriteBundle(*model, o.out,
                             o.format == "csv" ? io::BundleFormat::kCsv : io::BundleFormat::kJson);
  if (!s.ok()) return ReportError(s);
  std::printf("exported %s to %s\n", o.db.c_str(), o.out.c_str());
  return kExitOk;
}

int RunValidate(const Options& o) {
  const auto start = std::chrono::steady_clock::now();
  auto model = io::ReadBundle(o.bundle);
  if (!model.ok()) return ReportError(model.status());
  std::printf("%s is valid (%.2f s)\n", o.bundle.c_str(), SecondsSince(start));
  PrintCounts(model::CountRows(*model), nullptr);
  return kExitOk;
}

int RunStats(const Options& o) {
  auto store = store::Store::Open(o.db);
  if (!store.ok()) return ReportError(store.status());
  auto counts = (*store)->CountRows();
  if (!counts.ok()) return ReportError(counts.status());
  auto countries = (*store)->CountSitesBy("country");
  if (!countries.ok()) return ReportError(countries.status());
  auto clusters = (*store)->CountSitesBy("cluster");
  if (!clusters.ok()) return ReportError(clusters.status());
  if (o.json) {
    nlohmann::ordered_json out;
    out["store"] = o.db;
    out["tables"] = nlohmann::ordered_json::object();
    for (const model::TableSchema& t : model::AllTables()) {
      out["tables"][std::string(t.name)] = (*counts)[static_cast<size_t>(t.table)];
    }
    out["countries"] = nlohmann::ordered_json::object();
    for (const auto& [country, n] : *countries) out["countries"][country] = n;
    out["clusters"] = nlohmann::ordered_json::object();
    for (const auto& [cluster, n] : *clusters) {
      if (!cluster.empty()) out["clusters"][cluster] = n;
    }
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::printf("%s\n\ntables\n", o.db.c_str());
  PrintCounts(*counts, nullptr);
  std::printf("\nsites by country (%zu countries)\n", countries->size());
  for (const auto& [country, n] : *countries)
    std::printf("  %-18s %8lld\n", country.c_str(), static_cast<long long>(n));
  std::printf("\nsites by cluster\n");
  for (const auto& [cluster, n] : *clusters) {
    std::printf("  %-22s %6lld\n", cluster.empty() ? "(none)" : cluster.c_str(),
                static_cast<long long>(n));
  }
  return kExitOk;
}

int RunGenerate(const Options& o) {
  const auto start = std::chrono::steady_clock::now();
  io::SyntheticOptions options;
  options.sites = o.sites;
  options.tiers = o.tiers;
  options.seed = o.seed;
  auto shape = io::ParseShape(o.shape);
  if (!shape.ok()) return ReportError(shape.status());
  options.shape = *shape;
  if ((o.no_capacities || o.no_inventories) && options.shape == io::Shape::kGeneral) {
    return ReportError(InvalidArgumentError(
        "--no-capacities and --no-inventories apply to the tree shapes (--shape assembly, "
        "serial or distribution)"));
  }
  options.capacities = !o.no_capacities;
  options.inventories = !o.no_inventories;
  auto counts = io::WriteSyntheticBundle(options, o.out);
  if (!counts.ok()) return ReportError(counts.status());
  std::printf(
      "generated %s in %.2f s: %llu organizations, %llu sites, %llu products, %llu BOM lines, "
      "%llu production, %llu supply, %llu demand, %llu materials\n",
      o.out.c_str(), SecondsSince(start), static_cast<unsigned long long>(counts->organizations),
      static_cast<unsigned long long>(counts->sites),
      static_cast<unsigned long long>(counts->products),
      static_cast<unsigned long long>(counts->bom),
      static_cast<unsigned long long>(counts->production),
      static_cast<unsigned long long>(counts->supply),
      static_cast<unsigned long long>(counts->demand),
      static_cast<unsigned long long>(counts->materials));
  return kExitOk;
}

int RunAuditVerify(const Options& o) {
  auto store = store::Store::Open(o.db);
  if (!store.ok()) return ReportError(store.status());
  Status s = (*store)->VerifyAudit();
  if (!s.ok()) {
    std::fprintf(stderr, "renkei: error: %s\n", s.message().c_str());
    return kExitBadInput;
  }
  std::printf("audit log of %s is intact\n", o.db.c_str());
  return kExitOk;
}

}  // namespace

void AddBundleCommands(CommandLine& cl) {
  auto o = std::make_shared<Options>();
  CLI::App& app = cl.app();

  CLI::App* init =
      cl.Add(app, "init", "Create an empty store (an SQLite file)", [o] { return RunInit(*o); });
  init->add_option("DB", o->db,
                   "The new store: a file path, or a postgresql:// URL of an empty database")
      ->required();

  CLI::App* import = cl.Add(app, "import", "Import a bundle into a store, all of it or nothing",
                            [o] { return RunImport(*o); });
  import->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
  import->add_option("BUNDLE", o->bundle, "A folder of CSV files or a .json file")->required();
  import->add_option("--actor", o->actor, "Who is recorded in the audit log (default cli:$USER)");
  import
      ->add_option("--mode", o->mode,
                   "append (a stored key is an error), upsert (rows with a stored key replace "
                   "it) or replace (upsert, then the named organizations' rows the bundle "
                   "lacks are removed); any table may have a 'deleted' column (true/false)")
      ->capture_default_str();
  import->add_option("--organization", o->organizations,
                     "--mode replace: an organization whose rows the bundle is the whole truth of "
                     "(repeatable)");
  import->add_flag("--cascade", o->cascade,
                   "Remove rows that refer to removed rows too, instead of refusing the import");
  import->add_flag("--trust-new-keys", o->trust_new_keys,
                   "Check received footprints also against public keys that come with the "
                   "bundle itself (organizations.csv), and record that in the audit log");

  CLI::App* policy = cl.Add(app, "policy", "Show or set the store's policy for received data",
                            [o] { return RunPolicy(*o); });
  policy->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
  policy->add_option("--unsigned", o->unsigned_policy,
                     "accept (the default: taken, shown as unverified) or reject received "
                     "footprints that carry no signature");
  policy->add_option("--currency", o->currency,
                     "ISO 4217 code of demand.margin_per_unit, in which impacts are given (USD)");
  policy->add_option("--keep-versions", o->keep_versions,
                     "Keep the rows of the last N versions only ('all': every version)");
  policy->add_option("--keep-days", o->keep_days,
                     "Keep the rows of the versions of the last D days only ('all': every "
                     "version)");
  policy->add_option("--actor", o->actor, "Who is recorded in the audit log (default cli:$USER)");

  CLI::App* exp =
      cl.Add(app, "export", "Write the store's content as a bundle", [o] { return RunExport(*o); });
  exp->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
  exp->add_option("DIR", o->out, "Folder (csv) or file (json) to write")->required();
  exp->add_option("--as-of", o->as_of, kAsOfHelp);
  exp->add_option("--format", o->format, "csv (a folder) or json (one file)")
      ->capture_default_str();

  CLI::App* split =
      cl.Add(app, "split",
             "Cut a bundle into one bundle per company: its own rows, and its suppliers' sites as "
             "external references",
             [o] { return RunSplit(*o); });
  split->add_option("BUNDLE", o->bundle, "A folder of CSV files or a .json file")->required();
  split->add_option("--by", o->by, "organization (the only way to split today)")->required();
  split->add_option("OUTDIR", o->out, "A new folder, with one bundle per organization")->required();
  split->add_option("--format", o->format, "csv (a folder each) or json (one file each)")
      ->capture_default_str();

  CLI::App* validate = cl.Add(app, "validate", "Check a bundle without importing it",
                              [o] { return RunValidate(*o); });
  validate->add_option("BUNDLE", o->bundle, "A folder of CSV files or a .json file")->required();

  CLI::App* stats = cl.Add(app, "stats", "Rows per table, sites by country and cluster",
                           [o] { return RunStats(*o); });
  stats->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
  stats->add_flag("--json", o->json, "Print JSON");

  CLI::App* generate = cl.Add(app, "generate", "Write a synthetic bundle for scale tests",
                              [o] { return RunGenerate(*o); });
  generate->add_option("OUT", o->out, "Folder to write the CSV bundle to")->required();
  generate->add_option("--sites", o->sites, "Number of sites")
      ->required()
      ->check(CLI::Range(uint64_t{2}, uint64_t{100000000}));
  generate->add_option("--tiers", o->tiers, "Number of product tiers")
      ->capture_default_str()
      ->check(CLI::Range(2, 20));
  generate->add_option("--seed", o->seed, "Random seed; the same seed gives the same bundle")
      ->capture_default_str();
  generate
      ->add_option("--shape", o->shape,
                   "general (layered, multi-sourced), assembly (a single-sourced assembly "
                   "tree, one stage per site), serial or distribution")
      ->capture_default_str();
  generate->add_flag("--no-capacities", o->no_capacities, "tree shapes: give no node capacities");
  generate->add_flag("--no-inventories", o->no_inventories, "tree shapes: give no stock");

  CLI::App* audit = app.add_subcommand("audit", "The store's hash-chained audit log");
  audit->require_subcommand(1);
  CLI::App* verify = cl.Add(*audit, "verify", "Recompute the chain and name the first broken entry",
                            [o] { return RunAuditVerify(*o); });
  verify->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
}

}  // namespace renkei::cli
