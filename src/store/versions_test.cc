// Living data on a real SQLite file: import modes, deletions, versions read as
// of an earlier change, row history and diffs (model/edit.h, store/import.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "model/diff.h"
#include "model/row_text.h"
#include "store/import.h"
#include "store/store.h"

namespace renkei::store {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A store's content as text: per table, its rows as "key: cell|cell|...", sorted.
using Content = std::map<std::string, std::vector<std::string>>;

Content ContentOf(const model::Model& m) {
  Content out;
  std::vector<std::string> cells;
  for (const model::TableSchema& t : model::AllTables()) {
    std::vector<std::string>& rows = out[std::string(t.name)];
    for (size_t i = 0; i < model::TableSize(m, t.table); ++i) {
      model::RowText(m, t.table, i, cells);
      std::string row;
      for (const std::string& c : cells) row += (row.empty() ? "" : "|") + c;
      rows.push_back(row);
    }
    std::sort(rows.begin(), rows.end());
    if (rows.empty()) out.erase(std::string(t.name));
  }
  return out;
}

class VersionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("versions_test_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  // Writes a CSV bundle folder `name` with files {table -> text}.
  std::string Bundle(const std::string& name, const std::map<std::string, std::string>& files) {
    const fs::path folder = dir_ / name;
    fs::create_directories(folder);
    for (const auto& [table, text] : files) std::ofstream(folder / (table + ".csv")) << text;
    return folder.string();
  }

  std::unique_ptr<Store> NewStore(const std::string& name) {
    auto store = Store::Create((dir_ / name).string());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(*store);
  }

  static StatusOr<ImportResult> Import(Store& store, const std::string& bundle,
                                       model::EditMode mode = model::EditMode::kAppend,
                                       std::vector<std::string> orgs = {}, bool cascade = false) {
    ImportOptions options;
    options.actor = "tester";
    options.edit = {mode, std::move(orgs), cascade};
    return ImportBundle(store, {bundle, std::nullopt, ""}, options);
  }

  // A small network of two companies: a mine supplying a cell plant.
  std::string Base() {
    return Bundle("base",
                  {{"organizations", "id,name,country\norg:mine,Mine Co,AU\norg:cell,Cell Co,JP\n"},
                   {"sites",
                    "id,organization,name,country,lat,lon,capacity_per_day\n"
                    "site:mine,org:mine,Mine,AU,-22,118,100\n"
                    "site:mine2,org:mine,Mine 2,CL,-23,-70,50\n"
                    "site:cell,org:cell,Cells,JP,34,135,\n"},
                   {"products",
                    "id,name,category,unit\nprod:li,Lithium,material,kg\n"
                    "prod:cell,Cell,cell,piece\n"},
                   {"bom", "product,component,quantity\nprod:cell,prod:li,0.5\n"},
                   {"production",
                    "site,product,capacity_per_day,inventory_units\n"
                    "site:mine,prod:li,40,200\nsite:mine2,prod:li,20,10\n"
                    "site:cell,prod:cell,100,50\n"},
                   {"supply",
                    "supplier_site,customer_site,product,share\n"
                    "site:mine,site:cell,prod:li,0.7\nsite:mine2,site:cell,prod:li,0.3\n"},
                   {"demand", "site,product,demand_per_day\nsite:cell,prod:cell,80\n"}});
  }

  fs::path dir_;
};

TEST_F(VersionsTest, UpsertChangesGivenColumnsAndAddsRows) {
  auto store = NewStore("s.db");
  {
    auto base = Import(*store, Base());
    ASSERT_TRUE(base.ok()) << base.status().ToString();
  }
  const std::string up = Bundle(
      "up",
      {{"production",
        "site,product,capacity_per_day\nsite:mine,prod:li,55\nsite:cell,prod:cell,100\n"},
       {"sites", "id,organization,name,country,lat,lon\nsite:new,org:mine,New mine,AR,-24,-66\n"}});
  auto r = Import(*store, up, model::EditMode::kUpsert);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->change, 2);
  EXPECT_EQ(r->tables[static_cast<size_t>(model::Table::kProduction)].changed, 1u);
  EXPECT_EQ(r->tables[static_cast<size_t>(model::Table::kProduction)].added, 0u);
  EXPECT_EQ(r->tables[static_cast<size_t>(model::Table::kSites)].added, 1u);
  // The expected store: inventory (a column the file lacks) kept; the unchanged
  // row gets no new version.
  const Content content = ContentOf(*store->LoadModel());
  EXPECT_THAT(content.at("production"),
              ElementsAre("site:cell|prod:cell|100|50|||||", "site:mine2|prod:li|20|10|||||",
                          "site:mine|prod:li|55|200|||||"));
  EXPECT_EQ(content.at("sites").size(), 4u);
  auto history = store->RowHistory(model::Table::kProduction, "site:cell,prod:cell");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 1u);
  history = store->RowHistory(model::Table::kProduction, "site:mine,prod:li");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].from, 1);
  EXPECT_EQ((*history)[0].to, 2);
  EXPECT_EQ((*history)[0].cells[2], "40");
  EXPECT_EQ((*history)[1].to, 0);
  EXPECT_EQ((*history)[1].cells[2], "55");
  // The same bundle again changes nothing and commits nothing.
  r = Import(*store, up, model::EditMode::kUpsert);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->change, 0);
  EXPECT_EQ(*store->LastChange(), 2);
  EXPECT_TRUE(store->VerifyAudit().ok());
}

TEST_F(VersionsTest, AppendStillRefusesStoredKeys) {
  auto store = NewStore("s.db");
  {
    auto base = Import(*store, Base());
    ASSERT_TRUE(base.ok()) << base.status().ToString();
  }
  auto r = Import(*store, Bundle("dup", {{"organizations", "id,name,country\norg:mine,M,AU\n"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("duplicate organization id 'org:mine'"));
  r = Import(*store, Bundle("del", {{"supply",
                                     "supplier_site,customer_site,product,deleted\n"
                                     "site:mine,site:cell,prod:li,true\n"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("supply.csv:2"));
  EXPECT_THAT(r.status().message(), HasSubstr("--mode upsert or replace"));
  EXPECT_EQ(*store->LastChange(), 1);
}

TEST_F(VersionsTest, ReplaceRemovesTheOrganizationsRowsTheBundleLacks) {
  auto store = NewStore("s.db");
  {
    auto base = Import(*store, Base());
    ASSERT_TRUE(base.ok()) << base.status().ToString();
  }
  // org:mine's whole truth: site:mine2 is closed, and so its production. The
  // supply link from it is the cell plant's row: refused without --cascade.
  const std::string nightly =
      Bundle("nightly", {{"sites",
                          "id,organization,name,country,lat,lon,capacity_per_day\n"
                          "site:mine,org:mine,Mine,AU,-22,118,120\n"},
                         {"products", "id,name,category,unit\nprod:li,Lithium,material,kg\n"},
                         {"production",
                          "site,product,capacity_per_day,inventory_units\n"
                          "site:mine,prod:li,40,200\n"}});
  auto r = Import(*store, nightly, model::EditMode::kReplace, {"org:mine"});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(),
              HasSubstr("supply site:mine2,site:cell,prod:li: refers to sites site:mine2, which "
                        "this change removes (--cascade removes"));
  EXPECT_EQ(*store->LastChange(), 1);
  const Content before = ContentOf(*store->LoadModel());

  r = Import(*store, nightly, model::EditMode::kReplace, {"org:mine"}, /*cascade=*/true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(r->cascaded,
              ElementsAre("supply site:mine2,site:cell,prod:li (refers to sites site:mine2)"));
  const Content content = ContentOf(*store->LoadModel());
  EXPECT_THAT(content.at("sites"), ElementsAre("site:cell|org:cell|Cells|JP||34|135|||||",
                                               "site:mine|org:mine|Mine|AU||-22|118||120|||"));
  EXPECT_THAT(content.at("production"),
              ElementsAre("site:cell|prod:cell|100|50|||||", "site:mine|prod:li|40|200|||||"));
  EXPECT_THAT(content.at("supply"), ElementsAre("site:mine|site:cell|prod:li|0.7||"));
  // Replace needs the organizations, and known ones.
  r = Import(*store, nightly, model::EditMode::kReplace);
  EXPECT_THAT(r.status().message(), HasSubstr("--organization"));
  r = Import(*store, nightly, model::EditMode::kReplace, {"org:nobody"});
  EXPECT_THAT(r.status().message(), HasSubstr("no stored organization 'org:nobody'"));
  // The earlier version reads as it was.
  auto old = store->ReadModel(1);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(ContentOf(old->model), before);
}

TEST_F(VersionsTest, DeletedColumnAndDeleteRows) {
  auto store = NewStore("s.db");
  {
    auto base = Import(*store, Base());
    ASSERT_TRUE(base.ok()) << base.status().ToString();
  }
  auto r = Import(*store,
                  Bundle("del", {{"supply",
                                  "supplier_site,customer_site,product,deleted\n"
                                  "site:mine2,site:cell,prod:li,true\n"
                                  "site:mine,site:cell,prod:li,false\n"}}),
                  model::EditMode::kUpsert);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->tables[static_cast<size_t>(model::Table::kSupply)].removed, 1u);
  EXPECT_EQ(r->model.supply.size(), 1u);

  // A deletion naming no stored row, and one both given and deleted.
  r = Import(*store,
             Bundle("del2", {{"supply",
                              "supplier_site,customer_site,product,deleted\n"
                              "site:mine2,site:cell,prod:li,yes\n"}}),
             model::EditMode::kUpsert);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(
      r.status().message(),
      HasSubstr("supply.csv:2:1: no stored supply 'site:mine2,site:cell,prod:li' to delete"));

  // renkei delete: a referenced row is refused naming both rows...
  const std::vector<model::Deletion> mine2 = {*model::ParseDeletion("sites", "site:mine2")};
  auto d = DeleteRows(*store, mine2, false, "tester");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(),
              HasSubstr("production site:mine2,prod:li: refers to sites site:mine2"));
  const int64_t last = *store->LastChange();
  // ... and removed with what refers to it under --cascade.
  d = DeleteRows(*store, mine2, true, "tester");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_THAT(d->cascaded,
              ElementsAre("production site:mine2,prod:li (refers to sites site:mine2)"));
  EXPECT_EQ(d->change, last + 1);
  // The numbers of removed sites are not reused: a new site, and an as-of read
  // from before the removal, both resolve.
  auto a = Import(*store, Bundle("more", {{"sites",
                                           "id,organization,name,country,lat,lon\n"
                                           "site:mine3,org:mine,Mine 3,AU,-20,119\n"},
                                          {"production", "site,product\nsite:mine3,prod:li\n"}}));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto now = store->ReadModel();
  ASSERT_TRUE(now.ok());
  EXPECT_FALSE(now->Dense());
  EXPECT_NE(now->model.FindSite("site:mine3"), model::kNoIndex);
  EXPECT_EQ(now->model.FindSite("site:mine2"), model::kNoIndex);
  const model::Index mine3 = now->model.FindSite("site:mine3");
  EXPECT_EQ(now->model.production.back().site, mine3);
  auto old = store->ReadModel(last);
  ASSERT_TRUE(old.ok());
  EXPECT_NE(old->model.FindSite("site:mine2"), model::kNoIndex);
  EXPECT_EQ(old->model.FindSite("site:mine3"), model::kNoIndex);

  // Bad keys and tables name themselves.
  EXPECT_THAT(model::ParseDeletion("suply", "a").status().message(),
              HasSubstr("unknown table 'suply'"));
  EXPECT_THAT(model::ParseDeletion("supply", "site:a,site:b").status().message(),
              HasSubstr("supplier_site,customer_site,product"));
  d = DeleteRows(*store, {*model::ParseDeletion("sites", "site:nowhere")}, false, "tester");
  EXPECT_THAT(d.status().message(), HasSubstr("no stored sites 'site:nowhere'"));
  EXPECT_TRUE(store->VerifyAudit().ok());
}

TEST_F(VersionsTest, AsOfEqualsAStoreBuiltFromTheOldBundleAlone) {
  auto store = NewStore("s.db");
  {
    auto base = Import(*store, Base());
    ASSERT_TRUE(base.ok()) << base.status().ToString();
  }
  const std::string change =
      Bundle("change", {{"supply",
                         "supplier_site,customer_site,product,share\n"
                         "site:mine,site:cell,prod:li,0.5\nsite:mine2,site:cell,prod:li,0.5\n"},
                        {"demand", "site,product,demand_per_day\nsite:cell,prod:cell,90\n"}});
  ASSERT_TRUE(Import(*store, change, model::EditMode::kUpsert).ok());

  auto fresh = NewStore("fresh.db");
  ASSERT_TRUE(Import(*fresh, Base()).ok());
  auto v1 = store->ReadModel(1);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(ContentOf(v1->model), ContentOf(*fresh->LoadModel()));

  // The diff of the two versions equals the diff of two stores built apart.
  ASSERT_TRUE(Import(*fresh, change, model::EditMode::kUpsert).ok());
  auto v2 = store->ReadModel(2);
  ASSERT_TRUE(v2.ok());
  auto fresh_v1 = fresh->ReadModel(1);
  ASSERT_TRUE(fresh_v1.ok());
  const model::ModelDiff ours = model::DiffModels(v1->model, v2->model);
  const model::ModelDiff theirs = model::DiffModels(fresh_v1->model, *fresh->LoadModel());
  for (size_t t = 0; t < model::kTableCount; ++t) {
    EXPECT_EQ(ours[t].added, theirs[t].added);
    EXPECT_EQ(ours[t].removed, theirs[t].removed);
    ASSERT_EQ(ours[t].changed.size(), theirs[t].changed.size());
  }
  const auto& supply = ours[static_cast<size_t>(model::Table::kSupply)];
  ASSERT_EQ(supply.changed.size(), 2u);
  EXPECT_EQ(supply.changed[0].cells[0].column, "share");
  EXPECT_EQ(supply.changed[0].cells[0].before, "0.7");
  EXPECT_EQ(supply.changed[0].cells[0].after, "0.5");
}

// Received PACT footprints follow PACT's lifecycle (pact/lifecycle.h): a
// higher version of an id replaces the stored row even when its reference
// period (part of the row's key) moved; a stale or rewritten version is
// refused; a new id listing a stored one in precedingPfIds supersedes it.
TEST_F(VersionsTest, ReceivedFootprintsFollowTheirIdsAndVersions) {
  auto store = NewStore("pact.db");
  ASSERT_TRUE(Import(*store, Base()).ok());
  ASSERT_TRUE(Import(*store,
                     Bundle("ids", {{"products",
                                     "id,name,category,unit,pact_product_ids\n"
                                     "prod:li,Lithium,material,kg,urn:renkei:product:li\n"}}),
                     model::EditMode::kUpsert)
                  .ok());
  std::ifstream in(std::string(RENKEI_SOURCE_DIR) + "/tests/data/footprint/pact/v2_cathode.json");
  const nlohmann::ordered_json sample = nlohmann::ordered_json::parse(in);
  const std::string a = "3f1c2a8e-5b7d-4e0a-9c61-2d8f4b6a7e10";
  const std::string b = "7b2d9c41-0e5f-4a63-8d17-5c9e2f1a4b30";
  // A bundle of received footprints: {file name -> (id, version, year, pcf, preceding)}.
  struct Doc {
    std::string id;
    int version;
    int year;
    std::string pcf;
    std::vector<std::string> preceding;
  };
  int bundles = 0;
  auto received = [&](const std::vector<Doc>& docs) {
    const fs::path folder = dir_ / ("pact" + std::to_string(++bundles));
    fs::create_directories(folder / "footprints");
    int n = 0;
    for (const Doc& d : docs) {
      nlohmann::ordered_json j = sample;
      j["id"] = d.id;
      j["version"] = d.version;
      j["productIds"] = {"urn:renkei:product:li"};
      j["pcf"]["pCfExcludingBiogenic"] = d.pcf;
      j["pcf"]["referencePeriodStart"] = std::to_string(d.year) + "-01-01T00:00:00Z";
      j["pcf"]["referencePeriodEnd"] = std::to_string(d.year + 1) + "-01-01T00:00:00Z";
      if (!d.preceding.empty()) j["precedingPfIds"] = d.preceding;
      std::ofstream(folder / "footprints" / ("f" + std::to_string(++n) + ".json")) << j.dump(2);
    }
    return folder.string();
  };
  auto rows = [&] {
    auto m = store->LoadModel();
    EXPECT_TRUE(m.ok());
    std::vector<std::string> out;
    for (size_t i = 0; i < m->footprints.size(); ++i) {
      out.push_back(model::RowKey(*m, model::Table::kFootprints, i) + " " +
                    std::to_string(m->footprints[i].pcf_kgco2e_per_unit));
    }
    return out;
  };
  ASSERT_TRUE(Import(*store, received({{a, 2, 2024, "18.5", {}}}), model::EditMode::kUpsert).ok());
  EXPECT_THAT(rows(), ElementsAre("prod:li,,2024-01-01T00:00:00Z,2025-01-01T00:00:00Z 18.500000"));

  // Version 3 of the same footprint, for the next year: it replaces version 2.
  auto done = Import(*store, received({{a, 3, 2025, "17", {}}}), model::EditMode::kUpsert);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_THAT(rows(), ElementsAre("prod:li,,2025-01-01T00:00:00Z,2026-01-01T00:00:00Z 17.000000"));
  const auto& footprints = done->tables[static_cast<size_t>(model::Table::kFootprints)];
  EXPECT_EQ(footprints.added, 1u);
  EXPECT_EQ(footprints.removed, 1u);

  // Stale, rewritten and doubled footprints are refused, and nothing changes.
  const int64_t last = *store->LastChange();
  auto refused = Import(*store, received({{a, 2, 2024, "18.5", {}}}), model::EditMode::kUpsert);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("PACT footprint " + a +
                        " (footprints prod:li,,2024-01-01T00:00:00Z,"
                        "2025-01-01T00:00:00Z): version 2 is older than the stored version 3"));
  refused = Import(*store, received({{a, 3, 2025, "16", {}}}), model::EditMode::kUpsert);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("differs from the stored footprint with the same id and version 3"));
  refused = Import(*store, received({{b, 1, 2025, "16", {}}, {b, 1, 2026, "16", {}}}),
                   model::EditMode::kUpsert);
  EXPECT_THAT(refused.status().message(), HasSubstr("the bundle holds this footprint id twice"));
  EXPECT_EQ(*store->LastChange(), last);

  // A new footprint superseding the stored one (another period: another key).
  done = Import(*store, received({{b, 1, 2026, "15.5", {a}}}), model::EditMode::kUpsert);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_THAT(rows(), ElementsAre("prod:li,,2026-01-01T00:00:00Z,2027-01-01T00:00:00Z 15.500000"));
  // The same document again changes nothing.
  done = Import(*store, received({{b, 1, 2026, "15.5", {a}}}), model::EditMode::kUpsert);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(*store->LastChange(), last + 1);
}

TEST_F(VersionsTest, VersionsByNumberAndTime) {
  auto store = NewStore("s.db");
  EXPECT_THAT(store->VersionAt("1").status().message(), HasSubstr("no versions yet"));
  {
    auto base = Import(*store, Base());
    ASSERT_TRUE(base.ok()) << base.status().ToString();
  }
  auto versions = store->Versions();
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].actor, "tester");
  EXPECT_THAT((*versions)[0].action, HasSubstr("import"));
  EXPECT_EQ(*store->VersionAt("1"), 1);
  EXPECT_EQ(*store->VersionAt(NowRfc3339(true)), 1);
  EXPECT_THAT(store->VersionAt("7").status().message(), HasSubstr("after the last change (1)"));
  EXPECT_THAT(store->VersionAt("2001-01-01").status().message(),
              HasSubstr("before the first version (1"));
  EXPECT_THAT(store->VersionAt("2999-01-01T00:00:00Z").status().message(),
              HasSubstr("in the future"));
  EXPECT_THAT(store->VersionAt("yesterday").status().message(),
              HasSubstr("expected a version number or a time"));
  EXPECT_THAT(store->ReadModel(0).status().message(), HasSubstr("before the first version"));
  EXPECT_THAT(store->LoadModelAsOf("2999-01-01").status().message(), HasSubstr("in the future"));
}

TEST_F(VersionsTest, RulesHoldOnTheMergedModel) {
  auto store = NewStore("s.db");
  {
    auto base = Import(*store, Base());
    ASSERT_TRUE(base.ok()) << base.status().ToString();
  }
  // A supply link from a site that does not make the product.
  auto r = Import(*store,
                  Bundle("bad", {{"supply",
                                  "supplier_site,customer_site,product\n"
                                  "site:cell,site:mine,prod:li\n"}}),
                  model::EditMode::kUpsert);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("site 'site:cell' has no production of 'prod:li'"));
  // A BOM line closing a cycle through a stored line.
  r = Import(*store,
             Bundle("cycle", {{"bom", "product,component,quantity\nprod:li,prod:cell,1\n"}}),
             model::EditMode::kUpsert);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("BOM cycle"));
  // A row given and deleted in one bundle.
  r = Import(*store,
             Bundle("both", {{"demand",
                              "site,product,demand_per_day,deleted\n"
                              "site:cell,prod:cell,1,false\nsite:cell,prod:cell,,true\n"}}),
             model::EditMode::kUpsert);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("both given and deleted"));
  EXPECT_EQ(*store->LastChange(), 1);
}

TEST_F(VersionsTest, AWriterThatWorkedOnAnOldVersionIsRefused) {
  auto store = NewStore("s.db");
  {
    auto base = Import(*store, Base());
    ASSERT_TRUE(base.ok()) << base.status().ToString();
  }
  auto before = store->ReadModel();
  ASSERT_TRUE(before.ok());
  auto edit =
      model::MergeEdit(before->model, model::EntitiesOf(before->model),
                       {{}, {*model::ParseDeletion("demand", "site:cell,prod:cell")}, {}}, {});
  ASSERT_TRUE(edit.ok());
  // Another process commits meanwhile.
  {
    auto other = Store::Open((dir_ / "s.db").string());
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE((*other)->SetSetting("margin_currency", "JPY", "other").ok());
  }
  Status s = store->Commit(*before, *edit, "tester", "delete");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("try again"));
  EXPECT_EQ(store->LoadModel()->demand.size(), 1u);
  // A model read as of a version, even the last one, is no base for an edit:
  // it does not know which numbers new entities may take.
  auto as_of = store->ReadModel(*store->LastChange());
  ASSERT_TRUE(as_of.ok()) << as_of.status().ToString();
  s = store->Commit(*as_of, *edit, "tester", "delete");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("not on one read as of a version"));
  EXPECT_EQ(store->LoadModel()->demand.size(), 1u);
}

TEST_F(VersionsTest, RetentionDropsHistoryNoKeptVersionSees) {
  auto store = NewStore("s.db");
  {
    auto base = Import(*store, Base());
    ASSERT_TRUE(base.ok());
  }
  auto demand = [&](int n) {
    return Bundle("d" + std::to_string(n),
                  {{"demand", "site,product,demand_per_day\nsite:cell,prod:cell," +
                                  std::to_string(n) + "\n"}});
  };
  ASSERT_TRUE(Import(*store, demand(81), model::EditMode::kUpsert).ok());
  ASSERT_TRUE(store->SetSetting("keep_versions", "2", "tester").ok());
  ASSERT_TRUE(store->ApplyRetention().ok());
  // Versions 1 and 2 are the last two: nothing dropped yet.
  EXPECT_TRUE(store->ReadModel(1).ok());
  auto third = Import(*store, demand(82), model::EditMode::kUpsert);
  ASSERT_TRUE(third.ok());
  // Now the model changes are 1, 2 and the third: version 1 is no longer kept.
  auto gone = store->ReadModel(1);
  ASSERT_FALSE(gone.ok());
  EXPECT_THAT(gone.status().message(), HasSubstr("older than the history kept"));
  auto history = store->RowHistory(model::Table::kDemand, "site:cell,prod:cell");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].cells[2], "81");
  EXPECT_EQ((*history)[1].cells[2], "82");
  auto kept = store->ReadModel(third->change - 1);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->model.demand[0].demand_per_day, 81);
  EXPECT_TRUE(store->VerifyAudit().ok());
}

}  // namespace
}  // namespace renkei::store
