#include "model/builder.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <type_traits>

#include "base/memory.h"
#include "base/numbers.h"
#include "model/countries.h"
#include "model/fields.h"
#include "model/row_text.h"
#include "model/units.h"

namespace renkei::model {
namespace {

using internal::PackPair;
using Fields = std::span<const std::string_view>;

// Shows a cell's text in a message, shortened and with control characters escaped.
std::string Quote(std::string_view text) {
  std::string out = "'";
  const size_t limit = 60;
  for (size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > limit) out += "...";
  out += "'";
  return out;
}

// Typed access to the cells of one row.
class RowReader {
 public:
  RowReader(Table table, Fields fields, const RowOrigin& origin, const Model& model,
            RefCache* cache = nullptr)
      : schema_(Schema(table)), fields_(fields), origin_(origin), model_(model), cache_(cache) {
    assert(fields.size() == schema_.columns.size());
  }

  Status CheckRequired() const {
    for (size_t i = 0; i < schema_.columns.size(); ++i) {
      if (schema_.columns[i].required && fields_[i].empty()) {
        return InvalidArgumentError(origin_.Where(static_cast<int>(i)) + ": " +
                                    std::string(schema_.columns[i].name) + ": a value is required");
      }
    }
    return Status::Ok();
  }

  Status Fail(int col, std::string_view expected) const {
    return InvalidArgumentError(origin_.Where(col) + ": " + std::string(schema_.columns[col].name) +
                                ": expected " + std::string(expected) + ", got " +
                                Quote(fields_[col]));
  }
  Status FailMessage(int col, const std::string& message) const {
    return InvalidArgumentError(origin_.Where(col) + ": " + std::string(schema_.columns[col].name) +
                                ": " + message);
  }

  bool Present(int col) const { return !fields_[col].empty(); }
  std::string_view Raw(int col) const { return fields_[col]; }

  Status Text(int col, std::string& out) const {
    std::string_view t = fields_[col];
    for (char c : t) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 && u != '\t' && u != '\n' && u != '\r')
        return Fail(col, "text without control characters");
    }
    out.assign(t);
    return Status::Ok();
  }

  Status Id(int col, std::string& out) const {
    std::string_view t = fields_[col];
    for (char c : t) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u == 0x7f) return Fail(col, "an id without spaces or control characters");
    }
    out.assign(t);
    return Status::Ok();
  }

  Status Number(int col, double& out) const {
    std::optional<double> v = ParseNumber(fields_[col]);
    const Range range = schema_.columns[col].range;
    if (!v || !InRange(*v, range)) return Fail(col, RangeDescription(range));
    out = *v;
    return Status::Ok();
  }

  Status OptionalNumber(int col, std::optional<double>& out) const {
    if (!Present(col)) {
      out.reset();
      return Status::Ok();
    }
    double v = 0;
    RENKEI_RETURN_IF_ERROR(Number(col, v));
    out = v;
    return Status::Ok();
  }

  Status Country(int col, std::string& out) const {
    if (!IsCountryCode(fields_[col]))
      return Fail(col, "an ISO 3166-1 alpha-2 country code such as 'JP'");
    out.assign(fields_[col]);
    return Status::Ok();
  }

  Status Ref(int col, Index& out) const {
    std::string_view id = fields_[col];
    // Rows are often grouped (all links into one customer, all suppliers of one
    // component): remember the last id of each column.
    RefCache::Entry* memo = cache_ != nullptr && static_cast<size_t>(col) < cache_->entries.size()
                                ? &cache_->entries[static_cast<size_t>(col)]
                                : nullptr;
    if (memo != nullptr && memo->index != kNoIndex && memo->id == id) {
      out = memo->index;
      return Status::Ok();
    }
    const char* what = "";
    switch (schema_.columns[col].kind) {
      case ColumnKind::kOrganizationRef:
        out = model_.FindOrganization(id);
        what = "organization";
        break;
      case ColumnKind::kSiteRef:
        out = model_.FindSite(id);
        what = "site";
        break;
      case ColumnKind::kProductRef:
        out = model_.FindProduct(id);
        what = "product";
        break;
      default:
        assert(false && "not a reference column");
    }
    if (out == kNoIndex) return FailMessage(col, std::string("unknown ") + what + " " + Quote(id));
    if (memo != nullptr) {
      memo->id.assign(id);
      memo->index = out;
    }
    return Status::Ok();
  }

  Status OptionalRef(int col, Index& out) const {
    if (!Present(col)) {
      out = kNoIndex;
      return Status::Ok();
    }
    return Ref(col, out);
  }

  Status Date(int col, std::string& out) const {
    std::string_view t = fields_[col];
    if (t.empty()) {
      out.clear();
      return Status::Ok();
    }
    auto digits = [&](size_t from, size_t n) {
      if (t.size() < from + n) return false;
      for (size_t i = from; i < from + n; ++i) {
        if (t[i] < '0' || t[i] > '9') return false;
      }
      return true;
    };
    bool ok = t.size() >= 10 && digits(0, 4) && t[4] == '-' && digits(5, 2) && t[7] == '-' &&
              digits(8, 2);
    if (ok) {
      const int month = (t[5] - '0') * 10 + (t[6] - '0');
      const int day = (t[8] - '0') * 10 + (t[9] - '0');
      ok = month >= 1 && month <= 12 && day >= 1 && day <= 31;
    }
    if (ok && t.size() > 10) {
      // RFC 3339: THH:MM:SS, optional fraction, then Z or +HH:MM.
      ok = t.size() >= 20 && (t[10] == 'T' || t[10] == 't') && digits(11, 2) && t[13] == ':' &&
           digits(14, 2) && t[16] == ':' && digits(17, 2);
      size_t i = 19;
      if (ok && i < t.size() && t[i] == '.') {
        ++i;
        const size_t start = i;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
        ok = i > start;
      }
      if (ok) {
        const std::string_view zone = t.substr(i);
        ok = zone == "Z" || zone == "z" ||
             (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digits(i + 1, 2) &&
              zone[3] == ':' && digits(i + 4, 2));
      }
    }
    if (!ok) return Fail(col, "an ISO 8601 date (2026-01-31) or date-time (2026-01-31T00:00:00Z)");
    out.assign(t);
    return Status::Ok();
  }

  Status Bool(int col, bool& out) const {
    if (!Present(col)) {
      out = false;
      return Status::Ok();
    }
    std::optional<bool> b = ParseBool(fields_[col]);
    if (!b) return Fail(col, "true or false");
    out = *b;
    return Status::Ok();
  }

  Status IdList(int col, std::vector<std::string>& out) const {
    out.clear();
    std::string_view t = fields_[col];
    while (!t.empty()) {
      const size_t end = t.find(';');
      std::string_view item = t.substr(0, end);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      for (char c : item) {
        if (static_cast<unsigned char>(c) <= 0x20) return Fail(col, "ids separated by ';'");
      }
      if (item.empty()) return Fail(col, "ids separated by ';' with none empty");
      out.emplace_back(item);
      if (end == std::string_view::npos) break;
      t.remove_prefix(end + 1);
    }
    return Status::Ok();
  }

  // Reads column `col` into a field of the type model/fields.h gives its kind.
  // An empty optional column leaves the field empty (0 for a plain number).
  Status Read(int col, std::string& out) const {
    switch (schema_.columns[col].kind) {
      case ColumnKind::kId:
        return Id(col, out);
      case ColumnKind::kCountry:
        if (!Present(col)) {
          out.clear();
          return Status::Ok();
        }
        return Country(col, out);
      case ColumnKind::kDate:
        return Date(col, out);
      case ColumnKind::kPublicKey:
        return PublicKey(col, out);
      case ColumnKind::kUri:
        return Uri(col, out);
      case ColumnKind::kEmail:
        return Email(col, out);
      default:
        return Text(col, out);
    }
  }
  Status Read(int col, double& out) const {
    if (!Present(col)) {
      out = 0;
      return Status::Ok();
    }
    return Number(col, out);
  }
  Status Read(int col, std::optional<double>& out) const { return OptionalNumber(col, out); }
  Status Read(int col, bool& out) const { return Bool(col, out); }
  Status Read(int col, Index& out) const { return OptionalRef(col, out); }
  Status Read(int col, std::vector<std::string>& out) const { return IdList(col, out); }
  Status Read(int col, Unit& out) const {
    std::optional<Unit> unit = ParseUnit(Raw(col));
    if (!unit) {
      return FailMessage(col, "unknown unit '" + std::string(Raw(col)) +
                                  "' (known: " + std::string(KnownUnitSymbols()) + ")");
    }
    out = *unit;
    return Status::Ok();
  }

  // Checks the required columns, then reads every column of the bundle into
  // `row` (model/fields.h); the columns only the store keeps are left as they are.
  template <typename Row>
  Status ReadRow(Row& row) const {
    RENKEI_RETURN_IF_ERROR(CheckRequired());
    Status status;
    int col = 0;
    const auto columns = static_cast<int>(schema_.columns.size());
    ForEachField(row, [&](auto& field) {
      if (col < columns && status.ok()) status = Read(col, field);
      ++col;
    });
    return status;
  }

  // RFC 3986 absolute URI: scheme ":" hier-part, the scheme a letter then
  // letters, digits, '+', '-', '.'; printable ASCII without spaces or the
  // characters a URI never holds unescaped; http(s) needs an authority.
  Status Uri(int col, std::string& out) const {
    std::string_view t = fields_[col];
    if (t.empty()) {
      out.clear();
      return Status::Ok();
    }
    const size_t colon = t.find(':');
    bool ok = colon != std::string_view::npos && colon > 0 && colon + 1 < t.size() &&
              std::isalpha(static_cast<unsigned char>(t[0]));
    for (size_t i = 0; ok && i < colon; ++i) {
      const auto c = static_cast<unsigned char>(t[i]);
      ok = std::isalnum(c) || c == '+' || c == '-' || c == '.';
    }
    for (char ch : t) {
      const auto c = static_cast<unsigned char>(ch);
      ok = ok && c > 0x20 && c < 0x7f &&
           std::string_view("\"<>\\^`{|}").find(ch) == std::string_view::npos;
    }
    if (ok) {
      std::string scheme(t.substr(0, colon));
      for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (scheme == "http" || scheme == "https") {
        ok = t.substr(colon + 1, 2) == "//" && t.size() > colon + 3 && t[colon + 3] != '/';
      }
    }
    if (!ok) return Fail(col, "an absolute URI such as 'https://example.com/doc.pdf'");
    out.assign(t);
    return Status::Ok();
  }

  // local@domain.tld: the local part and domain labels of letters, digits and
  // . _ % + - (the domain without _ % +), the top-level domain two letters or more.
  Status Email(int col, std::string& out) const {
    std::string_view t = fields_[col];
    if (t.empty()) {
      out.clear();
      return Status::Ok();
    }
    const size_t at = t.find('@');
    const size_t dot = t.rfind('.');
    bool ok = at != std::string_view::npos && at > 0 && dot != std::string_view::npos &&
              dot > at + 1 && t.size() - dot - 1 >= 2;
    for (size_t i = 0; ok && i < t.size(); ++i) {
      const auto c = static_cast<unsigned char>(t[i]);
      if (i == at) continue;
      if (i < at) {
        ok = std::isalnum(c) || std::string_view("._%+-").find(t[i]) != std::string_view::npos;
      } else if (i > dot) {
        ok = std::isalpha(c);
      } else {
        ok = std::isalnum(c) || t[i] == '.' || t[i] == '-';
      }
    }
    if (!ok) return Fail(col, "an e-mail address such as 'parts@example.com'");
    out.assign(t);
    return Status::Ok();
  }

  Status PublicKey(int col, std::string& out) const {
    std::string_view t = fields_[col];
    bool ok = t.empty() || t.size() == 43;
    for (char c : t) {
      ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_');
    }
    if (!ok) return Fail(col, "an Ed25519 public key in base64url without padding (43 characters)");
    out.assign(t);
    return Status::Ok();
  }

 private:
  const TableSchema& schema_;
  Fields fields_;
  const RowOrigin& origin_;
  const Model& model_;
  RefCache* cache_;
};

class StoredOrigin : public RowOrigin {
 public:
  StoredOrigin(std::string_view product, std::string_view component)
      : text_("stored BOM line " + std::string(product) + " <- " + std::string(component)) {}
  std::string Where(int) const override { return text_; }

 private:
  std::string text_;
};

}  // namespace

RowCounts CountRows(const Model& m) {
  return {m.organizations.size(),
          m.sites.size(),
          m.products.size(),
          m.bom.size(),
          m.production.size(),
          m.supply.size(),
          m.demand.size(),
          m.footprints.size(),
          m.materials.size(),
          m.passports.size(),
          m.footprint_classes.size(),
          m.passport_documents.size(),
          m.spare_parts.size()};
}

ModelBuilder::ModelBuilder(Model& model, BuildOptions options)
    : model_(model), options_(options), rows_before_(CountRows(model)) {
  for (const BomLine& b : model.bom) {
    bom_keys_.Insert(b.product, b.component);
    bom_origins_.push_back(
        StoredOrigin(model.products[b.product].id, model.products[b.component].id).Where(-1));
  }
  for (const Production& p : model.production) production_keys_.Insert(p.site, p.product);
  supply_keys_.Reserve(model.supply.size());
  for (const SupplyLink& s : model.supply) {
    supply_keys_.Insert(PackPair(s.supplier_site, s.customer_site), s.product);
  }
  for (const Demand& d : model.demand) demand_keys_.Insert(d.site, d.product);
  for (const Material& m : model.materials) {
    Index n = substances_.Find(m.substance);
    if (n == kNoIndex) {
      n = static_cast<Index>(substances_.size());
      substances_.Insert(m.substance, n);
    }
    material_keys_.Insert(m.product, n);
  }
  for (const Footprint& f : model.footprints) {
    const std::string period = f.period_start + "/" + f.period_end;
    Index n = periods_.Find(period);
    if (n == kNoIndex) {
      n = static_cast<Index>(periods_.size());
      periods_.Insert(period, n);
    }
    footprint_keys_.Insert(PackPair(f.product, f.site), n);
  }
  for (const Passport& p : model.passports) passport_keys_.insert(PassportKey(p));
  for (const FootprintClass& c : model.footprint_classes) passport_keys_.insert(ClassKey(c));
  for (const PassportDocument& d : model.passport_documents) {
    passport_keys_.insert(DocumentKey(d));
  }
  for (size_t i = 0; i < model.spare_parts.size(); ++i) {
    const SparePart& p = model.spare_parts[i];
    passport_keys_.insert(SparePartKey(p));
    spare_part_sources_.emplace(SourceKey(p), i);
  }
}

std::string ModelBuilder::PassportKey(const Passport& p) {
  return "passports\x1f" + std::to_string(p.product);
}
std::string ModelBuilder::ClassKey(const FootprintClass& c) {
  return "footprint_classes\x1f" + c.category + "\x1f" + c.name;
}
std::string ModelBuilder::DocumentKey(const PassportDocument& d) {
  return "passport_documents\x1f" + std::to_string(d.product) + "\x1f" + d.url;
}
std::string ModelBuilder::SparePartKey(const SparePart& p) {
  return "spare_parts\x1f" + std::to_string(p.product) + "\x1f" + p.supplier + "\x1f" +
         p.part_number;
}
std::string ModelBuilder::SourceKey(const SparePart& p) {
  return std::to_string(p.product) + "\x1f" + p.supplier;
}

namespace {

// Reserves room for `rows` more elements of `v`, on huge pages when large.
template <typename T>
void ReserveMore(std::vector<T>& v, size_t rows) {
  if (v.capacity() >= v.size() + rows) return;
  v.reserve(v.size() + rows);
  AdviseHugePages(v.data() + v.size(), (v.capacity() - v.size()) * sizeof(T));
}

}  // namespace

void ModelBuilder::Reserve(Table table, size_t rows) {
  switch (table) {
    case Table::kOrganizations:
      ReserveMore(model_.organizations, rows);
      model_.organization_ids.Reserve(model_.organizations.size() + rows);
      break;
    case Table::kSites:
      ReserveMore(model_.sites, rows);
      model_.site_ids.Reserve(model_.sites.size() + rows);
      break;
    case Table::kProducts:
      ReserveMore(model_.products, rows);
      model_.product_ids.Reserve(model_.products.size() + rows);
      break;
    case Table::kProduction:
      ReserveMore(model_.production, rows);
      production_keys_.Reserve(model_.production.size() + rows);
      break;
    case Table::kSupply:
      ReserveMore(model_.supply, rows);
      supply_keys_.Reserve(model_.supply.size() + rows);
      break;
    case Table::kDemand:
      ReserveMore(model_.demand, rows);
      demand_keys_.Reserve(model_.demand.size() + rows);
      break;
    default:
      break;
  }
}

void ModelBuilder::Prefetch(Table table, Fields fields) const {
  // The site is the reference that misses the cache most: rows are grouped by
  // customer, and products are few.
  switch (table) {
    case Table::kProduction:
    case Table::kSupply:
    case Table::kDemand:
      model_.site_ids.Prefetch(fields[0]);
      break;
    default:
      break;
  }
}

void ModelBuilder::PrefetchText(Table table, Fields fields) const {
  switch (table) {
    case Table::kProduction:
    case Table::kSupply:
    case Table::kDemand:
      model_.site_ids.PrefetchText(fields[0]);
      break;
    default:
      break;
  }
}

namespace {

// The index of the id in reference column `col`, from the last one resolved
// when it is the same.
Index Lookup(const RefCache& cache, size_t col, std::string_view id, const IdIndex& ids) {
  const RefCache::Entry& memo = cache.entries[col];
  if (memo.index != kNoIndex && memo.id == id) return memo.index;
  return ids.Find(id);
}

}  // namespace

void ModelBuilder::PrefetchKeys(Table table, Fields fields) const {
  switch (table) {
    case Table::kProduction: {
      const Index site = model_.site_ids.Find(fields[0]);
      const Index product = Lookup(production_refs_, 1, fields[1], model_.product_ids);
      if (site != kNoIndex && product != kNoIndex) production_keys_.Prefetch(site, product);
      break;
    }
    case Table::kSupply: {
      const Index supplier = model_.site_ids.Find(fields[0]);
      const Index customer = Lookup(supply_refs_, 1, fields[1], model_.site_ids);
      const Index product = Lookup(supply_refs_, 2, fields[2], model_.product_ids);
      if (supplier == kNoIndex || product == kNoIndex) break;
      production_keys_.Prefetch(supplier, product);
      if (customer != kNoIndex) supply_keys_.Prefetch(PackPair(supplier, customer), product);
      break;
    }
    default:
      break;
  }
}

Status ModelBuilder::AddRow(Table table, Fields fields, const RowOrigin& origin) {
  switch (table) {
    case Table::kOrganizations:
      return AddOrganization(fields, origin);
    case Table::kSites:
      return AddSite(fields, origin);
    case Table::kProducts:
      return AddProduct(fields, origin);
    case Table::kBom:
      return AddBomLine(fields, origin);
    case Table::kProduction:
      return AddProduction(fields, origin);
    case Table::kSupply:
      return AddSupply(fields, origin);
    case Table::kDemand:
      return AddDemand(fields, origin);
    case Table::kFootprints:
      return AddFootprint(fields, origin);
    case Table::kMaterials:
      return AddMaterial(fields, origin);
    case Table::kPassports:
      return AddPassport(fields, origin);
    case Table::kFootprintClasses:
      return AddFootprintClass(fields, origin);
    case Table::kPassportDocuments:
      return AddPassportDocument(fields, origin);
    case Table::kSpareParts:
      return AddSparePart(fields, origin);
  }
  return InternalError("unknown table");
}

template <typename Row>
bool ModelBuilder::Restate(Table table, Index index, Row& row) {
  const auto t = static_cast<size_t>(table);
  if (!options_.upsert || index == kNoIndex || index >= rows_before_[t]) return false;
  std::vector<bool>& mark = restated_mark_[t];
  if (mark.empty()) mark.resize(rows_before_[t]);
  if (mark[index]) return false;
  mark[index] = true;
  restated_[t].push_back(index);
  WithRows(model_, table, [&](auto& rows) {
    if constexpr (std::is_same_v<std::decay_t<decltype(rows[index])>, Row>) {
      KeepAbsentColumns(row, rows[index], row_given_);
      rows[index] = std::move(row);
    }
  });
  return true;
}

Status ModelBuilder::AddOrDeleteRow(Table table, Fields fields, std::string_view deleted,
                                    const RowOrigin& origin, uint64_t given) {
  bool remove = false;
  if (!deleted.empty()) {
    std::optional<bool> b = ParseBool(deleted);
    if (!b) {
      return InvalidArgumentError(origin.Where(-1) + ": deleted: expected true or false, got " +
                                  Quote(deleted));
    }
    remove = *b;
  }
  if (!remove) {
    if (!options_.upsert) return AddRow(table, fields, origin);
    given |= ~uint64_t{0} << Schema(table).columns.size();  // the store's own columns
    row_given_ = given;
    const size_t before = TableSize(model_, table);
    Status s = AddRow(table, fields, origin);
    row_given_ = ~uint64_t{0};
    if (s.ok() && table > Table::kProducts && TableSize(model_, table) > before) {
      given_[static_cast<size_t>(table)].push_back(given);
    }
    return s;
  }
  if (!options_.upsert) {
    return InvalidArgumentError(origin.Where(-1) +
                                ": deleted: rows are deleted by an import with --mode upsert or "
                                "replace, not by an append");
  }
  const TableSchema& schema = Schema(table);
  RowReader r(table, fields, origin, model_);
  for (int col : schema.key) {
    const Column& c = schema.columns[static_cast<size_t>(col)];
    if (c.required && !r.Present(col)) return r.FailMessage(col, "a value is required (the key)");
    if (c.kind == ColumnKind::kOrganizationRef || c.kind == ColumnKind::kSiteRef ||
        c.kind == ColumnKind::kProductRef) {
      Index unused;
      RENKEI_RETURN_IF_ERROR(r.OptionalRef(col, unused));
    }
  }
  if (table <= Table::kProducts) {
    const std::string_view id = r.Raw(0);
    const Index index = table == Table::kOrganizations ? model_.FindOrganization(id)
                        : table == Table::kSites       ? model_.FindSite(id)
                                                       : model_.FindProduct(id);
    if (index == kNoIndex || index >= rows_before_[static_cast<size_t>(table)]) {
      return r.FailMessage(
          0, "no stored " + std::string(schema.name) + " row " + Quote(id) + " to delete");
    }
  }
  deletions_.push_back({table, KeyOfCells(table, fields), origin.Where(-1)});
  return Status::Ok();
}

Status ModelBuilder::AddOrganization(Fields f, const RowOrigin& o) {
  RowReader r(Table::kOrganizations, f, o, model_);
  Organization org;
  RENKEI_RETURN_IF_ERROR(r.ReadRow(org));
  const auto index = static_cast<Index>(model_.organizations.size());
  if (!model_.organization_ids.Insert(org.id, index)) {
    if (Restate(Table::kOrganizations, model_.FindOrganization(org.id), org)) return Status::Ok();
    return r.FailMessage(0, "duplicate organization id '" + org.id + "'");
  }
  model_.organizations.push_back(std::move(org));
  return Status::Ok();
}

Status ModelBuilder::AddSite(Fields f, const RowOrigin& o) {
  RowReader r(Table::kSites, f, o, model_);
  Site site;
  RENKEI_RETURN_IF_ERROR(r.ReadRow(site));
  if (!site.external) {
    for (const char* column : {"name", "country", "lat", "lon"}) {
      const int col = *Schema(Table::kSites).ColumnIndex(column);
      if (!r.Present(col)) {
        return r.FailMessage(col, "a value is required (only an external site may leave it out)");
      }
    }
  }
  const auto index = static_cast<Index>(model_.sites.size());
  if (!model_.site_ids.Insert(site.id, index)) {
    if (Restate(Table::kSites, model_.FindSite(site.id), site)) return Status::Ok();
    return r.FailMessage(0, "duplicate site id '" + site.id + "'");
  }
  model_.sites.push_back(std::move(site));
  return Status::Ok();
}

Status ModelBuilder::AddProduct(Fields f, const RowOrigin& o) {
  RowReader r(Table::kProducts, f, o, model_);
  Product product;
  RENKEI_RETURN_IF_ERROR(r.ReadRow(product));
  const auto index = static_cast<Index>(model_.products.size());
  if (!model_.product_ids.Insert(product.id, index)) {
    if (Restate(Table::kProducts, model_.FindProduct(product.id), product)) return Status::Ok();
    return r.FailMessage(0, "duplicate product id '" + product.id + "'");
  }
  model_.products.push_back(std::move(product));
  return Status::Ok();
}

Status ModelBuilder::AddBomLine(Fields f, const RowOrigin& o) {
  RowReader r(Table::kBom, f, o, model_);
  BomLine line;
  RENKEI_RETURN_IF_ERROR(r.ReadRow(line));
  if (!bom_keys_.Insert(line.product, line.component)) {
    return r.FailMessage(1, "duplicate BOM line: '" + std::string(r.Raw(1)) +
                                "' is already a component of '" + std::string(r.Raw(0)) + "'");
  }
  bom_origins_.push_back(o.Where(-1));
  model_.bom.push_back(line);
  return Status::Ok();
}

Status ModelBuilder::AddProduction(Fields f, const RowOrigin& o) {
  RowReader r(Table::kProduction, f, o, model_, &production_refs_);
  Production p;
  RENKEI_RETURN_IF_ERROR(r.ReadRow(p));
  if (!production_keys_.Insert(p.site, p.product)) {
    return r.FailMessage(1, "duplicate production of '" + std::string(r.Raw(1)) + "' at '" +
                                std::string(r.Raw(0)) + "'");
  }
  model_.production.push_back(p);
  return Status::Ok();
}

Status ModelBuilder::AddSupply(Fields f, const RowOrigin& o) {
  RowReader r(Table::kSupply, f, o, model_, &supply_refs_);
  SupplyLink s;
  RENKEI_RETURN_IF_ERROR(r.ReadRow(s));
  if (s.supplier_site == s.customer_site) {
    return r.FailMessage(1, "a site cannot supply itself ('" + std::string(r.Raw(1)) + "')");
  }
  if (!options_.upsert && !production_keys_.Contains(s.supplier_site, s.product)) {
    return r.FailMessage(0, "site '" + std::string(r.Raw(0)) + "' has no production of '" +
                                std::string(r.Raw(2)) + "'");
  }
  if (!supply_keys_.Insert(PackPair(s.supplier_site, s.customer_site), s.product)) {
    return r.FailMessage(2, "duplicate supply link of '" + std::string(r.Raw(2)) + "' from '" +
                                std::string(r.Raw(0)) + "' to '" + std::string(r.Raw(1)) + "'");
  }
  model_.supply.push_back(s);
  return Status::Ok();
}

Status ModelBuilder::AddDemand(Fields f, const RowOrigin& o) {
  RowReader r(Table::kDemand, f, o, model_);
  Demand d;
  RENKEI_RETURN_IF_ERROR(r.ReadRow(d));
  if (!demand_keys_.Insert(d.site, d.product)) {
    return r.FailMessage(1, "duplicate demand for '" + std::string(r.Raw(1)) + "' at '" +
                                std::string(r.Raw(0)) + "'");
  }
  model_.demand.push_back(d);
  return Status::Ok();
}

Status ModelBuilder::AddFootprint(Fields f, const RowOrigin& o) {
  RowReader r(Table::kFootprints, f, o, model_);
  Footprint fp;
  RENKEI_RETURN_IF_ERROR(r.ReadRow(fp));
  if (!fp.period_start.empty() && !fp.period_end.empty() &&
      fp.period_end.substr(0, 10) < fp.period_start.substr(0, 10)) {
    return r.FailMessage(
        10, "period_end " + fp.period_end + " is before period_start " + fp.period_start);
  }
  const std::string period = fp.period_start + "/" + fp.period_end;
  Index n = periods_.Find(period);
  if (n == kNoIndex) {
    n = static_cast<Index>(periods_.size());
    periods_.Insert(period, n);
  }
  if (!footprint_keys_.Insert(PackPair(fp.product, fp.site), n)) {
    return r.FailMessage(
        0, "duplicate footprint of '" + std::string(r.Raw(0)) + "' for the same site and period");
  }
  model_.footprints.push_back(std::move(fp));
  return Status::Ok();
}

Status ModelBuilder::AddMaterial(Fields f, const RowOrigin& o) {
  RowReader r(Table::kMaterials, f, o, model_);
  Material m;
  RENKEI_RETURN_IF_ERROR(r.ReadRow(m));
  if (m.recycled_pre_consumer_share.value_or(0) + m.recycled_post_consumer_share.value_or(0) >
      1 + 1e-9) {
    return r.FailMessage(4, "pre- and post-consumer recycled shares add up to more than 1");
  }
  Index n = substances_.Find(m.substance);
  if (n == kNoIndex) {
    n = static_cast<Index>(substances_.size());
    substances_.Insert(m.substance, n);
  }
  if (!material_keys_.Insert(m.product, n)) {
    return r.FailMessage(
        1, "duplicate material '" + m.substance + "' for '" + std::string(r.Raw(0)) + "'");
  }
  model_.materials.push_back(std::move(m));
  return Status::Ok();
}

namespace {

// A performance class is named by one letter, A the best.
bool IsClassName(std::string_view name) {
  return name.size() == 1 && name[0] >= 'A' && name[0] <= 'Z';
}

}  // namespace

std::string ClassOrderProblem(const FootprintClass& a, const FootprintClass& b) {
  if (a.category != b.category || a.name == b.name) return "";
  // The classes of a category are ordered: a better letter, a lower bound; only
  // the worst may have none.
  const FootprintClass& better = a.name < b.name ? a : b;
  const FootprintClass& worse = a.name < b.name ? b : a;
  std::string problem;
  if (!better.max_kgco2e_per_kwh) {
    problem = "class " + better.name + " has no upper bound, so class " + worse.name +
              " cannot come after it";
  } else if (worse.max_kgco2e_per_kwh && *worse.max_kgco2e_per_kwh <= *better.max_kgco2e_per_kwh) {
    problem = "class " + worse.name + "'s bound must be above class " + better.name + "'s (" +
              FormatNumber(*better.max_kgco2e_per_kwh) + ")";
  }
  if (!problem.empty()) problem += " in category '" + a.category + "'";
  return problem;
}

int SourceDifference(const SparePart& a, const SparePart& b) {
  if (a.product != b.product || a.supplier != b.supplier) return -1;
  const std::pair<int, bool> same[] = {{2, a.street_address == b.street_address},
                                       {3, a.postal_code == b.postal_code},
                                       {4, a.country == b.country},
                                       {5, a.email == b.email},
                                       {6, a.web_address == b.web_address}};
  for (auto [col, equal] : same) {
    if (!equal) return col;
  }
  return -1;
}

Status ModelBuilder::AddPassport(Fields f, const RowOrigin& o) {
  RowReader r(Table::kPassports, f, o, model_);
  Passport p;
  RENKEI_RETURN_IF_ERROR(r.ReadRow(p));
  if (!p.performance_class.empty() && !IsClassName(p.performance_class)) {
    return r.Fail(1, "a performance class letter from A (best) to Z");
  }
  for (const std::string& agent : p.extinguishing_agents) {
    if (!IsClassName(agent)) {
      return r.Fail(8, "extinguisher classes separated by ';' such as 'A;B;D'");
    }
  }
  if (!passport_keys_.insert(PassportKey(p)).second) {
    return r.FailMessage(0, "duplicate passport of '" + std::string(r.Raw(0)) + "'");
  }
  model_.passports.push_back(std::move(p));
  return Status::Ok();
}

Status ModelBuilder::AddFootprintClass(Fields f, const RowOrigin& o) {
  RowReader r(Table::kFootprintClasses, f, o, model_);
  FootprintClass c;
  RENKEI_RETURN_IF_ERROR(r.ReadRow(c));
  if (!IsClassName(c.name)) return r.Fail(1, "a performance class letter from A (best) to Z");
  if (!passport_keys_.insert(ClassKey(c)).second) {
    return r.FailMessage(1, "duplicate class " + c.name + " of category '" + c.category + "'");
  }
  for (const FootprintClass& e : model_.footprint_classes) {
    if (e.category != c.category) continue;
    const std::string problem = ClassOrderProblem(e, c);
    if (!problem.empty()) {
      passport_keys_.erase(ClassKey(c));
      return r.FailMessage(2, problem);
    }
  }
  model_.footprint_classes.push_back(std::move(c));
  return Status::Ok();
}

Status ModelBuilder::AddPassportDocument(Fields f, const RowOrigin& o) {
  RowReader r(Table::kPassportDocuments, f, o, model_);
  PassportDocument d;
  RENKEI_RETURN_IF_ERROR(r.ReadRow(d));
  const auto& types = PassportDocumentTypes();
  if (std::find(types.begin(), types.end(), d.document_type) == types.end()) {
    std::string known;
    for (std::string_view t : types) known += (known.empty() ? "" : ", ") + std::string(t);
    return r.Fail(1, "one of " + known);
  }
  // type "/" subtype, each a token of RFC 2045 (no spaces or tspecials).
  const size_t slash = d.mime_type.find('/');
  bool mime = slash != std::string::npos && slash > 0 && slash + 1 < d.mime_type.size();
  for (size_t i = 0; mime && i < d.mime_type.size(); ++i) {
    const auto c = static_cast<unsigned char>(d.mime_type[i]);
    mime = i == slash ||
           (c > 0x20 && c < 0x7f &&
            std::string_view("()<>@,;:\\\"/[]?=").find(d.mime_type[i]) == std::string_view::npos);
  }
  if (!mime) return r.Fail(2, "a media type such as 'application/pdf'");
  if (!passport_keys_.insert(DocumentKey(d)).second) {
    return r.FailMessage(3, "duplicate document " + d.url + " of '" + std::string(r.Raw(0)) + "'");
  }
  model_.passport_documents.push_back(std::move(d));
  return Status::Ok();
}

Status ModelBuilder::AddSparePart(Fields f, const RowOrigin& o) {
  RowReader r(Table::kSpareParts, f, o, model_);
  SparePart p;
  RENKEI_RETURN_IF_ERROR(r.ReadRow(p));
  // A source's contact details are the same on every row of its parts.
  auto [it, first] = spare_part_sources_.emplace(SourceKey(p), model_.spare_parts.size());
  if (!first) {
    const SparePart& e = model_.spare_parts[it->second];
    const int col = SourceDifference(e, p);
    if (col >= 0) {
      return r.FailMessage(col, "differs from the earlier row of supplier '" + p.supplier +
                                    "' (part " + e.part_number + "); a source has one " +
                                    "address, e-mail and web address");
    }
  }
  if (!passport_keys_.insert(SparePartKey(p)).second) {
    return r.FailMessage(8, "duplicate part " + p.part_number + " of supplier '" + p.supplier +
                                "' for '" + std::string(r.Raw(0)) + "'");
  }
  model_.spare_parts.push_back(std::move(p));
  return Status::Ok();
}

Status ModelBuilder::Finish() {
  if (options_.upsert) return Status::Ok();  // MergeEdit checks the merged model
  return CheckBomCycles(model_, rows_before_[static_cast<size_t>(Table::kBom)],
                        [&](size_t line) { return bom_origins_[line]; });
}

Status CheckBomCycles(const Model& model, size_t first_new,
                      const std::function<std::string(size_t line)>& where) {
  // BOM cycles: iterative depth-first search over the lines not flagged recycling.
  const size_t n = model.products.size();
  std::vector<std::vector<size_t>> out(n);  // product -> BOM line numbers
  for (size_t i = 0; i < model.bom.size(); ++i) {
    if (!model.bom[i].recycling) out[model.bom[i].product].push_back(i);
  }
  enum : uint8_t { kWhite, kGrey, kBlack };
  std::vector<uint8_t> color(n, kWhite);
  struct Frame {
    Index product;
    size_t next;
    size_t via_line;  // the BOM line that led here
  };
  std::vector<Frame> stack;
  for (Index root = 0; root < n; ++root) {
    if (color[root] != kWhite || out[root].empty()) continue;
    stack.push_back({root, 0, SIZE_MAX});
    color[root] = kGrey;
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next == out[top.product].size()) {
        color[top.product] = kBlack;
        stack.pop_back();
        continue;
      }
      const size_t line = out[top.product][top.next++];
      const Index child = model.bom[line].component;
      if (color[child] == kGrey) {
        // The cycle is the stack from `child` up, closed by `line`. It is reported at
        // that line, or when it is a stored one at the cycle's first new line (a cycle
        // of stored lines alone cannot be: the store holds none), naming the stored
        // lines it runs through.
        std::string path;
        size_t start = 0;
        while (stack[start].product != child) ++start;
        std::vector<size_t> lines;
        for (size_t i = start; i < stack.size(); ++i) {
          path += model.products[stack[i].product].id + " -> ";
          if (i > start) lines.push_back(stack[i].via_line);
        }
        lines.push_back(line);
        path += model.products[child].id;
        size_t reported = line;
        std::string stored;
        for (size_t l : lines) {
          if (l >= first_new) {
            if (line < first_new && (reported < first_new || l < reported)) reported = l;
          } else {
            stored += (stored.empty() ? "" : ", ") + model.products[model.bom[l].product].id +
                      " <- " + model.products[model.bom[l].component].id;
          }
        }
        if (!stored.empty()) stored = " (through the stored BOM lines " + stored + ")";
        return InvalidArgumentError(
            where(reported) + ": BOM cycle without a line flagged recycling: " + path + stored);
      }
      if (color[child] == kWhite) {
        color[child] = kGrey;
        stack.push_back({child, 0, line});
      }
    }
  }
  return Status::Ok();
}

}  // namespace renkei::model
