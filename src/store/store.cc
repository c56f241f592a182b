#include "store/store.h"

#include <sodium.h>
#include <sqlite3.h>

#include <filesystem>

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

// Writes the new rows of every table; `digest` sees every value written.
Status WriteRows(sqlite3* db, const model::Model& m, const model::RowCounts& first,
                 ContentDigest& digest) {
  auto from = [&](model::Table t) { return first[static_cast<size_t>(t)]; };
  uint64_t total = 0;
  const model::RowCounts now = model::CountRows(m);
  for (size_t t = 0; t < now.size(); ++t) total += now[t] - first[t];
  Progress progress("writing store", total, "rows");
  uint64_t done = 0;
  auto tick = [&] {
    if ((++done & 0xFFFF) == 0) progress.Update(done);
  };
  auto text = [&](Statement& s, int i, std::string_view v) {
    s.BindText(i, v);
    digest.Add(v);
  };
  auto number = [&](Statement& s, int i, const std::optional<double>& v) {
    s.Bind(i, v);
    digest.Add(v ? *v : -0.0);
    digest.Add(static_cast<int64_t>(v.has_value()));
  };
  auto ref = [&](Statement& s, int i, Index v) {
    if (v == kNoIndex) {
      s.BindText(i, "");
    } else {
      s.Bind(i, ToRowId(v));
    }
    digest.Add(static_cast<int64_t>(v));
  };

  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s, Statement::Prepare(db, "INSERT INTO organizations VALUES (?, ?, ?, ?, ?, ?)"));
    for (size_t i = from(model::Table::kOrganizations); i < m.organizations.size(); ++i) {
      const model::Organization& o = m.organizations[i];
      s.Bind(1, ToRowId(static_cast<Index>(i)));
      text(s, 2, o.id);
      text(s, 3, o.name);
      text(s, 4, o.country);
      text(s, 5, o.kind);
      text(s, 6, o.public_key);
      RENKEI_RETURN_IF_ERROR(s.Run());
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s,
        Statement::Prepare(db, "INSERT INTO sites VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (size_t i = from(model::Table::kSites); i < m.sites.size(); ++i) {
      const model::Site& x = m.sites[i];
      s.Bind(1, ToRowId(static_cast<Index>(i)));
      text(s, 2, x.id);
      ref(s, 3, x.organization);
      text(s, 4, x.name);
      text(s, 5, x.country);
      text(s, 6, x.region);
      number(s, 7, x.lat);
      number(s, 8, x.lon);
      text(s, 9, x.cluster);
      number(s, 10, x.capacity_per_day);
      number(s, 11, x.recovery_days);
      RENKEI_RETURN_IF_ERROR(s.Run());
      tick();
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s,
        Statement::Prepare(db, "INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    for (size_t i = from(model::Table::kProducts); i < m.products.size(); ++i) {
      const model::Product& p = m.products[i];
      std::string ids;
      for (const std::string& id : p.pact_product_ids) {
        if (!ids.empty()) ids += ';';
        ids += id;
      }
      s.Bind(1, ToRowId(static_cast<Index>(i)));
      text(s, 2, p.id);
      text(s, 3, p.name);
      text(s, 4, p.category);
      text(s, 5, model::UnitSymbol(p.unit));
      ref(s, 6, p.organization);
      text(s, 7, p.hs_code);
      text(s, 8, ids);
      RENKEI_RETURN_IF_ERROR(s.Run());
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(Statement s,
                            Statement::Prepare(db, "INSERT INTO bom VALUES (?, ?, ?, ?)"));
    for (size_t i = from(model::Table::kBom); i < m.bom.size(); ++i) {
      const model::BomLine& b = m.bom[i];
      ref(s, 1, b.product);
      ref(s, 2, b.component);
      number(s, 3, b.quantity);
      s.Bind(4, static_cast<int64_t>(b.recycling));
      digest.Add(static_cast<int64_t>(b.recycling));
      RENKEI_RETURN_IF_ERROR(s.Run());
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s,
        Statement::Prepare(db, "INSERT INTO production VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (size_t i = from(model::Table::kProduction); i < m.production.size(); ++i) {
      const model::Production& p = m.production[i];
      ref(s, 1, p.site);
      ref(s, 2, p.product);
      number(s, 3, p.capacity_per_day);
      number(s, 4, p.inventory_units);
      number(s, 5, p.emissions_kgco2e_per_unit);
      number(s, 6, p.dqr.ter);
      number(s, 7, p.dqr.ger);
      number(s, 8, p.dqr.tir);
      number(s, 9, p.recovery_days);
      RENKEI_RETURN_IF_ERROR(s.Run());
      tick();
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(Statement s,
                            Statement::Prepare(db, "INSERT INTO supply VALUES (?, ?, ?, ?, ?, ?)"));
    for (size_t i = from(model::Table::kSupply); i < m.supply.size(); ++i) {
      const model::SupplyLink& x = m.supply[i];
      ref(s, 1, x.supplier_site);
      ref(s, 2, x.customer_site);
      ref(s, 3, x.product);
      number(s, 4, x.share);
      number(s, 5, x.capacity_per_day);
      number(s, 6, x.lead_time_days);
      RENKEI_RETURN_IF_ERROR(s.Run());
      tick();
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(Statement s,
                            Statement::Prepare(db, "INSERT INTO demand VALUES (?, ?, ?, ?, ?)"));
    for (size_t i = from(model::Table::kDemand); i < m.demand.size(); ++i) {
      const model::Demand& d = m.demand[i];
      ref(s, 1, d.site);
      ref(s, 2, d.product);
      number(s, 3, d.demand_per_day);
      number(s, 4, d.inventory_units);
      number(s, 5, d.margin_per_unit);
      RENKEI_RETURN_IF_ERROR(s.Run());
      tick();
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(
        Statement s, Statement::Prepare(
                         db, "INSERT INTO footprints VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (size_t i = from(model::Table::kFootprints); i < m.footprints.size(); ++i) {
      const model::Footprint& f = m.footprints[i];
      ref(s, 1, f.product);
      ref(s, 2, f.site);
      number(s, 3, f.pcf_kgco2e_per_unit);
      number(s, 4, f.fossil);
      number(s, 5, f.biogenic);
      number(s, 6, f.primary_data_share);
      number(s, 7, f.dqr.ter);
      number(s, 8, f.dqr.ger);
      number(s, 9, f.dqr.tir);
      text(s, 10, f.period_start);
      text(s, 11, f.period_end);
      text(s, 12, f.pact_json);
      RENKEI_RETURN_IF_ERROR(s.Run());
    }
  }
  {
    RENKEI_ASSIGN_OR_RETURN(Statement s,
                            Statement::Prepare(db, "INSERT INTO materials VALUES (?, ?, ?, ?, ?)"));
    for (size_t i = from(model::Table::kMaterials); i < m.materials.size(); ++i) {
      const model::Material& x = m.materials[i];
      ref(s, 1, x.product);
      text(s, 2, x.substance);
      number(s, 3, x.mass_kg_per_unit);
      number(s, 4, x.recycled_pre_consumer_share);
      number(s, 5, x.recycled_post_consumer_share);
      RENKEI_RETURN_IF_ERROR(s.Run());
    }
  }
  return Status::Ok();
}

}  // namespace

Status Store::Append(const model::Model& model, const model::RowCounts& first_new,
                     const std::string& actor, const std::string& action) {
  RENKEI_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  ContentDigest digest;
  Status s = WriteRows(db_, model, first_new, digest);
  if (s.ok()) s = AppendAuditEntry(db_, actor, action, digest.HexDigest());
  if (s.ok()) s = Exec(db_, "COMMIT");
  if (!s.ok()) {
    (void)Exec(db_, "ROLLBACK");
    return s;
  }
  // Fold the write-ahead log into the main file so it does not stay large.
  (void)Exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
  return Status::Ok();
}

}  // namespace renkei::store
