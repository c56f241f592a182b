#include "model/owner.h"

#include <gtest/gtest.h>

#include <type_traits>

#include "model/fields.h"

namespace renkei::model {
namespace {

// Two companies: A makes cells at a1, B buys them at b1 and also makes a
// shared commodity at b1 that A makes too at a1.
Model TwoCompanies() {
  Model m;
  m.organizations.resize(2);
  m.organizations[0].id = "org:a";
  m.organizations[1].id = "org:b";
  m.sites.resize(2);
  m.sites[0].id = "site:a1";
  m.sites[0].organization = 0;
  m.sites[1].id = "site:b1";
  m.sites[1].organization = 1;
  m.products.resize(3);
  m.products[0].id = "p:cell";  // no organization: its maker's
  m.products[1].id = "p:pack";
  m.products[1].organization = 1;
  m.products[2].id = "p:salt";  // made by both: shared
  for (auto [site, product] : {std::pair{0u, 0u}, {1u, 1u}, {0u, 2u}, {1u, 2u}}) {
    m.production.emplace_back().site = site;
    m.production.back().product = product;
  }
  m.bom = {{1, 0, 4.0, false}, {0, 2, 0.1, false}};
  m.supply.emplace_back().supplier_site = 0;
  m.supply[0].customer_site = 1;
  m.supply[0].product = 0;
  m.demand.emplace_back().site = 1;
  m.demand[0].product = 1;
  m.footprints.resize(2);
  m.footprints[0].product = 0;  // site-less: the product's owner
  m.footprints[1].product = 2;
  m.footprints[1].site = 0;
  m.materials.emplace_back().product = 2;
  return m;
}

TEST(OwnersTest, FollowTheRule) {
  const Model m = TwoCompanies();
  const Owners owners(m);
  EXPECT_EQ(owners.Of(Table::kOrganizations, 1), 1u);
  EXPECT_EQ(owners.Of(Table::kSites, 0), 0u);
  EXPECT_EQ(owners.OfProduct(0), 0u);        // made only by A
  EXPECT_EQ(owners.OfProduct(1), 1u);        // its own organization
  EXPECT_EQ(owners.OfProduct(2), kNoIndex);  // made by A and B
  EXPECT_EQ(owners.Of(Table::kBom, 0), 1u);  // the pack's BOM is B's
  EXPECT_EQ(owners.Of(Table::kBom, 1), 0u);
  EXPECT_EQ(owners.Of(Table::kProduction, 1), 1u);
  EXPECT_EQ(owners.Of(Table::kSupply, 0), 1u);  // the customer's
  EXPECT_EQ(owners.Of(Table::kDemand, 0), 1u);
  EXPECT_EQ(owners.Of(Table::kFootprints, 0), 0u);
  EXPECT_EQ(owners.Of(Table::kFootprints, 1), 0u);  // the site's, though the product is shared
  EXPECT_EQ(owners.Of(Table::kMaterials, 0), kNoIndex);
}

// Every table's fields (model/fields.h) match its columns one to one.
TEST(FieldsTest, OneFieldPerColumn) {
  Model m;
  for (const TableSchema& t : AllTables()) {
    const size_t fields = WithRows(m, t.table, [](auto& rows) {
      typename std::decay_t<decltype(rows)>::value_type row{};
      size_t n = 0;
      ForEachField(row, [&](auto&) { ++n; });
      return n;
    });
    EXPECT_EQ(fields, t.columns.size() + t.stored.size()) << t.name;
  }
}

}  // namespace
}  // namespace renkei::model
