#include "store/store.h"

#include <sodium.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <thread>

#include "base/clock.h"
#include "base/numbers.h"
#include "base/progress.h"
#include "model/fields.h"
#include "model/row_text.h"
#include "store/audit.h"
#include "store/internal/row_stream.h"
#include "store/internal/sqlite.h"
#include "store/internal/tables.h"
#include "store/postgres.h"
#include "trust/sealed.h"

namespace renkei::store {
namespace {

namespace fs = std::filesystem;
using internal::EntityId;
using internal::EntityTableOf;
using internal::Exec;
using internal::FieldColumns;
using internal::FieldCount;
using internal::IsEntity;
using internal::JoinIds;
using internal::NumberOf;
using internal::PutRow;
using internal::Statement;
using model::Index;
using model::kNoIndex;

constexpr int kApplicationId = 0x52454E4B;  // "RENK"

// Migration n (1-based) upgrades a store from schema version n-1 to n. Never
// edit a migration that has shipped; add a new one. The tables as they are
// after the last one are described in README.md, "The store's tables".
const char* const kMigrations[] = {
    // 1: the bundle tables and the audit log.
    R"sql(
CREATE TABLE organizations(
  id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  country TEXT NOT NULL, kind TEXT, public_key TEXT);
CREATE TABLE sites(
  id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL UNIQUE, organization INTEGER NOT NULL,
  name TEXT NOT NULL, country TEXT NOT NULL, region TEXT, lat REAL NOT NULL, lon REAL NOT NULL,
  cluster TEXT, capacity_per_day REAL, recovery_days REAL);
CREATE TABLE products(
  id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  category TEXT NOT NULL, unit TEXT NOT NULL, organization INTEGER, hs_code TEXT,
  pact_product_ids TEXT);
CREATE TABLE bom(
  product INTEGER NOT NULL, component INTEGER NOT NULL, quantity REAL NOT NULL,
  recycling INTEGER NOT NULL);
CREATE TABLE production(
  site INTEGER NOT NULL, product INTEGER NOT NULL, capacity_per_day REAL,
  inventory_units REAL, emissions_kgco2e_per_unit REAL, dqr_ter REAL, dqr_ger REAL,
  dqr_tir REAL, recovery_days REAL);
CREATE TABLE supply(
  supplier_site INTEGER NOT NULL, customer_site INTEGER NOT NULL, product INTEGER NOT NULL,
  share REAL, capacity_per_day REAL, lead_time_days REAL);
CREATE TABLE demand(
  site INTEGER NOT NULL, product INTEGER NOT NULL, demand_per_day REAL NOT NULL,
  inventory_units REAL, margin_per_unit REAL);
CREATE TABLE footprints(
  product INTEGER NOT NULL, site INTEGER, pcf_kgco2e_per_unit REAL NOT NULL, fossil REAL,
  biogenic REAL, primary_data_share REAL, dqr_ter REAL, dqr_ger REAL, dqr_tir REAL,
  period_start TEXT, period_end TEXT, pact_json TEXT);
CREATE TABLE materials(
  product INTEGER NOT NULL, substance TEXT NOT NULL, mass_kg_per_unit REAL NOT NULL,
  recycled_pre_consumer_share REAL, recycled_post_consumer_share REAL);
CREATE TABLE audit_log(
  seq INTEGER PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  digest TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
)sql",
    // 2: the node's own tables (store/node_records.h): API clients with Argon2id secret
    // hashes, access grants, organization signing keys, partners to answer, events.
    R"sql(
CREATE TABLE clients(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, organization TEXT NOT NULL,
  secret_hash TEXT NOT NULL, admin INTEGER NOT NULL, created TEXT NOT NULL,
  revoked TEXT);
CREATE TABLE grants(
  organization TEXT NOT NULL, product TEXT NOT NULL, created TEXT NOT NULL,
  PRIMARY KEY(organization, product));
CREATE TABLE organization_keys(
  organization TEXT PRIMARY KEY, public_key TEXT NOT NULL, seed TEXT NOT NULL,
  created TEXT NOT NULL);
CREATE TABLE partners(
  organization TEXT PRIMARY KEY, url TEXT NOT NULL, client_id TEXT NOT NULL,
  client_secret TEXT NOT NULL, ca_file TEXT);
CREATE TABLE events(
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL, direction TEXT NOT NULL, type TEXT NOT NULL,
  organization TEXT NOT NULL, time TEXT NOT NULL, state TEXT NOT NULL, body TEXT NOT NULL);
)sql",
    // 3: the change feed (store/changes.h). The node's tables record their changes
    // by trigger, so that a change by any writer is seen.
    R"sql(
CREATE TABLE changes(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,
  time TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
CREATE TRIGGER clients_inserted AFTER INSERT ON clients BEGIN INSERT INTO changes(kind) VALUES('clients'); END;
CREATE TRIGGER clients_updated AFTER UPDATE ON clients BEGIN INSERT INTO changes(kind) VALUES('clients'); END;
CREATE TRIGGER clients_deleted AFTER DELETE ON clients BEGIN INSERT INTO changes(kind) VALUES('clients'); END;
CREATE TRIGGER grants_inserted AFTER INSERT ON grants BEGIN INSERT INTO changes(kind) VALUES('grants'); END;
CREATE TRIGGER grants_updated AFTER UPDATE ON grants BEGIN INSERT INTO changes(kind) VALUES('grants'); END;
CREATE TRIGGER grants_deleted AFTER DELETE ON grants BEGIN INSERT INTO changes(kind) VALUES('grants'); END;
CREATE TRIGGER keys_inserted AFTER INSERT ON organization_keys BEGIN INSERT INTO changes(kind) VALUES('keys'); END;
CREATE TRIGGER keys_updated AFTER UPDATE ON organization_keys BEGIN INSERT INTO changes(kind) VALUES('keys'); END;
CREATE TRIGGER keys_deleted AFTER DELETE ON organization_keys BEGIN INSERT INTO changes(kind) VALUES('keys'); END;
CREATE TRIGGER partners_inserted AFTER INSERT ON partners BEGIN INSERT INTO changes(kind) VALUES('partners'); END;
CREATE TRIGGER partners_updated AFTER UPDATE ON partners BEGIN INSERT INTO changes(kind) VALUES('partners'); END;
CREATE TRIGGER partners_deleted AFTER DELETE ON partners BEGIN INSERT INTO changes(kind) VALUES('partners'); END;
)sql",
    // 4: whether a received footprint's signature was verified when it came in (rows
    // stored before count as not verified), and the store's settings (policies).
    R"sql(
ALTER TABLE footprints ADD COLUMN verified INTEGER NOT NULL DEFAULT 0;
CREATE TABLE settings(name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TRIGGER settings_inserted AFTER INSERT ON settings BEGIN INSERT INTO changes(kind) VALUES('settings'); END;
CREATE TRIGGER settings_updated AFTER UPDATE ON settings BEGIN INSERT INTO changes(kind) VALUES('settings'); END;
)sql",  // 5: one table design for both engines. Organizations, sites and products
    // keep an entity number `id` (the model index + 1, what other tables refer
    // to) apart from the row, so that one entity can have several versions. Every
    // model table gets versions (valid_from: the change that wrote the row;
    // valid_to: the change that replaced or removed it, NULL while current; rows
    // from before versions have valid_from 0) and a unique natural key among its
    // current rows. Names in Japanese, and sites known only by id and
    // organization (external).
    R"sql(
CREATE TABLE organizations_v5(
  id INTEGER NOT NULL, ext_id TEXT NOT NULL, name TEXT NOT NULL, country TEXT NOT NULL,
  kind TEXT, public_key TEXT, name_ja TEXT,
  valid_from INTEGER NOT NULL, valid_to INTEGER);
INSERT INTO organizations_v5(id, ext_id, name, country, kind, public_key, valid_from)
  SELECT id, ext_id, name, country, kind, public_key, 0 FROM organizations ORDER BY id;
DROP TABLE organizations;
ALTER TABLE organizations_v5 RENAME TO organizations;
CREATE TABLE sites_v5(
  id INTEGER NOT NULL, ext_id TEXT NOT NULL, organization INTEGER NOT NULL,
  name TEXT, country TEXT, region TEXT, lat REAL, lon REAL, cluster TEXT,
  capacity_per_day REAL, recovery_days REAL, name_ja TEXT,
  external INTEGER NOT NULL DEFAULT 0,
  valid_from INTEGER NOT NULL, valid_to INTEGER);
INSERT INTO sites_v5(id, ext_id, organization, name, country, region, lat, lon, cluster,
                     capacity_per_day, recovery_days, valid_from)
  SELECT id, ext_id, organization, name, country, region, lat, lon, cluster,
         capacity_per_day, recovery_days, 0 FROM sites ORDER BY id;
DROP TABLE sites;
ALTER TABLE sites_v5 RENAME TO sites;
CREATE TABLE products_v5(
  id INTEGER NOT NULL, ext_id TEXT NOT NULL, name TEXT NOT NULL, category TEXT NOT NULL,
  unit TEXT NOT NULL, organization INTEGER, hs_code TEXT, pact_product_ids TEXT, name_ja TEXT,
  valid_from INTEGER NOT NULL, valid_to INTEGER);
INSERT INTO products_v5(id, ext_id, name, category, unit, organization, hs_code,
                        pact_product_ids, valid_from)
  SELECT id, ext_id, name, category, unit, organization, hs_code, pact_product_ids, 0
  FROM products ORDER BY id;
DROP TABLE products;
ALTER TABLE products_v5 RENAME TO products;
ALTER TABLE bom ADD COLUMN valid_from INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bom ADD COLUMN valid_to INTEGER;
ALTER TABLE production ADD COLUMN valid_from INTEGER NOT NULL DEFAULT 0;
ALTER TABLE production ADD COLUMN valid_to INTEGER;
ALTER TABLE supply ADD COLUMN valid_from INTEGER NOT NULL DEFAULT 0;
ALTER TABLE supply ADD COLUMN valid_to INTEGER;
ALTER TABLE demand ADD COLUMN valid_from INTEGER NOT NULL DEFAULT 0;
ALTER TABLE demand ADD COLUMN valid_to INTEGER;
ALTER TABLE footprints ADD COLUMN valid_from INTEGER NOT NULL DEFAULT 0;
ALTER TABLE footprints ADD COLUMN valid_to INTEGER;
ALTER TABLE materials ADD COLUMN valid_from INTEGER NOT NULL DEFAULT 0;
ALTER TABLE materials ADD COLUMN valid_to INTEGER;
-- The keys: each entity and natural key once among the current rows. Supply's
-- key leads with the customer (its owner): bundles group supply by customer, so
-- a bulk import writes this index nearly in order (at 1 M sites the import keeps
-- its speed; supplier first, it took 2.6 times as long).
CREATE UNIQUE INDEX organizations_id ON organizations(id) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX organizations_key ON organizations(ext_id) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX sites_id ON sites(id) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX sites_key ON sites(ext_id) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX products_id ON products(id) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX products_key ON products(ext_id) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX bom_key ON bom(product, component) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX production_key ON production(site, product) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX supply_key ON supply(customer_site, product, supplier_site)
  WHERE valid_to IS NULL;
CREATE UNIQUE INDEX demand_key ON demand(site, product) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX footprints_key ON footprints(
  product, coalesce(site, 0), coalesce(period_start, ''), coalesce(period_end, ''))
  WHERE valid_to IS NULL;
CREATE UNIQUE INDEX materials_key ON materials(product, substance) WHERE valid_to IS NULL;
)sql",
    // 6: battery passport data (footprint/passport.h): a product's passport facts,
    // the performance classes of product categories, dismantling documents and
    // spare-part sources.
    R"sql(
CREATE TABLE passports(
  product INTEGER NOT NULL, performance_class TEXT, carbon_footprint_study TEXT,
  lifetime_energy_kwh REAL, distribution_kgco2e_per_unit REAL,
  end_of_life_kgco2e_per_unit REAL, renewable_content_share REAL, safety_instructions TEXT,
  extinguishing_agents TEXT, waste_prevention TEXT, separate_collection TEXT,
  information_on_collection TEXT, valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE footprint_classes(
  category TEXT NOT NULL, class TEXT NOT NULL, max_kgco2e_per_kwh REAL,
  valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE passport_documents(
  product INTEGER NOT NULL, document_type TEXT NOT NULL, mime_type TEXT NOT NULL,
  url TEXT NOT NULL, valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE TABLE spare_parts(
  product INTEGER NOT NULL, supplier TEXT NOT NULL, street_address TEXT NOT NULL,
  postal_code TEXT NOT NULL, country TEXT NOT NULL, email TEXT NOT NULL,
  web_address TEXT NOT NULL, part_name TEXT NOT NULL, part_number TEXT NOT NULL,
  valid_from INTEGER NOT NULL, valid_to INTEGER);
CREATE UNIQUE INDEX passports_key ON passports(product) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX footprint_classes_key ON footprint_classes(category, class)
  WHERE valid_to IS NULL;
CREATE UNIQUE INDEX passport_documents_key ON passport_documents(product, url)
  WHERE valid_to IS NULL;
CREATE UNIQUE INDEX spare_parts_key ON spare_parts(product, supplier, part_number)
  WHERE valid_to IS NULL;
)sql",
    // 7: versions (model/edit.h): a model change records who made it and what it
    // did, and the numbers of removed organizations, sites and products (never
    // reused) are found without a scan.
    R"sql(
ALTER TABLE changes ADD COLUMN actor TEXT;
ALTER TABLE changes ADD COLUMN action TEXT;
CREATE INDEX organizations_closed ON organizations(id) WHERE valid_to IS NOT NULL;
CREATE INDEX sites_closed ON sites(id) WHERE valid_to IS NOT NULL;
CREATE INDEX products_closed ON products(id) WHERE valid_to IS NOT NULL;
-- The oldest version whose rows are all kept (renkei policy --keep-versions,
-- --keep-days): rows closed at or before it are gone.
CREATE TABLE history_kept(oldest INTEGER NOT NULL);
INSERT INTO history_kept VALUES(0);
)sql",
};

constexpr int kMigrationCount = static_cast<int>(std::size(kMigrations));

StatusOr<sqlite3*> OpenHandle(const std::string& path, int flags) {
  if (sodium_init() < 0) return InternalError("libsodium could not be initialised");
  return internal::OpenConnection(path, flags);
}

StatusOr<int> PragmaInt(sqlite3* db, const std::string& pragma) {
  RENKEI_ASSIGN_OR_RETURN(Statement s, Statement::Prepare(db, "PRAGMA " + pragma));
  RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? static_cast<int>(s.Int(0)) : 0;
}

}  // namespace

int CurrentSchemaVersion() { return kMigrationCount; }

bool IsDatabaseUrl(const std::string& where) {
  return where.rfind("postgresql://", 0) == 0 || where.rfind("postgres://", 0) == 0;
}

namespace internal {

// The SQLite engine: one file (store.h).
class SqliteStore final : public Store {
 public:
  static StatusOr<std::unique_ptr<Store>> Create(const std::string& path);
  static StatusOr<std::unique_ptr<Store>> Open(const std::string& path);
  ~SqliteStore() override { sqlite3_close(db_); }

  StatusOr<StoredModel> ReadModel(std::optional<int64_t> version) const override;
  Status Commit(const StoredModel& before, const model::Edit& edit, const std::string& actor,
                const std::string& action, int64_t* change) override;
  StatusOr<std::vector<Version>> Versions() const override;
  StatusOr<std::vector<RowVersion>> RowHistory(model::Table table,
                                               const std::string& key) const override;
  Status ApplyRetention() override;
  Status Append(const model::Model& model, const model::RowCounts& first_new,
                const std::string& actor, const std::string& action, int64_t* change) override;
  std::unique_ptr<StreamedAppend> BeginStreamedAppend(const model::RowCounts& first_new,
                                                      uint64_t expected_rows,
                                                      const std::string& actor,
                                                      const std::string& action) override;
  StatusOr<std::string> Setting(const std::string& name,
                                const std::string& fallback) const override;
  Status SetSetting(const std::string& name, const std::string& value,
                    const std::string& actor) override;
  int SchemaVersion() const override { return kMigrationCount; }
  StatusOr<int64_t> LastChange() const override { return internal::LastChange(db_); }
  Status VerifyAudit() const override { return VerifyAuditLog(db_); }
  StatusOr<model::RowCounts> CountRows() const override;
  StatusOr<std::vector<std::pair<std::string, int64_t>>> CountSitesBy(
      const std::string& column) const override;

 private:
  friend class store::SideFileAppend;
  friend sqlite3* internal::Handle(const Store& store);
  SqliteStore(std::string path, sqlite3* db)
      : Store(std::move(path)), db_(db), records_(MakeSqliteRecords(db_)) {}
  Status Migrate();
  Records& records() override { return *records_; }

  sqlite3* db_;
  std::unique_ptr<Records> records_;  // reads db_ at every call
};

}  // namespace internal

using internal::SqliteStore;

StatusOr<std::unique_ptr<Store>> Store::Create(const std::string& where) {
  if (IsDatabaseUrl(where)) return CreatePostgresStore(where);
  return SqliteStore::Create(where);
}

StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& where) {
  if (IsDatabaseUrl(where)) return OpenPostgresStore(where);
  return SqliteStore::Open(where);
}

StatusOr<std::unique_ptr<Store>> SqliteStore::Create(const std::string& path) {
  std::error_code ec;
  if (fs::exists(path, ec)) return AlreadyExistsError(path + ": a file already exists there");
  RENKEI_ASSIGN_OR_RETURN(sqlite3 * db,
                          OpenHandle(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, db));
  RENKEI_RETURN_IF_ERROR(
      Exec(db, "PRAGMA journal_mode=WAL; PRAGMA application_id=" + std::to_string(kApplicationId)));
  RENKEI_RETURN_IF_ERROR(store->Migrate());
  return std::unique_ptr<Store>(std::move(store));
}

StatusOr<std::unique_ptr<Store>> SqliteStore::Open(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return NotFoundError(path + ": no such store (create one with 'renkei init " + path + "')");
  }
  std::unique_ptr<SqliteStore> store;
  // A file replaced by a side-file append (see Append) while this process waited
  // for its lock is no longer the store: open the new one. The first read needs
  // the lock, so the check after it is reliable.
  for (int attempt = 0;; ++attempt) {
    RENKEI_ASSIGN_OR_RETURN(sqlite3 * db, OpenHandle(path, SQLITE_OPEN_READWRITE));
    store.reset(new SqliteStore(path, db));
    StatusOr<int> app = PragmaInt(db, "application_id");
    if (!app.ok() || *app != kApplicationId) {
      return FailedPreconditionError(path + ": not a Renkei store");
    }
    int moved = 0;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK ||
        moved == 0 || attempt == 3) {
      break;
    }
  }
  sqlite3* db = store->db_;
  RENKEI_ASSIGN_OR_RETURN(int version, PragmaInt(db, "user_version"));
  if (version > kMigrationCount) {
    return FailedPreconditionError(path + ": the store has schema version " +
                                   std::to_string(version) + ", newer than this renkei (" +
                                   std::to_string(kMigrationCount) + "); upgrade renkei");
  }
  RENKEI_RETURN_IF_ERROR(Exec(db, "PRAGMA journal_mode=WAL"));
  RENKEI_RETURN_IF_ERROR(store->Migrate());
  return std::unique_ptr<Store>(std::move(store));
}

std::string Printable(const std::string& where) {
  if (!IsDatabaseUrl(where)) return where;
  std::string url = where;
  const size_t scheme = url.find("://");
  const size_t at = url.find('@');
  const size_t end = url.find_first_of("/?", scheme + 3);
  if (at != std::string::npos && at < end) {
    const size_t colon = url.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) url.erase(colon, at - colon);
  }
  for (size_t p = url.find("password="); p != std::string::npos; p = url.find("password=", p)) {
    if (p > 0 && url[p - 1] != '?' && url[p - 1] != '&') {
      ++p;
      continue;
    }
    const size_t value = p + 9;
    const size_t stop = url.find('&', value);
    url.replace(value, (stop == std::string::npos ? url.size() : stop) - value, "...");
    p = value;
  }
  return url;
}

StatusOr<std::string> Store::SecretsKeyPath() const {
  if (!secrets_key_.empty()) return secrets_key_;
  if (IsDatabaseUrl(path_)) {
    return FailedPreconditionError(
        "--secrets-key: required for a store at a URL (" + Printable(path_) +
        "): the file of the key its secrets are sealed and tokens signed with, the same file "
        "for every process serving it");
  }
  return trust::SealingKeyPath(path_);
}

internal::Records& internal::RecordsOf(Store& store) { return store.records(); }

sqlite3* internal::Handle(const Store& store) {
  const auto* sqlite = dynamic_cast<const SqliteStore*>(&store);
  return sqlite == nullptr ? nullptr : sqlite->db_;
}

Status internal::CreateAtSchemaVersion(const std::string& path, int version) {
  if (version < 1 || version >= kMigrationCount) {
    return InvalidArgumentError("no such older schema version: " + std::to_string(version));
  }
  RENKEI_ASSIGN_OR_RETURN(sqlite3 * db,
                          OpenHandle(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  Status s = Exec(db, "PRAGMA application_id=" + std::to_string(kApplicationId));
  for (int v = 0; v < version && s.ok(); ++v) s = Exec(db, kMigrations[v]);
  if (s.ok()) s = Exec(db, "PRAGMA user_version=" + std::to_string(version));
  sqlite3_close(db);
  return s;
}

Status SqliteStore::Migrate() {
  RENKEI_RETURN_IF_ERROR(Exec(db_, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF"));
  RENKEI_ASSIGN_OR_RETURN(int version, PragmaInt(db_, "user_version"));
  if (version == kMigrationCount) return Status::Ok();
  RENKEI_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  for (int v = version; v < kMigrationCount; ++v) {
    Status s = Exec(db_, kMigrations[v]);
    if (!s.ok()) {
      (void)Exec(db_, "ROLLBACK");
      return s.WithPrefix(path() + ": migration " + std::to_string(v + 1));
    }
  }
  Status s = Exec(db_, "PRAGMA user_version=" + std::to_string(kMigrationCount) + "; COMMIT");
  if (!s.ok()) (void)Exec(db_, "ROLLBACK");
  return s;
}

StatusOr<std::string> SqliteStore::Setting(const std::string& name,
                                           const std::string& fallback) const {
  RENKEI_ASSIGN_OR_RETURN(Statement s,
                          Statement::Prepare(db_, "SELECT value FROM settings WHERE name = ?"));
  s.BindText(1, name);
  RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Text(0) : fallback;
}

Status SqliteStore::SetSetting(const std::string& name, const std::string& value,
                               const std::string& actor) {
  RENKEI_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  Status s = [&]() -> Status {
    RENKEI_ASSIGN_OR_RETURN(
        Statement insert,
        Statement::Prepare(db_,
                           "INSERT INTO settings(name, value) VALUES(?, ?) "
                           "ON CONFLICT(name) DO UPDATE SET value = excluded.value"));
    insert.BindText(1, name);
    insert.BindText(2, value);
    RENKEI_RETURN_IF_ERROR(insert.Step().status());
    const std::string action = "set " + name + " " + value;
    return AppendAuditEntry(db_, actor, action, Sha256Hex(action));
  }();
  if (s.ok()) s = Exec(db_, "COMMIT");
  if (!s.ok()) (void)Exec(db_, "ROLLBACK");
  return s;
}

StatusOr<model::RowCounts> SqliteStore::CountRows() const {
  model::RowCounts counts{};
  for (const model::TableSchema& t : model::AllTables()) {
    RENKEI_ASSIGN_OR_RETURN(Statement s,
                            Statement::Prepare(db_, "SELECT count(*) FROM " + std::string(t.name) +
                                                        " WHERE valid_to IS NULL"));
    RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
    counts[static_cast<size_t>(t.table)] = row ? static_cast<size_t>(s.Int(0)) : 0;
  }
  return counts;
}

StatusOr<std::vector<std::pair<std::string, int64_t>>> SqliteStore::CountSitesBy(
    const std::string& column) const {
  if (column != "country" && column != "cluster") {
    return InvalidArgumentError("sites can be counted by country or cluster, not '" + column + "'");
  }
  RENKEI_ASSIGN_OR_RETURN(
      Statement s,
      Statement::Prepare(db_, "SELECT coalesce(" + column +
                                  ", ''), count(*) AS n FROM sites WHERE valid_to IS NULL "
                                  "GROUP BY 1 ORDER BY n DESC, 1"));
  std::vector<std::pair<std::string, int64_t>> out;
  for (;;) {
    RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.emplace_back(s.Text(0), s.Int(1));
  }
  return out;
}

namespace {

// Entity numbers to model indices while a model is read: number -> index of
// organizations, sites and products; empty while numbers are index + 1.
using IndexOfNumber = std::array<std::vector<Index>, 3>;

// Reads a stored value into a field of model/fields.h.
class FieldReader {
 public:
  FieldReader(const Statement& s, int first, const model::TableSchema& schema,
              const IndexOfNumber& index_of)
      : s_(s), first_(first), next_(first), schema_(schema), index_of_(index_of) {}
  Status Read(std::string& v) {
    v = s_.Text(next_++);
    return Status::Ok();
  }
  Status Read(double& v) {
    v = s_.Double(next_++);
    return Status::Ok();
  }
  Status Read(std::optional<double>& v) {
    v = s_.OptionalDouble(next_++);
    return Status::Ok();
  }
  Status Read(bool& v) {
    v = s_.Int(next_++) != 0;
    return Status::Ok();
  }
  Status Read(Index& v) {
    const model::Column& column = schema_.columns[static_cast<size_t>(next_ - first_)];
    if (s_.IsNull(next_)) {
      v = kNoIndex;
      ++next_;
      return Status::Ok();
    }
    const int64_t number = s_.Int(next_++);
    const std::vector<Index>& index_of = index_of_[EntityTableOf(column.kind)];
    if (index_of.empty()) {
      v = static_cast<Index>(number - 1);
      return Status::Ok();
    }
    v = number > 0 && static_cast<size_t>(number) < index_of.size()
            ? index_of[static_cast<size_t>(number)]
            : kNoIndex;
    if (v == kNoIndex) {
      return DataLossError(std::string(column.name) + ": refers to " + std::to_string(number) +
                           ", which is not in this version");
    }
    return Status::Ok();
  }
  Status Read(model::Unit& v) {
    const std::string symbol = s_.Text(next_++);
    std::optional<model::Unit> unit = model::ParseUnit(symbol);
    if (!unit) return DataLossError("unknown unit '" + symbol + "'");
    v = *unit;
    return Status::Ok();
  }
  Status Read(std::vector<std::string>& v) {
    v = internal::SplitIds(s_.Text(next_++));
    return Status::Ok();
  }

 private:
  const Statement& s_;
  const int first_;
  int next_;
  const model::TableSchema& schema_;
  const IndexOfNumber& index_of_;
};

// The rows of a table valid in a version: the current ones, or those valid
// after change `version`.
std::string ValidIn(std::optional<int64_t> version) {
  if (!version) return "valid_to IS NULL";
  const std::string v = std::to_string(*version);
  return "valid_from <= " + v + " AND (valid_to IS NULL OR valid_to > " + v + ")";
}

// Reads the rows of `table` valid in `version` into `m`, in entity order
// (entities) or the order they were written (the others). Entities' numbers go
// to `numbers` (when not index + 1) and `index_of`.
Status LoadTable(sqlite3* db, const std::string& path, model::Table table, size_t count,
                 std::optional<int64_t> version, model::Model& m, StoredModel& stored,
                 IndexOfNumber& index_of, const std::function<void()>& tick) {
  const model::TableSchema& t = model::Schema(table);
  const bool entity = IsEntity(table);
  RENKEI_ASSIGN_OR_RETURN(
      Statement s,
      Statement::Prepare(db, "SELECT " + std::string(entity ? "id, " : "") + FieldColumns(t) +
                                 " FROM " + std::string(t.name) + " WHERE " + ValidIn(version) +
                                 " ORDER BY " + (entity ? "id" : "rowid")));
  const auto n = static_cast<size_t>(table);
  bool gapped = false;  // entity numbers are not index + 1
  return model::WithRows(m, table, [&](auto& rows) -> Status {
    rows.reserve(count);
    for (;;) {
      RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      if (entity) {
        const int64_t number = s.Int(0);
        std::vector<int64_t>& numbers = stored.numbers[n];
        if (!gapped && number != static_cast<int64_t>(rows.size()) + 1) {
          gapped = true;
          for (size_t i = 0; i < rows.size(); ++i) numbers.push_back(static_cast<int64_t>(i) + 1);
        }
        if (gapped) {
          if (!numbers.empty() && number <= numbers.back()) {
            return DataLossError(path + ": " + std::string(t.name) + " number " +
                                 std::to_string(number) + " appears twice in one version");
          }
          numbers.push_back(number);
        }
      }
      FieldReader reader(s, entity ? 1 : 0, t, index_of);
      Status status;
      rows.emplace_back();
      model::ForEachField(rows.back(), [&](auto& field) {
        if (status.ok()) status = reader.Read(field);
      });
      if (!status.ok()) {
        return status.WithPrefix(path + ": " + std::string(t.name) + " row " +
                                 std::to_string(rows.size()));
      }
      tick();
    }
    if (entity && !stored.numbers[n].empty()) {
      std::vector<Index>& of = index_of[n];
      of.assign(static_cast<size_t>(stored.numbers[n].back()) + 1, kNoIndex);
      for (size_t i = 0; i < stored.numbers[n].size(); ++i) {
        of[static_cast<size_t>(stored.numbers[n][i])] = static_cast<Index>(i);
      }
    }
    return Status::Ok();
  });
}

StatusOr<int64_t> QueryInt(sqlite3* db, const std::string& sql) {
  RENKEI_ASSIGN_OR_RETURN(Statement s, Statement::Prepare(db, sql));
  RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

}  // namespace

bool StoredModel::Dense() const {
  for (size_t t = 0; t < numbers.size(); ++t) {
    if (!numbers[t].empty() ||
        next_number[t] !=
            static_cast<int64_t>(model::TableSize(model, static_cast<model::Table>(t))) + 1) {
      return false;
    }
  }
  return true;
}

StatusOr<model::Model> Store::LoadModel() const {
  RENKEI_ASSIGN_OR_RETURN(StoredModel stored, ReadModel());
  return std::move(stored.model);
}

StatusOr<StoredModel> SqliteStore::ReadModel(std::optional<int64_t> version) const {
  StoredModel stored;
  model::Model& m = stored.model;
  model::RowCounts counts{};
  Progress progress("loading store", 0, "rows");
  uint64_t done = 0;
  const std::function<void()> tick = [&] {
    if ((++done & 0xFFFF) == 0) progress.Update(done);
  };
  // Read in one transaction so the tables are consistent with each other.
  RENKEI_RETURN_IF_ERROR(Exec(db_, "BEGIN"));
  struct EndRead {
    sqlite3* db;
    ~EndRead() { (void)Exec(db, "COMMIT"); }
  } end_read{db_};
  // The current rows are counted in the read, to size the tables.
  if (!version) {
    RENKEI_ASSIGN_OR_RETURN(counts, CountRows());
  }
  RENKEI_ASSIGN_OR_RETURN(const int64_t last, internal::LastChange(db_));
  stored.version = last;
  if (version) {
    RENKEI_ASSIGN_OR_RETURN(
        const int64_t first,
        QueryInt(db_, "SELECT coalesce(min(seq), 0) FROM changes WHERE kind = 'model'"));
    if (first == 0 || *version < first) {
      return InvalidArgumentError(
          "version " + std::to_string(*version) +
          (first == 0 ? ": the store has no versions yet"
                      : ": before the first version (" + std::to_string(first) + ")"));
    }
    if (*version > last) {
      return InvalidArgumentError("version " + std::to_string(*version) +
                                  ": after the last change (" + std::to_string(last) + ")");
    }
    RENKEI_ASSIGN_OR_RETURN(const int64_t kept, QueryInt(db_, "SELECT oldest FROM history_kept"));
    if (*version < kept) {
      return InvalidArgumentError("version " + std::to_string(*version) +
                                  ": older than the history kept (from version " +
                                  std::to_string(kept) +
                                  "; renkei policy --keep-versions, "
                                  "--keep-days)");
    }
    stored.version = *version;
  }
  IndexOfNumber index_of;
  for (const model::TableSchema& t : model::AllTables()) {
    RENKEI_RETURN_IF_ERROR(LoadTable(db_, path(), t.table, counts[static_cast<size_t>(t.table)],
                                     version, m, stored, index_of, tick));
  }
  if (!version) {
    for (size_t t = 0; t < 3; ++t) {
      const std::string& name = std::string(model::Schema(static_cast<model::Table>(t)).name);
      RENKEI_ASSIGN_OR_RETURN(const int64_t closed,
                              QueryInt(db_, "SELECT coalesce(max(id), 0) FROM " + name +
                                                " WHERE valid_to IS NOT NULL"));
      const int64_t current =
          stored.numbers[t].empty()
              ? static_cast<int64_t>(model::TableSize(m, static_cast<model::Table>(t)))
              : stored.numbers[t].back();
      stored.next_number[t] = std::max(closed, current) + 1;
    }
  }
  m.IndexIds();
  return stored;
}

namespace {

// Rows bound per INSERT statement: one statement step per many rows saves most
// of SQLite's per-statement work.
constexpr size_t kRowsPerStatement = 64;

// An append of at least this many rows is written with a rollback journal
// instead of the write-ahead log (see Append).
constexpr uint64_t kBulkRows = 20000;

// Binds the values of one row to consecutive parameters of a statement: the
// fields of model/fields.h as the store keeps them (empty text and absent
// numbers as NULL, references as entity numbers, id lists joined by ';').
class RowBinder {
 public:
  // With `numbers` (and the row's `schema`), references are bound as the
  // numbers given for the model's entities (StoredModel::numbers) rather than
  // index + 1.
  RowBinder(Statement& s, int first, const model::TableSchema* schema = nullptr,
            const std::array<std::vector<int64_t>, 3>* numbers = nullptr)
      : s_(s), next_(first), schema_(schema), numbers_(numbers) {}
  void Int(int64_t v) { s_.Bind(next_++, v); }
  void Value(const std::string& v) { Next().BindText(next_++, v); }
  void Value(double v) { Next().Bind(next_++, v); }
  void Value(const std::optional<double>& v) { Next().Bind(next_++, v); }
  void Value(bool v) { Next().Bind(next_++, int64_t{v}); }
  void Value(model::Unit v) { Next().BindText(next_++, model::UnitSymbol(v)); }
  void Value(Index v) {
    const size_t column = column_;
    Next();
    if (v == kNoIndex) {
      s_.BindText(next_++, "");  // NULL
    } else if (numbers_ != nullptr) {
      s_.Bind(next_++, (*numbers_)[EntityTableOf(schema_->columns[column].kind)][v]);
    } else {
      s_.Bind(next_++, EntityId(v));
    }
  }
  void Value(const std::vector<std::string>& v) {
    if (v.empty()) {
      Next().BindText(next_++, "");  // NULL
    } else {
      Next().BindCopy(next_++, JoinIds(v));
    }
  }

 private:
  Statement& Next() {
    ++column_;
    return s_;
  }

  Statement& s_;
  int next_;
  size_t column_ = 0;  // of the row's fields
  const model::TableSchema* schema_;
  const std::array<std::vector<int64_t>, 3>* numbers_;
};

// "INSERT INTO t(columns) VALUES (?,...),(?,...)...", `rows` rows of `count` values.
std::string InsertSql(std::string_view table, const std::string& columns, int count, size_t rows) {
  std::string row = "(?";
  for (int c = 1; c < count; ++c) row += ",?";
  row += ')';
  std::string sql = "INSERT INTO " + std::string(table) + "(" + columns + ") VALUES ";
  sql.reserve(sql.size() + rows * (row.size() + 1));
  for (size_t r = 0; r < rows; ++r) {
    if (r > 0) sql += ',';
    sql += row;
  }
  return sql;
}

// Inserts rows [from, to) of table `t` of `m`, kRowsPerStatement rows per
// statement, written by change `valid_from`. Entities get the number
// i + 1 + entity_offset.
Status WriteTable(sqlite3* db, model::Table t, const model::Model& m, size_t from, size_t to,
                  size_t entity_offset, int64_t valid_from,
                  const std::function<void(size_t)>& tick) {
  if (from >= to) return Status::Ok();
  const model::TableSchema& schema = model::Schema(t);
  const bool entity = IsEntity(t);
  const std::string columns = (entity ? "id, " : "") + FieldColumns(schema) + ", valid_from";
  const int count = FieldCount(schema) + (entity ? 2 : 1);
  return model::WithRows(m, t, [&](const auto& rows) -> Status {
    auto bind = [&](Statement& st, size_t first, size_t n) {
      for (size_t r = 0; r < n; ++r) {
        const size_t i = first + r;
        RowBinder b(st, static_cast<int>(r) * count + 1);
        if (entity) b.Int(EntityId(static_cast<Index>(i + entity_offset)));
        PutRow(b, rows[i]);
        b.Int(valid_from);
      }
    };
    const size_t per = std::min(kRowsPerStatement, to - from);
    RENKEI_ASSIGN_OR_RETURN(Statement many,
                            Statement::Prepare(db, InsertSql(schema.name, columns, count, per)));
    size_t i = from;
    for (; i + per <= to; i += per) {
      bind(many, i, per);
      RENKEI_RETURN_IF_ERROR(many.Run());
      tick(per);
    }
    if (i < to) {
      RENKEI_ASSIGN_OR_RETURN(
          Statement rest, Statement::Prepare(db, InsertSql(schema.name, columns, count, to - i)));
      bind(rest, i, to - i);
      RENKEI_RETURN_IF_ERROR(rest.Run());
      tick(to - i);
    }
    return Status::Ok();
  });
}

// Writes the new rows of every table, as change `valid_from`.
Status WriteRows(sqlite3* db, const model::Model& m, const model::RowCounts& first,
                 int64_t valid_from) {
  uint64_t total = 0;
  const model::RowCounts now = model::CountRows(m);
  for (size_t t = 0; t < now.size(); ++t) total += now[t] - first[t];
  Progress progress("writing store", total, "rows");
  uint64_t done = 0;
  const std::function<void(size_t)> tick = [&](size_t n) {
    if (((done + n) >> 16) != (done >> 16)) progress.Update(done + n);
    done += n;
  };
  for (const model::TableSchema& t : model::AllTables()) {
    const auto n = static_cast<size_t>(t.table);
    RENKEI_RETURN_IF_ERROR(WriteTable(db, t.table, m, first[n], now[n], 0, valid_from, tick));
  }
  return Status::Ok();
}

// Flushes a file (or a folder, for a rename in it) to the disk.
Status SyncFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return InternalError(path + ": cannot open to sync: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) return InternalError(path + ": cannot sync: " + std::strerror(error));
  return Status::Ok();
}

StatusOr<std::string> JournalMode(sqlite3* db, const std::string& mode) {
  RENKEI_ASSIGN_OR_RETURN(Statement s, Statement::Prepare(db, "PRAGMA journal_mode=" + mode));
  RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Text(0) : std::string();
}

}  // namespace

Status SqliteStore::Append(const model::Model& model, const model::RowCounts& first_new,
                           const std::string& actor, const std::string& action, int64_t* change) {
  uint64_t new_rows = 0;
  const model::RowCounts now = model::CountRows(model);
  for (size_t t = 0; t < now.size(); ++t) new_rows += now[t] - first_new[t];

  // A bulk append goes through a rollback journal: new pages past the end of
  // the file are written once, where the write-ahead log would write them twice
  // (log, then checkpoint). The rollback journal is just as crash-safe. When the
  // mode cannot change (another connection has the file open) the log is used.
  bool rollback_journal = false;
  if (new_rows >= kBulkRows) {
    StatusOr<std::string> mode = JournalMode(db_, "DELETE");
    rollback_journal = mode.ok() && *mode == "delete";
    if (rollback_journal) (void)Exec(db_, "PRAGMA cache_size=-262144");
  }
  auto restore_mode = [&] {
    if (!rollback_journal) return;
    (void)Exec(db_, "PRAGMA cache_size=-2000");
    (void)JournalMode(db_, "WAL");
  };

  Status s = Exec(db_, "BEGIN IMMEDIATE");
  if (!s.ok()) {
    restore_mode();
    return s;
  }
  // The change is numbered first (under the write lock, so numbers follow
  // commit order): the rows carry its number as their first version.
  StatusOr<int64_t> recorded = internal::RecordChange(db_, "model", actor, action);
  s = recorded.status();
  // The digest is computed on a second thread while SQLite writes.
  std::atomic<bool> cancel{false};
  std::string digest;
  std::thread digester([&] { digest = internal::DigestRows(model, first_new, cancel); });
  if (s.ok()) s = WriteRows(db_, model, first_new, *recorded);
  if (!s.ok()) cancel = true;
  digester.join();
  if (s.ok()) s = AppendAuditEntry(db_, actor, action, digest);
  if (s.ok() && change != nullptr) *change = *recorded;
  if (s.ok()) s = Exec(db_, "COMMIT");
  if (!s.ok()) {
    (void)Exec(db_, "ROLLBACK");
    restore_mode();
    return s;
  }
  if (rollback_journal) {
    restore_mode();
  } else {
    // Fold the write-ahead log into the main file so it does not stay large.
    (void)Exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
  }
  return Status::Ok();
}

// --- Edits and versions --------------------------------------------------------

namespace {

// "ext_id"-free condition matching the current row with a key: "id = ?" for
// an entity (bound to its number); each key column otherwise, an optional one
// through coalesce as the table's key index has it.
std::string KeyCondition(const model::TableSchema& t) {
  if (IsEntity(t.table)) return "id = ?";
  std::string sql;
  for (int c : t.key) {
    const model::Column& column = t.columns[static_cast<size_t>(c)];
    const bool ref = column.kind == model::ColumnKind::kOrganizationRef ||
                     column.kind == model::ColumnKind::kSiteRef ||
                     column.kind == model::ColumnKind::kProductRef;
    if (!sql.empty()) sql += " AND ";
    const std::string name(internal::StoredName(column));
    sql += column.required ? name : "coalesce(" + name + (ref ? ", 0)" : ", '')");
    sql += " = ?";
  }
  return sql;
}

// Binds the key of row `row` of `table` of `before` to KeyCondition's parameters.
void BindKey(Statement& s, int first, const StoredModel& before, model::Table table, size_t row) {
  const model::TableSchema& t = model::Schema(table);
  if (IsEntity(table)) {
    s.Bind(first, NumberOf(before, static_cast<size_t>(table), static_cast<Index>(row)));
    return;
  }
  size_t column = 0;
  int next = first;
  model::WithRows(before.model, table, [&](const auto& rows) {
    model::ForEachField(rows[row], [&](const auto& v) {
      const size_t c = column++;
      if (c >= t.columns.size() ||
          std::find(t.key.begin(), t.key.end(), static_cast<int>(c)) == t.key.end()) {
        return;
      }
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_same_v<T, Index>) {
        s.Bind(next++,
               v == kNoIndex ? int64_t{0} : NumberOf(before, EntityTableOf(t.columns[c].kind), v));
      } else if constexpr (std::is_same_v<T, std::string>) {
        s.BindCopy(next++, v);
      }
    });
  });
}

// Drops the rows no version kept under the store's retention settings can
// see, in `db`'s open transaction (Store::ApplyRetention).
Status Compact(sqlite3* db) {
  auto setting = [&](const char* name) -> StatusOr<int64_t> {
    RENKEI_ASSIGN_OR_RETURN(Statement s,
                            Statement::Prepare(db, "SELECT value FROM settings WHERE name = ?"));
    s.BindText(1, name);
    RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return 0;
    const std::optional<uint64_t> n = ParseUnsigned(s.Text(0));
    return n ? static_cast<int64_t>(*n) : 0;
  };
  RENKEI_ASSIGN_OR_RETURN(const int64_t keep_versions, setting("keep_versions"));
  RENKEI_ASSIGN_OR_RETURN(const int64_t keep_days, setting("keep_days"));
  if (keep_versions == 0 && keep_days == 0) return Status::Ok();
  std::vector<std::pair<int64_t, std::string>> versions;
  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s,
        Statement::Prepare(db, "SELECT seq, time FROM changes WHERE kind = 'model' ORDER BY seq"));
    for (;;) {
      RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      versions.emplace_back(s.Int(0), s.Text(1));
    }
  }
  const std::optional<int64_t> oldest = internal::OldestKept(versions, keep_versions, keep_days);
  RENKEI_ASSIGN_OR_RETURN(const int64_t kept, QueryInt(db, "SELECT oldest FROM history_kept"));
  if (!oldest || *oldest <= kept) return Status::Ok();
  for (const model::TableSchema& t : model::AllTables()) {
    RENKEI_ASSIGN_OR_RETURN(Statement drop,
                            Statement::Prepare(db, "DELETE FROM " + std::string(t.name) +
                                                       " WHERE valid_to IS NOT NULL AND "
                                                       "valid_to <= ?"));
    drop.Bind(1, *oldest);
    RENKEI_RETURN_IF_ERROR(drop.Run());
  }
  RENKEI_ASSIGN_OR_RETURN(Statement mark,
                          Statement::Prepare(db, "UPDATE history_kept SET oldest = ?"));
  mark.Bind(1, *oldest);
  return mark.Run();
}

}  // namespace

Status SqliteStore::ApplyRetention() {
  RENKEI_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  Status s = Compact(db_);
  if (s.ok()) s = Exec(db_, "COMMIT");
  if (!s.ok()) (void)Exec(db_, "ROLLBACK");
  return s;
}

Status SqliteStore::Commit(const StoredModel& before, const model::Edit& edit,
                           const std::string& actor, const std::string& action, int64_t* change) {
  RENKEI_RETURN_IF_ERROR(internal::CheckEditBase(before, path()));
  RENKEI_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  Status s = [&]() -> Status {
    RENKEI_ASSIGN_OR_RETURN(const int64_t last, internal::LastChange(db_));
    if (last != before.version) {
      return UnavailableError(path() + ": the store changed (change " + std::to_string(last) +
                              ") after this change was worked out on change " +
                              std::to_string(before.version) + "; nothing was written: try again");
    }
    RENKEI_ASSIGN_OR_RETURN(const int64_t version,
                            internal::RecordChange(db_, "model", actor, action));
    const std::array<std::vector<int64_t>, 3> numbers = internal::EntityNumbers(before, edit);
    // Rows that stop being current, those that refer to others first.
    for (size_t n = model::kTableCount; n-- > 0;) {
      const model::TableSchema& t = model::AllTables()[n];
      if (edit.tables[n].closed.empty()) continue;
      RENKEI_ASSIGN_OR_RETURN(
          Statement close,
          Statement::Prepare(db_, "UPDATE " + std::string(t.name) + " SET valid_to = ? WHERE " +
                                      KeyCondition(t) + " AND valid_to IS NULL"));
      for (size_t row : edit.tables[n].closed) {
        close.Bind(1, version);
        BindKey(close, 2, before, t.table, row);
        RENKEI_RETURN_IF_ERROR(close.Run());
        if (close.Changes() != 1) {
          return DataLossError(path() + ": " +
                               model::RowName(t.table, model::RowKey(before.model, t.table, row)) +
                               " is not current in the store");
        }
      }
    }
    // New rows and new versions of changed ones.
    for (const model::TableSchema& t : model::AllTables()) {
      const auto n = static_cast<size_t>(t.table);
      if (edit.tables[n].written.empty()) continue;
      const bool entity = IsEntity(t.table);
      const std::string columns = (entity ? "id, " : "") + FieldColumns(t) + ", valid_from";
      const int count = FieldCount(t) + (entity ? 2 : 1);
      RENKEI_ASSIGN_OR_RETURN(Statement insert,
                              Statement::Prepare(db_, InsertSql(t.name, columns, count, 1)));
      const Status written = model::WithRows(edit.after, t.table, [&](const auto& rows) -> Status {
        for (size_t row : edit.tables[n].written) {
          RowBinder b(insert, 1, &t, &numbers);
          if (entity) b.Int(numbers[n][row]);
          PutRow(b, rows[row]);
          b.Int(version);
          RENKEI_RETURN_IF_ERROR(insert.Run());
        }
        return Status::Ok();
      });
      RENKEI_RETURN_IF_ERROR(written);
    }
    RENKEI_RETURN_IF_ERROR(Compact(db_));
    RENKEI_RETURN_IF_ERROR(
        AppendAuditEntry(db_, actor, action, internal::DigestEdit(before.model, edit)));
    if (change != nullptr) *change = version;
    return Status::Ok();
  }();
  if (s.ok()) s = Exec(db_, "COMMIT");
  if (!s.ok()) {
    (void)Exec(db_, "ROLLBACK");
    return s;
  }
  (void)Exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
  return Status::Ok();
}

StatusOr<std::vector<Version>> SqliteStore::Versions() const {
  RENKEI_ASSIGN_OR_RETURN(
      Statement s, Statement::Prepare(db_,
                                      "SELECT seq, time, coalesce(actor, ''), coalesce(action, '') "
                                      "FROM changes WHERE kind = 'model' ORDER BY seq"));
  std::vector<Version> out;
  for (;;) {
    RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3)});
  }
  return out;
}

StatusOr<std::vector<RowVersion>> SqliteStore::RowHistory(model::Table table,
                                                          const std::string& key) const {
  const model::TableSchema& t = model::Schema(table);
  RENKEI_RETURN_IF_ERROR(model::ParseDeletion(t.name, key).status());
  const internal::RowHistoryQuery q =
      internal::RowHistorySql(t, model::KeyParts(key), [](size_t) { return std::string("?"); });
  RENKEI_ASSIGN_OR_RETURN(Statement s,
                          Statement::Prepare(db_, q.sql + " ORDER BY x.valid_from, x.rowid"));
  for (size_t i = 0; i < q.params.size(); ++i) s.BindCopy(static_cast<int>(i) + 1, q.params[i]);
  std::vector<RowVersion> out;
  for (;;) {
    RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    RowVersion& v = out.emplace_back();
    v.from = s.Int(0);
    v.to = s.Int(1);
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const int col = static_cast<int>(c) + 2;
      std::string text;
      if (t.columns[c].kind == model::ColumnKind::kNumber) {
        if (!s.IsNull(col)) AppendNumber(text, s.Double(col));
      } else if (t.columns[c].kind == model::ColumnKind::kBool) {
        if (s.Int(col) != 0) text = "true";
      } else {
        text = s.Text(col);
      }
      v.cells.push_back(std::move(text));
    }
  }
  return out;
}

StatusOr<model::Model> Store::LoadModelAsOf(const std::string& as_of) const {
  if (as_of.empty()) return LoadModel();
  RENKEI_ASSIGN_OR_RETURN(const int64_t version, VersionAt(as_of));
  RENKEI_ASSIGN_OR_RETURN(StoredModel stored, ReadModel(version));
  return std::move(stored.model);
}

StatusOr<int64_t> Store::VersionAt(const std::string& as_of) const {
  RENKEI_ASSIGN_OR_RETURN(const std::vector<Version> versions, Versions());
  RENKEI_ASSIGN_OR_RETURN(const int64_t last, LastChange());
  const std::string what = "as of '" + as_of + "'";
  if (versions.empty()) return InvalidArgumentError(what + ": the store has no versions yet");
  const Version& first = versions.front();
  const std::string before_first = what + ": before the first version (" +
                                   std::to_string(first.number) + ", " + first.time + ")";
  if (!as_of.empty() && as_of.find_first_not_of("0123456789") == std::string::npos) {
    const std::optional<uint64_t> n = ParseUnsigned(as_of);
    if (!n || static_cast<int64_t>(*n) > last) {
      return InvalidArgumentError(what + ": after the last change (" + std::to_string(last) + ")");
    }
    if (static_cast<int64_t>(*n) < first.number) return InvalidArgumentError(before_first);
    return static_cast<int64_t>(*n);
  }
  bool date_only = false;
  std::optional<std::chrono::system_clock::time_point> time = ParseRfc3339(as_of, &date_only);
  if (!time) {
    return InvalidArgumentError(what +
                                ": expected a version number or a time (RFC 3339 such as "
                                "2026-12-07T09:00:00Z, or a date, meaning its end in UTC)");
  }
  const auto now = std::chrono::system_clock::now();
  if (*time > now) return InvalidArgumentError(what + ": in the future");
  if (date_only)
    *time = std::min(now, *time + std::chrono::hours(24) - std::chrono::milliseconds(1));
  int64_t found = 0;
  for (const Version& v : versions) {
    std::optional<std::chrono::system_clock::time_point> at = ParseRfc3339(v.time);
    if (!at || *at > *time) break;
    found = v.number;
  }
  if (found == 0) return InvalidArgumentError(before_first);
  return found;
}

// --- Side-file append ----------------------------------------------------------

std::unique_ptr<StreamedAppend> SqliteStore::BeginStreamedAppend(const model::RowCounts& first_new,
                                                                 uint64_t expected_rows,
                                                                 const std::string& actor,
                                                                 const std::string& action) {
  uint64_t old_rows = 0;
  for (size_t n : first_new) old_rows += n;
  if (expected_rows < kBulkRows || old_rows > expected_rows) return nullptr;
  std::unique_ptr<SideFileAppend> append(new SideFileAppend(*this, first_new, actor, action));
  if (!append->Begin()) return nullptr;  // the destructor gives the store back as it was
  return append;
}

SideFileAppend::SideFileAppend(SqliteStore& store, const model::RowCounts& first_new,
                               std::string actor, std::string action)
    : StreamedAppend(std::move(actor), std::move(action)),
      store_(store),
      side_path_(store.path() + ".import"),
      first_new_(first_new) {}

bool SideFileAppend::Begin() {
  sqlite3* db = store_.db_;
  // In exclusive locking mode a write transaction in WAL mode takes the file's
  // exclusive lock, which fails at once while any other connection has the
  // store open (it holds a shared lock from its first read until it closes);
  // the lock stays after the empty transaction, keeping everyone out until the
  // rename. Neither step writes to the store file.
  sqlite3_busy_timeout(db, 0);
  const bool locked = Exec(db, "PRAGMA locking_mode=EXCLUSIVE").ok() &&
                      Exec(db, "BEGIN EXCLUSIVE").ok() && Exec(db, "COMMIT").ok();
  sqlite3_busy_timeout(db, 5000);
  locked_ = true;  // locking mode to be undone even when the lock was not had
  if (!locked) return false;
  // The store file must hold everything before it is copied; normally the log
  // is already empty and this writes nothing.
  if (!Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)").ok()) return false;
  std::error_code ec;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    fs::remove(side_path_ + suffix, ec);  // left by a crash
  }
  side_created_ = true;
  if (!fs::copy_file(store_.path(), side_path_, ec) || ec) return false;
  // No journal (a failure throws the whole file away) and no mutex (only the
  // writer thread uses the connection). The copy says WAL: leave it first.
  StatusOr<sqlite3*> side = OpenHandle(side_path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
  if (!side.ok()) return false;
  side_db_ = *side;
  StatusOr<std::string> mode = JournalMode(side_db_, "DELETE");
  if (mode.ok() && *mode == "delete") mode = JournalMode(side_db_, "OFF");
  if (!mode.ok() || *mode != "off" ||
      !Exec(side_db_,
            "PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-262144; "
            "BEGIN")
           .ok()) {
    return false;
  }
  // The change is numbered first: the rows carry its number.
  StatusOr<int64_t> change = internal::RecordChange(side_db_, "model", actor_, action_);
  if (!change.ok()) return false;
  change_ = *change;
  stream_ = std::make_unique<internal::RowStream>(
      first_new_, [db = side_db_, change = change_](const internal::Chunk& chunk, size_t rows) {
        return WriteTable(db, chunk.table, chunk.rows, 0, rows, chunk.first, change, [](size_t) {});
      });
  return true;
}

void SideFileAppend::Add(const model::Model& model, model::Table table, size_t rows) {
  if (stream_ != nullptr) stream_->Add(model, table, rows);
}

Status SideFileAppend::Commit(int64_t* change) {
  if (stream_ == nullptr) return FailedPreconditionError("the append is not open");
  StatusOr<std::string> digest = stream_->Finish();
  stream_.reset();
  RENKEI_RETURN_IF_ERROR(digest.status());
  RENKEI_RETURN_IF_ERROR(AppendAuditEntry(side_db_, actor_, action_, *digest));
  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement named,
        Statement::Prepare(side_db_, "UPDATE changes SET action = ? WHERE seq = ?"));
    named.BindText(1, action_);
    named.Bind(2, change_);
    RENKEI_RETURN_IF_ERROR(named.Run());
  }
  if (change != nullptr) *change = change_;
  RENKEI_RETURN_IF_ERROR(Exec(side_db_, "COMMIT"));
  if (sqlite3_close(side_db_) != SQLITE_OK) {
    return InternalError(side_path_ + ": cannot close the side file");
  }
  side_db_ = nullptr;
  RENKEI_RETURN_IF_ERROR(SyncFile(side_path_));

  // The old file leaves WAL mode (its log and shared-memory files are deleted,
  // so none is left to pair with the new file, and a process that opened it and
  // waits for the lock will read no log); the exclusive lock stays.
  StatusOr<std::string> mode = JournalMode(store_.db_, "DELETE");
  if (!mode.ok()) return mode.status();
  if (*mode != "delete") return UnavailableError(store_.path() + ": the store is in use");

  // The commit point: the complete, synced side file takes the store's name
  // while this process still holds the old file's exclusive lock.
  if (std::rename(side_path_.c_str(), store_.path().c_str()) != 0) {
    return InternalError(side_path_ + ": cannot rename over the store: " + std::strerror(errno));
  }
  side_created_ = false;
  locked_ = false;
  const fs::path folder = fs::path(store_.path()).parent_path();
  (void)SyncFile(folder.empty() ? std::string(".") : folder.string());

  // The store's connection holds the replaced file: open the new one.
  sqlite3_close(store_.db_);
  store_.db_ = nullptr;
  RENKEI_ASSIGN_OR_RETURN(store_.db_, OpenHandle(store_.path(), SQLITE_OPEN_READWRITE));
  RENKEI_RETURN_IF_ERROR(Exec(store_.db_, "PRAGMA journal_mode=WAL"));
  return store_.Migrate();
}

SideFileAppend::~SideFileAppend() {
  stream_.reset();  // cancels the writer
  if (side_db_ != nullptr) sqlite3_close(side_db_);
  std::error_code ec;
  if (side_created_) fs::remove(side_path_, ec);
  for (const char* suffix : {"-journal", "-wal", "-shm"}) {
    if (side_created_) fs::remove(side_path_ + suffix, ec);
  }
  if (locked_) {
    // Back to normal locking; the lock goes with the next read.
    (void)Exec(store_.db_, "PRAGMA locking_mode=NORMAL");
    (void)Exec(store_.db_, "SELECT count(*) FROM sqlite_master");
  }
}

}  // namespace renkei::store
