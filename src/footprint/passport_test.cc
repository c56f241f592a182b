#include "footprint/passport.h"

#include <gtest/gtest.h>

#include "battery_pass.h"
#include "model/schema.h"
#include "model_rows.h"

namespace renkei::footprint {
namespace {

using model::Table;

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += s + "\n";
  return out;
}

// A pack of 2 kg of cathode material (9 kgCO2e/kg, raw material extraction)
// made with 12 kgCO2e of its own: 30 kgCO2e cradle to gate.
class PassportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = testing::ModelFromRows({
        {Table::kOrganizations, {"org:a", "A Cells", "JP"}},
        {Table::kSites, {"site:a", "org:a", "A", "JP", "", "35", "135"}},
        {Table::kProducts, {"p:cam", "Cathode", "material", "t", "org:a"}},
        {Table::kProducts, {"p:pack", "Pack", "battery pack", "piece", "org:a", "8507.60"}},
        {Table::kProducts, {"p:other", "Other pack", "battery pack", "piece", "org:a"}},
        {Table::kBom, {"p:pack", "p:cam", "0.002"}},
        {Table::kBom, {"p:other", "p:cam", "0.002"}},
        {Table::kProduction, {"site:a", "p:cam", "", "", "9000", "1.5", "2", "1"}},
        {Table::kProduction, {"site:a", "p:pack", "", "", "12", "1", "1", "1"}},
        {Table::kProduction, {"site:a", "p:other", "", "", "12", "1", "1", "1"}},
        {Table::kMaterials, {"p:cam", "Co", "100", "0.1", "0.3"}},
        {Table::kMaterials, {"p:cam", "graphite", "50"}},
        // 30 + 3 + 2 = 35 kgCO2e over 500 kWh: 0.07 kgCO2e/kWh.
        {Table::kPassports,
         {"p:pack", "", "https://x.example/study.pdf", "500", "3", "2", "0.25",
          "https://x.example/safety.pdf", "D;B", "https://x.example/waste",
          "https://x.example/collect", "https://x.example/points"}},
        {Table::kFootprintClasses, {"battery pack", "A", "0.05"}},
        {Table::kFootprintClasses, {"battery pack", "B", "0.07"}},
        {Table::kFootprintClasses, {"battery pack", "C", ""}},
        {Table::kPassportDocuments,
         {"p:pack", "DismantlingManual", "application/pdf", "https://x.example/manual.pdf"}},
        {Table::kSpareParts,
         {"p:pack", "Parts Co", "1-1 Minato", "650-0000", "JP", "parts@parts.example",
          "https://parts.example", "Module", "M-1"}},
        {Table::kSpareParts,
         {"p:pack", "Parts Co", "1-1 Minato", "650-0000", "JP", "parts@parts.example",
          "https://parts.example", "Fuse", "F-2"}},
    });
    auto network = RollUp(model_);
    ASSERT_TRUE(network.ok());
    network_ = *network;
  }
  model::Model model_;
  NetworkFootprint network_;
};

TEST_F(PassportTest, CompletePassportConformsAndCarriesTheDataModelsUnits) {
  auto p = MakeBatteryPassport(model_, network_, "p:pack");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->complete()) << p->missing.size() << " missing, first "
                             << (p->missing.empty() ? "" : p->missing[0].field);
  const auto& doc = p->document;
  EXPECT_EQ(doc["dataModel"]["carbonFootprint"], kCarbonFootprintAspect);
  EXPECT_EQ(doc["dataModel"]["circularity"], kCircularityAspect);
  EXPECT_EQ(Join(battery_pass::CheckCarbonFootprint(doc["carbonFootprint"])), "");
  EXPECT_EQ(Join(battery_pass::CheckCircularity(doc["circularity"])), "");

  // Per kWh of lifetime energy: the stages, and their sum.
  const auto& cf = doc["carbonFootprint"];
  EXPECT_DOUBLE_EQ(cf["batteryCarbonFootprint"].get<double>(), 0.07);
  EXPECT_DOUBLE_EQ(cf["absoluteCarbonFootprint"].get<double>(), 35.0);
  const auto& stages = cf["carbonFootprintPerLifecycleStage"];
  ASSERT_EQ(stages.size(), 4u);
  EXPECT_EQ(stages[0]["lifecycleStage"], "RawMaterialExtraction");
  EXPECT_DOUBLE_EQ(stages[0]["carbonFootprint"].get<double>(), 18.0 / 500);
  EXPECT_EQ(stages[1]["lifecycleStage"], "MainProduction");
  EXPECT_DOUBLE_EQ(stages[1]["carbonFootprint"].get<double>(), 12.0 / 500);
  EXPECT_EQ(stages[2]["lifecycleStage"], "Distribution");
  EXPECT_DOUBLE_EQ(stages[2]["carbonFootprint"].get<double>(), 3.0 / 500);
  EXPECT_EQ(stages[3]["lifecycleStage"], "Recycling");
  EXPECT_DOUBLE_EQ(stages[3]["carbonFootprint"].get<double>(), 2.0 / 500);
  // 0.07 is class B's bound: B, derived.
  EXPECT_EQ(cf["carbonFootprintPerformanceClass"], "B");
  EXPECT_EQ(doc["basis"]["performanceClass"]["source"], "derived");
  EXPECT_DOUBLE_EQ(doc["basis"]["performanceClass"]["maxKgco2ePerKwh"].get<double>(), 0.07);
  EXPECT_DOUBLE_EQ(doc["basis"]["cradleToGateKgco2ePerUnit"].get<double>(), 30.0);

  // Percentages, not shares; the data model's material names.
  const auto& circ = doc["circularity"];
  ASSERT_EQ(circ["recycledContent"].size(), 1u);
  EXPECT_EQ(circ["recycledContent"][0]["recycledMaterial"], "Cobalt");
  EXPECT_DOUBLE_EQ(circ["recycledContent"][0]["preConsumerShare"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(circ["recycledContent"][0]["postConsumerShare"].get<double>(), 30.0);
  EXPECT_DOUBLE_EQ(circ["renewableContent"].get<double>(), 25.0);
  EXPECT_EQ(doc["basis"]["substancesNotInRecycledMaterial"], nlohmann::ordered_json({"graphite"}));
  // One source with both its parts.
  ASSERT_EQ(circ["sparePartSources"].size(), 1u);
  EXPECT_EQ(circ["sparePartSources"][0]["components"].size(), 2u);
  EXPECT_EQ(circ["sparePartSources"][0]["addressOfSupplier"]["addressCountry"], "JP");
  EXPECT_EQ(circ["safetyMeasures"]["extinguishingAgent"], nlohmann::ordered_json({"D", "B"}));
}

TEST_F(PassportTest, StatedClassWinsAndTheDerivedOneIsShown) {
  model_.passports[0].performance_class = "A";
  auto p = MakeBatteryPassport(model_, network_, "p:pack");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->document["carbonFootprint"]["carbonFootprintPerformanceClass"], "A");
  EXPECT_EQ(p->document["basis"]["performanceClass"]["source"], "stated");
  EXPECT_EQ(p->document["basis"]["performanceClass"]["derivedFromClasses"], "B");
}

TEST_F(PassportTest, AboveEveryBoundIsTheUnboundedClass) {
  model_.passports[0].lifetime_energy_kwh = 100;  // 0.35 kgCO2e/kWh
  auto p = MakeBatteryPassport(model_, network_, "p:pack");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->document["carbonFootprint"]["carbonFootprintPerformanceClass"], "C");
  EXPECT_TRUE(p->document["basis"]["performanceClass"]["maxKgco2ePerKwh"].is_null());
}

TEST_F(PassportTest, MissingValuesNameTheBundleColumnsThatGiveThem) {
  // p:other has no passport data at all: everything the model cannot compute is missing.
  auto p = MakeBatteryPassport(model_, network_, "p:other");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->complete());
  std::vector<std::string> fields, provide;
  for (const MissingValue& m : p->missing) {
    fields.push_back(m.field);
    provide.push_back(m.provide);
  }
  const std::vector<std::string> expected = {
      "$.carbonFootprint.carbonFootprintPerLifecycleStage[Distribution]",
      "$.carbonFootprint.carbonFootprintPerLifecycleStage[Recycling]",
      "$.carbonFootprint.batteryCarbonFootprint",
      "$.carbonFootprint.carbonFootprintPerformanceClass",
      "$.carbonFootprint.carbonFootprintStudy",
      "$.circularity.dismantlingAndRemovalInformation",
      "$.circularity.sparePartSources",
      "$.circularity.safetyMeasures.safetyInstructions",
      "$.circularity.safetyMeasures.extinguishingAgent",
      "$.circularity.endOfLifeInformation.wastePrevention",
      "$.circularity.endOfLifeInformation.separateCollection",
      "$.circularity.endOfLifeInformation.informationOnCollection",
      "$.circularity.renewableContent"};
  EXPECT_EQ(fields, expected);
  EXPECT_EQ(provide[0], "passports.distribution_kgco2e_per_unit");
  EXPECT_EQ(provide[3],
            "passports.performance_class, or footprint_classes rows of category 'battery pack' "
            "(with the footprint's lifecycle stages and lifetime energy)");
  EXPECT_EQ(provide[6],
            "spare_parts rows of p:other (supplier, street_address, postal_code, country, email, "
            "web_address, part_name, part_number)");
  // What is missing is left out, never written as null: the checks list exactly it.
  const auto errors = battery_pass::CheckCarbonFootprint(p->document["carbonFootprint"]);
  EXPECT_EQ(errors.size(), 4u) << Join(errors);
  EXPECT_FALSE(p->document["carbonFootprint"].contains("absoluteCarbonFootprint"));
}

TEST_F(PassportTest, UnknownProduct) {
  EXPECT_EQ(MakeBatteryPassport(model_, network_, "p:none").status().code(), StatusCode::kNotFound);
}

TEST(RecycledMaterialName, SymbolsAndNames) {
  EXPECT_EQ(RecycledMaterialName("Co"), "Cobalt");
  EXPECT_EQ(RecycledMaterialName("nickel"), "Nickel");
  EXPECT_EQ(RecycledMaterialName("Li"), "Lithium");
  EXPECT_EQ(RecycledMaterialName("Pb"), "Lead");
  EXPECT_EQ(RecycledMaterialName("LEAD"), "Lead");
  EXPECT_EQ(RecycledMaterialName("co"), std::nullopt);  // a symbol is case-sensitive
  EXPECT_EQ(RecycledMaterialName("graphite"), std::nullopt);
}

TEST(BatteryPassChecks, CatchWhatTheDataModelForbids) {
  auto doc = nlohmann::json::parse(R"({
    "dismantlingAndRemovalInformation": [{"documentType": "Manual", "mimeType": "application/pdf",
                                           "documentURL": "not a uri"}],
    "sparePartSources": [{"nameOfSupplier": "S", "addressOfSupplier": {"postalCode": "1"},
                          "emailAddressOfSupplier": "nobody", "supplierWebAddress": "https://s.example",
                          "components": []}],
    "recycledContent": [{"preConsumerShare": 0.1, "recycledMaterial": "Co", "postConsumerShare": 120}],
    "safetyMeasures": {"safetyInstructions": "https://s.example/s.pdf"},
    "endOfLifeInformation": {"wastePrevention": "https://a.example", "separateCollection": "https://b.example",
                             "informationOnCollection": "https://c.example"},
    "renewableContent": 5})");
  const std::string errors = Join(battery_pass::CheckCircularity(doc));
  EXPECT_NE(errors.find("documentType: \"Manual\" is not one of"), std::string::npos) << errors;
  EXPECT_NE(errors.find("documentURL: \"not a uri\" is not an absolute URI"), std::string::npos);
  EXPECT_NE(errors.find("addressOfSupplier: required property 'addressCountry'"),
            std::string::npos);
  EXPECT_NE(errors.find("emailAddressOfSupplier: \"nobody\" does not match"), std::string::npos);
  EXPECT_NE(errors.find("recycledMaterial: \"Co\" is not one of Cobalt, Lead, Lithium, Nickel"),
            std::string::npos);
  EXPECT_NE(errors.find("postConsumerShare: 120 is outside [0, 100]"), std::string::npos);
  EXPECT_NE(errors.find("safetyMeasures: required property 'extinguishingAgent'"),
            std::string::npos);
}

}  // namespace
}  // namespace renkei::footprint
