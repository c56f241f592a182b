#include "pact/product_footprint.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace renkei::pact {
namespace {

using Json = nlohmann::ordered_json;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(RENKEI_SOURCE_DIR) + "/tests/data/footprint/pact/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Status ParseError(const Json& document) { return ParseProductFootprint(document.dump()).status(); }

TEST(ProductFootprintTest, ReadsV2Fixture) {
  auto pf = ParseProductFootprint(ReadFixture("v2_cathode.json"));
  ASSERT_TRUE(pf.ok()) << pf.status().ToString();
  EXPECT_EQ(pf->version, SpecVersion::kV2);
  EXPECT_EQ(pf->version_number, 2);
  EXPECT_EQ(pf->product_ids.size(), 2u);
  EXPECT_EQ(pf->pcf.declared_unit, "kilogram");
  EXPECT_EQ(pf->pcf.declared_unit_amount, "1");
  EXPECT_EQ(pf->pcf.pcf_excluding_biogenic, "18.5");
  EXPECT_EQ(pf->pcf.exempted_emissions_percent, "1.5");
  EXPECT_EQ(pf->pcf.primary_data_share, "62.5");
  ASSERT_TRUE(pf->pcf.dqi.has_value());
  EXPECT_EQ(pf->pcf.dqi->technological_dqr, "1.6");
  EXPECT_EQ(pf->pcf.dqi->geographical_dqr, "2");
  // Unmodelled properties are kept.
  EXPECT_TRUE(pf->pcf.other.contains("productOrSectorSpecificRules"));
  EXPECT_TRUE(pf->pcf.other.contains("secondaryEmissionFactorSources"));
}

TEST(ProductFootprintTest, ReadsV3Fixture) {
  auto pf = ParseProductFootprint(ReadFixture("v3_cell.json"));
  ASSERT_TRUE(pf.ok()) << pf.status().ToString();
  EXPECT_EQ(pf->version, SpecVersion::kV3);
  EXPECT_FALSE(pf->version_number.has_value());
  EXPECT_EQ(pf->pcf.declared_unit, "piece");
  EXPECT_EQ(pf->pcf.declared_unit_amount, "4");
  EXPECT_EQ(pf->pcf.product_mass_per_declared_unit, "8");
  EXPECT_EQ(pf->pcf.pcf_excluding_biogenic, "120.4");
  EXPECT_EQ(pf->pcf.dqi->temporal_dqr, "4.5");
  EXPECT_TRUE(pf->pcf.other.contains("verification"));
  EXPECT_TRUE(pf->pcf.other.contains("packagingGhgEmissions"));
}

TEST(ProductFootprintTest, RoundTripsBothVersions) {
  for (const char* name : {"v2_cathode.json", "v3_cell.json"}) {
    const std::string text = ReadFixture(name);
    auto first = ParseProductFootprint(text);
    ASSERT_TRUE(first.ok()) << name << ": " << first.status().ToString();
    const std::string written = WriteProductFootprint(*first);
    auto second = ParseProductFootprint(written);
    ASSERT_TRUE(second.ok()) << name << ": " << second.status().ToString() << "\n" << written;
    EXPECT_EQ(*first, *second) << name;
    // Every property of the fixture survives, with the same value.
    // Compared without regard to key order.
    nlohmann::json original = nlohmann::json::parse(text);
    nlohmann::json again = nlohmann::json::parse(written);
    for (auto it = original.begin(); it != original.end(); ++it) {
      ASSERT_TRUE(again.contains(it.key())) << name << ": " << it.key();
      if (it.key() != "pcf") {
        EXPECT_EQ(again[it.key()], it.value()) << name << ": " << it.key();
      }
    }
    for (auto it = original["pcf"].begin(); it != original["pcf"].end(); ++it) {
      EXPECT_EQ(again["pcf"][it.key()], it.value()) << name << ": pcf." << it.key();
    }
  }
}

TEST(ProductFootprintTest, EachRequiredV2PropertyMissing) {
  const Json fixture = Json::parse(ReadFixture("v2_cathode.json"));
  for (const char* key : {"id", "specVersion", "version", "created", "status", "companyName",
                          "companyIds", "productDescription", "productIds", "productCategoryCpc",
                          "productNameCompany", "comment", "pcf"}) {
    Json doc = fixture;
    doc.erase(key);
    Status s = ParseError(doc);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << key;
    EXPECT_EQ(s.message(), std::string("$: required property '") + key + "' is missing");
  }
  for (const char* key :
       {"declaredUnit", "unitaryProductAmount", "pCfExcludingBiogenic", "fossilGhgEmissions",
        "fossilCarbonContent", "biogenicCarbonContent", "characterizationFactors",
        "ipccCharacterizationFactorsSources", "crossSectoralStandardsUsed",
        "boundaryProcessesDescription", "referencePeriodStart", "referencePeriodEnd",
        "exemptedEmissionsPercent", "exemptedEmissionsDescription", "packagingEmissionsIncluded"}) {
    Json doc = fixture;
    doc["pcf"].erase(key);
    Status s = ParseError(doc);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << key;
    EXPECT_EQ(s.message(), std::string("$.pcf: required property '") + key + "' is missing");
  }
  for (const char* key : {"coveragePercent", "technologicalDQR", "temporalDQR", "geographicalDQR",
                          "completenessDQR", "reliabilityDQR"}) {
    Json doc = fixture;
    doc["pcf"]["dqi"].erase(key);
    EXPECT_EQ(ParseError(doc).message(),
              std::string("$.pcf.dqi: required property '") + key + "' is missing");
  }
}

TEST(ProductFootprintTest, EachRequiredV3PropertyMissing) {
  const Json fixture = Json::parse(ReadFixture("v3_cell.json"));
  for (const char* key : {"id", "specVersion", "created", "status", "companyName", "companyIds",
                          "productDescription", "productIds", "productNameCompany", "pcf"}) {
    Json doc = fixture;
    doc.erase(key);
    EXPECT_EQ(ParseError(doc).message(),
              std::string("$: required property '") + key + "' is missing");
  }
  for (const char* key :
       {"declaredUnitOfMeasurement", "declaredUnitAmount", "productMassPerDeclaredUnit",
        "referencePeriodStart", "referencePeriodEnd", "pcfExcludingBiogenicUptake",
        "pcfIncludingBiogenicUptake", "fossilGhgEmissions", "fossilCarbonContent",
        "ipccCharacterizationFactors", "crossSectoralStandards", "exemptedEmissionsPercent"}) {
    Json doc = fixture;
    doc["pcf"].erase(key);
    EXPECT_EQ(ParseError(doc).message(),
              std::string("$.pcf: required property '") + key + "' is missing");
  }
  for (const char* key : {"technologicalDQR", "geographicalDQR", "temporalDQR"}) {
    Json doc = fixture;
    doc["pcf"]["dqi"].erase(key);
    EXPECT_EQ(ParseError(doc).message(),
              std::string("$.pcf.dqi: required property '") + key + "' is missing");
  }
  // Optional in v3: comment, version, productCategoryCpc, biogenicCarbonContent.
  Json doc = fixture;
  doc.erase("comment");
  doc["pcf"].erase("biogenicCarbonContent");
  doc["pcf"].erase("packagingEmissionsIncluded");
  EXPECT_TRUE(ParseProductFootprint(doc.dump()).ok());
}

TEST(ProductFootprintTest, BadValuesNameThePathAndTheExpectation) {
  const Json v2 = Json::parse(ReadFixture("v2_cathode.json"));
  const Json v3 = Json::parse(ReadFixture("v3_cell.json"));
  struct Case {
    const Json* base;
    std::vector<std::string> path;
    Json value;
    std::string message;
  };
  const std::vector<Case> cases = {
      {&v3,
       {"pcf", "declaredUnitAmount"},
       "0",
       "$.pcf.declaredUnitAmount: expected a decimal string > 0, got \"0\""},
      {&v3,
       {"pcf", "declaredUnitAmount"},
       4,
       "$.pcf.declaredUnitAmount: expected a decimal string > 0, got 4"},
      {&v3,
       {"pcf", "fossilGhgEmissions"},
       "1e3",
       "$.pcf.fossilGhgEmissions: expected a decimal string >= 0, got \"1e3\""},
      {&v3,
       {"pcf", "fossilGhgEmissions"},
       "-1",
       "$.pcf.fossilGhgEmissions: expected a decimal string >= 0, got \"-1\""},
      {&v3,
       {"pcf", "dqi", "temporalDQR"},
       "5.5",
       "$.pcf.dqi.temporalDQR: expected a decimal string in [1, 5], got \"5.5\""},
      {&v2,
       {"pcf", "dqi", "temporalDQR"},
       3.5,
       "$.pcf.dqi.temporalDQR: expected a number in [1, 3], got 3.5"},
      {&v2,
       {"pcf", "dqi", "temporalDQR"},
       "1.5",
       "$.pcf.dqi.temporalDQR: expected a number in [1, 3], got \"1.5\""},
      {&v2,
       {"pcf", "exemptedEmissionsPercent"},
       6,
       "$.pcf.exemptedEmissionsPercent: expected a number in [0, 5], got 6"},
      {&v3,
       {"pcf", "primaryDataShare"},
       "101",
       "$.pcf.primaryDataShare: expected a decimal string in [0, 100], got \"101\""},
      {&v2,
       {"pcf", "declaredUnit"},
       "piece",
       "$.pcf.declaredUnit: expected one of \"liter\", \"kilogram\", \"cubic meter\", "
       "\"kilowatt hour\", \"megajoule\", \"ton kilometer\", \"square meter\", got \"piece\""},
      {&v3,
       {"pcf", "referencePeriodEnd"},
       "2025-04-01",
       "$.pcf.referencePeriodEnd: expected an RFC 3339 date-time string, got \"2025-04-01\""},
      {&v3, {"id"}, "not-a-uuid", "$.id: expected a UUID string, got \"not-a-uuid\""},
      {&v3,
       {"specVersion"},
       "1.0.0",
       "$.specVersion: expected a version \"2.x.y\" or \"3.x.y\", got \"1.0.0\""},
      {&v3,
       {"status"},
       "Draft",
       "$.status: expected one of \"Active\", \"Deprecated\", got \"Draft\""},
      {&v3, {"companyName"}, "", "$.companyName: expected a non-empty string, got \"\""},
      {&v3,
       {"companyIds"},
       Json::array(),
       "$.companyIds: expected a non-empty array of URN strings, got []"},
      {&v3,
       {"productIds"},
       Json::array({"urn:a:1", "sku-1"}),
       "$.productIds[1]: expected URN strings, got \"sku-1\""},
      {&v3,
       {"productIds"},
       Json::array({"urn:a:1", "urn:a:1"}),
       "$.productIds[1]: duplicate value \"urn:a:1\""},
      {&v3,
       {"pcf", "ipccCharacterizationFactors"},
       Json::array({"AR6", "SAR"}),
       "$.pcf.ipccCharacterizationFactors[1]: expected \"AR<number>\" strings, got \"SAR\""},
      {&v3,
       {"pcf", "geographyCountry"},
       "Japan",
       "$.pcf.geographyCountry: expected an ISO 3166-1 alpha-2 code such as \"JP\", got "
       "\"Japan\""},
      {&v2, {"version"}, -1, "$.version: expected an integer in [0, 2147483647], got -1"},
      {&v2,
       {"pcf", "packagingEmissionsIncluded"},
       "false",
       "$.pcf.packagingEmissionsIncluded: expected a boolean, got \"false\""},
      {&v3, {"pcf"}, Json::array(), "$.pcf: expected an object, got []"},
  };
  for (const Case& c : cases) {
    Json doc = *c.base;
    Json* target = &doc;
    for (const std::string& key : c.path) target = &(*target)[key];
    *target = c.value;
    Status s = ParseError(doc);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(ProductFootprintTest, NotJsonAndWrappedDocuments) {
  Status s = ParseProductFootprint("{\"id\": ").status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "line 1, column 8: invalid JSON: syntax error while parsing value - unexpected end "
            "of input; expected '[', '{', or a literal");
  s = ParseProductFootprint("{\"id\": " + std::string(100000, '[')).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "line 1, column 71: JSON nested deeper than 64 levels");

  Json wrapped = {{"data", Json::parse(ReadFixture("v3_cell.json"))}};
  EXPECT_TRUE(ParseProductFootprint(wrapped.dump()).ok());
  wrapped["data"].erase("status");
  EXPECT_EQ(ParseProductFootprint(wrapped.dump()).status().message(),
            "$.data: required property 'status' is missing");
  EXPECT_EQ(ParseProductFootprint("[1]").status().message(),
            "$: expected a ProductFootprint object, got [1]");
}

TEST(ProductFootprintTest, PactDecimals) {
  for (const char* ok : {"0", "12", "-0.5", "+3.25", "0012.5"})
    EXPECT_TRUE(IsPactDecimal(ok)) << ok;
  for (const char* bad : {"", "1e3", ".5", "1.", "--1", "1,5", " 1", "NaN"}) {
    EXPECT_FALSE(IsPactDecimal(bad)) << bad;
  }
}

}  // namespace
}  // namespace renkei::pact
