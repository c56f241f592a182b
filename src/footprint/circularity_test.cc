#include "footprint/circularity.h"

#include <gtest/gtest.h>

#include "model/builder.h"
#include "model/schema.h"

namespace renkei::footprint {
namespace {

using model::Table;

class TestOrigin : public model::RowOrigin {
 public:
  std::string Where(int column) const override { return "test:" + std::to_string(column + 1); }
};

class CircularityTest : public ::testing::Test {
 protected:
  void Add(Table table, std::vector<std::string_view> fields) {
    fields.resize(model::Schema(table).columns.size());
    Status s = builder_.AddRow(table, fields, TestOrigin());
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  const SubstanceContent* Find(const Circularity& c, const std::string& name) {
    for (const SubstanceContent& s : c.substances) {
      if (s.substance == name) return &s;
    }
    return nullptr;
  }
  model::Model model_;
  model::ModelBuilder builder_{model_};
};

// pack = 4 cells + its own lead; cell = 2 kg cathode; cathode declares per kg
// Co 0.1 kg (10 % pre-, 10 % post-consumer), Li 0.07 kg (5 % post), Ni 0.8 kg.
TEST_F(CircularityTest, MassWeightedThroughTheBom) {
  Add(Table::kProducts, {"p:cathode", "Cathode", "material", "kg"});
  Add(Table::kProducts, {"p:cell", "Cell", "component", "piece"});
  Add(Table::kProducts, {"p:pack", "Pack", "battery", "piece"});
  Add(Table::kBom, {"p:cell", "p:cathode", "2"});
  Add(Table::kBom, {"p:pack", "p:cell", "4"});
  Add(Table::kMaterials, {"p:cathode", "Co", "0.1", "0.1", "0.1"});
  Add(Table::kMaterials, {"p:cathode", "Li", "0.07", "", "0.05"});
  Add(Table::kMaterials, {"p:cathode", "Ni", "0.8"});
  Add(Table::kMaterials, {"p:pack", "Pb", "0.5", "", "0.9"});
  ASSERT_TRUE(builder_.Finish().ok());

  auto c = RecycledContent(model_, "p:pack");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->substances.size(), 4u);
  const SubstanceContent* co = Find(*c, "Co");
  EXPECT_DOUBLE_EQ(co->mass_kg_per_unit, 0.8);  // 4 x 2 x 0.1
  EXPECT_DOUBLE_EQ(co->recycled_share(), 0.2);
  EXPECT_TRUE(co->meets_2031);   // 16 %
  EXPECT_FALSE(co->meets_2036);  // 26 %
  const SubstanceContent* li = Find(*c, "Li");
  EXPECT_DOUBLE_EQ(li->mass_kg_per_unit, 0.56);
  EXPECT_DOUBLE_EQ(li->post_consumer_share, 0.05);
  EXPECT_FALSE(li->meets_2031);  // 6 %
  const SubstanceContent* ni = Find(*c, "Ni");
  EXPECT_EQ(ni->recycled_share(), 0);
  EXPECT_FALSE(ni->meets_2031);
  const SubstanceContent* pb = Find(*c, "Pb");
  EXPECT_DOUBLE_EQ(pb->post_consumer_share, 0.9);
  EXPECT_TRUE(pb->meets_2031);
  EXPECT_TRUE(pb->meets_2036);  // 85 %
}

// precursor = 1 kg ore (Co 0.1 kg, virgin) + 0.25 kg black mass through a recycling
// line (Co 0.2 kg per kg); black mass is made from spent precursor, a loop.
// Co per kg precursor = 0.1 + 0.25 x 0.2 = 0.15 kg, of which 0.05 recovered: 1/3.
TEST_F(CircularityTest, RecyclingLinesCountAsPostConsumerAndEndTheLoop) {
  Add(Table::kProducts, {"p:ore", "Ore", "raw", "kg"});
  Add(Table::kProducts, {"p:precursor", "Precursor", "material", "kg"});
  Add(Table::kProducts, {"p:black", "Black mass", "recycled", "kg"});
  Add(Table::kBom, {"p:precursor", "p:ore", "1"});
  Add(Table::kBom, {"p:precursor", "p:black", "0.25", "true"});
  Add(Table::kBom, {"p:black", "p:precursor", "0.9"});
  Add(Table::kMaterials, {"p:ore", "Co", "0.1"});
  Add(Table::kMaterials, {"p:black", "Co", "0.2"});
  ASSERT_TRUE(builder_.Finish().ok());
  auto c = RecycledContent(model_, "p:precursor");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->substances.size(), 1u);
  EXPECT_DOUBLE_EQ(c->substances[0].mass_kg_per_unit, 0.15);
  EXPECT_DOUBLE_EQ(c->substances[0].post_consumer_share, 1.0 / 3);
  EXPECT_EQ(RecycledContent(model_, "p:none").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace renkei::footprint
