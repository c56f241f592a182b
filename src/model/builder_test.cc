#include "model/builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace renkei::model {
namespace {

using ::testing::HasSubstr;

class LineOrigin : public RowOrigin {
 public:
  explicit LineOrigin(int line) : line_(line) {}
  std::string Where(int column) const override {
    return "t.csv:" + std::to_string(line_) + ":" + std::to_string(column + 1);
  }

 private:
  int line_;
};

class BuilderTest : public ::testing::Test {
 protected:
  Status Add(Table t, std::vector<std::string_view> fields) {
    fields.resize(Schema(t).columns.size());
    return builder_.AddRow(t, fields, LineOrigin(++line_));
  }
  void AddBasics() {
    ASSERT_TRUE(Add(Table::kOrganizations, {"org:a", "A Corp", "JP"}).ok());
    ASSERT_TRUE(
        Add(Table::kSites, {"site:a1", "org:a", "Plant 1", "JP", "", "35.6", "139.7"}).ok());
    ASSERT_TRUE(
        Add(Table::kSites, {"site:a2", "org:a", "Plant 2", "JP", "", "33.8", "130.8"}).ok());
    ASSERT_TRUE(Add(Table::kProducts, {"p:wafer", "Wafer", "material", "piece"}).ok());
    ASSERT_TRUE(Add(Table::kProducts, {"p:chip", "Chip", "device", "piece"}).ok());
    ASSERT_TRUE(Add(Table::kProduction, {"site:a1", "p:wafer", "100"}).ok());
    ASSERT_TRUE(Add(Table::kProduction, {"site:a2", "p:chip", "50"}).ok());
  }

  Model model_;
  ModelBuilder builder_{model_};
  int line_ = 0;
};

TEST_F(BuilderTest, BuildsAValidModel) {
  AddBasics();
  ASSERT_TRUE(Add(Table::kBom, {"p:chip", "p:wafer", "0.01"}).ok());
  ASSERT_TRUE(Add(Table::kSupply, {"site:a1", "site:a2", "p:wafer", "1", "", "3"}).ok());
  ASSERT_TRUE(Add(Table::kDemand, {"site:a2", "p:chip", "40", "10", "2.5"}).ok());
  ASSERT_TRUE(builder_.Finish().ok());
  ASSERT_EQ(model_.sites.size(), 2u);
  EXPECT_EQ(model_.sites[1].lat, 33.8);
  EXPECT_EQ(model_.FindSite("site:a2"), 1u);
  ASSERT_EQ(model_.supply.size(), 1u);
  EXPECT_EQ(model_.supply[0].supplier_site, 0u);
  EXPECT_EQ(model_.supply[0].share, 1.0);
  EXPECT_FALSE(model_.supply[0].capacity_per_day.has_value());
  EXPECT_EQ(model_.supply[0].lead_time_days, 3.0);
  EXPECT_EQ(model_.demand[0].margin_per_unit, 2.5);
}

TEST_F(BuilderTest, NamesTheCellOfEachError) {
  AddBasics();
  Status s = Add(Table::kSupply, {"site:a1", "site:zz", "p:wafer"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "t.csv:8:2: customer_site: unknown site 'site:zz'");

  s = Add(Table::kSupply, {"site:a1", "site:a2", "p:wafer", "1.5"});
  EXPECT_EQ(s.message(), "t.csv:9:4: share: expected a number in [0, 1], got '1.5'");

  s = Add(Table::kSites, {"site:x", "org:a", "X", "JP", "", "95", "10"});
  EXPECT_EQ(s.message(), "t.csv:10:6: lat: expected a latitude in [-90, 90], got '95'");

  s = Add(Table::kProducts, {"p:x", "X", "c", "bananas"});
  EXPECT_THAT(s.message(), HasSubstr("t.csv:11:4: unit: unknown unit 'bananas' (known: g, kg,"));

  s = Add(Table::kSites, {"site:a1", "org:a", "Again", "JP", "", "1", "1"});
  EXPECT_EQ(s.message(), "t.csv:12:1: id: duplicate site id 'site:a1'");

  s = Add(Table::kProduction, {"site:a1", "p:chip", "abc"});
  EXPECT_EQ(s.message(), "t.csv:13:3: capacity_per_day: expected a number >= 0, got 'abc'");

  s = Add(Table::kSites, {"site:y", "org:a", "Y", "XX", "", "1", "1"});
  EXPECT_EQ(
      s.message(),
      "t.csv:14:4: country: expected an ISO 3166-1 alpha-2 country code such as 'JP', got 'XX'");

  s = Add(Table::kOrganizations, {"org:b", "", "JP"});
  EXPECT_EQ(s.message(), "t.csv:15:2: name: a value is required");
  EXPECT_EQ(model_.sites.size(), 2u);  // nothing bad was appended
  EXPECT_EQ(model_.organizations.size(), 1u);
}

TEST_F(BuilderTest, SupplierMustMakeTheProduct) {
  AddBasics();
  Status s = Add(Table::kSupply, {"site:a2", "site:a1", "p:wafer"});
  EXPECT_EQ(s.message(), "t.csv:8:1: supplier_site: site 'site:a2' has no production of 'p:wafer'");
}

TEST_F(BuilderTest, RejectsDuplicateKeys) {
  AddBasics();
  ASSERT_TRUE(Add(Table::kSupply, {"site:a1", "site:a2", "p:wafer"}).ok());
  EXPECT_THAT(Add(Table::kSupply, {"site:a1", "site:a2", "p:wafer", "0.5"}).message(),
              HasSubstr("duplicate supply link"));
  EXPECT_THAT(Add(Table::kProduction, {"site:a1", "p:wafer"}).message(),
              HasSubstr("duplicate production"));
  ASSERT_TRUE(Add(Table::kMaterials, {"p:chip", "Co", "0.1", "0.2", "0.3"}).ok());
  EXPECT_THAT(Add(Table::kMaterials, {"p:chip", "Co", "0.1"}).message(),
              HasSubstr("duplicate material 'Co'"));
  EXPECT_THAT(Add(Table::kMaterials, {"p:wafer", "Ni", "1", "0.6", "0.5"}).message(),
              HasSubstr("add up to more than 1"));
}

TEST_F(BuilderTest, RejectsBomCyclesUnlessRecycling) {
  AddBasics();
  ASSERT_TRUE(Add(Table::kProducts, {"p:scrap", "Scrap", "waste", "kg"}).ok());
  ASSERT_TRUE(Add(Table::kBom, {"p:chip", "p:wafer", "1"}).ok());
  ASSERT_TRUE(Add(Table::kBom, {"p:wafer", "p:scrap", "0.1", "true"}).ok());
  ASSERT_TRUE(Add(Table::kBom, {"p:scrap", "p:chip", "2"}).ok());
  EXPECT_TRUE(builder_.Finish().ok());  // chip -> wafer -(recycling)-> scrap -> chip

  Model m2;
  ModelBuilder b2(m2);
  auto add = [&](Table t, std::vector<std::string_view> f, int line) {
    f.resize(Schema(t).columns.size());
    return b2.AddRow(t, f, LineOrigin(line));
  };
  ASSERT_TRUE(add(Table::kProducts, {"a", "A", "c", "kg"}, 1).ok());
  ASSERT_TRUE(add(Table::kProducts, {"b", "B", "c", "kg"}, 2).ok());
  ASSERT_TRUE(add(Table::kProducts, {"c", "C", "c", "kg"}, 3).ok());
  ASSERT_TRUE(add(Table::kBom, {"a", "b", "1"}, 4).ok());
  ASSERT_TRUE(add(Table::kBom, {"b", "c", "1"}, 5).ok());
  ASSERT_TRUE(add(Table::kBom, {"c", "a", "1"}, 6).ok());
  Status s = b2.Finish();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "t.csv:6:0: BOM cycle without a line flagged recycling: a -> b -> c -> a");
}

TEST_F(BuilderTest, ChecksDatesKeysAndLists) {
  AddBasics();
  EXPECT_TRUE(Add(Table::kFootprints, {"p:chip", "", "1.5", "", "", "0.5", "1", "2", "3",
                                       "2025-01-01", "2025-12-31T23:59:59Z"})
                  .ok());
  EXPECT_THAT(Add(Table::kFootprints, {"p:chip", "", "1.5", "", "", "", "", "", "", "2025-13-01"})
                  .message(),
              HasSubstr("period_start: expected an ISO 8601 date"));
  EXPECT_THAT(Add(Table::kFootprints, {"p:wafer", "", "1", "", "", "", "4"}).message(),
              HasSubstr("dqr_ter: expected a data quality rating in [1, 3], got '4'"));
  EXPECT_THAT(Add(Table::kFootprints,
                  {"p:wafer", "", "1", "", "", "", "", "", "", "2025-02-01", "2025-01-01"})
                  .message(),
              HasSubstr("is before period_start"));
  EXPECT_THAT(Add(Table::kOrganizations, {"org:k", "K", "JP", "", "short"}).message(),
              HasSubstr("public_key: expected an Ed25519 public key"));
  ASSERT_TRUE(Add(Table::kProducts, {"p:ids", "I", "c", "kg", "", "", "urn:a; urn:b"}).ok());
  EXPECT_EQ(model_.products.back().pact_product_ids, (std::vector<std::string>{"urn:a", "urn:b"}));
}

TEST(BuilderAppendTest, FindsCollisionsWithRowsAlreadyInTheModel) {
  Model model;
  {
    ModelBuilder first(model);
    std::vector<std::string_view> org = {"org:a", "A", "JP", "", "", ""};
    ASSERT_TRUE(first.AddRow(Table::kOrganizations, org, LineOrigin(1)).ok());
  }
  ModelBuilder second(model);
  EXPECT_EQ(second.rows_before()[static_cast<int>(Table::kOrganizations)], 1u);
  std::vector<std::string_view> org = {"org:a", "A again", "JP", "", "", ""};
  EXPECT_THAT(second.AddRow(Table::kOrganizations, org, LineOrigin(1)).message(),
              HasSubstr("duplicate organization id 'org:a'"));
}

// An external site (another company's, known by id and organization) needs no
// name, country or place; any other site does.
TEST_F(BuilderTest, ExternalSitesNeedOnlyIdAndOrganization) {
  ASSERT_TRUE(Add(Table::kOrganizations, {"org:a", "A Corp", "JP", "", "", "A株式会社"}).ok());
  std::vector<std::string_view> external(Schema(Table::kSites).columns.size());
  external[0] = "site:b";
  external[1] = "org:a";
  external[*Schema(Table::kSites).ColumnIndex("external")] = "true";
  ASSERT_TRUE(builder_.AddRow(Table::kSites, external, LineOrigin(++line_)).ok());
  EXPECT_TRUE(model_.sites[0].external);
  EXPECT_EQ(model_.sites[0].country, "");
  EXPECT_EQ(model_.organizations[0].name_ja, "A株式会社");

  Status s = Add(Table::kSites, {"site:c", "org:a", "Plant", "JP", "", "", "139.7"});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("t.csv:3:6: lat: a value is required (only an external site"));
  EXPECT_EQ(model_.sites.size(), 1u);
}

TEST_F(BuilderTest, ChecksPassportData) {
  AddBasics();
  const std::string https = "https://x.example/doc.pdf";
  // Links are absolute URIs; classes and extinguisher classes are letters.
  EXPECT_THAT(Add(Table::kPassports, {"p:chip", "", "www.x.example/study"}).ToString(),
              HasSubstr("t.csv:8:3: carbon_footprint_study: expected an absolute URI such as "
                        "'https://example.com/doc.pdf', got 'www.x.example/study'"));
  EXPECT_THAT(Add(Table::kPassports, {"p:chip", "", "https:///no-host"}).ToString(),
              HasSubstr("expected an absolute URI"));
  EXPECT_THAT(Add(Table::kPassports, {"p:chip", "", "https://x.example/a b"}).ToString(),
              HasSubstr("expected an absolute URI"));
  EXPECT_THAT(Add(Table::kPassports, {"p:chip", "AA"}).ToString(),
              HasSubstr(":2: performance_class: expected a performance class letter"));
  EXPECT_THAT(
      Add(Table::kPassports, {"p:chip", "", "", "", "", "", "", "", "D;foam"}).ToString(),
      HasSubstr(":9: extinguishing_agents: expected extinguisher classes separated by ';'"));
  EXPECT_THAT(Add(Table::kPassports, {"p:chip", "", "", "", "", "", "1.5"}).ToString(),
              HasSubstr("renewable_content_share: expected a number in [0, 1], got '1.5'"));
  ASSERT_TRUE(Add(Table::kPassports, {"p:chip", "B", "urn:isbn:0451450523"}).ok());
  EXPECT_THAT(Add(Table::kPassports, {"p:chip"}).ToString(),
              HasSubstr("duplicate passport of 'p:chip'"));
  EXPECT_THAT(Add(Table::kPassports, {"p:none"}).ToString(), HasSubstr("unknown product 'p:none'"));

  // Documents: the data model's types, a media type, a URI.
  EXPECT_THAT(
      Add(Table::kPassportDocuments, {"p:chip", "Manual", "application/pdf", https}).ToString(),
      HasSubstr("document_type: expected one of BillOfMaterial, Model3D, "
                "DismantlingManual, RemovalManual, OtherManual, Drawing, got 'Manual'"));
  EXPECT_THAT(Add(Table::kPassportDocuments, {"p:chip", "Drawing", "pdf", https}).ToString(),
              HasSubstr("mime_type: expected a media type such as 'application/pdf', got 'pdf'"));
  ASSERT_TRUE(Add(Table::kPassportDocuments, {"p:chip", "Drawing", "image/svg+xml", https}).ok());
  EXPECT_THAT(Add(Table::kPassportDocuments, {"p:chip", "Model3D", "model/step", https}).ToString(),
              HasSubstr("duplicate document"));

  // Spare parts: an e-mail address; one address per source.
  std::vector<std::string_view> part = {"p:chip", "S",   "1-1 Minato", "650-0000", "JP",
                                        "s@s.jp", https, "Module",     "M-1"};
  part[5] = "s@s";
  EXPECT_THAT(
      Add(Table::kSpareParts, part).ToString(),
      HasSubstr("email: expected an e-mail address such as 'parts@example.com', got 's@s'"));
  part[5] = "s@s.jp";
  ASSERT_TRUE(Add(Table::kSpareParts, part).ok());
  part[8] = "M-2";
  part[3] = "650-0001";
  EXPECT_THAT(
      Add(Table::kSpareParts, part).ToString(),
      HasSubstr(":4: postal_code: differs from the earlier row of supplier 'S' (part M-1)"));
  part[3] = "650-0000";
  ASSERT_TRUE(Add(Table::kSpareParts, part).ok());
  EXPECT_THAT(Add(Table::kSpareParts, part).ToString(), HasSubstr("duplicate part M-2"));
}

TEST_F(BuilderTest, FootprintClassesAreOrdered) {
  ASSERT_TRUE(Add(Table::kFootprintClasses, {"pack", "B", "0.08"}).ok());
  EXPECT_THAT(Add(Table::kFootprintClasses, {"pack", "A", "0.09"}).ToString(),
              HasSubstr("max_kgco2e_per_kwh: class B's bound must be above class A's (0.09) in "
                        "category 'pack'"));
  EXPECT_THAT(Add(Table::kFootprintClasses, {"pack", "A", ""}).ToString(),
              HasSubstr("class A has no upper bound, so class B cannot come after it"));
  ASSERT_TRUE(Add(Table::kFootprintClasses, {"pack", "A", "0.05"}).ok());
  ASSERT_TRUE(Add(Table::kFootprintClasses, {"pack", "D", ""}).ok());
  EXPECT_THAT(Add(Table::kFootprintClasses, {"pack", "E", "1"}).ToString(),
              HasSubstr("class D has no upper bound"));
  EXPECT_THAT(Add(Table::kFootprintClasses, {"pack", "B", "0.06"}).ToString(),
              HasSubstr("duplicate class B of category 'pack'"));
  // Another category has its own classes; a failed row left no key behind.
  ASSERT_TRUE(Add(Table::kFootprintClasses, {"cell", "A", "0.5"}).ok());
  ASSERT_TRUE(Add(Table::kFootprintClasses, {"pack", "C", "0.1"}).ok());
  EXPECT_EQ(model_.footprint_classes.size(), 5u);
}

}  // namespace
TEST(SchemaTest, EveryTableHasAKeyInColumnOrder) {
  for (const TableSchema& t : AllTables()) {
    ASSERT_FALSE(t.key.empty()) << t.name;
    for (size_t k = 0; k < t.key.size(); ++k) {
      EXPECT_LT(static_cast<size_t>(t.key[k]), t.columns.size()) << t.name;
      if (k > 0) {
        EXPECT_LT(t.key[k - 1], t.key[k]) << t.name;
      }
    }
  }
}

}  // namespace renkei::model
