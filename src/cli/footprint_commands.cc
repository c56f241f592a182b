#include "cli/footprint_commands.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/decimal.h"
#include "footprint/circularity.h"
#include "footprint/passport.h"
#include "footprint/report.h"
#include "footprint/roll_up.h"
#include "store/store.h"

namespace renkei::cli {
namespace {

struct Options {
  std::string db;
  std::string as_of;  // --as-of: a version or a time; empty: the current model
  std::string product;
  std::string by;
  bool json = false;
  std::string pact = "v3";
  std::string out;
  bool allow_incomplete = false;
  CLI::App* export_command = nullptr;
};

StatusOr<model::Model> Load(const std::string& db, const std::string& as_of) {
  RENKEI_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> store, store::Store::Open(db));
  return store->LoadModelAsOf(as_of);
}

std::string Rating(const std::optional<double>& r) { return r ? FormatDecimal(r.value(), 3) : "-"; }

int RunExport(const Options& o) {
  if (o.pact != "v2" && o.pact != "v3") {
    return ReportError(InvalidArgumentError("--pact: expected v2 or v3, got '" + o.pact + "'"));
  }
  auto model = Load(o.db, o.as_of);
  if (!model.ok()) return ReportError(model.status());
  auto network = footprint::RollUp(*model);
  if (!network.ok()) return ReportError(network.status());
  // The reference period is the last full calendar year.
  const auto now = std::chrono::system_clock::now();
  const std::string year = std::to_string(UtcYear(now) - 1);
  const std::string next = std::to_string(UtcYear(now));
  footprint::PactExportOptions options{Rfc3339(now), year + "-01-01T00:00:00Z",
                                       next + "-01-01T00:00:00Z"};
  std::vector<std::string> notes;
  auto docs = footprint::ExportPact(
      *model, *network, o.pact == "v2" ? pact::SpecVersion::kV2 : pact::SpecVersion::kV3, options,
      notes);
  if (!docs.ok()) return ReportError(docs.status());
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec)
    return ReportError(InvalidArgumentError(o.out + ": cannot create folder: " + ec.message()));
  for (const pact::ProductFootprint& doc : *docs) {
    std::string name = doc.product_name_company;
    for (const std::string& id : doc.product_ids) name = id;
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    }
    const std::string path = (std::filesystem::path(o.out) / (name + ".json")).string();
    std::ofstream file(path);
    file << pact::WriteProductFootprint(doc) << "\n";
    if (!file) return ReportError(InternalError(path + ": cannot write"));
  }
  for (const std::string& note : notes) std::fprintf(stderr, "renkei: note: %s\n", note.c_str());
  std::printf("wrote %zu PACT %s footprints to %s\n", docs->size(), o.pact.c_str(), o.out.c_str());
  return kExitOk;
}

int RunFootprint(const Options& o) {
  if (o.db.empty() || o.product.empty()) {
    return ReportError(InvalidArgumentError(
        "usage: renkei footprint DB PRODUCT [--json] [--by tier|country|supplier|stage], or "
        "renkei footprint export DB --pact v2|v3 OUTDIR"));
  }
  std::optional<footprint::SplitBy> split;
  if (o.by == "tier") split = footprint::SplitBy::kTier;
  if (o.by == "country") split = footprint::SplitBy::kCountry;
  if (o.by == "supplier") split = footprint::SplitBy::kSupplier;
  if (o.by == "stage") split = footprint::SplitBy::kStage;
  if (!o.by.empty() && !split) {
    return ReportError(InvalidArgumentError(
        "--by: expected tier, country, supplier or stage, got '" + o.by + "'"));
  }
  auto model = Load(o.db, o.as_of);
  if (!model.ok()) return ReportError(model.status());
  auto network = footprint::RollUp(*model);
  if (!network.ok()) return ReportError(network.status());
  auto fp = footprint::FootprintOfProduct(*model, *network, o.product);
  if (!fp.ok()) return ReportError(fp.status());
  const nlohmann::ordered_json j = footprint::FootprintJson(*model, *fp, split);
  if (o.json) {
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  const model::Product& product = model->products[fp->product];
  std::printf("%s (%s): %s kgCO2e per %s%s%s\n", product.id.c_str(), product.name.c_str(),
              FormatDecimal(fp->pcf).c_str(), std::string(model::UnitSymbol(product.unit)).c_str(),
              fp->received ? " (received footprint)" : "",
              fp->verified ? ""
                           : " UNVERIFIED: rests on received footprints that carry no "
                             "verified signature");
  std::printf("primary data share: %s %%\n",
              FormatDecimal(fp->primary_data_share * 100, 4).c_str());
  std::printf("data quality (1 best .. 3): TeR %s  GeR %s  TiR %s\n", Rating(fp->dqr.ter).c_str(),
              Rating(fp->dqr.ger).c_str(), Rating(fp->dqr.tir).c_str());
  if (split) {
    std::printf("by %s:\n", o.by.c_str());
    for (const auto& e : j["by_" + o.by]) {
      std::printf("  %-32s %16s kgCO2e  %6s %%\n", e["key"].get<std::string>().c_str(),
                  e["kgco2e"].get<std::string>().c_str(),
                  FormatDecimal(e["share"].get<double>() * 100, 3).c_str());
    }
  }
  for (const std::string& note : fp->notes) std::printf("note: %s\n", note.c_str());
  return kExitOk;
}

int RunCircularity(const Options& o) {
  auto model = Load(o.db, o.as_of);
  if (!model.ok()) return ReportError(model.status());
  auto c = footprint::RecycledContent(*model, o.product);
  if (!c.ok()) return ReportError(c.status());
  if (o.json) {
    std::printf("%s\n", footprint::CircularityJson(*model, *c).dump(2).c_str());
    return kExitOk;
  }
  std::printf("%-10s %14s %8s %8s %8s  %-14s %-14s\n", "substance", "kg per unit", "pre %",
              "post %", "total %", "EU 2031", "EU 2036");
  for (const footprint::SubstanceContent& s : c->substances) {
    auto target = [](const std::optional<double>& t, bool meets) {
      if (!t) return std::string("-");
      return FormatDecimal(*t * 100) + " % " + (meets ? "met" : "NOT met");
    };
    std::printf("%-10s %14s %8s %8s %8s  %-14s %-14s\n", s.substance.c_str(),
                FormatDecimal(s.mass_kg_per_unit).c_str(),
                FormatDecimal(s.pre_consumer_share * 100, 4).c_str(),
                FormatDecimal(s.post_consumer_share * 100, 4).c_str(),
                FormatDecimal(s.recycled_share() * 100, 4).c_str(),
                target(s.target_2031, s.meets_2031).c_str(),
                target(s.target_2036, s.meets_2036).c_str());
  }
  return kExitOk;
}

int RunPassport(const Options& o) {
  auto model = Load(o.db, o.as_of);
  if (!model.ok()) return ReportError(model.status());
  auto network = footprint::RollUp(*model);
  if (!network.ok()) return ReportError(network.status());
  auto passport = footprint::MakeBatteryPassport(*model, *network, o.product);
  if (!passport.ok()) return ReportError(passport.status());
  if (!passport->complete()) {
    std::fprintf(stderr,
                 "%s: the passport lacks %zu value(s) the Battery Pass data model "
                 "requires:\n",
                 o.product.c_str(), passport->missing.size());
    for (const footprint::MissingValue& m : passport->missing) {
      std::fprintf(stderr, "  %s: give %s\n", m.field.c_str(), m.provide.c_str());
    }
    if (!o.allow_incomplete) {
      std::fprintf(stderr, "no passport written (--allow-incomplete writes what there is)\n");
      return kExitBadInput;
    }
    nlohmann::ordered_json missing = nlohmann::ordered_json::array();
    for (const footprint::MissingValue& m : passport->missing) {
      missing.push_back({{"field", m.field}, {"provide", m.provide}});
    }
    passport->document["missing"] = std::move(missing);
  }
  std::printf("%s\n", passport->document.dump(2).c_str());
  return kExitOk;
}

}  // namespace

void AddFootprintCommands(CommandLine& cl) {
  CLI::App& app = cl.app();
  auto o = std::make_shared<Options>();
  auto e = std::make_shared<Options>();

  // `footprint DB PRODUCT` and `footprint export DB ...` share the word: the plain form
  // takes optional positionals, and its run dispatches to `export` when that was given
  // (CLI11 runs the parent's callback after the subcommand's).
  CLI::App* fp = cl.Add(app, "footprint", "Cradle-to-gate carbon footprint of a product", [o, e] {
    if (o->export_command->parsed()) return RunExport(*e);
    return RunFootprint(*o);
  });
  fp->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)");
  fp->add_option("PRODUCT", o->product, "Product id");
  fp->add_option("--as-of", o->as_of, kAsOfHelp);
  fp->add_flag("--json", o->json, "Print JSON");
  fp->add_option("--by", o->by, "Split the total by tier, country, supplier or stage");
  fp->require_subcommand(0, 1);

  CLI::App* exp = cl.Add(*fp, "export", "Write PACT footprints of the products made here",
                         [e] { return RunExport(*e); });
  exp->add_option("DB", e->db, "The store (a file, or a postgresql:// URL)")->required();
  exp->add_option("OUTDIR", e->out, "Folder to write one JSON file per product to")->required();
  exp->add_option("--pact", e->pact, "PACT version: v2 (2.3) or v3 (3.0)")->capture_default_str();
  o->export_command = exp;

  CLI::App* circ = cl.Add(app, "circularity", "Recycled content of a product against EU minimums",
                          [o] { return RunCircularity(*o); });
  circ->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
  circ->add_option("PRODUCT", o->product, "Product id")->required();
  circ->add_option("--as-of", o->as_of, kAsOfHelp);
  circ->add_flag("--json", o->json, "Print JSON");

  CLI::App* passport = cl.Add(
      app, "passport", "Battery passport: Battery Pass CarbonFootprint and Circularity 1.2.0",
      [o] { return RunPassport(*o); });
  passport->add_option("DB", o->db, "The store (a file, or a postgresql:// URL)")->required();
  passport->add_option("PRODUCT", o->product, "Product id")->required();
  passport->add_option("--as-of", o->as_of, kAsOfHelp);
  passport->add_flag("--allow-incomplete", o->allow_incomplete,
                     "Write the passport even when required values are missing, and list them");
}

}  // namespace renkei::cli
