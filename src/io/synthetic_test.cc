#include "io/synthetic.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "io/bundle.h"
#include "model/model.h"

namespace renkei::io {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTables[] = {"organizations", "sites",  "products", "bom",
                                   "production",    "supply", "demand",   "materials"};

class SyntheticTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::path(::testing::TempDir()) /
            ("synthetic_test_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
  }
  void TearDown() override { fs::remove_all(base_); }
  std::string Dir(const std::string& name) const { return (base_ / name).string(); }
  fs::path base_;
};

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(SyntheticTest, TheSameSeedGivesTheSameBytes) {
  const SyntheticOptions options{.sites = 1500, .tiers = 5, .seed = 7};
  StatusOr<SyntheticCounts> a = WriteSyntheticBundle(options, Dir("a"));
  StatusOr<SyntheticCounts> b = WriteSyntheticBundle(options, Dir("b"));
  StatusOr<SyntheticCounts> c =
      WriteSyntheticBundle({.sites = 1500, .tiers = 5, .seed = 8}, Dir("c"));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  bool any_differs = false;
  for (const char* table : kTables) {
    const std::string file = std::string(table) + ".csv";
    const std::string text = ReadAll(base_ / "a" / file);
    EXPECT_FALSE(text.empty()) << file;
    EXPECT_EQ(text, ReadAll(base_ / "b" / file)) << file;
    any_differs |= text != ReadAll(base_ / "c" / file);
  }
  EXPECT_TRUE(any_differs);
}

TEST_F(SyntheticTest, RejectsBadOptions) {
  StatusOr<SyntheticCounts> r = WriteSyntheticBundle({.sites = 1}, Dir("x"));
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "--sites: at least 2 sites are needed");
  r = WriteSyntheticBundle({.sites = 100'000'001}, Dir("x"));
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "--sites: at most 100000000 sites");
  r = WriteSyntheticBundle({.sites = 10, .tiers = 1}, Dir("x"));
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "--tiers: expected 2 to 20");
}

// The generated network meets its demand before anything is disrupted: the
// flows are recomputed here from the bundle as read back (demand pushed upstream
// through the BOM and the supply shares) and every capacity stays above them
// by the margins synthetic.h promises.
TEST_F(SyntheticTest, CapacitiesCarryTheFlowsOfTheDemand) {
  StatusOr<SyntheticCounts> counts =
      WriteSyntheticBundle({.sites = 2000, .tiers = 5, .seed = 3}, Dir("n"));
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  StatusOr<model::Model> read = ReadBundle(Dir("n"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  const model::Model& m = *read;
  ASSERT_EQ(m.sites.size(), counts->sites);
  ASSERT_EQ(m.production.size(), counts->production);
  ASSERT_EQ(m.supply.size(), counts->supply);
  ASSERT_EQ(m.demand.size(), counts->demand);
  // The shape: 6-7 supply rows per site at this size (9.5 at 1 M sites).
  EXPECT_GT(m.supply.size(), 5 * m.sites.size());
  EXPECT_LT(m.supply.size(), 8 * m.sites.size());
  EXPECT_GT(m.demand.size(), 0u);

  // Depth of a product: 0 for products no BOM uses, else 1 + the largest depth
  // of the products using it. Links are handled shallow first, so a customer
  // site's need is complete when its suppliers' flows are set.
  const size_t n_products = m.products.size();
  std::vector<std::vector<std::pair<model::Index, double>>> bom(n_products);
  for (const model::BomLine& line : m.bom)
    bom[line.product].push_back({line.component, line.quantity});
  std::vector<int> depth(n_products, 0);
  for (size_t pass = 0; pass < n_products; ++pass) {
    for (const model::BomLine& line : m.bom) {
      depth[line.component] = std::max(depth[line.component], depth[line.product] + 1);
    }
  }
  std::map<std::pair<model::Index, model::Index>, double> required;  // (site, product)
  std::vector<std::vector<model::Index>> site_products(m.sites.size());
  for (const model::Production& p : m.production) site_products[p.site].push_back(p.product);
  for (const model::Demand& d : m.demand) required[{d.site, d.product}] += d.demand_per_day;
  auto need = [&](model::Index site, model::Index component) {
    double units = 0;
    for (model::Index p : site_products[site]) {
      for (auto [c, quantity] : bom[p]) {
        if (c == component) units += required[{site, p}] * quantity;
      }
    }
    return units;
  };
  std::vector<size_t> links(m.supply.size());
  for (size_t i = 0; i < links.size(); ++i) links[i] = i;
  std::stable_sort(links.begin(), links.end(), [&](size_t a, size_t b) {
    return depth[m.supply[a].product] < depth[m.supply[b].product];
  });
  std::map<std::pair<model::Index, model::Index>, double> share_sum;
  for (size_t i : links) {
    const model::SupplyLink& link = m.supply[i];
    ASSERT_TRUE(link.share && link.capacity_per_day);
    const double flow = *link.share * need(link.customer_site, link.product);
    EXPECT_GE(*link.capacity_per_day, 1.3 * flow * (1 - 1e-6)) << "supply row " << i + 2;
    EXPECT_GT(*link.capacity_per_day, 0) << "supply row " << i + 2;
    required[{link.supplier_site, link.product}] += flow;
    share_sum[{link.customer_site, link.product}] += *link.share;
  }
  for (const auto& [key, sum] : share_sum) EXPECT_NEAR(sum, 1, 1e-9);

  std::vector<double> site_required(m.sites.size(), 0);
  size_t busy = 0;
  for (size_t i = 0; i < m.production.size(); ++i) {
    const model::Production& p = m.production[i];
    const double r = required[{p.site, p.product}];
    site_required[p.site] += r;
    busy += r > 0;
    ASSERT_TRUE(p.capacity_per_day && p.inventory_units);
    EXPECT_GE(*p.capacity_per_day, 1.2 * r * (1 - 1e-6)) << "production row " << i + 2;
    EXPECT_GE(*p.capacity_per_day, 12) << "production row " << i + 2;  // the floor × 1.2
    EXPECT_LE(*p.inventory_units, 20 * std::max(r, 10.0) * (1 + 1e-6) + 0.5);
  }
  // Most nodes have customers.
  EXPECT_GT(busy, m.production.size() / 2);
  size_t shared = 0;
  for (size_t s = 0; s < m.sites.size(); ++s) {
    if (!m.sites[s].capacity_per_day) continue;
    ++shared;
    EXPECT_GE(*m.sites[s].capacity_per_day, 1.1 * site_required[s] * (1 - 1e-6))
        << "sites row " << s + 2;
  }
  EXPECT_GT(shared, m.sites.size() / 5);
  EXPECT_LT(shared, m.sites.size() * 2 / 5);
  for (const model::Demand& d : m.demand) {
    EXPECT_GE(d.demand_per_day, 50);
    EXPECT_LE(*d.inventory_units, 20 * d.demand_per_day + 0.5);
  }
}

// The tree shapes: one stage per site, each made at one site from what one supplier
// sends; demand at the root (assembly, serial) or the leaves (distribution); no
// capacity or stock when asked for none.
TEST_F(SyntheticTest, TreeShapesAreSingleSourcedTrees) {
  for (Shape shape : {Shape::kAssembly, Shape::kSerial, Shape::kDistribution}) {
    SyntheticOptions o;
    o.sites = 200;
    o.shape = shape;
    o.capacities = false;
    o.inventories = false;
    const std::string dir = Dir("tree" + std::to_string(static_cast<int>(shape)));
    auto counts = WriteSyntheticBundle(o, dir);
    ASSERT_TRUE(counts.ok()) << counts.status().ToString();
    auto m = ReadBundle(dir);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->sites.size(), 200u);
    EXPECT_EQ(m->production.size(), 200u);
    EXPECT_EQ(m->supply.size(), 199u);
    EXPECT_EQ(m->bom.size(), 199u);
    std::map<std::pair<model::Index, model::Index>, int> suppliers;  // (customer, product)
    for (const model::SupplyLink& l : m->supply) ++suppliers[{l.customer_site, l.product}];
    for (const auto& [key, n] : suppliers) EXPECT_EQ(n, 1);
    for (const model::Production& p : m->production) {
      EXPECT_FALSE(p.capacity_per_day.has_value());
      EXPECT_FALSE(p.inventory_units.has_value());
    }
    for (const model::Demand& d : m->demand) EXPECT_FALSE(d.inventory_units.has_value());
    if (shape == Shape::kDistribution) {
      EXPECT_GT(m->demand.size(), 50u);
    } else {
      ASSERT_EQ(m->demand.size(), 1u);
      EXPECT_EQ(m->sites[m->demand[0].site].id, "s:0");
    }
    if (shape == Shape::kAssembly) {  // units per finished good stay bounded, however deep
      std::vector<double> per_good(m->products.size(), 0);
      per_good[m->FindProduct("p:0")] = 1;
      for (const model::BomLine& line : m->bom) {  // parents come first
        per_good[line.component] = per_good[line.product] * line.quantity;
        EXPECT_LE(per_good[line.component], 1000);
      }
    }
    if (shape == Shape::kSerial) {
      for (const model::SupplyLink& l : m->supply) {
        EXPECT_EQ(std::stoul(m->sites[l.supplier_site].id.substr(2)),
                  std::stoul(m->sites[l.customer_site].id.substr(2)) + 1);
      }
    }
  }
  SyntheticOptions with;
  with.sites = 50;
  with.shape = Shape::kAssembly;
  auto counts = WriteSyntheticBundle(with, Dir("with"));
  ASSERT_TRUE(counts.ok());
  auto m = ReadBundle(Dir("with"));
  ASSERT_TRUE(m.ok());
  for (const model::Production& p : m->production) EXPECT_TRUE(p.capacity_per_day.has_value());
  EXPECT_EQ(ParseShape("tree").status().message(),
            "--shape: expected general, assembly, serial or distribution, got 'tree'");
}

}  // namespace
}  // namespace renkei::io
