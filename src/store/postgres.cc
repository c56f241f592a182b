#include "store/postgres.h"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "base/numbers.h"
#include "base/progress.h"
#include "model/fields.h"
#include "model/row_text.h"
#include "store/audit.h"
#include "store/changes.h"
#include "store/internal/records.h"
#include "store/internal/row_stream.h"
#include "store/internal/tables.h"
#include "store/store.h"

namespace renkei::store {
namespace {

using internal::EntityId;
using internal::EntityTableOf;
using internal::FieldColumns;
using internal::IsEntity;
using internal::IsReference;
using internal::NumberOf;
using model::Index;
using model::kNoIndex;

// The advisory lock every writer takes first (pg_advisory_xact_lock): "RENK".
constexpr int64_t kWriterLock = 0x52454E4B;

// A bundle expected to hold fewer rows is read and checked whole before it is
// copied in (Store::Append): streaming it would save little.
constexpr uint64_t kStreamedRows = 20000;

std::string Redacted(const std::string& url) { return Printable(url); }

// One result, cleared when it goes.
class Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  Result(Result&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
  Result& operator=(Result&&) = delete;
  ~Result() { PQclear(r_); }
  PGresult* raw() const { return r_; }
  int rows() const { return PQntuples(r_); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::string Text(int row, int col) const {
    return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
  }
  int64_t Int(int row, int col) const { return std::stoll(Text(row, col)); }
  // The rows an INSERT, UPDATE or DELETE touched.
  int64_t Affected() const {
    const char* n = PQcmdTuples(r_);
    return n == nullptr || *n == '\0' ? 0 : std::stoll(n);
  }

 private:
  PGresult* r_;
};

// A connection with Status-returning calls.
class Connection {
 public:
  static StatusOr<std::unique_ptr<Connection>> Open(const std::string& url) {
    PGconn* c = PQconnectdb(url.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      std::string message = PQerrorMessage(c);
      while (!message.empty() && message.back() == '\n') message.pop_back();
      PQfinish(c);
      return UnavailableError(Redacted(url) + ": cannot connect: " + message);
    }
    return std::unique_ptr<Connection>(new Connection(c));
  }
  ~Connection() { PQfinish(c_); }

  Status Error(std::string_view what) const {
    std::string message = PQerrorMessage(c_);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return InternalError(std::string(what) + ": " + message);
  }

  // Runs `sql` with text parameters (nullopt: NULL); the result of a query.
  StatusOr<Result> Exec(const std::string& sql,
                        const std::vector<std::optional<std::string>>& params = {}) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    Result r(PQexecParams(c_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                          nullptr, nullptr, 0));
    const ExecStatusType status = PQresultStatus(r.raw());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Error(FirstLine(sql));
    return r;
  }

  // Runs several statements without parameters or results.
  Status Script(const std::string& sql) {
    Result r(PQexec(c_, sql.c_str()));
    if (PQresultStatus(r.raw()) != PGRES_COMMAND_OK) return Error(FirstLine(sql));
    return Status::Ok();
  }

  // Runs `sql` (COPY ... FROM STDIN) and sends `rows`, COPY text format, in
  // pieces produced by `next` (false: no more).
  Status CopyIn(const std::string& sql, const std::function<bool(std::string&)>& next) {
    Result start(PQexec(c_, sql.c_str()));
    if (PQresultStatus(start.raw()) != PGRES_COPY_IN) return Error(FirstLine(sql));
    std::string buffer;
    Status failed;
    while (next(buffer)) {
      if (buffer.empty()) continue;
      if (PQputCopyData(c_, buffer.data(), static_cast<int>(buffer.size())) != 1) {
        failed = Error("COPY");
        break;
      }
      buffer.clear();
    }
    if (PQputCopyEnd(c_, failed.ok() ? nullptr : "renkei stopped the copy") != 1) {
      return Error("COPY");
    }
    Result end(PQgetResult(c_));
    Status s = PQresultStatus(end.raw()) == PGRES_COMMAND_OK ? Status::Ok() : Error(FirstLine(sql));
    while (PGresult* more = PQgetResult(c_)) PQclear(more);
    return failed.ok() ? s : failed;
  }

  // Runs `sql` (COPY ... TO STDOUT) and hands each line, without its newline,
  // to `line`, which may stop the copy with an error.
  Status CopyOut(const std::string& sql, const std::function<Status(std::string_view)>& line) {
    Result start(PQexec(c_, sql.c_str()));
    if (PQresultStatus(start.raw()) != PGRES_COPY_OUT) return Error(FirstLine(sql));
    Status s;
    for (;;) {
      char* data = nullptr;
      const int n = PQgetCopyData(c_, &data, 0);
      if (n == -1) break;
      if (n < 0) {
        s = Error("COPY");
        break;
      }
      if (s.ok()) {
        std::string_view text(data, static_cast<size_t>(n));
        if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
        s = line(text);
      }
      PQfreemem(data);
    }
    Result end(PQgetResult(c_));
    if (s.ok() && PQresultStatus(end.raw()) != PGRES_COMMAND_OK) s = Error(FirstLine(sql));
    while (PGresult* more = PQgetResult(c_)) PQclear(more);
    return s;
  }

  // Reads what the server sent; true when a notification (LISTEN) arrived
  // since the last call. Unavailable when the connection is lost.
  StatusOr<bool> Notified() {
    if (PQconsumeInput(c_) != 1 || PQstatus(c_) != CONNECTION_OK) {
      std::string message = PQerrorMessage(c_);
      while (!message.empty() && message.back() == '\n') message.pop_back();
      return UnavailableError("connection lost: " + message);
    }
    bool any = false;
    while (PGnotify* n = PQnotifies(c_)) {
      any = true;
      PQfreemem(n);
    }
    return any;
  }

 private:
  explicit Connection(PGconn* c) : c_(c) {}
  static std::string FirstLine(const std::string& sql) { return sql.substr(0, sql.find('\n')); }
  PGconn* c_;
};

// The tables of schema 1 (the nine of SQLite's schema 5): later tables come
// with the migration that adds them, so the first ones stay as they shipped.
std::span<const model::TableSchema> FirstSchemaTables() {
  return model::AllTables().first(static_cast<size_t>(model::Table::kMaterials) + 1);
}

// The type of a column in PostgreSQL.
std::string_view SqlType(const model::Column& c) {
  switch (c.kind) {
    case model::ColumnKind::kNumber:
      return "double precision";
    case model::ColumnKind::kBool:
      return "integer";
    case model::ColumnKind::kOrganizationRef:
    case model::ColumnKind::kSiteRef:
    case model::ColumnKind::kProductRef:
      return "bigint";
    default:
      return "text";
  }
}

// The tables, made from the schema description (model/schema.h), with the
// SQLite store's keys. The keys repeat the text of SQLite's migration 5 on
// purpose: a migration is frozen once shipped, and this is the PostgreSQL
// store's own first schema.
std::string Ddl() {
  std::string sql = "CREATE TABLE renkei_store(schema integer NOT NULL);\n";
  for (const model::TableSchema& t : FirstSchemaTables()) {
    const bool entity = IsEntity(t.table);
    sql += "CREATE TABLE " + std::string(t.name) + "(\n  ";
    sql += entity ? "id bigint NOT NULL" : "row_no bigint GENERATED ALWAYS AS IDENTITY";
    for (auto columns : {t.columns, t.stored}) {
      for (const model::Column& c : columns) {
        sql += ", " + std::string(internal::StoredName(c)) + " " + std::string(SqlType(c));
        if (c.required) sql += " NOT NULL";
      }
    }
    sql += ",\n  valid_from bigint NOT NULL, valid_to bigint);\n";
  }
  sql += R"sql(
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
CREATE TABLE audit_log(
  seq bigint PRIMARY KEY, time text NOT NULL, actor text NOT NULL, action text NOT NULL,
  digest text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL);
CREATE TABLE changes(
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text NOT NULL,
  time text NOT NULL DEFAULT to_char(clock_timestamp() AT TIME ZONE 'UTC',
                                     'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
CREATE TABLE settings(name text PRIMARY KEY, value text NOT NULL);
)sql";
  return sql;
}

// Schema 2: the node's own tables (store/node_records.h), as in SQLite's
// migrations 2 to 4, and the triggers that record their changes (and the
// settings') in the feed: they take the writers' lock before numbering the
// change, as every writer does, so a change made with psql is numbered in
// commit order too, and notify the channel at commit. Changes are numbered
// without gaps, the next number under that lock (an identity column would skip
// the number of every import rolled back), and once per kind per transaction
// (an upsert fires both the INSERT and the UPDATE statement triggers).
std::string NodeTablesDdl() {
  return R"sql(
CREATE TABLE clients(
  id text PRIMARY KEY, name text NOT NULL, organization text NOT NULL,
  secret_hash text NOT NULL, admin integer NOT NULL, created text NOT NULL,
  revoked text);
CREATE TABLE grants(
  organization text NOT NULL, product text NOT NULL, created text NOT NULL,
  PRIMARY KEY(organization, product));
CREATE TABLE organization_keys(
  organization text PRIMARY KEY, public_key text NOT NULL, seed text NOT NULL,
  created text NOT NULL);
CREATE TABLE partners(
  organization text PRIMARY KEY, url text NOT NULL, client_id text NOT NULL,
  client_secret text NOT NULL, ca_file text);
CREATE TABLE events(
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id text NOT NULL,
  direction text NOT NULL, type text NOT NULL, organization text NOT NULL,
  time text NOT NULL, state text NOT NULL, body text NOT NULL);
ALTER TABLE changes ALTER COLUMN seq DROP IDENTITY;
CREATE FUNCTION renkei_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  PERFORM pg_advisory_xact_lock()sql" +
         std::to_string(kWriterLock) + R"sql();
  IF coalesce(current_setting('renkei.changed_' || TG_ARGV[0], true), '') = '' THEN
    PERFORM set_config('renkei.changed_' || TG_ARGV[0], 'yes', true);
    INSERT INTO changes(seq, kind) SELECT coalesce(max(seq), 0) + 1, TG_ARGV[0] FROM changes
      RETURNING seq INTO n;
    PERFORM pg_notify('renkei_changes', n::text);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER clients_changed AFTER INSERT OR UPDATE OR DELETE ON clients
  FOR EACH STATEMENT EXECUTE FUNCTION renkei_record_change('clients');
CREATE TRIGGER grants_changed AFTER INSERT OR UPDATE OR DELETE ON grants
  FOR EACH STATEMENT EXECUTE FUNCTION renkei_record_change('grants');
CREATE TRIGGER keys_changed AFTER INSERT OR UPDATE OR DELETE ON organization_keys
  FOR EACH STATEMENT EXECUTE FUNCTION renkei_record_change('keys');
CREATE TRIGGER partners_changed AFTER INSERT OR UPDATE OR DELETE ON partners
  FOR EACH STATEMENT EXECUTE FUNCTION renkei_record_change('partners');
CREATE TRIGGER settings_changed AFTER INSERT OR UPDATE OR DELETE ON settings
  FOR EACH STATEMENT EXECUTE FUNCTION renkei_record_change('settings');
)sql";
}

// Schema 3: a link table's row_no is written by the store, as an entity's id is
// (the row's place in its table + 1), not drawn from an identity: COPY then
// spends no sequence call per row, and LoadModel can put the rows in order
// itself. Numbers drawn before are made dense, in their order.
std::string RowNumbersDdl() {
  std::string sql;
  for (const model::TableSchema& t : FirstSchemaTables()) {
    if (IsEntity(t.table)) continue;
    const std::string name(t.name);
    sql += "ALTER TABLE " + name + " ALTER COLUMN row_no DROP IDENTITY;\n";
    sql += "UPDATE " + name + " SET row_no = n.k FROM (SELECT row_no AS old, row_number() " +
           "OVER (ORDER BY row_no) AS k FROM " + name + ") n WHERE " + name +
           ".row_no = n.old AND n.old <> n.k;\n";
  }
  return sql;
}

// Schema 4: battery passport data, as SQLite's migration 6.
std::string PassportTablesDdl() {
  return R"sql(
CREATE TABLE passports(
  row_no bigint NOT NULL, product bigint NOT NULL, performance_class text,
  carbon_footprint_study text, lifetime_energy_kwh double precision,
  distribution_kgco2e_per_unit double precision, end_of_life_kgco2e_per_unit double precision,
  renewable_content_share double precision, safety_instructions text,
  extinguishing_agents text, waste_prevention text, separate_collection text,
  information_on_collection text, valid_from bigint NOT NULL, valid_to bigint);
CREATE TABLE footprint_classes(
  row_no bigint NOT NULL, category text NOT NULL, class text NOT NULL,
  max_kgco2e_per_kwh double precision, valid_from bigint NOT NULL, valid_to bigint);
CREATE TABLE passport_documents(
  row_no bigint NOT NULL, product bigint NOT NULL, document_type text NOT NULL,
  mime_type text NOT NULL, url text NOT NULL, valid_from bigint NOT NULL, valid_to bigint);
CREATE TABLE spare_parts(
  row_no bigint NOT NULL, product bigint NOT NULL, supplier text NOT NULL,
  street_address text NOT NULL, postal_code text NOT NULL, country text NOT NULL,
  email text NOT NULL, web_address text NOT NULL, part_name text NOT NULL,
  part_number text NOT NULL, valid_from bigint NOT NULL, valid_to bigint);
CREATE UNIQUE INDEX passports_key ON passports(product) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX footprint_classes_key ON footprint_classes(category, class)
  WHERE valid_to IS NULL;
CREATE UNIQUE INDEX passport_documents_key ON passport_documents(product, url)
  WHERE valid_to IS NULL;
CREATE UNIQUE INDEX spare_parts_key ON spare_parts(product, supplier, part_number)
  WHERE valid_to IS NULL;
)sql";
}

// Schema 5: versions, as SQLite's migration 7: a model change records who made
// it and what it did, the numbers of removed organizations, sites and products
// (never reused) are found without a scan, and the oldest version whose rows
// are all kept (retention) is recorded.
std::string VersionsDdl() {
  return R"sql(
ALTER TABLE changes ADD COLUMN actor text;
ALTER TABLE changes ADD COLUMN action text;
CREATE INDEX organizations_closed ON organizations(id) WHERE valid_to IS NOT NULL;
CREATE INDEX sites_closed ON sites(id) WHERE valid_to IS NOT NULL;
CREATE INDEX products_closed ON products(id) WHERE valid_to IS NOT NULL;
CREATE TABLE history_kept(oldest bigint NOT NULL);
INSERT INTO history_kept VALUES(0);
)sql";
}

// Schema n (1-based) upgrades a database from schema n-1. Never change one that
// has shipped; add a new one. (Its own numbering: the PostgreSQL store starts
// at the table design of SQLite schema 5.)
const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> migrations = {Ddl(), NodeTablesDdl(), RowNumbersDdl(),
                                                      PassportTablesDdl(), VersionsDdl()};
  return migrations;
}

// The schema this build writes.
int PostgresSchema() { return static_cast<int>(Migrations().size()); }

// `sql` with its parameters written `?` numbered as PostgreSQL writes them
// ($1, $2, ...); the statements given have no `?` in literals.
std::string NumberParameters(const std::string& sql) {
  std::string out;
  int n = 0;
  for (char c : sql) {
    if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

// Writes the fields of model/fields.h as COPY binary-format values, in the
// column types of Ddl(): numbers as float8 and references, ids and versions as
// int8 (network byte order), flags as int4, the rest as UTF-8 text. Nothing is
// printed or parsed on either side; a double goes over bit for bit.
class CopyWriter {
 public:
  // With `numbers` (and the rows' `schema`), references are written as the
  // numbers given for the model's entities (StoredModel::numbers) rather than
  // index + 1.
  explicit CopyWriter(std::string& out, const model::TableSchema* schema = nullptr,
                      const std::array<std::vector<int64_t>, 3>* numbers = nullptr)
      : out_(out), schema_(schema), numbers_(numbers) {}

  // What a binary COPY starts and ends with.
  static void Header(std::string& out) {
    out.append("PGCOPY\n\377\r\n\0", 11);
    out.append(8, '\0');  // flags, header extension length
  }
  static void Trailer(std::string& out) { out.append("\xff\xff", 2); }

  void Int(int64_t v) { Field(8, static_cast<uint64_t>(v)); }
  void Null() {
    Start();
    Append(4, 0xFFFFFFFFu);  // length -1
  }
  void Value(const std::string& v) {
    ++column_;
    if (v.empty()) return Null();  // as the SQLite store: empty text is NULL
    Text(v);
  }
  void Value(double v) {
    ++column_;
    Field(8, std::bit_cast<uint64_t>(v));
  }
  void Value(const std::optional<double>& v) {
    ++column_;
    v ? Field(8, std::bit_cast<uint64_t>(*v)) : Null();
  }
  void Value(bool v) {
    ++column_;
    Field(4, v ? 1 : 0);
  }
  void Value(model::Unit v) {
    ++column_;
    Text(model::UnitSymbol(v));
  }
  void Value(Index v) {
    const size_t column = column_++;
    if (v == kNoIndex) return Null();
    if (numbers_ == nullptr) return Int(EntityId(v));
    Int((*numbers_)[EntityTableOf(schema_->columns[column].kind)][v]);
  }
  void Value(const std::vector<std::string>& v) {
    ++column_;
    if (v.empty()) return Null();
    Text(internal::JoinIds(v));
  }
  // A text value as it is (empty text too).
  void Text(std::string_view v) {
    Start();
    Append(4, v.size());
    out_.append(v);
  }
  // Ends the row: its field count goes in front of it.
  void End() {
    out_[row_start_] = static_cast<char>(fields_ >> 8);
    out_[row_start_ + 1] = static_cast<char>(fields_ & 0xFF);
    fields_ = 0;
    column_ = 0;
  }

 private:
  void Start() {
    if (fields_++ == 0) {
      row_start_ = out_.size();
      out_.append(2, '\0');
    }
  }
  // `bytes` low bytes of `v`, most significant first, in one append.
  void Append(int bytes, uint64_t v) {
    char big_endian[8];
    for (int i = 0; i < bytes; ++i) {
      big_endian[i] = static_cast<char>((v >> (8 * (bytes - 1 - i))) & 0xFF);
    }
    out_.append(big_endian, static_cast<size_t>(bytes));
  }
  void Field(int bytes, uint64_t v) {
    Start();
    Append(4, static_cast<uint64_t>(bytes));
    Append(bytes, v);
  }
  std::string& out_;
  const model::TableSchema* schema_;
  const std::array<std::vector<int64_t>, 3>* numbers_;
  size_t row_start_ = 0;
  int fields_ = 0;
  size_t column_ = 0;  // of the row's fields
};

// Entity numbers to model indices while a model is read: number -> index of
// organizations, sites and products; empty while numbers are index + 1.
using IndexOfNumber = std::array<std::vector<Index>, 3>;

// Reads COPY text-format values into the fields of model/fields.h.
class CopyReader {
 public:
  // References are read through `index_of` (with the rows' `schema`) when
  // given.
  explicit CopyReader(std::string_view line, const model::TableSchema* schema = nullptr,
                      const IndexOfNumber* index_of = nullptr)
      : rest_(line), schema_(schema), index_of_(index_of) {}

  // The next value, unescaped; nullopt for NULL.
  std::optional<std::string> Next() {
    const size_t tab = rest_.find('\t');
    std::string_view raw = rest_.substr(0, tab);
    rest_ = tab == std::string_view::npos ? std::string_view() : rest_.substr(tab + 1);
    if (raw == "\\N") return std::nullopt;
    std::string out;
    out.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '\\' || i + 1 == raw.size()) {
        out += raw[i];
        continue;
      }
      const char e = raw[++i];
      out += e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
    }
    return out;
  }

  Status Read(std::string& v) {
    ++column_;
    v = Next().value_or("");
    return Status::Ok();
  }
  Status Read(double& v) {
    std::optional<double> n;
    RENKEI_RETURN_IF_ERROR(Read(n));
    v = n.value_or(0);
    return Status::Ok();
  }
  Status Read(std::optional<double>& v) {
    ++column_;
    const std::optional<std::string> t = Next();
    v.reset();
    if (!t) return Status::Ok();
    v = ParseNumber(*t);
    if (!v) return DataLossError("not a number: '" + *t + "'");
    return Status::Ok();
  }
  Status Read(bool& v) {
    ++column_;
    v = Next().value_or("0") != "0";
    return Status::Ok();
  }
  Status Read(Index& v) {
    const size_t column = column_++;
    const std::optional<std::string> t = Next();
    if (!t) {
      v = kNoIndex;
      return Status::Ok();
    }
    const int64_t number = std::stoll(*t);
    const model::Column* c = schema_ == nullptr ? nullptr : &schema_->columns[column];
    const std::vector<Index>* index_of =
        c == nullptr || index_of_ == nullptr ? nullptr : &(*index_of_)[EntityTableOf(c->kind)];
    if (index_of == nullptr || index_of->empty()) {
      v = static_cast<Index>(number - 1);
      return Status::Ok();
    }
    v = number > 0 && static_cast<size_t>(number) < index_of->size()
            ? (*index_of)[static_cast<size_t>(number)]
            : kNoIndex;
    if (v == kNoIndex) {
      return DataLossError(std::string(c->name) + ": refers to " + std::to_string(number) +
                           ", which is not in this version");
    }
    return Status::Ok();
  }
  Status Read(model::Unit& v) {
    ++column_;
    const std::string symbol = Next().value_or("");
    std::optional<model::Unit> unit = model::ParseUnit(symbol);
    if (!unit) return DataLossError("unknown unit '" + symbol + "'");
    v = *unit;
    return Status::Ok();
  }
  Status Read(std::vector<std::string>& v) {
    ++column_;
    v = internal::SplitIds(Next().value_or(""));
    return Status::Ok();
  }

 private:
  std::string_view rest_;
  const model::TableSchema* schema_;
  const IndexOfNumber* index_of_;
  size_t column_ = 0;  // of the row's fields
};

// Sorts `rows` by `numbers` (one per row, distinct), and `numbers` with them;
// nothing to do when they are in order already, as a table only appended to is
// read.
template <typename Row>
void InNumberOrder(std::vector<int64_t>& numbers, std::vector<Row>& rows) {
  if (std::is_sorted(numbers.begin(), numbers.end())) return;
  std::vector<size_t> order(numbers.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return numbers[a] < numbers[b]; });
  std::vector<Row> sorted;
  sorted.reserve(rows.size());
  std::vector<int64_t> sorted_numbers;
  sorted_numbers.reserve(numbers.size());
  for (size_t i : order) {
    sorted.push_back(std::move(rows[i]));
    sorted_numbers.push_back(numbers[i]);
  }
  rows = std::move(sorted);
  numbers = std::move(sorted_numbers);
}

class PostgresStore final : public Store, public internal::Records {
 public:
  PostgresStore(std::string url, std::unique_ptr<Connection> db)
      : Store(std::move(url)), db_(std::move(db)) {}

  // The database's schema: 0 when it holds no store.
  StatusOr<int> Schema() {
    RENKEI_ASSIGN_OR_RETURN(Result r, db_->Exec("SELECT to_regclass('renkei_store') IS NOT NULL"));
    if (r.Text(0, 0) != "t") return 0;
    RENKEI_ASSIGN_OR_RETURN(Result v, db_->Exec("SELECT max(schema) FROM renkei_store"));
    return v.IsNull(0, 0) ? 0 : static_cast<int>(v.Int(0, 0));
  }

  // Creates the tables (`create`), or upgrades the store's schema to this
  // build's, in one transaction under the writers' lock.
  Status Migrate(bool create) {
    RENKEI_RETURN_IF_ERROR(db_->Exec("BEGIN").status());
    Status s = Lock();
    int schema = 0;
    if (s.ok()) {
      StatusOr<int> found = Schema();
      s = found.status();
      if (s.ok()) schema = *found;
      if (s.ok() && create && schema != 0) {
        s = AlreadyExistsError(Redacted(path()) + ": the database already holds a store");
      }
      if (s.ok() && !create && schema == 0) {
        s = NotFoundError(Redacted(path()) + ": no store in this database (create one with " +
                          "'renkei init " + Redacted(path()) + "')");
      }
      if (s.ok() && schema > PostgresSchema()) {
        s = FailedPreconditionError(Redacted(path()) + ": the store has schema version " +
                                    std::to_string(schema) + ", newer than this renkei (" +
                                    std::to_string(PostgresSchema()) + "); upgrade renkei");
      }
    }
    for (int next = schema + 1; s.ok() && next <= PostgresSchema(); ++next) {
      s = db_->Script(Migrations()[static_cast<size_t>(next - 1)]);
      if (s.ok()) {
        s = db_->Exec("INSERT INTO renkei_store VALUES (" + std::to_string(next) + ")").status();
      }
    }
    if (s.ok()) s = db_->Exec("COMMIT").status();
    if (!s.ok()) (void)db_->Exec("ROLLBACK");
    return s;
  }

  StatusOr<StoredModel> ReadModel(std::optional<int64_t> version) const override {
    StoredModel stored;
    // One snapshot for every table, so they are consistent with each other.
    RENKEI_RETURN_IF_ERROR(db_->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").status());
    Status s = ReadTables(version, stored);
    (void)db_->Exec(s.ok() ? "COMMIT" : "ROLLBACK");
    if (!s.ok()) {
      if (s.code() == StatusCode::kInvalidArgument) return s;  // a version not to be had
      return s.WithPrefix(Redacted(path()));
    }
    stored.model.IndexIds();
    return stored;
  }

  Status Commit(const StoredModel& before, const model::Edit& edit, const std::string& actor,
                const std::string& action, int64_t* change) override {
    RENKEI_RETURN_IF_ERROR(internal::CheckEditBase(before, Redacted(path())));
    const std::string digest = internal::DigestEdit(before.model, edit);
    int64_t version = 0;
    RENKEI_RETURN_IF_ERROR(db_->Exec("BEGIN").status());
    Status s = [&]() -> Status {
      RENKEI_RETURN_IF_ERROR(Lock());
      RENKEI_ASSIGN_OR_RETURN(const int64_t last, LastChange());
      if (last != before.version) {
        return UnavailableError(
            Redacted(path()) + ": the store changed (change " + std::to_string(last) +
            ") after this change was worked out on change " + std::to_string(before.version) +
            "; nothing was written: try again");
      }
      RENKEI_ASSIGN_OR_RETURN(version, Begin("model", actor, action));
      const std::array<std::vector<int64_t>, 3> numbers = internal::EntityNumbers(before, edit);
      // Rows that stop being current, those that refer to others first.
      for (size_t n = model::kTableCount; n-- > 0;) {
        if (edit.tables[n].closed.empty()) continue;
        RENKEI_RETURN_IF_ERROR(
            CloseRows(before, model::AllTables()[n], edit.tables[n].closed, version));
      }
      // New rows and new versions of changed ones, after every row written
      // before them.
      for (const model::TableSchema& t : model::AllTables()) {
        const auto n = static_cast<size_t>(t.table);
        const std::vector<size_t>& written = edit.tables[n].written;
        if (written.empty()) continue;
        int64_t last_row = 0;
        if (!IsEntity(t.table)) {
          RENKEI_ASSIGN_OR_RETURN(last_row, LastRowNumber(t));
        }
        RENKEI_RETURN_IF_ERROR(CopyRowsAt(
            edit.after, t, written.size(), [&](size_t k) { return written[k]; },
            [&](size_t k) {
              return IsEntity(t.table) ? numbers[n][written[k]]
                                       : last_row + 1 + static_cast<int64_t>(k);
            },
            version, &numbers, [](size_t) {}));
      }
      RENKEI_RETURN_IF_ERROR(Compact());
      return Finish(version, actor, action, digest);
    }();
    if (!s.ok()) {
      (void)db_->Exec("ROLLBACK");
      return s;
    }
    if (change != nullptr) *change = version;
    return Status::Ok();
  }

  Status ApplyRetention() override {
    RENKEI_RETURN_IF_ERROR(db_->Exec("BEGIN").status());
    Status s = Lock();
    if (s.ok()) s = Compact();
    if (s.ok()) s = db_->Exec("COMMIT").status();
    if (!s.ok()) (void)db_->Exec("ROLLBACK");
    return s;
  }

  StatusOr<std::vector<Version>> Versions() const override {
    RENKEI_ASSIGN_OR_RETURN(Result r,
                            db_->Exec("SELECT seq, time, coalesce(actor, ''), coalesce(action, '') "
                                      "FROM changes WHERE kind = 'model' ORDER BY seq"));
    std::vector<Version> out;
    for (int i = 0; i < r.rows(); ++i) {
      out.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3)});
    }
    return out;
  }

  StatusOr<std::vector<RowVersion>> RowHistory(model::Table table,
                                               const std::string& key) const override {
    const model::TableSchema& t = model::Schema(table);
    RENKEI_RETURN_IF_ERROR(model::ParseDeletion(t.name, key).status());
    const internal::RowHistoryQuery q = internal::RowHistorySql(
        t, model::KeyParts(key), [](size_t n) { return "$" + std::to_string(n); });
    const std::vector<std::optional<std::string>> params(q.params.begin(), q.params.end());
    RENKEI_ASSIGN_OR_RETURN(Result r, db_->Exec(q.sql + " ORDER BY x.valid_from" +
                                                    (IsEntity(table) ? "" : ", x.row_no"),
                                                params));
    std::vector<RowVersion> out;
    for (int i = 0; i < r.rows(); ++i) {
      RowVersion& v = out.emplace_back();
      v.from = r.Int(i, 0);
      v.to = r.Int(i, 1);
      for (size_t c = 0; c < t.columns.size(); ++c) {
        const int col = static_cast<int>(c) + 2;
        std::string text;
        if (r.IsNull(i, col)) {
          // empty
        } else if (t.columns[c].kind == model::ColumnKind::kNumber) {
          const std::optional<double> number = ParseNumber(r.Text(i, col));
          if (!number) {
            return DataLossError(Redacted(path()) + ": " + std::string(t.name) +
                                 ": not a number: '" + r.Text(i, col) + "'");
          }
          AppendNumber(text, *number);
        } else if (t.columns[c].kind == model::ColumnKind::kBool) {
          if (r.Text(i, col) != "0") text = "true";
        } else {
          text = r.Text(i, col);
        }
        v.cells.push_back(std::move(text));
      }
    }
    return out;
  }

  Status Append(const model::Model& model, const model::RowCounts& first_new,
                const std::string& actor, const std::string& action, int64_t* change) override {
    const model::RowCounts now = model::CountRows(model);
    uint64_t total = 0;
    for (size_t t = 0; t < now.size(); ++t) total += now[t] - first_new[t];
    RENKEI_RETURN_IF_ERROR(db_->Exec("BEGIN").status());
    std::atomic<bool> cancel{false};
    std::string digest;
    std::thread digester([&] { digest = internal::DigestRows(model, first_new, cancel); });
    int64_t recorded = 0;
    Status s = [&]() -> Status {
      RENKEI_ASSIGN_OR_RETURN(recorded, Begin("model", actor, action));
      Progress progress("writing store", total, "rows");
      uint64_t done = 0;
      for (const model::TableSchema& t : model::AllTables()) {
        const auto n = static_cast<size_t>(t.table);
        if (first_new[n] >= now[n]) continue;
        // Entities are numbered densely (StoredModel::Dense); other rows go
        // after every row written before, of any version.
        int64_t first_number = static_cast<int64_t>(first_new[n]);
        if (!IsEntity(t.table)) {
          RENKEI_ASSIGN_OR_RETURN(first_number, LastRowNumber(t));
        }
        RENKEI_RETURN_IF_ERROR(CopyRows(model, t, first_new[n], now[n],
                                        static_cast<size_t>(first_number), recorded, [&](size_t k) {
                                          done += k;
                                          progress.Update(done);
                                        }));
      }
      return Status::Ok();
    }();
    if (!s.ok()) cancel = true;
    digester.join();
    if (s.ok()) s = Finish(recorded, actor, action, digest);
    if (!s.ok()) {
      (void)db_->Exec("ROLLBACK");
      return s;
    }
    if (change != nullptr) *change = recorded;
    return Status::Ok();
  }

  std::unique_ptr<StreamedAppend> BeginStreamedAppend(const model::RowCounts& first_new,
                                                      uint64_t expected_rows,
                                                      const std::string& actor,
                                                      const std::string& action) override;

  StatusOr<std::string> Setting(const std::string& name,
                                const std::string& fallback) const override {
    RENKEI_ASSIGN_OR_RETURN(Result r,
                            db_->Exec("SELECT value FROM settings WHERE name = $1", {name}));
    return r.rows() == 0 ? fallback : r.Text(0, 0);
  }

  Status SetSetting(const std::string& name, const std::string& value,
                    const std::string& actor) override {
    // The settings' trigger records the change.
    return Transaction(actor, "set " + name + " " + value,
                       [&] {
                         return db_
                             ->Exec(
                                 "INSERT INTO settings(name, value) VALUES ($1, $2) "
                                 "ON CONFLICT (name) DO UPDATE SET value = $2",
                                 {name, value})
                             .status();
                       },
                       {});
  }

  StatusOr<std::vector<internal::Row>> Query(const std::string& sql,
                                             const std::vector<internal::Param>& params) override {
    std::vector<std::optional<std::string>> values;
    values.reserve(params.size());
    for (const internal::Param& p : params) {
      if (const auto* text = std::get_if<std::string>(&p)) {
        values.emplace_back(*text);
      } else {
        values.emplace_back(std::to_string(std::get<int64_t>(p)));
      }
    }
    RENKEI_ASSIGN_OR_RETURN(Result r, db_->Exec(NumberParameters(sql), values));
    std::vector<internal::Row> rows(static_cast<size_t>(r.rows()));
    const int columns = PQnfields(r.raw());
    for (int i = 0; i < r.rows(); ++i) {
      rows[static_cast<size_t>(i)].resize(static_cast<size_t>(columns));
      for (int c = 0; c < columns; ++c)
        rows[static_cast<size_t>(i)][static_cast<size_t>(c)] = r.Text(i, c);
    }
    return rows;
  }

  Status Transaction(const std::string& actor, const std::string& action,
                     const std::function<Status()>& body,
                     const internal::TransactionOptions&) override {
    RENKEI_RETURN_IF_ERROR(db_->Exec("BEGIN").status());
    Status s = Lock();
    if (s.ok()) s = body();
    if (s.ok()) s = AppendAudit(actor, action, Sha256Hex(action));
    if (s.ok()) s = db_->Exec("COMMIT").status();
    if (!s.ok()) (void)db_->Exec("ROLLBACK");
    return s;
  }

  int SchemaVersion() const override { return PostgresSchema(); }

  StatusOr<int64_t> LastChange() const override {
    RENKEI_ASSIGN_OR_RETURN(Result r, db_->Exec("SELECT coalesce(max(seq), 0) FROM changes"));
    return r.Int(0, 0);
  }

  Status VerifyAudit() const override {
    RENKEI_ASSIGN_OR_RETURN(
        Result r,
        db_->Exec("SELECT seq, time, actor, action, digest, prev_hash, hash FROM audit_log "
                  "ORDER BY seq"));
    std::vector<AuditEntry> entries(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
      entries[i] = {r.Int(i, 0),  r.Text(i, 1), r.Text(i, 2), r.Text(i, 3),
                    r.Text(i, 4), r.Text(i, 5), r.Text(i, 6)};
    }
    return VerifyAuditChain(entries);
  }

  StatusOr<model::RowCounts> CountRows() const override {
    model::RowCounts counts{};
    for (const model::TableSchema& t : model::AllTables()) {
      RENKEI_ASSIGN_OR_RETURN(Result r, db_->Exec("SELECT count(*) FROM " + std::string(t.name) +
                                                  " WHERE valid_to IS NULL"));
      counts[static_cast<size_t>(t.table)] = static_cast<size_t>(r.Int(0, 0));
    }
    return counts;
  }

  StatusOr<std::vector<std::pair<std::string, int64_t>>> CountSitesBy(
      const std::string& column) const override {
    if (column != "country" && column != "cluster") {
      return InvalidArgumentError("sites can be counted by country or cluster, not '" + column +
                                  "'");
    }
    RENKEI_ASSIGN_OR_RETURN(Result r, db_->Exec("SELECT coalesce(" + column +
                                                ", '') AS v, count(*) AS n FROM sites WHERE "
                                                "valid_to IS NULL GROUP BY 1 ORDER BY n DESC, 1"));
    std::vector<std::pair<std::string, int64_t>> out;
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.Text(i, 0), r.Int(i, 1));
    return out;
  }

 private:
  friend class CopyAppend;

  // In a transaction: takes the writers' lock and numbers the change, made by
  // `actor` doing `action`, so changes are numbered in commit order across
  // processes.
  StatusOr<int64_t> Begin(const std::string& kind, const std::string& actor,
                          const std::string& action) {
    RENKEI_RETURN_IF_ERROR(Lock());
    RENKEI_ASSIGN_OR_RETURN(Result r,
                            db_->Exec("INSERT INTO changes(seq, kind, actor, action) "
                                      "SELECT coalesce(max(seq), 0) + 1, $1, $2, $3 FROM changes "
                                      "RETURNING seq",
                                      {kind, actor, action}));
    return r.Int(0, 0);
  }

  // In a read transaction: the rows of every table valid in `version` (the
  // current ones when nullopt) into `stored`, as SQLite's ReadModel reads them.
  Status ReadTables(std::optional<int64_t> version, StoredModel& stored) const {
    RENKEI_ASSIGN_OR_RETURN(const int64_t last, LastChange());
    stored.version = last;
    if (version) {
      RENKEI_ASSIGN_OR_RETURN(
          Result first,
          db_->Exec("SELECT coalesce(min(seq), 0) FROM changes WHERE kind = 'model'"));
      if (first.Int(0, 0) == 0 || *version < first.Int(0, 0)) {
        return InvalidArgumentError(
            "version " + std::to_string(*version) +
            (first.Int(0, 0) == 0
                 ? ": the store has no versions yet"
                 : ": before the first version (" + std::to_string(first.Int(0, 0)) + ")"));
      }
      if (*version > last) {
        return InvalidArgumentError("version " + std::to_string(*version) +
                                    ": after the last change (" + std::to_string(last) + ")");
      }
      RENKEI_ASSIGN_OR_RETURN(Result kept, db_->Exec("SELECT oldest FROM history_kept"));
      if (kept.rows() > 0 && *version < kept.Int(0, 0)) {
        return InvalidArgumentError(
            "version " + std::to_string(*version) + ": older than the history kept (from version " +
            kept.Text(0, 0) + "; renkei policy --keep-versions, --keep-days)");
      }
      stored.version = *version;
    }
    Progress progress("loading store", 0, "rows");
    uint64_t done = 0;
    IndexOfNumber index_of;
    for (const model::TableSchema& t : model::AllTables()) {
      RENKEI_RETURN_IF_ERROR(ReadTable(t, version, stored, index_of, [&] {
        if ((++done & 0xFFFF) == 0) progress.Update(done);
      }));
    }
    if (!version) {
      for (size_t t = 0; t < stored.next_number.size(); ++t) {
        const std::string name(model::Schema(static_cast<model::Table>(t)).name);
        RENKEI_ASSIGN_OR_RETURN(Result closed, db_->Exec("SELECT coalesce(max(id), 0) FROM " +
                                                         name + " WHERE valid_to IS NOT NULL"));
        const int64_t current =
            stored.numbers[t].empty()
                ? static_cast<int64_t>(model::TableSize(stored.model, static_cast<model::Table>(t)))
                : stored.numbers[t].back();
        stored.next_number[t] = std::max(closed.Int(0, 0), current) + 1;
      }
    }
    return Status::Ok();
  }

  // Reads the rows of `t` valid in `version` into `stored`, in entity order
  // (entities) or the order they were written (the others). Entities' numbers
  // go to stored.numbers (when not index + 1) and `index_of`, through which
  // later tables' references are read.
  Status ReadTable(const model::TableSchema& t, std::optional<int64_t> version, StoredModel& stored,
                   IndexOfNumber& index_of, const std::function<void()>& tick) const {
    // Read in the table's stored order (no sort in the server), each row with
    // its number, then put in the numbers' order here when it is not already.
    const bool entity = IsEntity(t.table);
    std::string valid = "valid_to IS NULL";
    if (version) {
      const std::string v = std::to_string(*version);
      valid = "valid_from <= " + v + " AND (valid_to IS NULL OR valid_to > " + v + ")";
    }
    const std::string sql = "COPY (SELECT " + std::string(entity ? "id, " : "row_no, ") +
                            FieldColumns(t) + " FROM " + std::string(t.name) + " WHERE " + valid +
                            ") TO STDOUT";
    const auto n = static_cast<size_t>(t.table);
    std::vector<int64_t> numbers;
    return model::WithRows(stored.model, t.table, [&](auto& rows) -> Status {
      RENKEI_RETURN_IF_ERROR(db_->CopyOut(sql, [&](std::string_view line) -> Status {
        CopyReader reader(line, &t, &index_of);
        const std::optional<std::string> number = reader.Next();
        const std::optional<uint64_t> parsed =
            number ? ParseUnsigned(*number) : std::optional<uint64_t>();
        if (!parsed) return DataLossError(std::string(t.name) + ": a row without its number");
        const auto k = static_cast<int64_t>(*parsed);
        numbers.push_back(k);
        Status field_status;
        model::ForEachField(rows.emplace_back(), [&](auto& field) {
          if (field_status.ok()) field_status = reader.Read(field);
        });
        tick();
        if (field_status.ok()) return field_status;
        return field_status.WithPrefix(std::string(t.name) + " row " + std::to_string(k));
      }));
      InNumberOrder(numbers, rows);
      if (!entity) return Status::Ok();
      bool dense = true;
      for (size_t i = 0; i < numbers.size(); ++i) {
        if (i > 0 && numbers[i] == numbers[i - 1]) {
          return DataLossError(std::string(t.name) + " number " + std::to_string(numbers[i]) +
                               " appears twice in one version");
        }
        if (numbers[i] != static_cast<int64_t>(i) + 1) dense = false;
      }
      if (dense) return Status::Ok();
      std::vector<Index>& of = index_of[n];
      of.assign(static_cast<size_t>(numbers.back()) + 1, kNoIndex);
      for (size_t i = 0; i < numbers.size(); ++i) {
        of[static_cast<size_t>(numbers[i])] = static_cast<Index>(i);
      }
      stored.numbers[n] = std::move(numbers);
      return Status::Ok();
    });
  }

  // The highest row number of a table that is not an entity's, of any
  // version; 0 when it is empty.
  StatusOr<int64_t> LastRowNumber(const model::TableSchema& t) const {
    RENKEI_ASSIGN_OR_RETURN(
        Result r, db_->Exec("SELECT coalesce(max(row_no), 0) FROM " + std::string(t.name)));
    return r.Int(0, 0);
  }

  // In Commit's transaction: gives `rows` of `before` (current rows of `t`)
  // valid_to `version`, matched by key as the table's key index has it: the
  // keys are COPYed into a temporary table and the rows closed by one UPDATE.
  // DataLoss when one of them is not current in the store.
  Status CloseRows(const StoredModel& before, const model::TableSchema& t,
                   const std::vector<size_t>& rows, int64_t version) {
    const std::string closing = "renkei_closing_" + std::string(t.name);
    std::string columns;
    std::string match;
    std::vector<size_t> key_columns;  // in column order, as the row's fields come
    if (IsEntity(t.table)) {
      columns = "id bigint";
      match = "t.id = k.id";
    } else {
      for (size_t c = 0; c < t.columns.size(); ++c) {
        if (std::find(t.key.begin(), t.key.end(), static_cast<int>(c)) == t.key.end()) continue;
        const model::Column& column = t.columns[c];
        const std::string name(internal::StoredName(column));
        const bool ref = IsReference(column);
        key_columns.push_back(c);
        if (!columns.empty()) columns += ", ";
        columns += name + (ref ? " bigint" : " text");
        if (!match.empty()) match += " AND ";
        match += column.required ? "t." + name : "coalesce(t." + name + (ref ? ", 0)" : ", '')");
        match += " = k." + name;
      }
    }
    RENKEI_RETURN_IF_ERROR(
        db_->Exec("CREATE TEMPORARY TABLE " + closing + "(" + columns + ") ON COMMIT DROP")
            .status());
    const auto table = static_cast<size_t>(t.table);
    size_t i = 0;
    bool ended = false;
    RENKEI_RETURN_IF_ERROR(model::WithRows(before.model, t.table, [&](const auto& all) {
      return db_->CopyIn("COPY " + closing + " FROM STDIN (FORMAT binary)",
                         [&](std::string& buffer) {
                           if (ended) return false;
                           if (i == 0) CopyWriter::Header(buffer);
                           CopyWriter w(buffer);
                           while (i < rows.size() && buffer.size() < (1u << 20)) {
                             const size_t row = rows[i++];
                             if (IsEntity(t.table)) {
                               w.Int(NumberOf(before, table, static_cast<Index>(row)));
                             } else {
                               WriteKey(w, before, t, key_columns, all[row]);
                             }
                             w.End();
                           }
                           if (i == rows.size()) {
                             CopyWriter::Trailer(buffer);
                             ended = true;
                           }
                           return true;
                         });
    }));
    // A new table has no statistics: the planner would take it for a few rows.
    if (rows.size() > 1000) RENKEI_RETURN_IF_ERROR(db_->Exec("ANALYZE " + closing).status());
    RENKEI_ASSIGN_OR_RETURN(
        Result closed, db_->Exec("UPDATE " + std::string(t.name) + " t SET valid_to = $1 FROM " +
                                     closing + " k WHERE " + match + " AND t.valid_to IS NULL",
                                 {std::to_string(version)}));
    if (closed.Affected() != static_cast<int64_t>(rows.size())) {
      return DataLossError(Redacted(path()) + ": " + std::to_string(rows.size()) + " rows of " +
                           std::string(t.name) + " to replace or remove, " +
                           std::to_string(closed.Affected()) + " current in the store");
    }
    return db_->Exec("DROP TABLE " + closing).status();
  }

  // Writes the key columns `key_columns` of `row` (of `t` in `before`) as
  // CloseRows' temporary table holds them: references as entity numbers (0 for
  // none), text as it is ("" for none).
  template <typename Row>
  static void WriteKey(CopyWriter& w, const StoredModel& before, const model::TableSchema& t,
                       const std::vector<size_t>& key_columns, const Row& row) {
    size_t column = 0;
    model::ForEachField(row, [&](const auto& v) {
      const size_t c = column++;
      if (std::find(key_columns.begin(), key_columns.end(), c) == key_columns.end()) return;
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_same_v<T, Index>) {
        w.Int(v == kNoIndex ? int64_t{0} : NumberOf(before, EntityTableOf(t.columns[c].kind), v));
      } else if constexpr (std::is_same_v<T, std::string>) {
        w.Text(v);
      }
    });
  }

  // In a transaction holding the writers' lock: drops the rows no version kept
  // under the store's retention settings can see (Store::ApplyRetention).
  Status Compact() {
    auto setting = [&](const char* name) -> StatusOr<int64_t> {
      RENKEI_ASSIGN_OR_RETURN(std::string value, Setting(name, "0"));
      const std::optional<uint64_t> n = ParseUnsigned(value);
      return n ? static_cast<int64_t>(*n) : 0;
    };
    RENKEI_ASSIGN_OR_RETURN(const int64_t keep_versions, setting("keep_versions"));
    RENKEI_ASSIGN_OR_RETURN(const int64_t keep_days, setting("keep_days"));
    if (keep_versions == 0 && keep_days == 0) return Status::Ok();
    RENKEI_ASSIGN_OR_RETURN(
        Result r, db_->Exec("SELECT seq, time FROM changes WHERE kind = 'model' ORDER BY seq"));
    std::vector<std::pair<int64_t, std::string>> versions;
    for (int i = 0; i < r.rows(); ++i) versions.emplace_back(r.Int(i, 0), r.Text(i, 1));
    const std::optional<int64_t> oldest = internal::OldestKept(versions, keep_versions, keep_days);
    RENKEI_ASSIGN_OR_RETURN(Result kept, db_->Exec("SELECT oldest FROM history_kept"));
    if (!oldest || *oldest <= kept.Int(0, 0)) return Status::Ok();
    const std::string v = std::to_string(*oldest);
    for (const model::TableSchema& t : model::AllTables()) {
      RENKEI_RETURN_IF_ERROR(db_->Exec("DELETE FROM " + std::string(t.name) +
                                       " WHERE valid_to IS NOT NULL AND valid_to <= " + v)
                                 .status());
    }
    return db_->Exec("UPDATE history_kept SET oldest = " + v).status();
  }

  // In a transaction: the writers' lock, held to its end.
  Status Lock() {
    return db_->Exec("SELECT pg_advisory_xact_lock(" + std::to_string(kWriterLock) + ")").status();
  }

  // In the transaction Begin opened: the audit entry, the notification, COMMIT.
  Status Finish(int64_t change, const std::string& actor, const std::string& action,
                const std::string& digest) {
    RENKEI_RETURN_IF_ERROR(AppendAudit(actor, action, digest));
    RENKEI_RETURN_IF_ERROR(
        db_->Exec("SELECT pg_notify('renkei_changes', $1)", {std::to_string(change)}).status());
    return db_->Exec("COMMIT").status();
  }

  // In a transaction holding the writers' lock: the next audit entry.
  Status AppendAudit(const std::string& actor, const std::string& action,
                     const std::string& digest) {
    RENKEI_ASSIGN_OR_RETURN(Result last,
                            db_->Exec("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
    std::optional<AuditEntry> previous;
    if (last.rows() > 0) {
      previous.emplace();
      previous->seq = last.Int(0, 0);
      previous->hash = last.Text(0, 1);
    }
    const AuditEntry e = NextAuditEntry(previous ? &*previous : nullptr, actor, action, digest);
    RENKEI_RETURN_IF_ERROR(
        db_->Exec("INSERT INTO audit_log(seq, time, actor, action, digest, "
                  "prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                  {std::to_string(e.seq), e.time, e.actor, e.action, e.digest, e.prev_hash, e.hash})
            .status());
    return Status::Ok();
  }

  internal::Records& records() override { return *this; }

  // COPYs rows [from, to) of table `t` of `m` in, as change `valid_from`; row
  // `from` is numbered (its id or row_no) `index` + 1, the next `index` + 2, ...
  // (`m` may hold a part of the store's model).
  Status CopyRows(const model::Model& m, const model::TableSchema& t, size_t from, size_t to,
                  size_t index, int64_t valid_from, const std::function<void(size_t)>& tick) {
    return CopyRowsAt(
        m, t, to - from, [&](size_t k) { return from + k; },
        [&](size_t k) { return EntityId(static_cast<Index>(index + k)); }, valid_from, nullptr,
        tick);
  }

  // COPYs `count` rows of table `t` of `m` in, as change `valid_from`: the k-th
  // is row row_at(k), numbered (its id or row_no) number_at(k). References are
  // written as `numbers` gives the entities' numbers, or index + 1 without it.
  Status CopyRowsAt(const model::Model& m, const model::TableSchema& t, size_t count,
                    const std::function<size_t(size_t)>& row_at,
                    const std::function<int64_t(size_t)>& number_at, int64_t valid_from,
                    const std::array<std::vector<int64_t>, 3>* numbers,
                    const std::function<void(size_t)>& tick) {
    if (count == 0) return Status::Ok();
    const std::string sql = "COPY " + std::string(t.name) + "(" +
                            (IsEntity(t.table) ? "id, " : "row_no, ") + FieldColumns(t) +
                            ", valid_from) FROM STDIN (FORMAT binary)";
    return model::WithRows(m, t.table, [&](const auto& rows) {
      size_t k = 0;
      bool ended = false;
      return db_->CopyIn(sql, [&](std::string& buffer) {
        if (ended) return false;
        if (k == 0) CopyWriter::Header(buffer);
        const size_t start = k;
        CopyWriter w(buffer, &t, numbers);
        while (k < count && buffer.size() < (1u << 20)) {
          w.Int(number_at(k));  // id or row_no
          internal::PutRow(w, rows[row_at(k)]);
          w.Int(valid_from);
          w.End();
          ++k;
        }
        if (k == count) {
          CopyWriter::Trailer(buffer);
          ended = true;
        }
        tick(k - start);
        return true;
      });
    });
  }

  std::unique_ptr<Connection> db_;
};

// The change feed of a store in PostgreSQL (changes.h).
// PostgreSQL's streamed append: one transaction, opened (and the writers' lock
// taken) by BeginStreamedAppend, into which the RowStream's thread COPYs each
// chunk as the reader hands it over; Commit adds the audit entry and commits,
// destruction without it rolls everything back. The reader does not use the
// connection meanwhile, so the thread has it to itself.
//
// A table empty before the append is loaded without its indexes, which Commit
// builds again from their definitions, as a bulk load does: one sort instead of
// an index insert per row. Dropping an index holds its table's exclusive lock
// until the transaction ends, so readers of that table (another node loading
// the model) wait for the import rather than see it half-made.
class CopyAppend final : public StreamedAppend {
 public:
  CopyAppend(PostgresStore& store, std::string actor, std::string action)
      : StreamedAppend(std::move(actor), std::move(action)), store_(store) {}

  ~CopyAppend() override {
    stream_.reset();  // cancels the writer
    if (open_) (void)store_.db_->Exec("ROLLBACK");
  }

  Status Begin(const model::RowCounts& first_new) {
    RENKEI_RETURN_IF_ERROR(store_.db_->Exec("BEGIN").status());
    open_ = true;
    RENKEI_ASSIGN_OR_RETURN(change_, store_.Begin("model", actor_, action_));
    for (const model::TableSchema& t : model::AllTables()) {
      const auto n = static_cast<size_t>(t.table);
      // Rows that are not entities go after every row written before, of any
      // version (entities are numbered densely: StoredModel::Dense).
      if (!IsEntity(t.table)) {
        RENKEI_ASSIGN_OR_RETURN(const int64_t last, store_.LastRowNumber(t));
        offset_[n] = last - static_cast<int64_t>(first_new[n]);
      }
      if (first_new[n] != 0 || offset_[n] != 0) continue;
      RENKEI_ASSIGN_OR_RETURN(Result r,
                              store_.db_->Exec("SELECT indexname, indexdef FROM pg_indexes WHERE "
                                               "schemaname = current_schema() AND tablename = $1",
                                               {std::string(t.name)}));
      for (int i = 0; i < r.rows(); ++i) {
        RENKEI_RETURN_IF_ERROR(store_.db_->Exec("DROP INDEX \"" + r.Text(i, 0) + "\"").status());
        dropped_indexes_.push_back(r.Text(i, 1));
      }
    }
    stream_ = std::make_unique<internal::RowStream>(
        first_new, [this](const internal::Chunk& chunk, size_t rows) {
          const int64_t offset = offset_[static_cast<size_t>(chunk.table)];
          return store_.CopyRows(chunk.rows, model::Schema(chunk.table), 0, rows,
                                 static_cast<size_t>(static_cast<int64_t>(chunk.first) + offset),
                                 change_, [](size_t) {});
        });
    return Status::Ok();
  }

  void Add(const model::Model& model, model::Table table, size_t rows) override {
    if (stream_ != nullptr) stream_->Add(model, table, rows);
  }

  Status Commit(int64_t* change) override {
    if (stream_ == nullptr || !open_) return FailedPreconditionError("the append is not open");
    StatusOr<std::string> digest = stream_->Finish();
    stream_.reset();
    RENKEI_RETURN_IF_ERROR(digest.status());
    for (const std::string& index : dropped_indexes_) {
      RENKEI_RETURN_IF_ERROR(store_.db_->Exec(index).status());
    }
    RENKEI_RETURN_IF_ERROR(store_.db_
                               ->Exec("UPDATE changes SET action = $1 WHERE seq = $2",
                                      {action_, std::to_string(change_)})
                               .status());
    RENKEI_RETURN_IF_ERROR(store_.Finish(change_, actor_, action_, *digest));
    open_ = false;
    if (change != nullptr) *change = change_;
    return Status::Ok();
  }

 private:
  PostgresStore& store_;
  std::unique_ptr<internal::RowStream> stream_;
  bool open_ = false;  // the transaction is open
  int64_t change_ = 0;
  std::array<int64_t, model::kTableCount> offset_{};  // row_no - 1 - model index
  std::vector<std::string> dropped_indexes_;          // CREATE INDEX statements, for Commit
};

std::unique_ptr<StreamedAppend> PostgresStore::BeginStreamedAppend(
    const model::RowCounts& first_new, uint64_t expected_rows, const std::string& actor,
    const std::string& action) {
  if (expected_rows < kStreamedRows) return nullptr;
  auto append = std::make_unique<CopyAppend>(*this, actor, action);
  if (!append->Begin(first_new).ok()) return nullptr;  // rolled back: Append says why
  return append;
}

class PostgresChangeFeed final : public ChangeFeed {
 public:
  static StatusOr<std::unique_ptr<ChangeFeed>> Open(const std::string& url) {
    std::unique_ptr<PostgresChangeFeed> feed(new PostgresChangeFeed(url));
    RENKEI_RETURN_IF_ERROR(feed->Connect());
    RENKEI_ASSIGN_OR_RETURN(feed->position_, feed->Last());
    return std::unique_ptr<ChangeFeed>(std::move(feed));
  }

  StatusOr<std::vector<Change>> Poll() override {
    bool missed = false;
    if (db_ == nullptr) {
      RENKEI_RETURN_IF_ERROR(Connect());
      missed = true;
    }
    StatusOr<bool> notified = db_->Notified();
    if (!notified.ok()) {
      db_.reset();  // reconnects at the next Poll, and reads what it missed
      return notified.status().WithPrefix(Redacted(url_) + ": change feed");
    }
    std::vector<Change> out;
    if (!*notified && !missed) return out;
    RENKEI_ASSIGN_OR_RETURN(Result r, db_->Exec("SELECT seq, kind FROM changes WHERE seq > $1 "
                                                "ORDER BY seq",
                                                {std::to_string(position_)}));
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.Int(i, 0), r.Text(i, 1)});
    if (!out.empty()) position_ = out.back().seq;
    return out;
  }

 private:
  explicit PostgresChangeFeed(std::string url) : url_(std::move(url)) {}

  // Connects and listens (before the feed's position is read, so that no
  // commit falls between the two).
  Status Connect() {
    RENKEI_ASSIGN_OR_RETURN(std::unique_ptr<Connection> db, Connection::Open(url_));
    RENKEI_RETURN_IF_ERROR(db->Exec("LISTEN renkei_changes").status());
    db_ = std::move(db);
    return Status::Ok();
  }

  StatusOr<int64_t> Last() {
    RENKEI_ASSIGN_OR_RETURN(Result r, db_->Exec("SELECT coalesce(max(seq), 0) FROM changes"));
    return r.Int(0, 0);
  }

  std::string url_;
  std::unique_ptr<Connection> db_;  // nullptr after the connection was lost
};

}  // namespace

StatusOr<std::unique_ptr<Store>> CreatePostgresStore(const std::string& url) {
  RENKEI_ASSIGN_OR_RETURN(std::unique_ptr<Connection> db, Connection::Open(url));
  auto store = std::make_unique<PostgresStore>(url, std::move(db));
  RENKEI_RETURN_IF_ERROR(store->Migrate(/*create=*/true));
  return std::unique_ptr<Store>(std::move(store));
}

StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url) {
  RENKEI_ASSIGN_OR_RETURN(std::unique_ptr<Connection> db, Connection::Open(url));
  auto store = std::make_unique<PostgresStore>(url, std::move(db));
  RENKEI_ASSIGN_OR_RETURN(const int schema, store->Schema());
  if (schema != PostgresSchema()) RENKEI_RETURN_IF_ERROR(store->Migrate(/*create=*/false));
  return std::unique_ptr<Store>(std::move(store));
}

StatusOr<std::unique_ptr<ChangeFeed>> OpenPostgresChangeFeed(const std::string& url) {
  return PostgresChangeFeed::Open(url);
}

}  // namespace renkei::store
