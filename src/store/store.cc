#include "store/store.h"

#include <sodium.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "base/progress.h"
#include "store/audit.h"
#include "store/changes.h"
#include "store/internal/sqlite.h"

namespace renkei::store {
namespace {

namespace fs = std::filesystem;
using internal::Exec;
using internal::Statement;
using model::Index;
using model::kNoIndex;

constexpr int kApplicationId = 0x52454E4B;  // "RENK"

// Migration n (1-based) upgrades a store from schema version n-1 to n. Never
// edit a migration that has shipped; add a new one.
// Organizations, sites and products keep their model index + 1 as rowid, so
// references between tables are plain integers. The model layer validates
// every reference before anything is written, so foreign keys are not declared.
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
)sql",
};

constexpr int kMigrationCount = static_cast<int>(std::size(kMigrations));

StatusOr<sqlite3*> OpenHandle(const std::string& path, int flags) {
  if (sodium_init() < 0) return InternalError("libsodium could not be initialised");
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Status s = internal::SqliteError(db, path);
    sqlite3_close(db);
    return s;
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

StatusOr<int> PragmaInt(sqlite3* db, const std::string& pragma) {
  RENKEI_ASSIGN_OR_RETURN(Statement s, Statement::Prepare(db, "PRAGMA " + pragma));
  RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? static_cast<int>(s.Int(0)) : 0;
}

Index ToIndex(const Statement& s, int column) {
  return s.IsNull(column) ? kNoIndex : static_cast<Index>(s.Int(column) - 1);
}
int64_t ToRowId(Index index) { return static_cast<int64_t>(index) + 1; }

}  // namespace

int CurrentSchemaVersion() { return kMigrationCount; }

StatusOr<std::unique_ptr<Store>> Store::Create(const std::string& path) {
  std::error_code ec;
  if (fs::exists(path, ec)) return AlreadyExistsError(path + ": a file already exists there");
  RENKEI_ASSIGN_OR_RETURN(sqlite3 * db,
                          OpenHandle(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  std::unique_ptr<Store> store(new Store(path, db));
  RENKEI_RETURN_IF_ERROR(
      Exec(db, "PRAGMA journal_mode=WAL; PRAGMA application_id=" + std::to_string(kApplicationId)));
  RENKEI_RETURN_IF_ERROR(store->Migrate());
  return store;
}

StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return NotFoundError(path + ": no such store (create one with 'renkei init " + path + "')");
  }
  std::unique_ptr<Store> store;
  // A file replaced by a side-file append (see Append) while this process waited
  // for its lock is no longer the store: open the new one. The first read needs
  // the lock, so the check after it is reliable.
  for (int attempt = 0;; ++attempt) {
    RENKEI_ASSIGN_OR_RETURN(sqlite3 * db, OpenHandle(path, SQLITE_OPEN_READWRITE));
    store.reset(new Store(path, db));
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
  return store;
}

Store::~Store() { sqlite3_close(db_); }

sqlite3* internal::Handle(const Store& store) { return store.db_; }

Status Store::Migrate() {
  RENKEI_RETURN_IF_ERROR(Exec(db_, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF"));
  RENKEI_ASSIGN_OR_RETURN(int version, PragmaInt(db_, "user_version"));
  if (version == kMigrationCount) return Status::Ok();
  RENKEI_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  for (int v = version; v < kMigrationCount; ++v) {
    Status s = Exec(db_, kMigrations[v]);
    if (!s.ok()) {
      (void)Exec(db_, "ROLLBACK");
      return s.WithPrefix(path_ + ": migration " + std::to_string(v + 1));
    }
  }
  Status s = Exec(db_, "PRAGMA user_version=" + std::to_string(kMigrationCount) + "; COMMIT");
  if (!s.ok()) (void)Exec(db_, "ROLLBACK");
  return s;
}

Status Store::VerifyAudit() const { return VerifyAuditLog(db_); }

StatusOr<int64_t> Store::LastChange() const { return store::LastChange(db_); }

StatusOr<std::string> Store::Setting(const std::string& name, const std::string& fallback) const {
  RENKEI_ASSIGN_OR_RETURN(Statement s,
                          Statement::Prepare(db_, "SELECT value FROM settings WHERE name = ?"));
  s.BindText(1, name);
  RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Text(0) : fallback;
}

Status Store::SetSetting(const std::string& name, const std::string& value,
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

StatusOr<model::RowCounts> Store::CountRows() const {
  model::RowCounts counts{};
  for (const model::TableSchema& t : model::AllTables()) {
    RENKEI_ASSIGN_OR_RETURN(Statement s,
                            Statement::Prepare(db_, "SELECT count(*) FROM " + std::string(t.name)));
    RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
    counts[static_cast<size_t>(t.table)] = row ? static_cast<size_t>(s.Int(0)) : 0;
  }
  return counts;
}

StatusOr<std::vector<std::pair<std::string, int64_t>>> Store::CountSitesBy(
    const std::string& column) const {
  if (column != "country" && column != "cluster") {
    return InvalidArgumentError("sites can be counted by country or cluster, not '" + column + "'");
  }
  RENKEI_ASSIGN_OR_RETURN(
      Statement s,
      Statement::Prepare(db_, "SELECT coalesce(" + column +
                                  ", ''), count(*) AS n FROM sites GROUP BY 1 ORDER BY n DESC, 1"));
  std::vector<std::pair<std::string, int64_t>> out;
  for (;;) {
    RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.emplace_back(s.Text(0), s.Int(1));
  }
  return out;
}

StatusOr<model::Model> Store::LoadModel() const {
  model::Model m;
  RENKEI_ASSIGN_OR_RETURN(model::RowCounts counts, CountRows());
  auto count = [&](model::Table t) { return counts[static_cast<size_t>(t)]; };
  Progress progress("loading store", 0, "rows");
  uint64_t done = 0;
  auto tick = [&] {
    if ((++done & 0xFFFF) == 0) progress.Update(done);
  };
  // Read in one transaction so the tables are consistent with each other.
  RENKEI_RETURN_IF_ERROR(Exec(db_, "BEGIN"));
  struct EndRead {
    sqlite3* db;
    ~EndRead() { (void)Exec(db, "COMMIT"); }
  } end_read{db_};

  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s,
        Statement::Prepare(
            db_,
            "SELECT id, ext_id, name, country, kind, public_key FROM organizations ORDER BY id"));
    m.organizations.reserve(count(model::Table::kOrganizations));
    for (;;) {
      RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      if (s.Int(0) != static_cast<int64_t>(m.organizations.size()) + 1) {
        return DataLossError(path_ + ": organization rows are not numbered densely");
      }
      m.organizations.push_back({s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5)});
      m.organization_ids.Insert(m.organizations.back().id,
                                static_cast<Index>(m.organizations.size() - 1));
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s,
        Statement::Prepare(
            db_,
            "SELECT id, ext_id, organization, name, country, region, lat, lon, cluster, "
            "capacity_per_day, recovery_days FROM sites ORDER BY id"));
    m.sites.reserve(count(model::Table::kSites));
    m.site_ids.Reserve(count(model::Table::kSites));
    for (;;) {
      RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      if (s.Int(0) != static_cast<int64_t>(m.sites.size()) + 1) {
        return DataLossError(path_ + ": site rows are not numbered densely");
      }
      model::Site site;
      site.id = s.Text(1);
      site.organization = ToIndex(s, 2);
      site.name = s.Text(3);
      site.country = s.Text(4);
      site.region = s.Text(5);
      site.lat = s.Double(6);
      site.lon = s.Double(7);
      site.cluster = s.Text(8);
      site.capacity_per_day = s.OptionalDouble(9);
      site.recovery_days = s.OptionalDouble(10);
      m.site_ids.Insert(site.id, static_cast<Index>(m.sites.size()));
      m.sites.push_back(std::move(site));
      tick();
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s,
        Statement::Prepare(
            db_,
            "SELECT id, ext_id, name, category, unit, organization, hs_code, pact_product_ids "
            "FROM products ORDER BY id"));
    for (;;) {
      RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      if (s.Int(0) != static_cast<int64_t>(m.products.size()) + 1) {
        return DataLossError(path_ + ": product rows are not numbered densely");
      }
      model::Product p;
      p.id = s.Text(1);
      p.name = s.Text(2);
      p.category = s.Text(3);
      std::optional<model::Unit> unit = model::ParseUnit(s.Text(4));
      if (!unit) return DataLossError(path_ + ": product '" + p.id + "' has an unknown unit");
      p.unit = *unit;
      p.organization = ToIndex(s, 5);
      p.hs_code = s.Text(6);
      const std::string ids = s.Text(7);
      for (size_t start = 0; start < ids.size();) {
        size_t end = ids.find(';', start);
        if (end == std::string::npos) end = ids.size();
        p.pact_product_ids.push_back(ids.substr(start, end - start));
        start = end + 1;
      }
      m.product_ids.Insert(p.id, static_cast<Index>(m.products.size()));
      m.products.push_back(std::move(p));
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s,
        Statement::Prepare(
            db_, "SELECT product, component, quantity, recycling FROM bom ORDER BY rowid"));
    for (;;) {
      RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      m.bom.push_back({ToIndex(s, 0), ToIndex(s, 1), s.Double(2), s.Int(3) != 0});
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s,
        Statement::Prepare(
            db_,
            "SELECT site, product, capacity_per_day, inventory_units, emissions_kgco2e_per_unit, "
            "dqr_ter, dqr_ger, dqr_tir, recovery_days FROM production ORDER BY rowid"));
    m.production.reserve(count(model::Table::kProduction));
    for (;;) {
      RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      m.production.push_back({ToIndex(s, 0),
                              ToIndex(s, 1),
                              s.OptionalDouble(2),
                              s.OptionalDouble(3),
                              s.OptionalDouble(4),
                              {s.OptionalDouble(5), s.OptionalDouble(6), s.OptionalDouble(7)},
                              s.OptionalDouble(8)});
      tick();
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s,
        Statement::Prepare(
            db_,
            "SELECT supplier_site, customer_site, product, share, capacity_per_day, lead_time_days "
            "FROM supply ORDER BY rowid"));
    m.supply.reserve(count(model::Table::kSupply));
    for (;;) {
      RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      m.supply.push_back({ToIndex(s, 0), ToIndex(s, 1), ToIndex(s, 2), s.OptionalDouble(3),
                          s.OptionalDouble(4), s.OptionalDouble(5)});
      tick();
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s,
        Statement::Prepare(
            db_,
            "SELECT site, product, demand_per_day, inventory_units, margin_per_unit FROM demand "
            "ORDER BY rowid"));
    for (;;) {
      RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      m.demand.push_back(
          {ToIndex(s, 0), ToIndex(s, 1), s.Double(2), s.OptionalDouble(3), s.OptionalDouble(4)});
      tick();
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s,
        Statement::Prepare(
            db_,
            "SELECT product, site, pcf_kgco2e_per_unit, fossil, biogenic, primary_data_share, "
            "dqr_ter, dqr_ger, dqr_tir, period_start, period_end, pact_json, verified FROM "
            "footprints "
            "ORDER BY rowid"));
    for (;;) {
      RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      model::Footprint f;
      f.product = ToIndex(s, 0);
      f.site = ToIndex(s, 1);
      f.pcf_kgco2e_per_unit = s.Double(2);
      f.fossil = s.OptionalDouble(3);
      f.biogenic = s.OptionalDouble(4);
      f.primary_data_share = s.OptionalDouble(5);
      f.dqr = {s.OptionalDouble(6), s.OptionalDouble(7), s.OptionalDouble(8)};
      f.period_start = s.Text(9);
      f.period_end = s.Text(10);
      f.pact_json = s.Text(11);
      f.verified = s.Int(12) != 0;
      m.footprints.push_back(std::move(f));
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s,
        Statement::Prepare(
            db_,
            "SELECT product, substance, mass_kg_per_unit, recycled_pre_consumer_share, "
            "recycled_post_consumer_share FROM materials ORDER BY rowid"));
    for (;;) {
      RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      m.materials.push_back(
          {ToIndex(s, 0), s.Text(1), s.Double(2), s.OptionalDouble(3), s.OptionalDouble(4)});
    }
  }
  return m;
}

namespace {

// Rows bound per INSERT statement: one statement step per many rows saves most
// of SQLite's per-statement work.
constexpr size_t kRowsPerStatement = 64;

// An append of at least this many rows is written with a rollback journal
// instead of the write-ahead log (see Append).
constexpr uint64_t kBulkRows = 20000;

// Binds the values of one row to consecutive parameters of a statement.
class RowBinder {
 public:
  RowBinder(Statement& s, int first) : s_(s), next_(first) {}
  void Int(int64_t v) { s_.Bind(next_++, v); }
  void Text(std::string_view v) { s_.BindText(next_++, v); }
  void Number(const std::optional<double>& v) { s_.Bind(next_++, v); }
  void Ref(Index v) {
    if (v == kNoIndex) {
      s_.BindText(next_++, "");  // NULL
    } else {
      s_.Bind(next_++, ToRowId(v));
    }
  }

 private:
  Statement& s_;
  int next_;
};

// Feeds the digest exactly the values written, in the order written.
class RowDigest {
 public:
  explicit RowDigest(ContentDigest& d) : d_(d) {}
  void Text(std::string_view v) { d_.Add(v); }
  void Number(const std::optional<double>& v) {
    d_.Add(v ? *v : -0.0);
    d_.Add(static_cast<int64_t>(v.has_value()));
  }
  void Ref(Index v) { d_.Add(static_cast<int64_t>(v)); }
  void Int(int64_t v) { d_.Add(v); }

 private:
  ContentDigest& d_;
};

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out += ';';
    out += id;
  }
  return out;
}

// The values of one row of each table, in column order, to a RowBinder or a
// RowDigest. The row id of organizations, sites and products is bound by the
// caller and is not part of the digest.
template <typename Sink>
void OrganizationRow(Sink& k, const model::Organization& o) {
  k.Text(o.id);
  k.Text(o.name);
  k.Text(o.country);
  k.Text(o.kind);
  k.Text(o.public_key);
}
template <typename Sink>
void SiteRow(Sink& k, const model::Site& x) {
  k.Text(x.id);
  k.Ref(x.organization);
  k.Text(x.name);
  k.Text(x.country);
  k.Text(x.region);
  k.Number(x.lat);
  k.Number(x.lon);
  k.Text(x.cluster);
  k.Number(x.capacity_per_day);
  k.Number(x.recovery_days);
}
template <typename Sink>
void ProductRow(Sink& k, const model::Product& p, std::string_view joined_ids) {
  k.Text(p.id);
  k.Text(p.name);
  k.Text(p.category);
  k.Text(model::UnitSymbol(p.unit));
  k.Ref(p.organization);
  k.Text(p.hs_code);
  k.Text(joined_ids);
}
template <typename Sink>
void BomRow(Sink& k, const model::BomLine& b) {
  k.Ref(b.product);
  k.Ref(b.component);
  k.Number(b.quantity);
  k.Int(static_cast<int64_t>(b.recycling));
}
template <typename Sink>
void ProductionRow(Sink& k, const model::Production& p) {
  k.Ref(p.site);
  k.Ref(p.product);
  k.Number(p.capacity_per_day);
  k.Number(p.inventory_units);
  k.Number(p.emissions_kgco2e_per_unit);
  k.Number(p.dqr.ter);
  k.Number(p.dqr.ger);
  k.Number(p.dqr.tir);
  k.Number(p.recovery_days);
}
template <typename Sink>
void SupplyRow(Sink& k, const model::SupplyLink& x) {
  k.Ref(x.supplier_site);
  k.Ref(x.customer_site);
  k.Ref(x.product);
  k.Number(x.share);
  k.Number(x.capacity_per_day);
  k.Number(x.lead_time_days);
}
template <typename Sink>
void DemandRow(Sink& k, const model::Demand& d) {
  k.Ref(d.site);
  k.Ref(d.product);
  k.Number(d.demand_per_day);
  k.Number(d.inventory_units);
  k.Number(d.margin_per_unit);
}
template <typename Sink>
void FootprintRow(Sink& k, const model::Footprint& f) {
  k.Ref(f.product);
  k.Ref(f.site);
  k.Number(f.pcf_kgco2e_per_unit);
  k.Number(f.fossil);
  k.Number(f.biogenic);
  k.Number(f.primary_data_share);
  k.Number(f.dqr.ter);
  k.Number(f.dqr.ger);
  k.Number(f.dqr.tir);
  k.Text(f.period_start);
  k.Text(f.period_end);
  k.Text(f.pact_json);
  k.Int(f.verified ? 1 : 0);
}
template <typename Sink>
void MaterialRow(Sink& k, const model::Material& x) {
  k.Ref(x.product);
  k.Text(x.substance);
  k.Number(x.mass_kg_per_unit);
  k.Number(x.recycled_pre_consumer_share);
  k.Number(x.recycled_post_consumer_share);
}

// Feeds rows [from, to) of table `t` of `m` to the digest; product_ids[i - from]
// is the joined PACT ids of product i. Stops early once `cancel` is set.
void DigestTable(RowDigest& k, model::Table t, const model::Model& m, size_t from, size_t to,
                 const std::vector<std::string>& product_ids, const std::atomic<bool>& cancel) {
  for (size_t i = from; i < to; ++i) {
    if ((i & 0xFFFF) == 0 && cancel.load(std::memory_order_relaxed)) return;
    switch (t) {
      case model::Table::kOrganizations:
        OrganizationRow(k, m.organizations[i]);
        break;
      case model::Table::kSites:
        SiteRow(k, m.sites[i]);
        break;
      case model::Table::kProducts:
        ProductRow(k, m.products[i], product_ids[i - from]);
        break;
      case model::Table::kBom:
        BomRow(k, m.bom[i]);
        break;
      case model::Table::kProduction:
        ProductionRow(k, m.production[i]);
        break;
      case model::Table::kSupply:
        SupplyRow(k, m.supply[i]);
        break;
      case model::Table::kDemand:
        DemandRow(k, m.demand[i]);
        break;
      case model::Table::kFootprints:
        FootprintRow(k, m.footprints[i]);
        break;
      case model::Table::kMaterials:
        MaterialRow(k, m.materials[i]);
        break;
    }
  }
}

std::vector<std::string> JoinedProductIds(const model::Model& m, size_t from, size_t to) {
  std::vector<std::string> ids;
  for (size_t i = from; i < to; ++i) ids.push_back(JoinIds(m.products[i].pact_product_ids));
  return ids;
}

// The SHA-256 of the new rows of every table, as the audit log records it.
// Stops early (the result is then meaningless) once `cancel` is set.
std::string DigestRows(const model::Model& m, const model::RowCounts& first,
                       const std::vector<std::string>& product_ids,
                       const std::atomic<bool>& cancel) {
  ContentDigest digest;
  RowDigest k(digest);
  const model::RowCounts now = model::CountRows(m);
  for (const model::TableSchema& t : model::AllTables()) {
    const auto n = static_cast<size_t>(t.table);
    DigestTable(k, t.table, m, first[n], now[n], product_ids, cancel);
  }
  return digest.HexDigest();
}

std::string InsertSql(std::string_view table, int columns, size_t rows) {
  std::string row = "(?";
  for (int c = 1; c < columns; ++c) row += ",?";
  row += ')';
  std::string sql = "INSERT INTO " + std::string(table) + " VALUES ";
  sql.reserve(sql.size() + rows * (row.size() + 1));
  for (size_t r = 0; r < rows; ++r) {
    if (r > 0) sql += ',';
    sql += row;
  }
  return sql;
}

// Inserts rows [from, to) of a table, kRowsPerStatement rows per statement;
// bind_row(binder, i) binds the `columns` values of row i.
template <typename BindRow>
Status InsertRows(sqlite3* db, std::string_view table, int columns, size_t from, size_t to,
                  BindRow bind_row, const std::function<void(size_t)>& tick) {
  if (from >= to) return Status::Ok();
  const size_t per = std::min(kRowsPerStatement, to - from);
  RENKEI_ASSIGN_OR_RETURN(Statement many, Statement::Prepare(db, InsertSql(table, columns, per)));
  size_t i = from;
  for (; i + per <= to; i += per) {
    for (size_t r = 0; r < per; ++r) {
      RowBinder b(many, static_cast<int>(r) * columns + 1);
      bind_row(b, i + r);
    }
    RENKEI_RETURN_IF_ERROR(many.Run());
    tick(per);
  }
  if (i < to) {
    RENKEI_ASSIGN_OR_RETURN(Statement rest,
                            Statement::Prepare(db, InsertSql(table, columns, to - i)));
    for (size_t r = 0; i + r < to; ++r) {
      RowBinder b(rest, static_cast<int>(r) * columns + 1);
      bind_row(b, i + r);
    }
    RENKEI_RETURN_IF_ERROR(rest.Run());
    tick(to - i);
  }
  return Status::Ok();
}

// Inserts rows [from, to) of table `t` of `m`. Organizations, sites and
// products get the row id i + 1 + rowid_offset; product_ids[i - from] is the
// joined PACT ids of product i.
Status WriteTable(sqlite3* db, model::Table t, const model::Model& m, size_t from, size_t to,
                  size_t rowid_offset, const std::vector<std::string>& product_ids,
                  const std::function<void(size_t)>& tick) {
  using model::Table;
  auto row_id = [&](size_t i) { return ToRowId(static_cast<Index>(i + rowid_offset)); };
  switch (t) {
    case Table::kOrganizations:
      return InsertRows(
          db, "organizations", 6, from, to,
          [&](RowBinder& b, size_t i) {
            b.Int(row_id(i));
            OrganizationRow(b, m.organizations[i]);
          },
          tick);
    case Table::kSites:
      return InsertRows(
          db, "sites", 11, from, to,
          [&](RowBinder& b, size_t i) {
            b.Int(row_id(i));
            SiteRow(b, m.sites[i]);
          },
          tick);
    case Table::kProducts:
      return InsertRows(
          db, "products", 8, from, to,
          [&](RowBinder& b, size_t i) {
            b.Int(row_id(i));
            ProductRow(b, m.products[i], product_ids[i - from]);
          },
          tick);
    case Table::kBom:
      return InsertRows(
          db, "bom", 4, from, to, [&](RowBinder& b, size_t i) { BomRow(b, m.bom[i]); }, tick);
    case Table::kProduction:
      return InsertRows(
          db, "production", 9, from, to,
          [&](RowBinder& b, size_t i) { ProductionRow(b, m.production[i]); }, tick);
    case Table::kSupply:
      return InsertRows(
          db, "supply", 6, from, to, [&](RowBinder& b, size_t i) { SupplyRow(b, m.supply[i]); },
          tick);
    case Table::kDemand:
      return InsertRows(
          db, "demand", 5, from, to, [&](RowBinder& b, size_t i) { DemandRow(b, m.demand[i]); },
          tick);
    case Table::kFootprints:
      return InsertRows(
          db, "footprints", 13, from, to,
          [&](RowBinder& b, size_t i) { FootprintRow(b, m.footprints[i]); }, tick);
    case Table::kMaterials:
      return InsertRows(
          db, "materials", 5, from, to,
          [&](RowBinder& b, size_t i) { MaterialRow(b, m.materials[i]); }, tick);
  }
  return InternalError("unknown table");
}

// Writes the new rows of every table.
Status WriteRows(sqlite3* db, const model::Model& m, const model::RowCounts& first,
                 const std::vector<std::string>& product_ids) {
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
    RENKEI_RETURN_IF_ERROR(WriteTable(db, t.table, m, first[n], now[n], 0, product_ids, tick));
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

Status Store::Append(const model::Model& model, const model::RowCounts& first_new,
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

  const std::vector<std::string> product_ids = JoinedProductIds(
      model, first_new[static_cast<size_t>(model::Table::kProducts)], model.products.size());
  Status s = Exec(db_, "BEGIN IMMEDIATE");
  if (!s.ok()) {
    restore_mode();
    return s;
  }
  // The digest is computed on a second thread while SQLite writes.
  std::atomic<bool> cancel{false};
  std::string digest;
  std::thread digester([&] { digest = DigestRows(model, first_new, product_ids, cancel); });
  s = WriteRows(db_, model, first_new, product_ids);
  if (!s.ok()) cancel = true;
  digester.join();
  if (s.ok()) s = AppendAuditEntry(db_, actor, action, digest);
  if (s.ok()) {
    StatusOr<int64_t> recorded = RecordChange(db_, "model");
    s = recorded.status();
    if (s.ok() && change != nullptr) *change = *recorded;
  }
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

// --- Side-file append ----------------------------------------------------------

namespace {

// Rows copied out of the model for the writer: the rows of one table, held in
// that table's vector of `rows`; the first of them is row `first` of the model.
struct Chunk {
  model::Table table;
  size_t first;
  model::Model rows;
};

// Chunks waiting for the writer beyond this make Add wait.
constexpr size_t kMaxQueuedChunks = 64;

template <typename T>
void CopyRows(const std::vector<T>& from, size_t begin, size_t end, std::vector<T>& to) {
  to.assign(from.begin() + static_cast<std::ptrdiff_t>(begin),
            from.begin() + static_cast<std::ptrdiff_t>(end));
}

}  // namespace

struct SideFileAppend::Shared {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Chunk> queue;  // guarded by mutex
  bool finished = false;    // guarded by mutex: no more chunks will come
  std::atomic<bool> cancel{false};
  Status error;        // the writer's first error; read after join
  std::string digest;  // hex; read after join
  std::thread writer;
};

std::unique_ptr<SideFileAppend> Store::BeginSideFileAppend(const model::RowCounts& first_new,
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

SideFileAppend::SideFileAppend(Store& store, const model::RowCounts& first_new, std::string actor,
                               std::string action)
    : store_(store),
      side_path_(store.path_ + ".import"),
      given_(first_new),
      actor_(std::move(actor)),
      action_(std::move(action)),
      shared_(std::make_unique<Shared>()) {}

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
  if (!fs::copy_file(store_.path_, side_path_, ec) || ec) return false;
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
  Shared& sh = *shared_;
  sh.writer = std::thread([&sh, db = side_db_] {
    ContentDigest digest;
    RowDigest k(digest);
    const std::function<void(size_t)> tick = [](size_t) {};
    for (;;) {
      Chunk chunk;
      {
        std::unique_lock<std::mutex> lock(sh.mutex);
        sh.changed.wait(lock, [&] { return !sh.queue.empty() || sh.finished; });
        if (sh.queue.empty()) break;
        chunk = std::move(sh.queue.front());
        sh.queue.pop_front();
      }
      sh.changed.notify_all();
      if (!sh.error.ok() || sh.cancel.load()) continue;  // drain
      const size_t n = model::CountRows(chunk.rows)[static_cast<size_t>(chunk.table)];
      const std::vector<std::string> product_ids = chunk.table == model::Table::kProducts
                                                       ? JoinedProductIds(chunk.rows, 0, n)
                                                       : std::vector<std::string>();
      sh.error = WriteTable(db, chunk.table, chunk.rows, 0, n, chunk.first, product_ids, tick);
      DigestTable(k, chunk.table, chunk.rows, 0, n, product_ids, sh.cancel);
    }
    sh.digest = digest.HexDigest();
  });
  writing_ = true;
  return true;
}

void SideFileAppend::Add(const model::Model& model, model::Table table, size_t rows) {
  size_t& given = given_[static_cast<size_t>(table)];
  if (!writing_ || rows <= given) return;
  Chunk chunk{table, given, model::Model()};
  switch (table) {
    case model::Table::kOrganizations:
      CopyRows(model.organizations, given, rows, chunk.rows.organizations);
      break;
    case model::Table::kSites:
      CopyRows(model.sites, given, rows, chunk.rows.sites);
      break;
    case model::Table::kProducts:
      CopyRows(model.products, given, rows, chunk.rows.products);
      break;
    case model::Table::kBom:
      CopyRows(model.bom, given, rows, chunk.rows.bom);
      break;
    case model::Table::kProduction:
      CopyRows(model.production, given, rows, chunk.rows.production);
      break;
    case model::Table::kSupply:
      CopyRows(model.supply, given, rows, chunk.rows.supply);
      break;
    case model::Table::kDemand:
      CopyRows(model.demand, given, rows, chunk.rows.demand);
      break;
    case model::Table::kFootprints:
      CopyRows(model.footprints, given, rows, chunk.rows.footprints);
      break;
    case model::Table::kMaterials:
      CopyRows(model.materials, given, rows, chunk.rows.materials);
      break;
  }
  given = rows;
  Shared& sh = *shared_;
  {
    std::unique_lock<std::mutex> lock(sh.mutex);
    sh.changed.wait(lock, [&] { return sh.queue.size() < kMaxQueuedChunks; });
    sh.queue.push_back(std::move(chunk));
  }
  sh.changed.notify_all();
}

void SideFileAppend::StopWriter(bool cancel) {
  if (!writing_) return;
  Shared& sh = *shared_;
  if (cancel) sh.cancel = true;
  {
    std::lock_guard<std::mutex> lock(sh.mutex);
    sh.finished = true;
  }
  sh.changed.notify_all();
  sh.writer.join();
  writing_ = false;
}

Status SideFileAppend::Commit(int64_t* change) {
  if (!writing_) return FailedPreconditionError("the append is not open");
  StopWriter(false);
  Shared& sh = *shared_;
  RENKEI_RETURN_IF_ERROR(sh.error);
  RENKEI_RETURN_IF_ERROR(AppendAuditEntry(side_db_, actor_, action_, sh.digest));
  RENKEI_ASSIGN_OR_RETURN(const int64_t recorded, RecordChange(side_db_, "model"));
  if (change != nullptr) *change = recorded;
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
  if (*mode != "delete") return UnavailableError(store_.path_ + ": the store is in use");

  // The commit point: the complete, synced side file takes the store's name
  // while this process still holds the old file's exclusive lock.
  if (std::rename(side_path_.c_str(), store_.path_.c_str()) != 0) {
    return InternalError(side_path_ + ": cannot rename over the store: " + std::strerror(errno));
  }
  side_created_ = false;
  locked_ = false;
  const fs::path folder = fs::path(store_.path_).parent_path();
  (void)SyncFile(folder.empty() ? std::string(".") : folder.string());

  // The store's connection holds the replaced file: open the new one.
  sqlite3_close(store_.db_);
  store_.db_ = nullptr;
  RENKEI_ASSIGN_OR_RETURN(store_.db_, OpenHandle(store_.path_, SQLITE_OPEN_READWRITE));
  RENKEI_RETURN_IF_ERROR(Exec(store_.db_, "PRAGMA journal_mode=WAL"));
  return store_.Migrate();
}

SideFileAppend::~SideFileAppend() {
  StopWriter(true);
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
