// The store's interface on both engines (store/store.h): an SQLite file and a
// PostgreSQL database on a throwaway cluster started here, with the same
// cases; then the CLI on a postgresql:// URL against the same on a file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "io/bundle.h"
#include "io/synthetic.h"
#include "model/builder.h"
#include "model/edit.h"
#include "model/row_text.h"
#include "postgres_cluster.h"
#include "process.h"
#include "server/tls.h"
#include "store/changes.h"
#include "store/import.h"
#include "store/internal/records.h"
#include "store/node_records.h"
#include "store/store.h"
#include "trust/keys.h"

namespace renkei::store {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Tiny() { return std::string(RENKEI_SOURCE_DIR) + "/tests/data/tiny"; }

testing::PostgresCluster* cluster = nullptr;

class Environment : public ::testing::Environment {
 public:
  void SetUp() override {
    std::string error;
    cluster_ = testing::PostgresCluster::Start(&error);
    ASSERT_NE(cluster_, nullptr) << "no PostgreSQL cluster: " << error;
    cluster = cluster_.get();
  }
  void TearDown() override {
    cluster = nullptr;
    cluster_.reset();
  }

 private:
  std::unique_ptr<testing::PostgresCluster> cluster_;
};

// Every row of every table as text, to compare models.
std::vector<std::string> Rows(const model::Model& m) {
  std::vector<std::string> out;
  std::vector<std::string> cells;
  for (const model::TableSchema& t : model::AllTables()) {
    const size_t n = model::TableSize(m, t.table);
    for (size_t i = 0; i < n; ++i) {
      model::RowText(m, t.table, i, cells);
      std::string line(t.name);
      for (const std::string& c : cells) line += "|" + c;
      out.push_back(line);
    }
  }
  return out;
}

// A model's content as text: per table, its rows as "cell|cell|...", sorted.
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

// The digests the audit log of `store` records, oldest first.
std::vector<std::string> AuditDigests(Store& store) {
  auto rows = internal::RecordsOf(store).Query("SELECT digest FROM audit_log ORDER BY seq", {});
  std::vector<std::string> out;
  if (rows.ok()) {
    for (const internal::Row& row : *rows) out.push_back(row[0]);
  }
  return out;
}

class EngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_NE(cluster, nullptr);
    static int n = 0;
    const std::string name = "t" + std::to_string(++n);
    if (GetParam() == "sqlite") {
      const fs::path dir = fs::path(::testing::TempDir()) / ("engines_" + name);
      fs::remove_all(dir);
      fs::create_directories(dir);
      where_ = (dir / "renkei.db").string();
    } else {
      where_ = cluster->NewDatabase(name);
      ASSERT_FALSE(where_.empty());
    }
  }
  std::string where_;
};

TEST_P(EngineTest, RoundTripsAppendsAndAudits) {
  auto created = Store::Create(where_);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::unique_ptr<Store> store = std::move(*created);
  EXPECT_EQ(Store::Create(where_).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*store->LastChange(), 0);

  model::Model m = *store->LoadModel();
  ASSERT_TRUE(io::ReadBundle(Tiny(), m).ok());
  int64_t change = 0;
  ASSERT_TRUE(store->Append(m, {}, "tester", "import tiny", &change).ok());
  EXPECT_GT(change, 0);
  EXPECT_EQ(*store->LastChange(), change);

  auto loaded = store->LoadModel();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(Rows(*loaded), Rows(m));
  EXPECT_EQ(*store->CountRows(), model::CountRows(m));
  auto by_country = store->CountSitesBy("country");
  ASSERT_TRUE(by_country.ok());
  int64_t sites = 0;
  for (const auto& [country, count] : *by_country) sites += count;
  EXPECT_EQ(static_cast<size_t>(sites), m.sites.size());

  // A second append on top of what was loaded, then the audit chain of both.
  model::Model more = std::move(*loaded);
  model::ModelBuilder builder(more);
  struct Origin : model::RowOrigin {
    std::string Where(int) const override { return "x"; }
  } origin;
  std::vector<std::string_view> org = {"org:new", "New\ttab", "KR", "", "", "新社"};
  ASSERT_TRUE(builder.AddRow(model::Table::kOrganizations, org, origin).ok());
  std::vector<std::string_view> site(model::Schema(model::Table::kSites).columns.size());
  site[0] = "site:theirs";
  site[1] = "org:new";
  site.back() = "true";
  ASSERT_TRUE(builder.AddRow(model::Table::kSites, site, origin).ok());
  ASSERT_TRUE(store->Append(more, builder.rows_before(), "tester", "add").ok());

  std::unique_ptr<Store> reopened = *Store::Open(where_);
  auto again = reopened->LoadModel();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Rows(*again), Rows(more));
  EXPECT_EQ(again->organizations.back().name, "New\ttab");
  EXPECT_EQ(again->organizations.back().name_ja, "新社");
  EXPECT_TRUE(again->sites.back().external);
  EXPECT_TRUE(reopened->VerifyAudit().ok());
  EXPECT_EQ(*reopened->LastChange(), change + 1);
}

// A streamed append (written while the bundle is read) stores what Append stores,
// with the same audit digest; one dropped by a bad row far into the bundle leaves
// the store as it was, and the next writer does not wait for it.
TEST_P(EngineTest, StreamedAppendsWriteWhatAppendWritesOrNothing) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("streamed_" + GetParam());
  fs::remove_all(dir);
  io::SyntheticOptions options;
  options.sites = 3000;
  ASSERT_TRUE(io::WriteSyntheticBundle(options, (dir / "good").string()).ok());
  fs::copy((dir / "good").string(), (dir / "bad").string(), fs::copy_options::recursive);
  { std::ofstream((dir / "bad" / "demand.csv").string(), std::ios::app) << "site:nowhere,x,1,,\n"; }

  auto streamed_import = [&](Store& store, const std::string& bundle) -> Status {
    model::Model m = *store.LoadModel();
    const model::RowCounts before = model::CountRows(m);
    std::unique_ptr<StreamedAppend> append =
        store.BeginStreamedAppend(before, 40000, "tester", "bulk");
    if (append == nullptr) return FailedPreconditionError("not streamed");
    RENKEI_RETURN_IF_ERROR(io::ReadBundle(
        bundle, m, [&](model::Table table, size_t rows) { append->Add(m, table, rows); }));
    return append->Commit();
  };

  std::unique_ptr<Store> store = *Store::Create(where_);
  // The indexes a streamed append may rebuild are all there after it.
  const std::string count_indexes =
      GetParam() == "sqlite"
          ? "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
          : "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema()";
  auto indexes = [&](Store& s) {
    auto rows = internal::RecordsOf(s).Query(count_indexes, {});
    return rows.ok() && !rows->empty() ? (*rows)[0][0] : std::string("?");
  };
  const std::string indexes_before = indexes(*store);
  Status bad = streamed_import(*store, (dir / "bad").string());
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument) << bad.ToString();
  EXPECT_THAT(bad.message(), HasSubstr("unknown site 'site:nowhere'"));
  EXPECT_EQ(*store->LastChange(), 0);
  EXPECT_EQ(*store->CountRows(), model::RowCounts{});
  EXPECT_EQ(indexes(*store), indexes_before);
  EXPECT_TRUE(store->SetSetting("unsigned_footprints", "accept", "tester").ok());

  Status good = streamed_import(*store, (dir / "good").string());
  ASSERT_TRUE(good.ok()) << good.ToString();
  model::Model expected;
  ASSERT_TRUE(io::ReadBundle((dir / "good").string(), expected).ok());
  std::unique_ptr<Store> reopened = *Store::Open(where_);
  const model::Model loaded = *reopened->LoadModel();
  EXPECT_EQ(Rows(loaded), Rows(expected));
  EXPECT_TRUE(reopened->VerifyAudit().ok());
  EXPECT_EQ(*reopened->LastChange(), 2);
  EXPECT_EQ(indexes(*reopened), indexes_before);

  // The audit digest is the one Append records for the same rows.
  const std::string other =
      GetParam() == "sqlite" ? (dir / "appended.db").string() : cluster->NewDatabase("appended");
  std::unique_ptr<Store> appended = *Store::Create(other);
  ASSERT_TRUE(appended->Append(expected, {}, "tester", "bulk").ok());
  const std::vector<std::string> streamed_log = AuditDigests(*reopened);
  const std::vector<std::string> appended_log = AuditDigests(*appended);
  ASSERT_EQ(streamed_log.size(), 2u);  // the setting, the import
  ASSERT_EQ(appended_log.size(), 1u);
  EXPECT_EQ(streamed_log.back(), appended_log.back());
}

// Rows that no longer lie in their table's order (a row rewritten in place moves
// to the end of a PostgreSQL table) are loaded in the order they were written.
TEST_P(EngineTest, LoadModelKeepsTheWrittenOrderWhereverRowsLie) {
  std::unique_ptr<Store> store = *Store::Create(where_);
  model::Model m = *store->LoadModel();
  ASSERT_TRUE(io::ReadBundle(Tiny(), m).ok());
  ASSERT_TRUE(store->Append(m, {}, "tester", "import tiny").ok());
  const std::string link = GetParam() == "sqlite" ? "rowid" : "row_no";
  for (const std::string& sql :
       {std::string("UPDATE sites SET name = name WHERE id = 1"),
        "UPDATE production SET capacity_per_day = capacity_per_day WHERE " + link + " = 1"}) {
    auto done = internal::RecordsOf(*store).Query(sql, {});
    ASSERT_TRUE(done.ok()) << done.status().ToString();
  }
  auto loaded = store->LoadModel();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(Rows(*loaded), Rows(m));
}

TEST_P(EngineTest, SettingsAreAuditedChanges) {
  std::unique_ptr<Store> store = *Store::Create(where_);
  EXPECT_EQ(*store->Setting("unsigned_footprints", "accept"), "accept");
  ASSERT_TRUE(store->SetSetting("unsigned_footprints", "reject", "tester").ok());
  ASSERT_TRUE(store->SetSetting("unsigned_footprints", "reject", "tester").ok());
  EXPECT_EQ(*store->Setting("unsigned_footprints", "accept"), "reject");
  EXPECT_EQ(*store->LastChange(), 2);  // one change each
  EXPECT_TRUE(store->VerifyAudit().ok());
}

// The node's own tables: clients, grants, sealed keys and partner secrets,
// events; each change audited and seen by the change feed, in commit order.
TEST_P(EngineTest, NodeRecordsAndTheirChangeFeed) {
  std::unique_ptr<Store> store = *Store::Create(where_);
  model::Model m = *store->LoadModel();
  ASSERT_TRUE(io::ReadBundle(Tiny(), m).ok());
  ASSERT_TRUE(store->Append(m, {}, "tester", "import tiny").ok());
  const fs::path key_dir = fs::path(::testing::TempDir()) / ("engines_keys_" + GetParam());
  fs::remove_all(key_dir);
  fs::create_directories(key_dir);
  const std::string key_file = (key_dir / "secrets.key").string();
  if (GetParam() == "postgresql") {
    // A URL has no "beside": the key file must be named.
    auto no_key = InitOrganizationKey(*store, m, "org:cell", "tester");
    EXPECT_EQ(no_key.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_THAT(no_key.status().message(), HasSubstr("--secrets-key"));
  }
  store->set_secrets_key(key_file);
  auto feed = ChangeFeed::Open(where_);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  EXPECT_TRUE((*feed)->Poll()->empty());

  auto client = AddClient(*store, m, "pack", "org:cell", false, "tester");
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_EQ(AddClient(*store, m, "x", "org:none", false, "t").status().code(),
            StatusCode::kNotFound);
  auto caller = AuthenticateClient(*store, client->id, client->secret);
  ASSERT_TRUE(caller.ok()) << caller.status().ToString();
  EXPECT_EQ(caller->organization, "org:cell");
  EXPECT_FALSE(caller->admin);
  EXPECT_EQ(AuthenticateClient(*store, client->id, "wrong").status().code(),
            StatusCode::kUnauthenticated);

  ASSERT_TRUE(AddGrant(*store, m, "org:mine", {"prod:cell", "prod:li"}, "tester").ok());
  ASSERT_TRUE(AddGrant(*store, m, "org:mine", {"prod:cell"}, "tester").ok());  // again: no-op
  EXPECT_EQ(ListGrants(*store)->at("org:mine"), (std::vector<std::string>{"prod:cell", "prod:li"}));
  ASSERT_TRUE(RemoveGrant(*store, "org:mine", {"prod:li"}, "tester").ok());
  EXPECT_EQ(RemoveGrant(*store, "org:mine", {"prod:li"}, "tester").code(), StatusCode::kNotFound);

  auto public_key = InitOrganizationKey(*store, m, "org:cell", "tester");
  ASSERT_TRUE(public_key.ok()) << public_key.status().ToString();
  EXPECT_EQ(InitOrganizationKey(*store, m, "org:cell", "tester").status().code(),
            StatusCode::kAlreadyExists);
  auto keys = OrganizationKeys(*store);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(trust::EncodePublicKey(keys->at("org:cell")), *public_key);
  EXPECT_EQ(RegisteredPublicKeys(*store, m)->at("org:cell"), *public_key);

  ASSERT_TRUE(
      SetPartner(*store, m, {"org:mine", "https://127.0.0.1:1", "id", "first", ""}, "t").ok());
  ASSERT_TRUE(SetPartner(*store, m,
                         {"org:mine", "https://127.0.0.1:2", "id", "second\tsecret", "ca.pem"}, "t")
                  .ok());
  auto partner = GetPartner(*store, "org:mine");
  ASSERT_TRUE(partner.ok()) << partner.status().ToString();
  EXPECT_EQ(partner->url, "https://127.0.0.1:2");
  EXPECT_EQ(partner->client_secret, "second\tsecret");
  EXPECT_EQ(partner->ca_file, "ca.pem");
  EXPECT_EQ(*SealStoredSecrets(*store, "tester"), 0);  // every value was sealed when stored

  ASSERT_TRUE(RevokeClient(*store, client->id, "tester").ok());
  EXPECT_EQ(RevokeClient(*store, client->id, "tester").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(AuthenticateClient(*store, client->id, client->secret).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_FALSE(ListClients(*store)->at(0).revoked.empty());
  ASSERT_TRUE(SetAcceptsUnsignedFootprints(*store, false, "tester").ok());
  EXPECT_FALSE(*AcceptsUnsignedFootprints(*store));

  auto seq = RecordEvent(*store, {0, "ev-1", "out", "t", "org:mine", "", "pending", "{\"a\":1}"});
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  ASSERT_TRUE(SetEventState(*store, *seq, "delivered").ok());
  auto sent = FindSentEvent(*store, "ev-1");
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(sent->state, "delivered");
  EXPECT_EQ(sent->body, "{\"a\":1}");
  EXPECT_EQ(FindSentEvent(*store, "ev-2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ListEvents(*store)->size(), 1u);

  // Each committed change once, in commit order; SQLite's triggers fire per
  // row and PostgreSQL's per statement, so repeats are folded. (A notification
  // comes a moment after its commit.)
  std::vector<std::string> kinds;
  int64_t last = 0;
  const int64_t end = *store->LastChange();
  for (int tries = 0; (*feed)->position() < end && tries < 500; ++tries) {
    auto changes = (*feed)->Poll();
    ASSERT_TRUE(changes.ok()) << changes.status().ToString();
    for (const Change& c : *changes) {
      EXPECT_GT(c.seq, last);
      last = c.seq;
      if (kinds.empty() || kinds.back() != c.kind) kinds.push_back(c.kind);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"clients", "grants", "keys", "partners", "clients",
                                             "settings"}));
  EXPECT_EQ((*feed)->position(), *store->LastChange());
  EXPECT_TRUE((*feed)->Poll()->empty());
  EXPECT_TRUE(store->VerifyAudit().ok());
}

// --- Living data (model/edit.h, store/import.h) on both engines ---------------

std::string Living(const std::string& bundle) {
  return std::string(RENKEI_SOURCE_DIR) + "/tests/data/living/" + bundle;
}

StatusOr<ImportResult> Import(Store& store, const std::string& bundle,
                              model::EditMode mode = model::EditMode::kAppend,
                              std::vector<std::string> organizations = {}, bool cascade = false) {
  ImportOptions options;
  options.actor = "tester";
  options.action = "import " + bundle;
  options.edit = {mode, std::move(organizations), cascade};
  return ImportBundle(store, {Living(bundle), std::nullopt, ""}, options);
}

std::vector<model::Deletion> Deletion(const std::string& table, const std::string& key) {
  return {*model::ParseDeletion(table, key)};
}

// One version of a row as text: "from-to: cell|cell|...".
std::vector<std::string> HistoryOf(const Store& store, model::Table table, const std::string& key) {
  std::vector<std::string> out;
  auto history = store.RowHistory(table, key);
  EXPECT_TRUE(history.ok()) << history.status().ToString();
  if (!history.ok()) return out;
  for (const RowVersion& v : *history) {
    std::string line = std::to_string(v.from) + "-" + std::to_string(v.to) + ":";
    for (const std::string& c : v.cells) line += "|" + c;
    out.push_back(line);
  }
  return out;
}

// The living-data bundles (tests/data/living/README.md) applied in order, with
// the refusals between them: versions 1 to 7. `models[v]` gets the rows of the
// current model read after version v was committed (Rows).
void MakeVersions(Store& store, std::vector<std::vector<std::string>>& models) {
  models.assign(1, {});
  auto committed = [&](const StatusOr<ImportResult>& r, int64_t version) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->change, version);
    auto now = store.ReadModel();
    ASSERT_TRUE(now.ok()) << now.status().ToString();
    EXPECT_EQ(now->version, version);
    EXPECT_EQ(Rows(now->model), Rows(r->model));
    models.push_back(Rows(now->model));
  };
  auto deleted = [&](const StatusOr<DeleteResult>& r, int64_t version) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->change, version);
    auto now = store.ReadModel();
    ASSERT_TRUE(now.ok()) << now.status().ToString();
    EXPECT_EQ(Rows(now->model), Rows(r->model));
    models.push_back(Rows(now->model));
  };
  const size_t production = static_cast<size_t>(model::Table::kProduction);
  const size_t sites = static_cast<size_t>(model::Table::kSites);

  committed(Import(store, "base"), 1);
  auto up = Import(store, "upsert", model::EditMode::kUpsert);
  committed(up, 2);
  if (up.ok()) {
    EXPECT_EQ(up->tables[production].changed, 1u);
    EXPECT_EQ(up->tables[production].added, 0u);
    EXPECT_EQ(up->tables[sites].added, 1u);
  }
  // The same bundle again changes nothing and commits nothing.
  auto again = Import(store, "upsert", model::EditMode::kUpsert);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->change, 0);
  // An append while every entity keeps its first number: after the closed row.
  committed(Import(store, "extra"), 3);

  // A replace removing rows others refer to: refused, then cascaded.
  auto refused = Import(store, "nightly", model::EditMode::kReplace, {"org:mine"});
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("supply site:mine2,site:cell,prod:li: refers to sites site:mine2"));
  auto nightly = Import(store, "nightly", model::EditMode::kReplace, {"org:mine"}, true);
  committed(nightly, 4);
  if (nightly.ok()) {
    EXPECT_THAT(
        nightly->cascaded,
        ::testing::ElementsAre("supply site:mine2,site:cell,prod:li (refers to sites site:mine2)"));
    EXPECT_EQ(nightly->tables[sites].removed, 1u);
  }

  // Deletions, without and with --cascade.
  deleted(DeleteRows(store, Deletion("demand", "site:cell,prod:cell"), false, "tester"), 5);
  auto referred = DeleteRows(store, Deletion("sites", "site:new"), false, "tester");
  EXPECT_EQ(referred.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(referred.status().message(),
              HasSubstr("production site:new,prod:li: refers to sites site:new"));
  auto cascaded = DeleteRows(store, Deletion("sites", "site:new"), true, "tester");
  deleted(cascaded, 6);
  if (cascaded.ok()) {
    EXPECT_THAT(cascaded->cascaded,
                ::testing::ElementsAre("production site:new,prod:li (refers to sites site:new)"));
  }
  // An append once entities were removed: new ones numbered past every number used.
  committed(Import(store, "more"), 7);
  EXPECT_TRUE(store.VerifyAudit().ok());
}

TEST_P(EngineTest, UpsertReplaceAndDeleteMakeReadableVersions) {
  std::unique_ptr<Store> store = *Store::Create(where_);
  std::vector<std::vector<std::string>> models;
  ASSERT_NO_FATAL_FAILURE(MakeVersions(*store, models));
  ASSERT_EQ(models.size(), 8u);

  const Content now = ContentOf(*store->LoadModel());
  EXPECT_THAT(now.at("sites"),
              ::testing::ElementsAre("site:cell|org:cell|Cells|JP||34|135|||||",
                                     "site:mine3|org:mine|Mine 3|AU||-20|119|||||",
                                     "site:mine|org:mine|Mine|AU||-22|118||120|||"));
  EXPECT_THAT(now.at("production"),
              ::testing::ElementsAre("site:cell|prod:cell|100|50|||||", "site:mine3|prod:li|||||||",
                                     "site:mine|prod:li|40|200|||||"));
  EXPECT_THAT(now.at("supply"), ::testing::ElementsAre("site:mine3|site:cell|prod:li|0.2||",
                                                       "site:mine|site:cell|prod:li|0.7||"));
  EXPECT_EQ(now.count("demand"), 0u);

  // Every version reads as the model was when it was committed, in its order.
  for (int64_t v = 1; v <= 7; ++v) {
    auto old = store->ReadModel(v);
    ASSERT_TRUE(old.ok()) << v << ": " << old.status().ToString();
    EXPECT_EQ(old->version, v);
    EXPECT_EQ(Rows(old->model), models[static_cast<size_t>(v)]) << "as of " << v;
  }
  // Removed sites keep their numbers: as of 3 site:new resolves, now site:mine3
  // has a number of its own.
  auto v3 = store->ReadModel(3);
  ASSERT_TRUE(v3.ok());
  EXPECT_NE(v3->model.FindSite("site:new"), model::kNoIndex);
  EXPECT_EQ(v3->model.FindSite("site:mine3"), model::kNoIndex);
  auto current = store->ReadModel();
  ASSERT_TRUE(current.ok());
  EXPECT_FALSE(current->Dense());
  EXPECT_THAT(current->numbers[1], ::testing::ElementsAre(1, 3, 5));
  EXPECT_EQ(current->next_number[1], 6);
  EXPECT_EQ(current->model.production.back().site, current->model.FindSite("site:mine3"));

  // Versions out of range.
  EXPECT_EQ(store->ReadModel(0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(store->ReadModel(0).status().message(), HasSubstr("before the first version (1)"));
  EXPECT_THAT(store->ReadModel(8).status().message(), HasSubstr("after the last change (7)"));
  EXPECT_EQ(*store->VersionAt("4"), 4);
  EXPECT_EQ(Rows(*store->LoadModelAsOf("2")), models[2]);

  // Row history.
  EXPECT_THAT(HistoryOf(*store, model::Table::kProduction, "site:mine,prod:li"),
              ::testing::ElementsAre("1-2:|site:mine|prod:li|40|200|||||",
                                     "2-4:|site:mine|prod:li|55|200|||||",
                                     "4-0:|site:mine|prod:li|40|200|||||"));
  EXPECT_THAT(HistoryOf(*store, model::Table::kSites, "site:mine2"),
              ::testing::ElementsAre("1-4:|site:mine2|org:mine|Mine 2|CL||-23|-70||50|||"));
  EXPECT_THAT(HistoryOf(*store, model::Table::kSupply, "site:mine2,site:cell,prod:li"),
              ::testing::ElementsAre("1-4:|site:mine2|site:cell|prod:li|0.3||"));
  EXPECT_THAT(HistoryOf(*store, model::Table::kDemand, "site:cell,prod:cell"),
              ::testing::ElementsAre("1-5:|site:cell|prod:cell|80||"));
  EXPECT_TRUE(HistoryOf(*store, model::Table::kSites, "site:never").empty());
  EXPECT_EQ(store->RowHistory(model::Table::kSupply, "site:a").status().code(),
            StatusCode::kInvalidArgument);

  // Versions with who made them and what they did.
  auto versions = store->Versions();
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  ASSERT_EQ(versions->size(), 7u);
  for (size_t i = 0; i < versions->size(); ++i) {
    EXPECT_EQ((*versions)[i].number, static_cast<int64_t>(i) + 1);
    EXPECT_EQ((*versions)[i].actor, "tester");
    EXPECT_FALSE((*versions)[i].time.empty());
  }
  EXPECT_EQ((*versions)[0].action, "import base");
  EXPECT_EQ((*versions)[1].action, "import upsert --mode upsert: 1 added, 1 changed, 0 removed");
  EXPECT_THAT((*versions)[3].action,
              HasSubstr("import nightly --mode replace --organization org:mine --cascade: "));
  EXPECT_THAT((*versions)[4].action, HasSubstr("delete demand site:cell,prod:cell: "));
  EXPECT_THAT((*versions)[5].action, HasSubstr("delete sites site:new --cascade: "));

  // Reopened, the same.
  std::unique_ptr<Store> reopened = *Store::Open(where_);
  EXPECT_EQ(Rows(*reopened->LoadModel()), models[7]);
  EXPECT_EQ(Rows(reopened->ReadModel(2)->model), models[2]);
  EXPECT_TRUE(reopened->VerifyAudit().ok());
}

TEST_P(EngineTest, RetentionMakesOlderVersionsUnreadable) {
  std::unique_ptr<Store> store = *Store::Create(where_);
  ASSERT_TRUE(Import(*store, "base").ok());
  ASSERT_TRUE(Import(*store, "demand-81", model::EditMode::kUpsert).ok());
  ASSERT_TRUE(store->SetSetting("keep_versions", "2", "tester").ok());
  ASSERT_TRUE(store->ApplyRetention().ok());
  // Versions 1 and 2 are the last two: nothing dropped yet.
  EXPECT_TRUE(store->ReadModel(1).ok());
  EXPECT_EQ(HistoryOf(*store, model::Table::kDemand, "site:cell,prod:cell").size(), 2u);
  auto third = Import(*store, "demand-82", model::EditMode::kUpsert);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(third->change, 4);  // the setting was change 3
  // The commit applied the setting: version 1 is no longer kept.
  auto gone = store->ReadModel(1);
  EXPECT_EQ(gone.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(gone.status().message(), HasSubstr("older than the history kept (from version 2"));
  EXPECT_THAT(
      HistoryOf(*store, model::Table::kDemand, "site:cell,prod:cell"),
      ::testing::ElementsAre("2-4:|site:cell|prod:cell|81||", "4-0:|site:cell|prod:cell|82||"));
  auto kept = store->ReadModel(2);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->model.demand.at(0).demand_per_day, 81);
  EXPECT_EQ(store->LoadModel()->demand.at(0).demand_per_day, 82);
  EXPECT_TRUE(store->VerifyAudit().ok());
}

TEST_P(EngineTest, AWriterThatWorkedOnAnOldVersionIsRefused) {
  std::unique_ptr<Store> store = *Store::Create(where_);
  ASSERT_TRUE(Import(*store, "base").ok());
  auto before = store->ReadModel();
  ASSERT_TRUE(before.ok());
  auto edit = model::MergeEdit(before->model, model::EntitiesOf(before->model),
                               {{}, Deletion("demand", "site:cell,prod:cell"), {}}, {});
  ASSERT_TRUE(edit.ok()) << edit.status().ToString();
  // Another process commits meanwhile.
  {
    auto other = Store::Open(where_);
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE((*other)->SetSetting("margin_currency", "JPY", "other").ok());
  }
  Status s = store->Commit(*before, *edit, "tester", "delete");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("nothing was written: try again"));
  EXPECT_EQ(store->LoadModel()->demand.size(), 1u);
  EXPECT_EQ(*store->LastChange(), 2);
  EXPECT_EQ(store->Versions()->size(), 1u);
  // Worked out again, it goes through.
  before = store->ReadModel();
  edit = model::MergeEdit(before->model, model::EntitiesOf(before->model),
                          {{}, Deletion("demand", "site:cell,prod:cell"), {}}, {});
  ASSERT_TRUE(edit.ok());
  int64_t change = 0;
  ASSERT_TRUE(store->Commit(*before, *edit, "tester", "delete", &change).ok());
  EXPECT_EQ(change, 3);
  EXPECT_TRUE(store->LoadModel()->demand.empty());
  EXPECT_TRUE(store->VerifyAudit().ok());
}

// A streamed append after rows were replaced: its rows come after every row
// written before, of any version, and the earlier versions still read as they were.
TEST_P(EngineTest, StreamedAppendAfterVersionsKeepsTheWrittenOrder) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("streamed_versions_" + GetParam());
  fs::remove_all(dir);
  io::SyntheticOptions options;
  options.sites = 3000;
  ASSERT_TRUE(io::WriteSyntheticBundle(options, (dir / "bulk").string()).ok());
  std::unique_ptr<Store> store = *Store::Create(where_);
  ASSERT_TRUE(Import(*store, "base").ok());
  ASSERT_TRUE(Import(*store, "upsert", model::EditMode::kUpsert).ok());
  const std::vector<std::string> v2 = Rows(*store->LoadModel());

  model::Model m = *store->LoadModel();
  const model::RowCounts before = model::CountRows(m);
  std::unique_ptr<StreamedAppend> append =
      store->BeginStreamedAppend(before, 40000, "tester", "bulk");
  ASSERT_NE(append, nullptr);
  ASSERT_TRUE(io::ReadBundle((dir / "bulk").string(), m, [&](model::Table table, size_t rows) {
                append->Add(m, table, rows);
              }).ok());
  int64_t change = 0;
  ASSERT_TRUE(append->Commit(&change).ok());
  EXPECT_EQ(change, 3);
  std::unique_ptr<Store> reopened = *Store::Open(where_);
  EXPECT_EQ(Rows(*reopened->LoadModel()), Rows(m));
  EXPECT_EQ(Rows(reopened->ReadModel(2)->model), v2);
  EXPECT_EQ(reopened->Versions()->back().action, "bulk");
  EXPECT_TRUE(reopened->VerifyAudit().ok());
}

TEST_P(EngineTest, OpenNamesAMissingStore) {
  auto opened = Store::Open(where_);
  EXPECT_EQ(opened.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(opened.status().message(), HasSubstr("renkei init"));
}

INSTANTIATE_TEST_SUITE_P(Engines, EngineTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& engine) { return engine.param; });

// The same edits give the same versions on both engines: every version's
// model in its order, the rows' histories, the versions' actions and the audit
// log's digests of what each change wrote.
TEST(EnginesAgreeTest, TheSameEditsGiveTheSameVersions) {
  ASSERT_NE(cluster, nullptr);
  const fs::path dir = fs::path(::testing::TempDir()) / "engines_agree";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::unique_ptr<Store> sqlite = *Store::Create((dir / "renkei.db").string());
  std::unique_ptr<Store> postgres = *Store::Create(cluster->NewDatabase("agree"));
  std::vector<std::vector<std::string>> sqlite_models, postgres_models;
  ASSERT_NO_FATAL_FAILURE(MakeVersions(*sqlite, sqlite_models));
  ASSERT_NO_FATAL_FAILURE(MakeVersions(*postgres, postgres_models));
  EXPECT_EQ(sqlite_models, postgres_models);
  // Rows rewritten in place lie elsewhere in a PostgreSQL table; every version
  // still reads in the order its rows were written.
  for (const model::TableSchema& t : model::AllTables()) {
    if (t.table <= model::Table::kProducts) continue;
    auto moved = internal::RecordsOf(*postgres).Query(
        "UPDATE " + std::string(t.name) + " SET valid_from = valid_from WHERE valid_from % 2 = 0",
        {});
    ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  }
  for (int64_t v = 1; v <= 7; ++v) {
    EXPECT_EQ(Rows(sqlite->ReadModel(v)->model), Rows(postgres->ReadModel(v)->model)) << v;
  }
  const StoredModel a = *sqlite->ReadModel(), b = *postgres->ReadModel();
  EXPECT_EQ(a.numbers, b.numbers);
  EXPECT_EQ(a.next_number, b.next_number);
  for (const auto& [table, key] : std::vector<std::pair<model::Table, std::string>>{
           {model::Table::kProduction, "site:mine,prod:li"},
           {model::Table::kProduction, "site:new,prod:li"},
           {model::Table::kSites, "site:new"},
           {model::Table::kSupply, "site:mine2,site:cell,prod:li"},
           {model::Table::kDemand, "site:cell,prod:cell"}}) {
    EXPECT_EQ(HistoryOf(*sqlite, table, key), HistoryOf(*postgres, table, key)) << key;
  }
  auto actions = [](const Store& store) {
    std::vector<std::string> out;
    StatusOr<std::vector<Version>> versions = store.Versions();
    EXPECT_TRUE(versions.ok()) << versions.status().ToString();
    if (versions.ok()) {
      for (const Version& v : *versions) out.push_back(v.actor + " " + v.action);
    }
    return out;
  };
  EXPECT_EQ(actions(*sqlite), actions(*postgres));
  EXPECT_EQ(AuditDigests(*sqlite), AuditDigests(*postgres));
  EXPECT_EQ(AuditDigests(*sqlite).size(), 7u);
}

TEST(PostgresStoreTest, ConnectionErrorsNameTheUrlWithoutItsPassword) {
  auto opened = Store::Open("postgresql://postgres:s3cret@127.0.0.1:1/none");
  EXPECT_EQ(opened.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(opened.status().message(), HasSubstr("postgresql://postgres@127.0.0.1:1/none"));
  EXPECT_EQ(opened.status().message().find("s3cret"), std::string::npos);
}

// A PostgreSQL store of schema 4 (before versions were recorded) is upgraded
// when opened: its model change has no actor or action, and it takes edits.
TEST(PostgresStoreTest, SchemaFourIsUpgradedToVersions) {
  ASSERT_NE(cluster, nullptr);
  const std::string url = cluster->NewDatabase("schema4");
  {
    std::unique_ptr<Store> store = *Store::Create(url);
    ASSERT_TRUE(Import(*store, "base").ok());
    // Back to schema 4, as an older renkei left it.
    for (const char* sql :
         {"ALTER TABLE changes DROP COLUMN actor", "ALTER TABLE changes DROP COLUMN action",
          "DROP INDEX organizations_closed", "DROP INDEX sites_closed",
          "DROP INDEX products_closed", "DROP TABLE history_kept",
          "DELETE FROM renkei_store WHERE schema = 5"}) {
      auto done = internal::RecordsOf(*store).Query(sql, {});
      ASSERT_TRUE(done.ok()) << sql << ": " << done.status().ToString();
    }
  }
  auto opened = Store::Open(url);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  EXPECT_EQ(store.SchemaVersion(), 5);
  auto versions = store.Versions();
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].actor, "");
  EXPECT_EQ((*versions)[0].action, "");
  auto up = Import(store, "upsert", model::EditMode::kUpsert);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->change, 2);
  EXPECT_EQ(store.Versions()->back().actor, "tester");
  EXPECT_TRUE(store.ReadModel(1).ok());
  EXPECT_TRUE(store.VerifyAudit().ok());
}

// The CLI takes a URL wherever it takes a store file: init, import, stats and
// export give on PostgreSQL what they give on SQLite; a bad bundle changes
// nothing; the node's own tables say they need a store file.
TEST(PostgresCliTest, ImportStatsAndExportMatchSqlite) {
  ASSERT_NE(cluster, nullptr);
  const std::string url = cluster->NewDatabase("cli");
  const fs::path dir = fs::path(::testing::TempDir()) / "engines_cli";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string file = (dir / "renkei.db").string();
  const std::string bin = RENKEI_BINARY;
  for (const std::string& where : {file, url}) {
    ASSERT_EQ(testing::Run(bin, {"init", where}).exit_code, 0) << where;
    testing::RunResult r = testing::Run(bin, {"import", where, Tiny()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = testing::Run(bin, {"export", where, (dir / ("out-" + std::to_string(where == url)))});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  for (const char* table :
       {"organizations.csv", "sites.csv", "supply.csv", "footprints.csv", "passports.csv",
        "footprint_classes.csv", "passport_documents.csv", "spare_parts.csv"}) {
    EXPECT_EQ(testing::Slurp((dir / "out-0" / table).string()),
              testing::Slurp((dir / "out-1" / table).string()))
        << table;
  }
  // Everything after the first line, which names the store.
  auto stats = [&](const std::string& where) {
    const std::string out = testing::Run(bin, {"stats", where}).out;
    return out.substr(out.find('\n'));
  };
  EXPECT_EQ(stats(file), stats(url));
  EXPECT_EQ(testing::Run(bin, {"audit", "verify", url}).exit_code, 0);

  // A bad bundle: the error names the place, and the store holds what it held.
  fs::create_directories(dir / "bad");
  testing::Run("/bin/sh", {"-c", "printf 'id,name,country\\norg:x,X,XX\\n' > " +
                                     (dir / "bad" / "organizations.csv").string()});
  testing::RunResult bad = testing::Run(bin, {"import", url, (dir / "bad").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("organizations.csv:2:"));
  EXPECT_EQ(stats(file), stats(url));

  // The node's own tables are there too; what is sealed needs the key file named.
  testing::RunResult client =
      testing::Run(bin, {"client", "add", url, "x", "--organization", "org:cell"});
  EXPECT_EQ(client.exit_code, 0) << client.err;
  EXPECT_THAT(testing::Run(bin, {"client", "list", url}).out, HasSubstr("org:cell"));
  testing::RunResult no_key = testing::Run(bin, {"keys", "init", url, "org:cell"});
  EXPECT_EQ(no_key.exit_code, 1);
  EXPECT_THAT(no_key.err, HasSubstr("--secrets-key: required for a store at a URL"));
  testing::RunResult key = testing::Run(
      bin, {"keys", "init", url, "org:cell", "--secrets-key", (dir / "secrets.key").string()});
  EXPECT_EQ(key.exit_code, 0) << key.err;
  testing::RunResult serve = testing::Run(bin, {"serve", url, "--listen", "127.0.0.1:0"});
  EXPECT_EQ(serve.exit_code, 1);
  EXPECT_THAT(serve.err, HasSubstr("--cert and --key: required for a store at a URL"));
  EXPECT_EQ(testing::Run(bin, {"audit", "verify", url}).exit_code, 0);
}

// Living data through the CLI on a postgresql:// URL as on a file: upsert,
// replace, delete, exports as of an earlier version, row history, versions,
// retention.
TEST(PostgresCliTest, LivingDataMatchesSqlite) {
  ASSERT_NE(cluster, nullptr);
  const std::string url = cluster->NewDatabase("cli_living");
  const fs::path dir = fs::path(::testing::TempDir()) / "engines_cli_living";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string file = (dir / "renkei.db").string();
  const std::string bin = RENKEI_BINARY;
  std::vector<std::string> histories, actions;
  for (const std::string& where : {file, url}) {
    const std::string n = std::to_string(where == url);
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"init", where},
             {"import", where, Living("base"), "--actor", "tester"},
             {"import", where, Living("upsert"), "--mode", "upsert", "--actor", "tester"},
             {"import", where, Living("nightly"), "--mode", "replace", "--organization", "org:mine",
              "--cascade", "--actor", "tester"},
             {"delete", where, "sites", "site:new", "--cascade", "--actor", "tester"},
             {"export", where, (dir / ("now-" + n)).string()},
             {"export", where, (dir / ("v1-" + n)).string(), "--as-of", "1"},
             {"diff", where, "1", "4"}}) {
      testing::RunResult r = testing::Run(bin, args);
      ASSERT_EQ(r.exit_code, 0) << args[0] << " " << where << ": " << r.err;
    }
    histories.push_back(testing::Run(bin, {"history", where, "--table", "production", "--key",
                                           "site:mine,prod:li", "--json"})
                            .out);
    const nlohmann::json versions =
        nlohmann::json::parse(testing::Run(bin, {"history", where, "--json"}).out);
    std::string listed;
    for (const auto& v : versions) {
      listed += std::to_string(v["version"].get<int64_t>()) + " " + v["actor"].get<std::string>() +
                " " + v["action"].get<std::string>() + "\n";
    }
    actions.push_back(listed);
    // Keeping the last version only, version 1 can no longer be read.
    ASSERT_EQ(testing::Run(bin, {"policy", where, "--keep-versions", "1"}).exit_code, 0);
    testing::RunResult gone =
        testing::Run(bin, {"export", where, (dir / ("gone-" + n)).string(), "--as-of", "1"});
    EXPECT_EQ(gone.exit_code, 1);
    EXPECT_THAT(gone.err, HasSubstr("older than the history kept")) << where;
    EXPECT_EQ(testing::Run(bin, {"audit", "verify", where}).exit_code, 0) << where;
  }
  for (const char* table : {"organizations.csv", "sites.csv", "products.csv", "production.csv",
                            "supply.csv", "demand.csv", "bom.csv"}) {
    for (const char* version : {"now-", "v1-"}) {
      EXPECT_EQ(testing::Slurp((dir / (std::string(version) + "0") / table).string()),
                testing::Slurp((dir / (std::string(version) + "1") / table).string()))
          << version << table;
    }
  }
  EXPECT_THAT(testing::Slurp((dir / "v1-1" / "sites.csv").string()), HasSubstr("site:mine2"));
  EXPECT_EQ(testing::Slurp((dir / "now-1" / "sites.csv").string()).find("site:mine2"),
            std::string::npos);
  EXPECT_EQ(histories[0], histories[1]);
  EXPECT_THAT(histories[1], HasSubstr("55"));
  EXPECT_EQ(actions[0], actions[1]);
  EXPECT_THAT(actions[1], HasSubstr("4 tester delete sites site:new --cascade"));
}

// The value after `label` on its line of `text` ("client_id     X").
std::string Field(const std::string& text, const std::string& label) {
  const size_t at = text.find(label);
  if (at == std::string::npos) return "";
  const size_t start = text.find_first_not_of(' ', at + label.size());
  return text.substr(start, text.find('\n', start) - start);
}

// A client of the node at `base` (https://...) that trusts only `cert`.
httplib::Client NodeClient(const std::string& base, const std::string& cert) {
  httplib::Client c(base);
  c.set_ca_cert_path(cert.c_str());
  c.enable_server_certificate_verification(true);
  c.set_connection_timeout(2);
  return c;
}

// Two `renkei serve` processes on one PostgreSQL database, as behind a load
// balancer: a token one issues works on the other, and a grant and then a
// client revoked on the database (`renkei revoke`, `renkei client revoke`)
// are enforced by both through the change feed, while the token itself stays
// valid for an hour.
TEST(PostgresNodesTest, TwoNodesShareTokensAndEnforceRevocationsFromTheFeed) {
  ASSERT_NE(cluster, nullptr);
  const std::string url = cluster->NewDatabase("nodes");
  const fs::path dir = fs::path(::testing::TempDir()) / "engines_nodes";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string bin = RENKEI_BINARY;
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  const std::string secrets = (dir / "secrets.key").string();
  ASSERT_TRUE(server::MakeSelfSignedCertificate(cert, key).ok());
  ASSERT_EQ(testing::Run(bin, {"init", url}).exit_code, 0);
  ASSERT_EQ(testing::Run(bin, {"import", url, Tiny()}).exit_code, 0);
  const testing::RunResult added =
      testing::Run(bin, {"client", "add", url, "mine", "--organization", "org:mine"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string id = Field(added.out, "client_id"), secret = Field(added.out, "client_secret");
  ASSERT_EQ(testing::Run(bin, {"grant", url, "org:mine", "--products", "prod:cell"}).exit_code, 0);

  std::vector<pid_t> pids;
  std::vector<std::string> urls;
  for (int i = 0; i < 2; ++i) {
    const int port = testing::FreePort();
    urls.push_back("https://127.0.0.1:" + std::to_string(port));
    pids.push_back(
        testing::Start(bin, {"serve", url, "--listen", "127.0.0.1:" + std::to_string(port),
                             "--cert", cert, "--key", key, "--secrets-key", secrets}));
  }
  auto client = [&](int i) { return NodeClient(urls[static_cast<size_t>(i)], cert); };
  for (int i = 0; i < 2; ++i) {  // each node has started (an ASan build takes a while)
    bool up = false;
    for (int tries = 0; tries < 600 && !up; ++tries) {
      auto r = client(i).Get("/.well-known/openid-configuration");
      up = r && r->status == 200;
      if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(up) << "node " << i << " did not start";
  }
  auto c0 = client(0);
  c0.set_basic_auth(id.c_str(), secret.c_str());
  auto issued =
      c0.Post("/auth/token", "grant_type=client_credentials", "application/x-www-form-urlencoded");
  ASSERT_TRUE(issued);
  ASSERT_EQ(issued->status, 200) << issued->body;
  const std::string token = nlohmann::json::parse(issued->body)["access_token"];
  auto status = [&](int i, const std::string& path) {
    auto c = client(i);
    c.set_bearer_token_auth(token.c_str());
    auto r = c.Get(path.c_str());
    return r ? r->status : -1;
  };
  const std::string granted = "/api/v1/products/prod:cell/footprint";
  EXPECT_EQ(status(1, granted), 200);  // a token of node 0, on node 1
  EXPECT_EQ(status(1, "/3/footprints"), 200);

  // Polls every 50 ms, for at most 30 s, until `path` on node `i` answers
  // `want`; the seconds it took. Reported, not asserted: the revocation must
  // be enforced, and how fast depends on the machine.
  auto wait_for = [&](int i, const std::string& path, int want) {
    const auto start = std::chrono::steady_clock::now();
    while (status(i, path) != want &&
           std::chrono::steady_clock::now() - start < std::chrono::seconds(30)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  ASSERT_EQ(testing::Run(bin, {"revoke", url, "org:mine", "--products", "prod:cell"}).exit_code, 0);
  for (int i = 0; i < 2; ++i) {
    const double seconds = wait_for(i, granted, 403);
    EXPECT_EQ(status(i, granted), 403) << "node " << i << " still serves a revoked grant";
    RecordProperty("grant_revoked_node" + std::to_string(i) + "_seconds", std::to_string(seconds));
  }
  ASSERT_EQ(testing::Run(bin, {"client", "revoke", url, id}).exit_code, 0);
  for (int i = 0; i < 2; ++i) {
    const double seconds = wait_for(i, "/3/footprints", 401);
    EXPECT_EQ(status(i, "/3/footprints"), 401) << "node " << i << " still honours a revoked client";
    RecordProperty("client_revoked_node" + std::to_string(i) + "_seconds", std::to_string(seconds));
  }
  for (pid_t pid : pids) {
    ::kill(pid, SIGTERM);
    EXPECT_EQ(testing::Wait(pid), 0);
  }
}

// `j` without what depends on when a node computed it: footprints' "created"
// time (the snapshot's), and the background TTS table's progress ("tts") and
// results so far ("exposed").
nlohmann::json WithoutMoments(nlohmann::json j) {
  if (j.is_object()) {
    j.erase("created");
    j.erase("tts");
    j.erase("exposed");
  }
  if (j.is_structured()) {
    for (nlohmann::json& child : j) child = WithoutMoments(std::move(child));
  }
  return j;
}

// A node on PostgreSQL answers the API as a node on an SQLite file with the same
// rows does, and imports a bundle posted to it (or refuses a bad one, leaving the
// database as it was).
TEST(PostgresNodesTest, ANodeOnPostgresAnswersAsANodeOnSqlite) {
  ASSERT_NE(cluster, nullptr);
  const fs::path dir = fs::path(::testing::TempDir()) / "engines_answers";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::vector<std::string> stores = {(dir / "node.db").string(),
                                           cluster->NewDatabase("answers")};
  const std::string bin = RENKEI_BINARY;
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  ASSERT_TRUE(server::MakeSelfSignedCertificate(cert, key).ok());
  std::vector<std::string> ids, secrets, urls;
  std::vector<pid_t> pids;
  for (size_t i = 0; i < stores.size(); ++i) {
    ASSERT_EQ(testing::Run(bin, {"init", stores[i]}).exit_code, 0);
    ASSERT_EQ(testing::Run(bin, {"import", stores[i], Tiny()}).exit_code, 0);
    const testing::RunResult added = testing::Run(
        bin, {"client", "add", stores[i], "admin", "--organization", "org:mine", "--admin"});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    ids.push_back(Field(added.out, "client_id"));
    secrets.push_back(Field(added.out, "client_secret"));
    const int port = testing::FreePort();
    urls.push_back("https://127.0.0.1:" + std::to_string(port));
    pids.push_back(testing::Start(
        bin, {"serve", stores[i], "--listen", "127.0.0.1:" + std::to_string(port), "--cert", cert,
              "--key", key, "--secrets-key", (dir / ("secrets" + std::to_string(i))).string()}));
  }
  auto client = [&](size_t i) { return NodeClient(urls[i], cert); };
  std::vector<std::string> tokens;
  for (size_t i = 0; i < stores.size(); ++i) {
    auto issue = [&] {
      auto c = client(i);
      c.set_basic_auth(ids[i].c_str(), secrets[i].c_str());
      return c.Post("/auth/token", "grant_type=client_credentials",
                    "application/x-www-form-urlencoded");
    };
    httplib::Result issued = issue();
    for (int tries = 0; tries < 600 && !issued; ++tries) {  // an ASan build starts slowly
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      issued = issue();
    }
    ASSERT_TRUE(issued) << stores[i] << ": the node did not start";
    ASSERT_EQ(issued->status, 200) << issued->body;
    tokens.push_back(nlohmann::json::parse(issued->body)["access_token"]);
  }
  auto request = [&](size_t i, const std::string& path, const std::string* body = nullptr) {
    auto c = client(i);
    c.set_bearer_token_auth(tokens[i].c_str());
    auto r =
        body == nullptr ? c.Get(path.c_str()) : c.Post(path.c_str(), *body, "application/json");
    return r ? std::make_pair(r->status, r->body) : std::make_pair(-1, std::string());
  };

  for (const std::string path :
       {"/api/v1/overview", "/api/v1/network", "/api/v1/sites", "/api/v1/sites/site:cell",
        "/api/v1/products", "/api/v1/spofs", "/api/v1/products/prod:cell/footprint",
        "/api/v1/products/prod:cell/circularity", "/api/v1/keys", "/api/v1/events", "/3/footprints",
        "/2/footprints", "/api/v1/sites/site:nowhere"}) {
    const auto [sqlite_status, sqlite_body] = request(0, path);
    const auto [pg_status, pg_body] = request(1, path);
    EXPECT_EQ(pg_status, sqlite_status) << path << ": " << pg_body;
    EXPECT_EQ(WithoutMoments(nlohmann::json::parse(pg_body, nullptr, false)),
              WithoutMoments(nlohmann::json::parse(sqlite_body, nullptr, false)))
        << path;
  }

  const std::string bad = R"({"sites": [{"id": "site:bad", "organization": "org:missing",
      "name": "Bad", "country": "JP", "lat": 35.0, "lon": 139.0}]})";
  const auto [bad_status, bad_body] = request(1, "/api/v1/bundles", &bad);
  EXPECT_EQ(bad_status, 400);
  EXPECT_THAT(bad_body, HasSubstr("org:missing"));
  std::unique_ptr<Store> store = *Store::Open(stores[1]);
  EXPECT_EQ(*store->LastChange(), 2);  // the import, the client
  const std::string good = R"({"organizations": [{"id": "org:new", "name": "New", "country": "JP"}],
      "sites": [{"id": "site:new", "organization": "org:new", "name": "New plant",
                 "country": "JP", "lat": 35.0, "lon": 139.0}]})";
  const auto [good_status, good_body] = request(1, "/api/v1/bundles", &good);
  EXPECT_EQ(good_status, 200) << good_body;
  EXPECT_EQ(request(1, "/api/v1/sites/site:new").first, 200);
  EXPECT_EQ(request(0, "/api/v1/sites/site:new").first, 404);
  EXPECT_EQ(*store->LastChange(), 3);
  EXPECT_TRUE(store->VerifyAudit().ok());

  // Living data through the node: the same bundle, then an upsert and a
  // deletion, on both; every version reads the same on both.
  ASSERT_EQ(request(0, "/api/v1/bundles", &good).first, 200);
  auto change = [&](size_t i, const std::string& method, const std::string& path,
                    const std::string& body) {
    auto c = client(i);
    c.set_bearer_token_auth(tokens[i].c_str());
    auto r =
        method == "PUT" ? c.Put(path.c_str(), body, "application/json") : c.Delete(path.c_str());
    return r ? std::make_pair(r->status, r->body) : std::make_pair(-1, std::string());
  };
  const std::string renamed =
      R"({"organizations": [{"id": "org:new", "name": "Renamed", "country": "JP"}]})";
  for (size_t i = 0; i < stores.size(); ++i) {
    const auto [put_status, put_body] = change(i, "PUT", "/api/v1/bundles?mode=upsert", renamed);
    EXPECT_EQ(put_status, 200) << stores[i] << ": " << put_body;
    const auto [del_status, del_body] = change(i, "DELETE", "/api/v1/rows/sites/site:new", "");
    EXPECT_EQ(del_status, 200) << stores[i] << ": " << del_body;
  }
  EXPECT_EQ(*store->LastChange(), 5);
  EXPECT_EQ(request(1, "/api/v1/sites/site:new").first, 404);
  EXPECT_EQ(request(1, "/api/v1/sites/site:new?as_of=4").first, 200);
  for (const std::string path :
       {"/api/v1/sites?as_of=3", "/api/v1/sites?as_of=4", "/api/v1/sites",
        "/api/v1/overview?as_of=1", "/api/v1/network?as_of=4", "/api/v1/sites?as_of=9"}) {
    const auto [sqlite_status, sqlite_body] = request(0, path);
    const auto [pg_status, pg_body] = request(1, path);
    EXPECT_EQ(pg_status, sqlite_status) << path << ": " << pg_body;
    EXPECT_EQ(WithoutMoments(nlohmann::json::parse(pg_body, nullptr, false)),
              WithoutMoments(nlohmann::json::parse(sqlite_body, nullptr, false)))
        << path;
  }
  EXPECT_THAT(request(1, "/api/v1/sites?as_of=3").second, HasSubstr("site:new"));
  EXPECT_TRUE(store->VerifyAudit().ok());
  for (pid_t pid : pids) {
    ::kill(pid, SIGTERM);
    EXPECT_EQ(testing::Wait(pid), 0);
  }
}

}  // namespace
}  // namespace renkei::store

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new renkei::store::Environment);
  return RUN_ALL_TESTS();
}
