#include "footprint/report.h"

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

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Add(Table::kOrganizations, {"org:a", "A Cells", "JP"});
    Add(Table::kSites, {"site:a", "org:a", "A", "JP", "", "35", "135"});
    Add(Table::kProducts, {"p:cam", "Cathode", "material", "t", "org:a"});
    Add(Table::kProducts, {"p:cell", "Cell", "battery", "piece", "org:a", "8507.60"});
    Add(Table::kBom, {"p:cell", "p:cam", "0.002"});  // 2 kg
    Add(Table::kProduction, {"site:a", "p:cam", "", "", "9000", "1.5", "2", "1"});
    Add(Table::kProduction, {"site:a", "p:cell", "", "", "12", "1", "1", "1"});
    Add(Table::kMaterials, {"p:cam", "Co", "100", "", "0.3"});
    ASSERT_TRUE(builder_.Finish().ok());
    auto network = RollUp(model_);
    ASSERT_TRUE(network.ok());
    network_ = *network;
  }
  void Add(Table table, std::vector<std::string_view> fields) {
    fields.resize(model::Schema(table).columns.size());
    Status s = builder_.AddRow(table, fields, TestOrigin());
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  model::Model model_;
  model::ModelBuilder builder_{model_};
  NetworkFootprint network_;
};

TEST_F(ReportTest, FootprintJson) {
  auto fp = FootprintOfProduct(model_, network_, "p:cell");
  ASSERT_TRUE(fp.ok());
  nlohmann::ordered_json j = FootprintJson(model_, *fp, SplitBy::kStage);
  // 12 + 0.002 t x 9000 kgCO2e/t = 30
  EXPECT_EQ(j["pcf_kgco2e_per_unit"], "30");
  EXPECT_EQ(j["primary_data_share"], 1.0);
  EXPECT_EQ(j["dqr"]["ter"], 1.3);  // (12 x 1 + 18 x 1.5) / 30
  EXPECT_EQ(j["by_stage"][0]["key"], "raw_material_extraction");
  EXPECT_EQ(j["by_stage"][0]["kgco2e"], "18");
  EXPECT_EQ(j["by_stage"][0]["share"], 0.6);
}

TEST_F(ReportTest, PactExportBothVersions) {
  PactExportOptions options{"2026-01-05T00:00:00Z", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"};
  std::vector<std::string> notes;
  auto v3 = ExportPact(model_, network_, pact::SpecVersion::kV3, options, notes);
  ASSERT_TRUE(v3.ok()) << v3.status().ToString();
  ASSERT_EQ(v3->size(), 2u);
  const pact::ProductFootprint& cam = (*v3)[0];
  EXPECT_EQ(cam.pcf.declared_unit, "kilogram");
  EXPECT_EQ(cam.pcf.declared_unit_amount, "1000");    // one tonne
  EXPECT_EQ(cam.pcf.pcf_excluding_biogenic, "9000");  // for the whole declared unit
  EXPECT_EQ(cam.pcf.product_mass_per_declared_unit, "1000");
  EXPECT_EQ(cam.pcf.dqi->technological_dqr, "1.5");
  EXPECT_EQ((*v3)[1].pcf.declared_unit, "piece");
  EXPECT_EQ((*v3)[1].pcf.pcf_excluding_biogenic, "30");
  EXPECT_EQ((*v3)[1].product_ids, std::vector<std::string>{"urn:renkei:p:cell"});
  EXPECT_TRUE(notes.empty());

  auto v2 = ExportPact(model_, network_, pact::SpecVersion::kV2, options, notes);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  ASSERT_EQ(v2->size(), 1u);
  EXPECT_EQ((*v2)[0].pcf.declared_unit_amount, "1000");
  EXPECT_EQ((*v2)[0].pcf.pcf_excluding_biogenic, "9");  // per kilogram
  EXPECT_EQ((*v2)[0].pcf.primary_data_share, "100");
  EXPECT_NE((*v2)[0].id, cam.id);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "p:cell: PACT v2 has no declared unit for pieces; not exported");
}

}  // namespace
}  // namespace renkei::footprint
