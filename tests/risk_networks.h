// Test support for the analyses: the golden networks under tests/data/risk, and
// random layered networks for property tests (results compared against a
// simpler or slower method on many small networks).
#ifndef RENKEI_TESTS_RISK_NETWORKS_H_
#define RENKEI_TESTS_RISK_NETWORKS_H_

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/bundle.h"
#include "model/builder.h"
#include "model_rows.h"
#include "network/network.h"

namespace renkei::testing {

// A model and its snapshot; the snapshot borrows the model, so both live here.
struct Golden {
  std::unique_ptr<model::Model> model;
  std::unique_ptr<network::Network> network;

  network::Index Site(const std::string& id) const { return model->FindSite(id); }
  network::Index Product(const std::string& id) const { return model->FindProduct(id); }
  network::Index Node(const std::string& site, const std::string& product) const {
    return network->FindNode(Site(site), Product(product));
  }
  network::Index Demand(const std::string& site, const std::string& product) const {
    for (network::Index d = 0; d < network->demand_count(); ++d) {
      network::Index v = network->DemandVertex(d);
      if (network->site(v) == Site(site) && network->product(v) == Product(product)) return v;
    }
    return network::kNone;
  }
};

// Reads tests/data/risk/<name> (or any path relative to the source tree when
// `name` contains a '/'); throws, failing the test, when it cannot.
inline Golden LoadGolden(const std::string& name) {
  std::string path = std::string(RENKEI_SOURCE_DIR) +
                     (name.find('/') == std::string::npos ? "/tests/data/risk/" : "/") + name;
  StatusOr<model::Model> m = io::ReadBundle(path);
  if (!m.ok()) throw std::runtime_error(path + ": " + m.status().ToString());
  Golden g;
  g.model = std::make_unique<model::Model>(std::move(m).value());
  StatusOr<network::Network> n = network::Network::Build(*g.model);
  if (!n.ok()) throw std::runtime_error(path + ": " + n.status().ToString());
  g.network = std::make_unique<network::Network>(std::move(n).value());
  return g;
}

struct RandomNetworkOptions {
  int layers = 3;     // of products
  int per_layer = 2;  // products in each layer
  // A product above layer 0 is made from 1 to max_components products of the
  // layer below.
  int max_components = 2;
  // Each maker of a product gets each component from min_links to 3 of its
  // makers (0: sometimes none, and the component is then outside the network).
  int min_links = 1;
  // Capacities, stocks, margins, recovery days and BOM quantities of 1-3 units,
  // drawn so that some sites run short within their recovery days and others
  // never do; otherwise unit quantities and nothing else.
  bool quantities = true;
};

// A random layered network: products in layers; 1-3 sites make each product
// (some sites make several); customers get each component from its makers; a
// customer site "cust" has demand for the top layer, fed by all its makers.
inline model::Model RandomNetwork(std::mt19937& rng, int sites,
                                  const RandomNetworkOptions& o = {}) {
  struct Origin : model::RowOrigin {
    std::string Where(int) const override { return "random"; }
  } origin;
  model::Model m;
  model::ModelBuilder b(m);
  auto add = [&](model::Table t, std::vector<std::string> fields) {
    fields.resize(model::Schema(t).columns.size());
    std::vector<std::string_view> views(fields.begin(), fields.end());
    Status s = b.AddRow(t, views, origin);
    ASSERT_TRUE(s.ok()) << s.ToString();
  };
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto num = [&](int lo, int hi) { return std::to_string(lo + pick(hi - lo + 1)); };
  auto maybe = [&](int lo, int hi) { return pick(4) == 0 ? std::string() : num(lo, hi); };
  auto product = [](int p) { return "p" + std::to_string(p); };
  auto site = [](int s) { return "s" + std::to_string(s); };
  add(model::Table::kOrganizations, {"org", "Org", "JP"});
  for (int s = 0; s < sites; ++s) {
    if (o.quantities) {
      add(model::Table::kSites, {site(s), "org", "S", "JP", "", "35", "139", "",
                                 pick(3) == 0 ? num(20, 80) : "", num(1, 40)});
    } else {
      add(model::Table::kSites, {site(s), "org", "S", "JP", "", "35", "139"});
    }
  }
  const int products = o.layers * o.per_layer;
  for (int p = 0; p < products; ++p) {
    add(model::Table::kProducts, {product(p), "P", "c", "piece"});
  }
  for (int l = 1; l < o.layers; ++l) {
    for (int i = 0; i < o.per_layer; ++i) {
      std::set<int> components;
      for (int k = 0; k < 1 + pick(o.max_components); ++k) {
        components.insert((l - 1) * o.per_layer + pick(o.per_layer));
      }
      for (int c : components) {
        add(model::Table::kBom,
            {product(l * o.per_layer + i), product(c), o.quantities ? num(1, 3) : "1"});
      }
    }
  }
  std::vector<std::vector<int>> makers(static_cast<size_t>(products));
  for (int p = 0; p < products; ++p) {
    std::set<int> at;
    for (int k = 0; k < 1 + pick(3); ++k) at.insert(pick(sites));
    for (int s : at) {
      if (o.quantities) {
        add(model::Table::kProduction, {site(s), product(p), maybe(10, 60), maybe(0, 300)});
      } else {
        add(model::Table::kProduction, {site(s), product(p)});
      }
      makers[static_cast<size_t>(p)].push_back(s);
    }
  }
  std::set<std::string> links;
  auto link = [&](int from, int to, int p) {
    if (from == to) return;  // the site's own production feeds it anyway
    const std::string customer = to < 0 ? "cust" : site(to);
    if (!links.insert(std::to_string(from) + ">" + customer + ":" + std::to_string(p)).second) {
      return;
    }
    if (o.quantities) {
      add(model::Table::kSupply,
          {site(from), customer, product(p), "", pick(3) == 0 ? num(5, 40) : ""});
    } else {
      add(model::Table::kSupply, {site(from), customer, product(p)});
    }
  };
  for (const model::BomLine& line : m.bom) {
    for (int customer : makers[line.product]) {
      const std::vector<int>& from = makers[line.component];
      for (int k = 0; k < o.min_links + pick(4 - o.min_links); ++k) {
        link(from[static_cast<size_t>(pick(static_cast<int>(from.size())))], customer,
             static_cast<int>(line.component));
      }
    }
  }
  add(model::Table::kSites, {"cust", "org", "C", "JP", "", "35", "139"});
  for (int i = 0; i < o.per_layer; ++i) {
    const int p = (o.layers - 1) * o.per_layer + i;
    if (o.quantities) {
      add(model::Table::kDemand,
          {"cust", product(p), num(1, 15), maybe(0, 200), pick(3) == 0 ? "" : num(1, 30)});
    } else {
      add(model::Table::kDemand, {"cust", product(p), "1"});
    }
    for (int s : makers[static_cast<size_t>(p)]) link(s, -1, p);
  }
  EXPECT_TRUE(b.Finish().ok());
  return m;
}

}  // namespace renkei::testing

#endif  // RENKEI_TESTS_RISK_NETWORKS_H_
