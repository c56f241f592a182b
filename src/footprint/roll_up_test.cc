#include "footprint/roll_up.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/decimal.h"
#include "model/builder.h"
#include "model/schema.h"
#include "pact/footprint_row.h"

namespace renkei::footprint {
namespace {

using model::Table;

class TestOrigin : public model::RowOrigin {
 public:
  std::string Where(int column) const override { return "test:" + std::to_string(column + 1); }
};

class Network {
 public:
  void Add(Table table, std::vector<std::string_view> fields) {
    fields.resize(model::Schema(table).columns.size());
    Status s = builder_.AddRow(table, fields, TestOrigin());
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  const model::Model& Finish() {
    Status s = builder_.Finish();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return model_;
  }
  model::Model& model() { return model_; }

 private:
  model::Model model_;
  model::ModelBuilder builder_{model_};
};

double Split(const std::vector<SplitEntry>& entries, const std::string& key) {
  for (const SplitEntry& e : entries) {
    if (e.key == key) return e.kgco2e;
  }
  return -1;
}

// mine (CL) -> two lithium refiners (CN, JP) -> cathode -> cell -> pack, all in kg
// except cell and pack (pieces). Own emissions and ratings (TeR = GeR = TiR):
//   ore 1 (2), LiOH at r1 5 (3), LiOH at r2 3 (1), cathode 4 (TeR 1, GeR 2, TiR 1),
//   cell 10 (1), pack 20 (unrated).
// BOM: LiOH = 2 kg ore; cathode = 0.5 kg LiOH; cell = 2 kg cathode; pack = 4 cells.
// The cathode plant buys LiOH from r1 and r2 with shares 0.6 + 0.6 (normalised to
// 0.5 each).
void AddBatteryChain(Network& n) {
  n.Add(Table::kOrganizations, {"org:mine", "Atacama Mining", "CL"});
  n.Add(Table::kOrganizations, {"org:r1", "Sichuan Lithium", "CN"});
  n.Add(Table::kOrganizations, {"org:r2", "Kanto Lithium", "JP"});
  n.Add(Table::kOrganizations, {"org:cam", "Hokuriku Cathode", "JP"});
  n.Add(Table::kOrganizations, {"org:cell", "Kyushu Cell", "JP"});
  n.Add(Table::kOrganizations, {"org:pack", "Aichi Pack", "JP"});
  n.Add(Table::kSites, {"site:mine", "org:mine", "Mine", "CL", "", "-23.5", "-68.2"});
  n.Add(Table::kSites, {"site:r1", "org:r1", "Refinery 1", "CN", "", "30.6", "104.1"});
  n.Add(Table::kSites, {"site:r2", "org:r2", "Refinery 2", "JP", "", "35.9", "140.6"});
  n.Add(Table::kSites, {"site:cam", "org:cam", "Cathode plant", "JP", "", "36.6", "136.6"});
  n.Add(Table::kSites, {"site:cell", "org:cell", "Cell plant", "JP", "", "32.8", "130.7"});
  n.Add(Table::kSites, {"site:pack", "org:pack", "Pack plant", "JP", "", "35.1", "137.0"});
  n.Add(Table::kProducts, {"p:ore", "Spodumene", "raw", "kg"});
  n.Add(Table::kProducts, {"p:lioh", "Lithium hydroxide", "chemical", "kg"});
  n.Add(Table::kProducts, {"p:cathode", "Cathode material", "material", "kg"});
  n.Add(Table::kProducts, {"p:cell", "Cell", "component", "piece"});
  n.Add(Table::kProducts, {"p:pack", "Battery pack", "battery", "piece"});
  n.Add(Table::kBom, {"p:lioh", "p:ore", "2"});
  n.Add(Table::kBom, {"p:cathode", "p:lioh", "0.5"});
  n.Add(Table::kBom, {"p:cell", "p:cathode", "2"});
  n.Add(Table::kBom, {"p:pack", "p:cell", "4"});
  // site, product, capacity, inventory, emissions, ter, ger, tir
  n.Add(Table::kProduction, {"site:mine", "p:ore", "", "", "1", "2", "2", "2"});
  n.Add(Table::kProduction, {"site:r1", "p:lioh", "", "", "5", "3", "3", "3"});
  n.Add(Table::kProduction, {"site:r2", "p:lioh", "", "", "3", "1", "1", "1"});
  n.Add(Table::kProduction, {"site:cam", "p:cathode", "", "", "4", "1", "2", "1"});
  n.Add(Table::kProduction, {"site:cell", "p:cell", "", "", "10", "1", "1", "1"});
  n.Add(Table::kProduction, {"site:pack", "p:pack", "", "", "20"});
  n.Add(Table::kSupply, {"site:mine", "site:r1", "p:ore"});
  n.Add(Table::kSupply, {"site:mine", "site:r2", "p:ore"});
  n.Add(Table::kSupply, {"site:r1", "site:cam", "p:lioh", "0.6"});
  n.Add(Table::kSupply, {"site:r2", "site:cam", "p:lioh", "0.6"});
  n.Add(Table::kSupply, {"site:cam", "site:cell", "p:cathode"});
  n.Add(Table::kSupply, {"site:cell", "site:pack", "p:cell"});
}

TEST(RollUpTest, ThreeTierBatteryChain) {
  Network n;
  AddBatteryChain(n);
  const model::Model& model = n.Finish();
  auto network = RollUp(model);
  ASSERT_TRUE(network.ok()) << network.status().ToString();
  EXPECT_FALSE(network->cyclic);
  // ore 1; LiOH r1 5 + 2 x 1 = 7, r2 3 + 2 = 5; cathode 4 + 0.5 x (7 + 5) / 2 = 7;
  // cell 10 + 2 x 7 = 24; pack 20 + 4 x 24 = 116.
  EXPECT_EQ(network->pcf, (std::vector<double>{1, 7, 5, 7, 24, 116}));
  ASSERT_EQ(network->notes.size(), 1u);
  EXPECT_EQ(network->notes[0], "shares of p:lioh into site:cam sum to 1.2; normalised to 1");

  // TeR of the cathode, weighted by quantity x emission with its own share:
  //   r1: (5 x 3 + 2 x 1 x 2) / 7 = 19 / 7; r2: (3 x 1 + 2 x 2) / 5 = 7 / 5;
  //   cathode: (4 x 1 + 0.5 x (0.5 x 19 + 0.5 x 7)) / 7 = 10.5 / 7 = 1.5.
  EXPECT_DOUBLE_EQ(*network->dqr[3].ter, 1.5);
  // GeR of the cathode: (4 x 2 + 0.5 x 13) / 7 = 14.5 / 7.
  EXPECT_DOUBLE_EQ(*network->dqr[3].ger, 14.5 / 7);
  // The pack's own 20 is unrated, so it weighs nothing: cell D = 10 + 2 x 10.5 = 31
  // over 24; pack (4 x 31) / (4 x 24).
  EXPECT_EQ(FormatDecimal(*network->dqr[5].ter), "1.29166666667");

  auto pack = FootprintOfProduct(model, *network, "p:pack");
  ASSERT_TRUE(pack.ok()) << pack.status().ToString();
  EXPECT_EQ(FormatDecimal(pack->pcf), "116");
  EXPECT_EQ(pack->primary_data_share, 1);  // all own measurements
  // Units per pack: cell 4, cathode 8, LiOH 2 + 2, ore 8.
  EXPECT_EQ(Split(pack->by_tier, "0"), 20);
  EXPECT_EQ(Split(pack->by_tier, "1"), 40);
  EXPECT_EQ(Split(pack->by_tier, "2"), 32);
  EXPECT_EQ(Split(pack->by_tier, "3"), 16);  // 2 x 5 + 2 x 3
  EXPECT_EQ(Split(pack->by_tier, "4"), 8);
  EXPECT_EQ(Split(pack->by_country, "JP"), 98);
  EXPECT_EQ(Split(pack->by_country, "CN"), 10);
  EXPECT_EQ(Split(pack->by_country, "CL"), 8);
  EXPECT_EQ(pack->by_country[0].key, "JP");
  EXPECT_EQ(Split(pack->by_supplier, "org:r1"), 10);
  EXPECT_EQ(Split(pack->by_supplier, "org:pack"), 20);
  EXPECT_EQ(Split(pack->by_stage, "raw_material_extraction"), 8);
  EXPECT_EQ(Split(pack->by_stage, "main_production"), 108);
}

// The export's one-pass footprints are FootprintOfProduct's, without the splits.
TEST(RollUpTest, MadeProductFootprintsAreThoseOfEachProduct) {
  Network n;
  AddBatteryChain(n);
  const model::Model& model = n.Finish();
  auto network = RollUp(model);
  ASSERT_TRUE(network.ok()) << network.status().ToString();
  const std::vector<ProductFootprint> all = MadeProductFootprints(model, *network);
  ASSERT_EQ(all.size(), model.products.size());
  for (model::Index p = 0; p < model.products.size(); ++p) {
    auto one = FootprintOfProduct(model, *network, model.products[p].id);
    if (all[p].product == model::kNoIndex) {
      EXPECT_FALSE(one.ok() && !one->received) << model.products[p].id;
      continue;
    }
    ASSERT_TRUE(one.ok()) << one.status().ToString();
    EXPECT_EQ(all[p].product, p);
    EXPECT_EQ(all[p].pcf, one->pcf) << model.products[p].id;
    EXPECT_EQ(all[p].primary_data_share, one->primary_data_share);
    EXPECT_EQ(all[p].dqr.ter, one->dqr.ter);
    EXPECT_EQ(all[p].dqr.ger, one->dqr.ger);
    EXPECT_EQ(all[p].dqr.tir, one->dqr.tir);
    EXPECT_EQ(all[p].received, one->received);
  }
}

TEST(RollUpTest, ReceivedFootprintsReplaceComputedValues) {
  Network n;
  AddBatteryChain(n);
  // A measured footprint of r1's LiOH (site-specific row of footprints.csv):
  // product, site, pcf, fossil, biogenic, primary share, ter, ger, tir.
  n.Add(Table::kFootprints, {"p:lioh", "site:r1", "6.5", "", "", "0.5", "2", "2", "2"});
  // A purchased dopant with no supplier in the network; its PACT v2 footprint
  // (18.5 kgCO2e/kg, primary share 62.5 %, TeR 1.6) comes from the supplier.
  n.Add(Table::kProducts,
        {"p:dopant", "Dopant", "chemical", "kg", "", "", "urn:renkei:product:nmc811"});
  n.Add(Table::kBom, {"p:cathode", "p:dopant", "0.1"});
  std::ifstream in(std::string(RENKEI_SOURCE_DIR) + "/tests/data/footprint/pact/v2_cathode.json");
  std::stringstream text;
  text << in.rdbuf();
  auto row = pact::FootprintRow(text.str(), "footprints/dopant.json", n.model());
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  n.Add(Table::kFootprints, std::vector<std::string_view>(row->begin(), row->end()));
  n.model().footprints.back().pact_json = text.str();
  const model::Model& model = n.Finish();

  auto network = RollUp(model);
  ASSERT_TRUE(network.ok()) << network.status().ToString();
  EXPECT_EQ(network->received[1], 0u);  // r1 replaced by footprint row 0
  EXPECT_EQ(network->pcf[1], 6.5);
  // cathode: 4 + 0.5 x (0.5 x 6.5 + 0.5 x 5) + 0.1 x 18.5 = 8.725
  EXPECT_EQ(FormatDecimal(network->pcf[3]), "8.725");
  // primary: 4 + 0.5 x (0.5 x 6.5 x 0.5 + 0.5 x 5) + 0.1 x 18.5 x 0.625 = 7.21875
  EXPECT_EQ(FormatDecimal(network->primary[3]), "7.21875");
  // TeR: own 4 x 1; r1 6.5 x 2 = 13; r2 7 (as before); dopant 18.5 x 1.6 = 29.6
  //   (4 + 0.5 x (0.5 x 13 + 0.5 x 7) + 0.1 x 29.6) / 8.725 = 11.96 / 8.725
  EXPECT_DOUBLE_EQ(*network->dqr[3].ter, 11.96 / 8.725);

  auto cathode = FootprintOfProduct(model, *network, "p:cathode");
  ASSERT_TRUE(cathode.ok());
  EXPECT_DOUBLE_EQ(cathode->primary_data_share, 7.21875 / 8.725);
  EXPECT_DOUBLE_EQ(Split(cathode->by_supplier, "unknown"), 1.85);  // the dopant
  EXPECT_DOUBLE_EQ(Split(cathode->by_supplier, "org:r1"), 0.25 * 6.5);

  // A product made nowhere takes its received footprint.
  auto dopant = FootprintOfProduct(model, *network, "p:dopant");
  ASSERT_TRUE(dopant.ok());
  EXPECT_TRUE(dopant->received);
  EXPECT_EQ(dopant->pcf, 18.5);
  EXPECT_DOUBLE_EQ(*dopant->dqr.ter, 1.6);
}

TEST(RollUpTest, ElectricityInMegawattHoursFromAPerKilowattHourFootprint) {
  Network n;
  AddBatteryChain(n);
  n.Add(Table::kProducts,
        {"p:power", "Grid electricity", "energy", "MWh", "", "", "urn:renkei:product:grid"});
  n.Add(Table::kBom, {"p:cell", "p:power", "0.05"});  // 50 kWh per cell
  // A v3 footprint of 0.452 kgCO2e per kWh.
  n.Add(Table::kFootprints, {"p:power", "", "452"});
  const model::Model& model = n.Finish();
  auto network = RollUp(model);
  ASSERT_TRUE(network.ok());
  // cell 24 + 0.05 MWh x 452 kgCO2e/MWh = 46.6; pack 20 + 4 x 46.6 = 206.4
  EXPECT_EQ(FormatDecimal(network->pcf[4]), "46.6");
  EXPECT_EQ(FormatDecimal(network->pcf[5]), "206.4");
  // A footprints.csv row without a primary share is secondary data.
  auto pack = FootprintOfProduct(model, *network, "p:pack");
  EXPECT_DOUBLE_EQ(pack->primary_data_share, 116 / 206.4);
}

// Cathode material (a) at plant A takes 0.5 kg of black mass (b) per kg through a
// recycling line; the recycler B makes black mass from 0.4 kg of (scrap) cathode per
// kg. Own emissions e_a = 10, e_b = 2:
//   F_a = e_a + 0.5 F_b,  F_b = e_b + 0.4 F_a
//   => F_a = (e_a + 0.5 e_b) / (1 - 0.5 x 0.4) = 11 / 0.8 = 13.75,  F_b = 2 + 0.4 x 13.75 = 7.5
void AddLoop(Network& n, const char* q, const char* r) {
  n.Add(Table::kOrganizations, {"org:a", "A", "JP"});
  n.Add(Table::kOrganizations, {"org:b", "B", "KR"});
  n.Add(Table::kSites, {"site:a", "org:a", "A", "JP", "", "35", "135"});
  n.Add(Table::kSites, {"site:b", "org:b", "B", "KR", "", "36", "127"});
  n.Add(Table::kProducts, {"p:a", "Cathode", "material", "kg"});
  n.Add(Table::kProducts, {"p:b", "Black mass", "recycled", "kg"});
  n.Add(Table::kBom, {"p:a", "p:b", q, "true"});
  n.Add(Table::kBom, {"p:b", "p:a", r});
  n.Add(Table::kProduction, {"site:a", "p:a", "", "", "10"});
  n.Add(Table::kProduction, {"site:b", "p:b", "", "", "2"});
  n.Add(Table::kSupply, {"site:b", "site:a", "p:b"});
  n.Add(Table::kSupply, {"site:a", "site:b", "p:a"});
}

TEST(RollUpTest, RecyclingLoopSolvedAsALinearSystem) {
  Network n;
  AddLoop(n, "0.5", "0.4");
  const model::Model& model = n.Finish();
  auto network = RollUp(model);
  ASSERT_TRUE(network.ok()) << network.status().ToString();
  EXPECT_TRUE(network->cyclic);
  EXPECT_EQ(FormatDecimal(network->pcf[0]), "13.75");
  EXPECT_EQ(FormatDecimal(network->pcf[1]), "7.5");
  auto a = FootprintOfProduct(model, *network, "p:a");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  // Units per kg of a: x_a = 1 / 0.8 = 1.25 of own a, x_b = 0.5 x 1.25 = 0.625:
  // 1.25 x 10 + 0.625 x 2 = 13.75.
  EXPECT_EQ(FormatDecimal(Split(a->by_country, "JP")), "12.5");
  EXPECT_EQ(FormatDecimal(Split(a->by_country, "KR")), "1.25");
}

TEST(RollUpTest, LoopThatReturnsMoreThanItTakesIsRejected) {
  Network n;
  AddLoop(n, "2", "0.6");  // 2 x 0.6 = 1.2 >= 1
  const model::Model& model = n.Finish();
  Status s = RollUp(model).status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "a recycling loop does not converge: it returns at least as much as it takes "
            "(spectral radius of the BOM x share matrix >= 1)");
}

TEST(RollUpTest, ExactDecimals) {
  for (const auto& [value, expected] :
       std::vector<std::pair<const char*, const char*>>{{"0.1", "0.6"}, {"0.7", "4.2"}}) {
    Network n;
    n.Add(Table::kOrganizations, {"org:a", "A", "JP"});
    n.Add(Table::kSites, {"site:a", "org:a", "A", "JP", "", "35", "135"});
    n.Add(Table::kProducts, {"p:x", "X", "part", "piece"});
    n.Add(Table::kProducts, {"p:y", "Y", "part", "piece"});
    n.Add(Table::kProducts, {"p:z", "Z", "part", "piece"});
    n.Add(Table::kBom, {"p:x", "p:y", "3"});
    n.Add(Table::kBom, {"p:x", "p:z", "3"});
    n.Add(Table::kProduction, {"site:a", "p:x", "", "", "0"});
    n.Add(Table::kProduction, {"site:a", "p:y", "", "", value});
    n.Add(Table::kProduction, {"site:a", "p:z", "", "", value});
    const model::Model& model = n.Finish();
    auto network = RollUp(model);
    ASSERT_TRUE(network.ok());
    EXPECT_EQ(FormatDecimal(network->pcf[0]), expected);  // 3 x v + 3 x v
  }
}

TEST(RollUpTest, MissingDataAndUnknownProducts) {
  Network n;
  AddBatteryChain(n);
  n.Add(Table::kProducts, {"p:separator", "Separator", "component", "m2"});
  n.Add(Table::kBom, {"p:cell", "p:separator", "1.5"});
  n.Add(Table::kProducts, {"p:idle", "Idle", "component", "piece"});
  const model::Model& model = n.Finish();
  auto network = RollUp(model);
  ASSERT_TRUE(network.ok());
  EXPECT_EQ(network->pcf[4], 24);   // the separator counts 0 ...
  EXPECT_EQ(network->notes.back(),  // ... and says so
            "component p:separator of p:cell at site:cell has no supplier and no footprint; "
            "counted as 0");
  Status s = FootprintOfProduct(model, *network, "p:nothing").status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "unknown product 'p:nothing'");
  s = FootprintOfProduct(model, *network, "p:idle").status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "product 'p:idle' is made at no site and has no footprint");
}

}  // namespace
}  // namespace renkei::footprint
