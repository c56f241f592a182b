#include "store/store.h"

#include <sodium.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>

#include "base/progress.h"
#include "store/audit.h"
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
    // 2: the node's own tables (server/node_tables.h): API clients with Argon2id secret
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
  RENKEI_ASSIGN_OR_RETURN(sqlite3 * db, OpenHandle(path, SQLITE_OPEN_READWRITE));
  std::unique_ptr<Store> store(new Store(path, db));
  StatusOr<int> app = PragmaInt(db, "application_id");
  if (!app.ok() || *app != kApplicationId) {
    return FailedPreconditionError(path + ": not a Renkei store");
  }
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
            "dqr_ter, dqr_ger, dqr_tir, period_start, period_end, pact_json FROM footprints "
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
}
template <typename Sink>
void MaterialRow(Sink& k, const model::Material& x) {
  k.Ref(x.product);
  k.Text(x.substance);
  k.Number(x.mass_kg_per_unit);
  k.Number(x.recycled_pre_consumer_share);
  k.Number(x.recycled_post_consumer_share);
}

// The SHA-256 of the new rows of every table, as the audit log records it.
// Stops early (the result is then meaningless) once `cancel` is set.
std::string DigestRows(const model::Model& m, const model::RowCounts& first,
                       const std::vector<std::string>& product_ids,
                       const std::atomic<bool>& cancel) {
  ContentDigest digest;
  RowDigest k(digest);
  auto from = [&](model::Table t) { return first[static_cast<size_t>(t)]; };
  auto each = [&](model::Table t, size_t size, auto row) {
    for (size_t i = from(t); i < size; ++i) {
      if ((i & 0xFFFF) == 0 && cancel.load(std::memory_order_relaxed)) return;
      row(i);
    }
  };
  each(model::Table::kOrganizations, m.organizations.size(),
       [&](size_t i) { OrganizationRow(k, m.organizations[i]); });
  each(model::Table::kSites, m.sites.size(), [&](size_t i) { SiteRow(k, m.sites[i]); });
  each(model::Table::kProducts, m.products.size(), [&](size_t i) {
    ProductRow(k, m.products[i], product_ids[i - from(model::Table::kProducts)]);
  });
  each(model::Table::kBom, m.bom.size(), [&](size_t i) { BomRow(k, m.bom[i]); });
  each(model::Table::kProduction, m.production.size(),
       [&](size_t i) { ProductionRow(k, m.production[i]); });
  each(model::Table::kSupply, m.supply.size(), [&](size_t i) { SupplyRow(k, m.supply[i]); });
  each(model::Table::kDemand, m.demand.size(), [&](size_t i) { DemandRow(k, m.demand[i]); });
  each(model::Table::kFootprints, m.footprints.size(),
       [&](size_t i) { FootprintRow(k, m.footprints[i]); });
  each(model::Table::kMaterials, m.materials.size(),
       [&](size_t i) { MaterialRow(k, m.materials[i]); });
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

// Writes the new rows of every table.
Status WriteRows(sqlite3* db, const model::Model& m, const model::RowCounts& first,
                 const std::vector<std::string>& product_ids) {
  auto from = [&](model::Table t) { return first[static_cast<size_t>(t)]; };
  uint64_t total = 0;
  const model::RowCounts now = model::CountRows(m);
  for (size_t t = 0; t < now.size(); ++t) total += now[t] - first[t];
  Progress progress("writing store", total, "rows");
  uint64_t done = 0;
  const std::function<void(size_t)> tick = [&](size_t n) {
    if (((done + n) >> 16) != (done >> 16)) progress.Update(done + n);
    done += n;
  };
  using model::Table;
  RENKEI_RETURN_IF_ERROR(InsertRows(
      db, "organizations", 6, from(Table::kOrganizations), m.organizations.size(),
      [&](RowBinder& b, size_t i) {
        b.Int(ToRowId(static_cast<Index>(i)));
        OrganizationRow(b, m.organizations[i]);
      },
      tick));
  RENKEI_RETURN_IF_ERROR(InsertRows(
      db, "sites", 11, from(Table::kSites), m.sites.size(),
      [&](RowBinder& b, size_t i) {
        b.Int(ToRowId(static_cast<Index>(i)));
        SiteRow(b, m.sites[i]);
      },
      tick));
  RENKEI_RETURN_IF_ERROR(InsertRows(
      db, "products", 8, from(Table::kProducts), m.products.size(),
      [&](RowBinder& b, size_t i) {
        b.Int(ToRowId(static_cast<Index>(i)));
        ProductRow(b, m.products[i], product_ids[i - from(Table::kProducts)]);
      },
      tick));
  RENKEI_RETURN_IF_ERROR(InsertRows(
      db, "bom", 4, from(Table::kBom), m.bom.size(),
      [&](RowBinder& b, size_t i) { BomRow(b, m.bom[i]); }, tick));
  RENKEI_RETURN_IF_ERROR(InsertRows(
      db, "production", 9, from(Table::kProduction), m.production.size(),
      [&](RowBinder& b, size_t i) { ProductionRow(b, m.production[i]); }, tick));
  RENKEI_RETURN_IF_ERROR(InsertRows(
      db, "supply", 6, from(Table::kSupply), m.supply.size(),
      [&](RowBinder& b, size_t i) { SupplyRow(b, m.supply[i]); }, tick));
  RENKEI_RETURN_IF_ERROR(InsertRows(
      db, "demand", 5, from(Table::kDemand), m.demand.size(),
      [&](RowBinder& b, size_t i) { DemandRow(b, m.demand[i]); }, tick));
  RENKEI_RETURN_IF_ERROR(InsertRows(
      db, "footprints", 12, from(Table::kFootprints), m.footprints.size(),
      [&](RowBinder& b, size_t i) { FootprintRow(b, m.footprints[i]); }, tick));
  RENKEI_RETURN_IF_ERROR(InsertRows(
      db, "materials", 5, from(Table::kMaterials), m.materials.size(),
      [&](RowBinder& b, size_t i) { MaterialRow(b, m.materials[i]); }, tick));
  return Status::Ok();
}

StatusOr<std::string> JournalMode(sqlite3* db, const std::string& mode) {
  RENKEI_ASSIGN_OR_RETURN(Statement s, Statement::Prepare(db, "PRAGMA journal_mode=" + mode));
  RENKEI_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Text(0) : std::string();
}

}  // namespace

Status Store::Append(const model::Model& model, const model::RowCounts& first_new,
                     const std::string& actor, const std::string& action) {
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

  std::vector<std::string> product_ids;
  const size_t first_product = first_new[static_cast<size_t>(model::Table::kProducts)];
  for (size_t i = first_product; i < model.products.size(); ++i) {
    product_ids.push_back(JoinIds(model.products[i].pact_product_ids));
  }

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

}  // namespace renkei::store
