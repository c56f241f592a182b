#include "pact/footprint_row.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "model/builder.h"
#include "model/schema.h"

namespace renkei::pact {
namespace {

using Json = nlohmann::ordered_json;
using model::Table;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(RENKEI_SOURCE_DIR) + "/tests/data/footprint/pact/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class TestOrigin : public model::RowOrigin {
 public:
  std::string Where(int column) const override { return "test:" + std::to_string(column + 1); }
};

class FootprintRowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Add(Table::kOrganizations, {"org:a", "A", "JP"});
    Add(Table::kProducts,
        {"p:nmc", "NMC811", "material", "kg", "", "", "urn:renkei:product:nmc811"});
    Add(Table::kProducts,
        {"p:nmc-t", "NMC811 bulk", "material", "t", "", "", "urn:gtin:4901234567894"});
    Add(Table::kProducts,
        {"p:cell", "Cell", "component", "piece", "", "", "urn:renkei:product:cell-100ah"});
    Add(Table::kProducts, {"p:cell-kg", "Cell by mass", "component", "kg"});
    Add(Table::kProducts,
        {"p:power", "Electricity", "energy", "MWh", "", "", "urn:renkei:product:grid"});
  }
  void Add(Table table, std::vector<std::string_view> fields) {
    fields.resize(model::Schema(table).columns.size());
    Status s = builder_.AddRow(table, fields, TestOrigin());
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // The fixture with its productIds replaced.
  static std::string WithProductIds(const std::string& fixture, Json ids) {
    Json doc = Json::parse(ReadFixture(fixture));
    doc["productIds"] = std::move(ids);
    return doc.dump();
  }

  model::Model model_;
  model::ModelBuilder builder_{model_};
};

TEST_F(FootprintRowTest, V2PerKilogramForAProductInKilograms) {
  auto row = FootprintRow(WithProductIds("v2_cathode.json", {"urn:renkei:product:nmc811"}),
                          "footprints/nmc.json", model_);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(*row,
            (std::vector<std::string>{"p:nmc", "", "18.5", "18.2", "", "0.625", "1.6", "2", "1.2",
                                      "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"}));
  // The row is accepted by the model's builder.
  std::vector<std::string_view> cells(row->begin(), row->end());
  EXPECT_TRUE(builder_.AddRow(Table::kFootprints, cells, TestOrigin()).ok());
  EXPECT_EQ(model_.footprints.back().pcf_kgco2e_per_unit, 18.5);
}

TEST_F(FootprintRowTest, KilogramToTonne) {
  auto row =
      FootprintRow(WithProductIds("v2_cathode.json", {"urn:gtin:4901234567894"}), "f.json", model_);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ((*row)[0], "p:nmc-t");
  EXPECT_EQ((*row)[2], "18500");  // 18.5 kgCO2e/kg x 1000 kg/t
}

TEST_F(FootprintRowTest, V3ValuesArePerTheWholeDeclaredUnit) {
  // 120.4 kgCO2e for a declared unit of 4 pieces weighing 8 kg.
  auto row = FootprintRow(ReadFixture("v3_cell.json"), "f.json", model_);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ((*row)[0], "p:cell");
  EXPECT_EQ((*row)[2], "30.1");   // 120.4 / 4 per piece
  EXPECT_EQ((*row)[3], "29.9");   // 119.6 / 4
  EXPECT_EQ((*row)[5], "0.815");  // 81.5 %
  EXPECT_EQ((*row)[8], "3");      // temporal 4.5 of v3's 1..5 scale, capped at 3

  // The same cell counted by mass: 120.4 kgCO2e / 8 kg.
  Json doc = Json::parse(ReadFixture("v3_cell.json"));
  doc["productIds"] = {"urn:x:1"};
  model_.products[3].pact_product_ids = {"urn:x:1"};
  row = FootprintRow(doc.dump(), "f.json", model_);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ((*row)[0], "p:cell-kg");
  EXPECT_EQ((*row)[2], "15.05");
}

TEST_F(FootprintRowTest, V2PieceProductHoldsUnitaryProductAmount) {
  // v2: per kilogram, and one piece holds 2.5 kg.
  Json doc = Json::parse(ReadFixture("v2_cathode.json"));
  doc["productIds"] = {"urn:renkei:product:cell-100ah"};
  doc["pcf"]["unitaryProductAmount"] = "2.5";
  auto row = FootprintRow(doc.dump(), "f.json", model_);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ((*row)[2], "46.25");  // 18.5 x 2.5
}

TEST_F(FootprintRowTest, KilowattHourToMegawattHour) {
  Json doc = Json::parse(ReadFixture("v3_cell.json"));
  doc["productIds"] = {"urn:renkei:product:grid"};
  doc["pcf"]["declaredUnitOfMeasurement"] = "kilowatt hour";
  doc["pcf"]["declaredUnitAmount"] = "1";
  doc["pcf"]["productMassPerDeclaredUnit"] = "0";
  doc["pcf"]["pcfExcludingBiogenicUptake"] = "0.452";
  auto row = FootprintRow(doc.dump(), "f.json", model_);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ((*row)[2], "452");

  // Electricity cannot be converted to kilograms.
  model_.products[3].pact_product_ids = {"urn:renkei:product:grid"};
  model_.products[5].pact_product_ids = {};
  Status s = FootprintRow(doc.dump(), "grid.json", model_).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "grid.json: $.pcf.declaredUnitOfMeasurement: cannot convert 'kilowatt hour' to the "
            "product's unit 'kg' (a product mass per declared unit > 0 is needed for a product "
            "measured by mass)");
}

TEST_F(FootprintRowTest, Errors) {
  Status s =
      FootprintRow(WithProductIds("v3_cell.json", {"urn:nobody:1"}), "f.json", model_).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "f.json: $.productIds: no product has any of these ids (urn:nobody:1); list them in "
            "the product's pact_product_ids");

  s = FootprintRow(WithProductIds("v2_cathode.json",
                                  {"urn:renkei:product:nmc811", "urn:gtin:4901234567894"}),
                   "f.json", model_)
          .status();
  EXPECT_EQ(s.message(), "f.json: $.productIds: the ids name two products, 'p:nmc' and 'p:nmc-t'");

  Json doc = Json::parse(ReadFixture("v3_cell.json"));
  doc["pcf"].erase("declaredUnitAmount");
  s = FootprintRow(doc.dump(), "footprints/cell.json", model_).status();
  EXPECT_EQ(s.message(),
            "footprints/cell.json: $.pcf: required property 'declaredUnitAmount' is missing");
}

}  // namespace
}  // namespace renkei::pact
