#include "io/split.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "io/bundle.h"
#include "model/owner.h"

namespace renkei::io {
namespace {

namespace fs = std::filesystem;
using model::Table;
using ::testing::ElementsAre;

const std::string kSource = RENKEI_SOURCE_DIR;

std::vector<std::string> SiteIds(const model::Model& m) {
  std::vector<std::string> out;
  for (const auto& s : m.sites) out.push_back(s.id + (s.external ? " (external)" : ""));
  return out;
}

TEST(SplitTest, TinyBundleGivesEachCompanyItsRowsAndReferences) {
  auto model = ReadBundle(kSource + "/tests/data/tiny");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto parts = SplitByOrganization(*model);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 2u);

  const model::Model& mine = (*parts)[0].model;
  EXPECT_EQ((*parts)[0].organization, "org:mine");
  EXPECT_THAT(SiteIds(mine), ElementsAre("site:mine"));
  EXPECT_EQ(mine.organizations.size(), 1u);
  EXPECT_EQ(mine.products.size(), 1u);
  EXPECT_EQ(mine.production.size(), 1u);
  EXPECT_EQ(mine.footprints.size(), 1u);
  EXPECT_TRUE(mine.supply.empty());
  EXPECT_TRUE(mine.bom.empty());
  EXPECT_TRUE(mine.demand.empty());

  const Part& cell = (*parts)[1];
  const model::Model& c = cell.model;
  EXPECT_EQ(cell.organization, "org:cell");
  // The mine's site as a reference: id and organization, nothing else.
  EXPECT_THAT(SiteIds(c), ElementsAre("site:mine (external)", "site:cell"));
  EXPECT_EQ(cell.external_sites, 1u);
  const model::Site& ref = c.sites[c.FindSite("site:mine")];
  EXPECT_TRUE(ref.name.empty());
  EXPECT_TRUE(ref.country.empty());
  EXPECT_FALSE(ref.capacity_per_day.has_value());
  EXPECT_EQ(c.organizations[ref.organization].id, "org:mine");
  // The lithium product's row (named by its supply link and BOM line), not the mine's
  // production or footprint of it.
  EXPECT_EQ(c.products.size(), 2u);
  EXPECT_EQ(c.products[c.FindProduct("prod:li")].name, "Lithium concentrate");
  // Its own production, and that the mine's site makes what it supplies: no more.
  ASSERT_EQ(c.production.size(), 2u);
  const model::Production& made = c.production[0];
  EXPECT_EQ(c.sites[made.site].id, "site:mine");
  EXPECT_FALSE(made.capacity_per_day || made.inventory_units || made.emissions_kgco2e_per_unit);
  EXPECT_EQ(cell.owned[static_cast<size_t>(Table::kProduction)], 1u);
  EXPECT_EQ(c.supply.size(), 1u);
  EXPECT_EQ(c.bom.size(), 1u);
  EXPECT_EQ(c.demand.size(), 1u);
  EXPECT_EQ(c.materials.size(), 1u);
  EXPECT_TRUE(c.footprints.empty());
  EXPECT_EQ(cell.owned[static_cast<size_t>(Table::kProducts)], 1u);
  EXPECT_EQ(cell.owned[static_cast<size_t>(Table::kSupply)], 1u);
}

// On the demo: each row is owned in exactly one part, no part holds another company's
// site details, production, demand or supply links, and each part written as a bundle
// reads back on its own to the same rows.
TEST(SplitTest, DemoPartsHoldOnlyTheirCompanysDataAndReadBackAlone) {
  auto model = ReadBundle(kSource + "/data/japan-strategic");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto parts = SplitByOrganization(*model);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_GT(parts->size(), 20u);

  const model::Owners owners(*model);
  model::RowCounts owned_total{}, owned_in_parts{};
  const model::RowCounts all = model::CountRows(*model);
  for (const model::TableSchema& s : model::AllTables()) {
    for (size_t i = 0; i < all[static_cast<size_t>(s.table)]; ++i) {
      if (owners.Of(s.table, i) != model::kNoIndex) ++owned_total[static_cast<size_t>(s.table)];
    }
  }
  const fs::path dir = fs::path(::testing::TempDir()) / "split_demo";
  fs::remove_all(dir);
  size_t external = 0;
  for (const Part& part : *parts) {
    for (size_t t = 0; t < owned_in_parts.size(); ++t) owned_in_parts[t] += part.owned[t];
    const model::Model& m = part.model;
    const model::Index me = m.FindOrganization(part.organization);
    ASSERT_NE(me, model::kNoIndex);
    for (const model::Site& s : m.sites) {
      if (s.organization != me) {
        EXPECT_TRUE(s.external) << part.organization << " holds " << s.id;
        EXPECT_TRUE(s.name.empty() && s.cluster.empty()) << s.id;
      }
    }
    external += part.external_sites;
    for (const model::Production& p : m.production) {
      if (m.sites[p.site].organization != me) {  // a supplier's, named by a supply link
        EXPECT_TRUE(m.sites[p.site].external);
        EXPECT_FALSE(p.capacity_per_day || p.inventory_units || p.emissions_kgco2e_per_unit);
      }
    }
    for (const model::Demand& d : m.demand) EXPECT_EQ(m.sites[d.site].organization, me);
    for (const model::SupplyLink& l : m.supply) {
      EXPECT_EQ(m.sites[l.customer_site].organization, me) << part.organization;
    }
    const fs::path out = dir / part.organization.substr(4);
    ASSERT_TRUE(WriteBundle(m, out.string(), BundleFormat::kCsv).ok());
    auto back = ReadBundle(out.string());
    ASSERT_TRUE(back.ok()) << part.organization << ": " << back.status().ToString();
    EXPECT_EQ(model::CountRows(*back), model::CountRows(m)) << part.organization;
  }
  EXPECT_EQ(owned_in_parts, owned_total);
  EXPECT_GT(external, 0u);
  // Every supply link, production and demand row is in exactly one part.
  for (Table t : {Table::kSupply, Table::kProduction, Table::kDemand}) {
    EXPECT_EQ(owned_total[static_cast<size_t>(t)], all[static_cast<size_t>(t)]);
  }
}

}  // namespace
}  // namespace renkei::io
