#include "io/synthetic.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <random>
#include <string_view>
#include <vector>

#include "base/numbers.h"
#include "base/progress.h"
#include "io/csv.h"

namespace renkei::io {
namespace {

namespace fs = std::filesystem;

struct Country {
  std::string_view code;
  double lat, lon, spread;  // centre and spread in degrees
  double weight;
};

// Weighted roughly by their place in electronics and battery supply chains.
constexpr std::array<Country, 24> kCountries = {{
    {"JP", 36.0, 138.0, 3.0, 14}, {"CN", 31.0, 114.0, 6.0, 22}, {"US", 38.0, -95.0, 8.0, 10},
    {"KR", 36.5, 127.8, 1.2, 7},  {"TW", 23.8, 120.9, 0.8, 7},  {"DE", 51.0, 10.0, 2.0, 5},
    {"AU", -25.0, 134.0, 8.0, 3}, {"CL", -27.0, -70.0, 3.0, 2}, {"ID", -2.0, 118.0, 5.0, 3},
    {"PH", 12.0, 122.0, 3.0, 1},  {"CD", -6.0, 25.0, 4.0, 1},   {"CA", 52.0, -100.0, 8.0, 2},
    {"VN", 16.0, 107.0, 3.0, 3},  {"TH", 15.0, 101.0, 3.0, 3},  {"MY", 4.0, 102.0, 2.0, 3},
    {"IN", 22.0, 79.0, 6.0, 4},   {"MX", 23.0, -102.0, 5.0, 2}, {"BR", -12.0, -50.0, 8.0, 1},
    {"FR", 46.5, 2.5, 2.5, 2},    {"PL", 52.0, 19.0, 2.0, 1},   {"HU", 47.0, 19.5, 1.0, 1},
    {"ZA", -29.0, 25.0, 4.0, 1},  {"AR", -34.0, -64.0, 6.0, 1}, {"SE", 62.0, 15.0, 4.0, 1},
}};

constexpr std::array<std::string_view, 4> kMetals = {"Co", "Li", "Ni", "Pb"};

class Writer {
 public:
  Status Open(const fs::path& dir, std::string_view table, std::vector<std::string_view> header) {
    auto w = CsvWriter::Create((dir / (std::string(table) + ".csv")).string());
    if (!w.ok()) return w.status();
    writer_ = std::move(*w);
    writer_->WriteRow(std::span<const std::string_view>(header));
    return Status::Ok();
  }
  // Cells are appended with Text/Number/Empty, then End().
  Writer& Text(std::string_view t) {
    cells_.emplace_back(t);
    return *this;
  }
  Writer& Number(double v, double step) {
    cells_.emplace_back();
    // Divide by the inverse step so that 0.3 is written "0.3", not "0.30000000000000004".
    const double inverse = std::round(1 / step);
    AppendNumber(cells_.back(),
                 step < 1 ? std::round(v * inverse) / inverse : std::round(v / step) * step);
    return *this;
  }
  Writer& Empty() {
    cells_.emplace_back();
    return *this;
  }
  void End() {
    writer_->WriteRow(std::span<const std::string>(cells_));
    cells_.clear();
  }
  Status Close() { return writer_->Close(); }

 private:
  std::unique_ptr<CsvWriter> writer_;
  std::vector<std::string> cells_;
};

std::string Id(char kind, uint64_t n) { return std::string(1, kind) + ":" + std::to_string(n); }

// Node indices are uint32_t; a site makes at most two products.
constexpr uint64_t kMaxSites = 100'000'000;
constexpr uint32_t kNoNode = UINT32_MAX;
// Capacity basis of a node (and a site) that nobody buys from.
constexpr double kIdleFloorPerDay = 10;

struct Component {
  uint32_t product;
  double quantity;  // BOM: units per unit of the product; a site's need: units per day
};

// A supply link of the customer site whose rows these are (see sourcing_begin).
struct Sourcing {
  uint32_t supplier_node;  // the supplier's production node: its site and the product
  float share;             // of the customer site's need of the product
};

struct DemandRow {
  uint32_t node;
  double per_day;
};

}  // namespace

namespace {

// The tree shapes (synthetic.h): one site, one organization and one product per
// stage; supply along the tree's edges.
StatusOr<SyntheticCounts> WriteTreeBundle(const SyntheticOptions& options, const fs::path& dir) {
  std::mt19937_64 rng(options.seed);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  auto pick = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); };
  const uint64_t n = options.sites;
  // parent[i] < i: stage 0 is the root. Assembly: the root is the finished good and
  // a stage is a component of its parent. Distribution: the root is the source and
  // a stage takes its parent's product. Serial: a chain, the root at the end.
  std::vector<uint64_t> parent(n, 0);
  std::vector<double> quantity(n, 1), per_good(n, 1);
  for (uint64_t i = 1; i < n; ++i) {
    switch (options.shape) {
      case Shape::kSerial:
        parent[i] = i - 1;
        break;
      case Shape::kAssembly:
        parent[i] = i - 1 - pick(std::min<uint64_t>(i, 8));
        // 1-4 units a stage, while the units of it in one finished good stay at
        // most 1,000 (a deep tree would otherwise multiply past any real number).
        quantity[i] = static_cast<double>(1 + pick(4));
        if (per_good[parent[i]] * quantity[i] > 1000) quantity[i] = 1;
        per_good[i] = per_good[parent[i]] * quantity[i];
        break;
      default:  // distribution: wider, up to 4 children per stage
        parent[i] = (i - 1) / (2 + pick(3));
        break;
    }
  }
  std::vector<uint32_t> children(n, 0);
  for (uint64_t i = 1; i < n; ++i) ++children[parent[i]];
  const bool assembly = options.shape != Shape::kDistribution;  // components flow to the root
  // Demand: at the root (assembly, serial) or at every leaf (distribution).
  std::vector<double> demand(n, 0), required(n, 0);
  if (assembly) {
    demand[0] = std::round(uniform(50, 5000));
  } else {
    for (uint64_t i = 0; i < n; ++i) {
      if (children[i] == 0) demand[i] = std::round(uniform(50, 5000));
    }
  }
  // Required output per stage: parents before children (assembly: a child makes
  // quantity x its parent's output) or leaves up (distribution: a parent makes
  // what its children need).
  for (uint64_t i = 0; i < n; ++i) required[i] = demand[i];
  if (assembly) {
    for (uint64_t i = 1; i < n; ++i) required[i] += required[parent[i]] * quantity[i];
  } else {
    for (uint64_t i = n; i-- > 1;) required[parent[i]] += required[i];
  }

  SyntheticCounts counts;
  auto with_floor = [](double per_day) { return std::max(per_day, kIdleFloorPerDay); };
  Writer o, s, p, b, pr, sp, d;
  RENKEI_RETURN_IF_ERROR(o.Open(dir, "organizations", {"id", "name", "country", "kind"}));
  RENKEI_RETURN_IF_ERROR(s.Open(
      dir, "sites", {"id", "organization", "name", "country", "lat", "lon", "recovery_days"}));
  RENKEI_RETURN_IF_ERROR(p.Open(dir, "products", {"id", "name", "category", "unit"}));
  RENKEI_RETURN_IF_ERROR(b.Open(dir, "bom", {"product", "component", "quantity"}));
  RENKEI_RETURN_IF_ERROR(pr.Open(dir, "production",
                                 {"site", "product", "capacity_per_day", "inventory_units",
                                  "emissions_kgco2e_per_unit", "recovery_days"}));
  RENKEI_RETURN_IF_ERROR(sp.Open(dir, "supply", {"supplier_site", "customer_site", "product"}));
  RENKEI_RETURN_IF_ERROR(d.Open(
      dir, "demand", {"site", "product", "demand_per_day", "inventory_units", "margin_per_unit"}));
  for (uint64_t i = 0; i < n; ++i) {
    const Country& home = kCountries[pick(kCountries.size())];
    o.Text(Id('o', i)).Text("Company " + std::to_string(i)).Text(home.code).Text("manufacturer");
    o.End();
    s.Text(Id('s', i)).Text(Id('o', i)).Text("Stage " + std::to_string(i)).Text(home.code);
    s.Number(std::clamp(home.lat + uniform(-home.spread, home.spread), -89.0, 89.0), 0.0001);
    s.Number(std::clamp(home.lon + uniform(-home.spread, home.spread), -179.0, 179.0), 0.0001);
    s.Number(uniform(7, 120), 1).End();
    p.Text(Id('p', i)).Text("Product " + std::to_string(i));
    p.Text(i == 0 && assembly ? "finished good" : "component").Text("piece").End();
    pr.Text(Id('s', i)).Text(Id('p', i));
    if (options.capacities) {
      pr.Number(std::ceil(with_floor(required[i]) * uniform(1.2, 2.0)), 1);
    } else {
      pr.Empty();
    }
    if (options.inventories) {
      pr.Number(with_floor(required[i]) * uniform(0, 20), 1);
    } else {
      pr.Empty();
    }
    pr.Number(uniform(0.1, 50), 0.01).Number(uniform(7, 180), 1).End();
    if (i > 0) {
      // Assembly and serial: stage i is a component of its parent's product, made
      // at its own site. Distribution: stage i takes its parent's product.
      const uint64_t maker = assembly ? parent[i] : i, input = assembly ? i : parent[i];
      b.Text(Id('p', maker)).Text(Id('p', input)).Number(quantity[i], 1).End();
      sp.Text(Id('s', input)).Text(Id('s', maker)).Text(Id('p', input)).End();
      ++counts.bom;
      ++counts.supply;
    }
    if (demand[i] > 0) {
      d.Text(Id('s', i)).Text(Id('p', i)).Number(demand[i], 1);
      if (options.inventories) {
        d.Number(demand[i] * uniform(0, 20), 1);
      } else {
        d.Empty();
      }
      d.Number(uniform(1, 500), 0.01).End();
      ++counts.demand;
    }
  }
  for (Writer* w : {&o, &s, &p, &b, &pr, &sp, &d}) RENKEI_RETURN_IF_ERROR(w->Close());
  counts.organizations = counts.sites = counts.products = counts.production = n;
  return counts;
}

}  // namespace

StatusOr<Shape> ParseShape(const std::string& name) {
  if (name == "general") return Shape::kGeneral;
  if (name == "assembly") return Shape::kAssembly;
  if (name == "serial") return Shape::kSerial;
  if (name == "distribution") return Shape::kDistribution;
  return InvalidArgumentError("--shape: expected general, assembly, serial or distribution, got '" +
                              name + "'");
}

StatusOr<SyntheticCounts> WriteSyntheticBundle(const SyntheticOptions& options,
                                               const std::string& dir_name) {
  if (options.sites < 2) return InvalidArgumentError("--sites: at least 2 sites are needed");
  if (options.sites > kMaxSites) {
    return InvalidArgumentError("--sites: at most " + std::to_string(kMaxSites) + " sites");
  }
  if (options.tiers < 2 || options.tiers > 20)
    return InvalidArgumentError("--tiers: expected 2 to 20");
  const fs::path dir(dir_name);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return InvalidArgumentError(dir_name + ": cannot create: " + ec.message());
  if (options.shape != Shape::kGeneral) return WriteTreeBundle(options, dir);

  std::mt19937_64 rng(options.seed);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  auto pick = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); };
  // Strongly skewed towards small indices: a few large suppliers serve many.
  auto pick_skewed = [&](uint64_t n) {
    const double u = uniform(0, 1);
    return std::min<uint64_t>(n - 1, static_cast<uint64_t>(static_cast<double>(n) * u * u * u));
  };

  const uint64_t n_sites = options.sites;
  const int tiers = options.tiers;
  const uint64_t n_orgs = std::max<uint64_t>(1, n_sites / 4);
  const uint64_t per_tier = std::max<uint64_t>(4, n_sites / 50 / static_cast<uint64_t>(tiers));
  const uint64_t n_products = per_tier * static_cast<uint64_t>(tiers);
  auto tier_of_product = [&](uint64_t p) { return static_cast<int>(p / per_tier); };
  SyntheticCounts counts;
  Progress progress("generating", n_sites * 3, "steps");
  uint64_t step = 0;

  std::vector<double> weights;
  for (const Country& c : kCountries) weights.push_back(c.weight);
  std::discrete_distribution<size_t> country_dist(weights.begin(), weights.end());

  // Organizations, each with a home country.
  std::vector<uint8_t> org_country(n_orgs);
  {
    Writer w;
    RENKEI_RETURN_IF_ERROR(w.Open(dir, "organizations", {"id", "name", "country", "kind"}));
    for (uint64_t o = 0; o < n_orgs; ++o) {
      org_country[o] = static_cast<uint8_t>(country_dist(rng));
      w.Text(Id('o', o)).Text("Company " + std::to_string(o)).Text(kCountries[org_country[o]].code);
      w.Text("manufacturer").End();
    }
    RENKEI_RETURN_IF_ERROR(w.Close());
    counts.organizations = n_orgs;
  }

  // Products in tiers; each product above tier 0 has one to four components
  // from the tier below.
  std::vector<std::vector<Component>> components(n_products);
  {
    Writer p, b, m;
    RENKEI_RETURN_IF_ERROR(p.Open(dir, "products", {"id", "name", "category", "unit"}));
    RENKEI_RETURN_IF_ERROR(b.Open(dir, "bom", {"product", "component", "quantity"}));
    RENKEI_RETURN_IF_ERROR(m.Open(dir, "materials",
                                  {"product", "substance", "mass_kg_per_unit",
                                   "recycled_pre_consumer_share", "recycled_post_consumer_share"}));
    for (uint64_t i = 0; i < n_products; ++i) {
      const int tier = tier_of_product(i);
      const char* category = tier == 0           ? "raw material"
                             : tier == tiers - 1 ? "final product"
                                                 : "component";
      p.Text(Id('p', i))
          .Text("Product " + std::to_string(i) + " (tier " + std::to_string(tier) + ")");
      p.Text(category).Text(tier == 0 ? "kg" : "piece").End();
      if (tier == 0) {
        if (pick(3) == 0) {  // a metal-bearing raw material
          m.Text(Id('p', i)).Text(kMetals[pick(kMetals.size())]).Number(uniform(0.05, 0.6), 0.001);
          m.Number(uniform(0, 0.1), 0.001).Number(uniform(0, 0.2), 0.001).End();
          ++counts.materials;
        }
        continue;
      }
      const uint64_t k = 1 + pick(4);
      for (uint64_t c = 0; c < k; ++c) {
        const auto q =
            static_cast<uint32_t>(static_cast<uint64_t>(tier - 1) * per_tier + pick(per_tier));
        auto& list = components[i];
        if (std::any_of(list.begin(), list.end(),
                        [&](const Component& x) { return x.product == q; }))
          continue;
        // The quantity as written, so that the flows below are those of the bundle.
        const double quantity = std::round(uniform(0.1, 5) * 100) / 100;
        list.push_back({q, quantity});
        b.Text(Id('p', i)).Text(Id('p', q)).Number(quantity, 0.01).End();
        ++counts.bom;
      }
    }
    RENKEI_RETURN_IF_ERROR(p.Close());
    RENKEI_RETURN_IF_ERROR(b.Close());
    RENKEI_RETURN_IF_ERROR(m.Close());
    counts.products = n_products;
  }

  // The structure, kept in memory until the flows are known. Sites: a tier each
  // (raw 15 %, final 10 %, the rest spread over the middle), one or two products
  // of that tier, popular products made at many sites; a node is one (site,
  // product). Every site buys each component it needs (over all its products)
  // from one to five of that component's producers, skewed towards the first
  // (largest) ones, with shares summing to 1. Final-product nodes get demand.
  std::vector<uint8_t> site_tier(n_sites);
  std::vector<std::array<uint32_t, 2>> site_nodes(n_sites, {kNoNode, kNoNode});
  std::vector<uint32_t> node_site, node_product;
  std::vector<std::vector<uint32_t>> producers(n_products);  // nodes making each product
  std::vector<uint64_t> sourcing_begin(n_sites + 1, 0);
  std::vector<Sourcing> sourcing;
  std::vector<DemandRow> demands;
  node_site.reserve(n_sites * 3 / 2);
  node_product.reserve(n_sites * 3 / 2);
  sourcing.reserve(n_sites * 10);
  for (uint64_t i = 0; i < n_sites; ++i) {
    const double r = uniform(0, 1);
    const int tier = r < 0.15   ? 0
                     : r > 0.90 ? tiers - 1
                                : 1 + static_cast<int>((r - 0.15) / 0.75 * (tiers - 2));
    site_tier[i] = static_cast<uint8_t>(std::min(tier, tiers - 1));
    const uint64_t n_made = 1 + pick(2);
    for (uint64_t k = 0; k < n_made; ++k) {
      const auto product = static_cast<uint32_t>(static_cast<uint64_t>(site_tier[i]) * per_tier +
                                                 pick_skewed(per_tier));
      if (site_nodes[i][0] != kNoNode && node_product[site_nodes[i][0]] == product) continue;
      const auto node = static_cast<uint32_t>(node_site.size());
      site_nodes[i][k] = node;
      node_site.push_back(static_cast<uint32_t>(i));
      node_product.push_back(product);
      producers[product].push_back(node);
    }
  }
  {
    std::vector<uint32_t> needed, suppliers;
    std::vector<double> shares;
    for (uint64_t i = 0; i < n_sites; ++i) {
      needed.clear();
      for (uint32_t node : site_nodes[i]) {
        if (node == kNoNode) continue;
        const uint32_t product = node_product[node];
        for (const Component& c : components[product]) {
          if (std::find(needed.begin(), needed.end(), c.product) == needed.end())
            needed.push_back(c.product);
        }
        if (tier_of_product(product) == tiers - 1) {
          demands.push_back({node, std::round(uniform(50, 5000))});
        }
      }
      for (uint32_t q : needed) {
        const std::vector<uint32_t>& candidates = producers[q];
        if (candidates.empty()) continue;  // nobody makes it: an unsupplied component
        const uint64_t want = std::min<uint64_t>(candidates.size(), 1 + pick(5));
        suppliers.clear();
        for (uint64_t tries = 0; suppliers.size() < want && tries < want * 4; ++tries) {
          const uint32_t supplier = candidates[pick_skewed(candidates.size())];
          if (std::find(suppliers.begin(), suppliers.end(), supplier) == suppliers.end()) {
            suppliers.push_back(supplier);
          }
        }
        shares.assign(suppliers.size(), 0);
        double total = 0;
        for (double& x : shares) total += (x = uniform(0.2, 1));
        double assigned = 0;
        for (size_t k = 0; k < suppliers.size(); ++k) {
          // Round to 1e-4 and give the last supplier the rest, so shares sum to 1.
          double share =
              k + 1 == suppliers.size() ? 1 - assigned : std::round(shares[k] / total * 1e4) / 1e4;
          share = std::clamp(std::round(share * 1e4) / 1e4, 0.0, 1.0);
          assigned += share;
          sourcing.push_back({suppliers[k], static_cast<float>(share)});
        }
      }
      sourcing_begin[i + 1] = sourcing.size();
      progress.Update(++step);
    }
  }

  // Demand propagated upstream, customers' tiers first: a node's required output
  // is the sum over the sites it supplies of share × that site's need of its
  // product, where a site's need of a component is Σ over its nodes of their
  // required output × BOM quantity.
  std::vector<double> required(node_site.size(), 0);
  for (const DemandRow& d : demands) required[d.node] += d.per_day;
  std::vector<Component> need;  // a site's need per day, by component
  auto site_need = [&](uint64_t site) {
    need.clear();
    for (uint32_t node : site_nodes[site]) {
      if (node == kNoNode) continue;
      for (const Component& c : components[node_product[node]]) {
        auto it = std::find_if(need.begin(), need.end(),
                               [&](const Component& x) { return x.product == c.product; });
        if (it == need.end()) it = need.insert(need.end(), Component{c.product, 0});
        it->quantity += required[node] * c.quantity;
      }
    }
  };
  auto need_of = [&](uint32_t product) {
    for (const Component& c : need) {
      if (c.product == product) return c.quantity;
    }
    return 0.0;
  };
  for (int tier = tiers - 1; tier > 0; --tier) {
    for (uint64_t i = 0; i < n_sites; ++i) {
      if (site_tier[i] != tier) continue;
      site_need(i);
      for (uint64_t r = sourcing_begin[i]; r < sourcing_begin[i + 1]; ++r) {
        const Sourcing& s = sourcing[r];
        required[s.supplier_node] += s.share * need_of(node_product[s.supplier_node]);
      }
      progress.Update(++step);
    }
  }
  step = 2 * n_sites;

  // The files, with capacities above the flows they carry.
  auto with_floor = [](double per_day) { return std::max(per_day, kIdleFloorPerDay); };
  {
    Writer s, pr;
    RENKEI_RETURN_IF_ERROR(s.Open(dir, "sites",
                                  {"id", "organization", "name", "country", "lat", "lon",
                                   "capacity_per_day", "recovery_days"}));
    RENKEI_RETURN_IF_ERROR(
        pr.Open(dir, "production",
                {"site", "product", "capacity_per_day", "inventory_units",
                 "emissions_kgco2e_per_unit", "dqr_ter", "dqr_ger", "dqr_tir", "recovery_days"}));
    for (uint64_t i = 0; i < n_sites; ++i) {
      const uint64_t org = pick(n_orgs);
      const Country& home = kCountries[pick(5) == 0 ? country_dist(rng) : org_country[org]];
      const double lat = std::clamp(home.lat + uniform(-home.spread, home.spread), -89.0, 89.0);
      const double lon = std::clamp(home.lon + uniform(-home.spread, home.spread), -179.0, 179.0);
      s.Text(Id('s', i)).Text(Id('o', org)).Text("Site " + std::to_string(i)).Text(home.code);
      s.Number(lat, 0.0001).Number(lon, 0.0001);
      double site_required = 0;
      for (uint32_t node : site_nodes[i]) {
        if (node != kNoNode) site_required += required[node];
      }
      if (pick(10) < 3) {
        s.Number(std::ceil(with_floor(site_required) * uniform(1.1, 1.6)), 1);
      } else {
        s.Empty();
      }
      s.Number(uniform(7, 120), 1).End();

      for (uint32_t node : site_nodes[i]) {
        if (node == kNoNode) continue;
        const double base = with_floor(required[node]);
        pr.Text(Id('s', i)).Text(Id('p', node_product[node]));
        pr.Number(std::ceil(base * uniform(1.2, 2.0)), 1).Number(base * uniform(0, 20), 1);
        pr.Number(uniform(0.1, 50), 0.01);
        pr.Number(uniform(1, 3), 0.1).Number(uniform(1, 3), 0.1).Number(uniform(1, 3), 0.1);
        pr.Number(uniform(7, 180), 1).End();
        ++counts.production;
      }
      progress.Update(++step);
    }
    RENKEI_RETURN_IF_ERROR(s.Close());
    RENKEI_RETURN_IF_ERROR(pr.Close());
    counts.sites = n_sites;
  }
  {
    Writer sp, d;
    RENKEI_RETURN_IF_ERROR(sp.Open(dir, "supply",
                                   {"supplier_site", "customer_site", "product", "share",
                                    "capacity_per_day", "lead_time_days"}));
    RENKEI_RETURN_IF_ERROR(
        d.Open(dir, "demand",
               {"site", "product", "demand_per_day", "inventory_units", "margin_per_unit"}));
    for (const DemandRow& row : demands) {
      d.Text(Id('s', node_site[row.node])).Text(Id('p', node_product[row.node]));
      d.Number(row.per_day, 1).Number(row.per_day * uniform(0, 20), 1);
      d.Number(uniform(1, 500), 0.01).End();
      ++counts.demand;
    }
    for (uint64_t i = 0; i < n_sites; ++i) {
      site_need(i);
      const std::string customer = Id('s', i);
      for (uint64_t r = sourcing_begin[i]; r < sourcing_begin[i + 1]; ++r) {
        const Sourcing& row = sourcing[r];
        const uint32_t product = node_product[row.supplier_node];
        const double flow = row.share * need_of(product);
        sp.Text(Id('s', node_site[row.supplier_node])).Text(customer).Text(Id('p', product));
        sp.Number(row.share, 0.0001).Number(std::ceil(std::max(flow, 1.0) * uniform(1.3, 3)), 1);
        sp.Number(uniform(1, 60), 1).End();
        ++counts.supply;
      }
    }
    RENKEI_RETURN_IF_ERROR(sp.Close());
    RENKEI_RETURN_IF_ERROR(d.Close());
  }
  return counts;
}

}  // namespace renkei::io
