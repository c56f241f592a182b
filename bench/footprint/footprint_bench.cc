// footprint_bench: the footprint of every product of a network, timed.
//
//   footprint_bench (--store DB | --bundle DIR) [--out FILE] [--check N]
//
// Loads the model from a store (Store::Open + LoadModel) or reads a CSV bundle,
// then computes the footprint of every node (footprint::RollUp) and of every
// product: the mean over the nodes that make it, weighted by capacity_per_day
// (equal weights when any maker lacks one), as footprint::FootprintOfProduct
// defines it. Prints one JSON object with the load and compute times in seconds
// and the sizes. --out writes "product,pcf_kgco2e_per_unit" lines (17 significant
// digits) for comparison with other tools. --check N compares the first N products
// with FootprintOfProduct, untimed, and fails on a relative difference > 1e-9.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "footprint/roll_up.h"
#include "io/bundle.h"
#include "store/store.h"

namespace {

using renkei::Status;
using renkei::StatusOr;
using renkei::model::Index;
using renkei::model::Model;

struct Args {
  std::string store;
  std::string bundle;
  std::string out;
  size_t check = 0;
};

int Usage(const char* message) {
  std::fprintf(stderr,
               "footprint_bench: %s\n"
               "usage: footprint_bench (--store DB | --bundle DIR) [--out FILE] [--check N]\n",
               message);
  return 2;
}

int Fail(const Status& status) {
  std::fprintf(stderr, "footprint_bench: %s\n", status.ToString().c_str());
  return 1;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

StatusOr<Model> Load(const Args& args) {
  if (!args.bundle.empty()) return renkei::io::ReadBundle(args.bundle);
  RENKEI_ASSIGN_OR_RETURN(std::unique_ptr<renkei::store::Store> store,
                          renkei::store::Store::Open(args.store));
  return store->LoadModel();
}

// The footprint of every product made somewhere (NaN for products made nowhere).
std::vector<double> ProductFootprints(const Model& model,
                                      const renkei::footprint::NetworkFootprint& network) {
  const size_t products = model.products.size();
  std::vector<double> capacity(products, 0), count(products, 0), by_capacity(products, 0),
      plain(products, 0);
  std::vector<bool> all_capacities(products, true);
  for (Index j = 0; j < model.production.size(); ++j) {
    const renkei::model::Production& node = model.production[j];
    const double c = node.capacity_per_day.value_or(0);
    if (c > 0) {
      capacity[node.product] += c;
      by_capacity[node.product] += c * network.pcf[j];
    } else {
      all_capacities[node.product] = false;
    }
    count[node.product] += 1;
    plain[node.product] += network.pcf[j];
  }
  std::vector<double> pcf(products, std::nan(""));
  for (size_t p = 0; p < products; ++p) {
    if (count[p] == 0) continue;
    pcf[p] = all_capacities[p] ? by_capacity[p] / capacity[p] : plain[p] / count[p];
  }
  return pcf;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return Usage(("missing value after " + arg).c_str());
    const std::string value = argv[++i];
    if (arg == "--store") {
      args.store = value;
    } else if (arg == "--bundle") {
      args.bundle = value;
    } else if (arg == "--out") {
      args.out = value;
    } else if (arg == "--check") {
      args.check = std::strtoull(value.c_str(), nullptr, 10);
    } else {
      return Usage(("unknown option " + arg).c_str());
    }
  }
  if (args.store.empty() == args.bundle.empty()) {
    return Usage("give exactly one of --store and --bundle");
  }

  const auto load_start = std::chrono::steady_clock::now();
  StatusOr<Model> model = Load(args);
  if (!model.ok()) return Fail(model.status());
  const double load_seconds = Seconds(load_start);

  const auto compute_start = std::chrono::steady_clock::now();
  StatusOr<renkei::footprint::NetworkFootprint> network = renkei::footprint::RollUp(*model);
  if (!network.ok()) return Fail(network.status());
  const std::vector<double> pcf = ProductFootprints(*model, *network);
  const double compute_seconds = Seconds(compute_start);

  size_t made = 0;
  for (double v : pcf) made += std::isnan(v) ? 0 : 1;
  std::printf(
      "{\"load_s\": %.6f, \"compute_s\": %.6f, \"nodes\": %zu, \"supply\": %zu, "
      "\"products\": %zu, \"products_made\": %zu, \"cyclic\": %s}\n",
      load_seconds, compute_seconds, model->production.size(), model->supply.size(),
      model->products.size(), made, network->cyclic ? "true" : "false");

  if (!args.out.empty()) {
    std::FILE* out = std::fopen(args.out.c_str(), "w");
    if (out == nullptr) return Fail(renkei::InvalidArgumentError("cannot write " + args.out));
    std::fprintf(out, "product,pcf_kgco2e_per_unit\n");
    for (size_t p = 0; p < pcf.size(); ++p) {
      if (!std::isnan(pcf[p]))
        std::fprintf(out, "%s,%.17g\n", model->products[p].id.c_str(), pcf[p]);
    }
    std::fclose(out);
  }

  size_t checked = 0;
  for (size_t p = 0; p < pcf.size() && checked < args.check; ++p) {
    if (std::isnan(pcf[p])) continue;
    ++checked;
    StatusOr<renkei::footprint::ProductFootprint> one =
        renkei::footprint::FootprintOfProduct(*model, *network, model->products[p].id);
    if (!one.ok()) return Fail(one.status());
    const double scale = std::max(std::fabs(one->pcf), 1e-300);
    if (std::fabs(one->pcf - pcf[p]) / scale > 1e-9) {
      std::fprintf(stderr, "footprint_bench: %s: %.17g here, %.17g from FootprintOfProduct\n",
                   model->products[p].id.c_str(), pcf[p], one->pcf);
      return 1;
    }
  }
  return 0;
}
