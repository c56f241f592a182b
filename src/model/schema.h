// The tables of a bundle and their columns (DESIGN.md, "The model and its bundle
// format"). Readers of CSV and JSON bundles and the store all work from this one
// description, so a column is named and checked the same way everywhere.
#ifndef RENKEI_MODEL_SCHEMA_H_
#define RENKEI_MODEL_SCHEMA_H_

#include <optional>
#include <span>
#include <string_view>

namespace renkei::model {

// In dependency order: a table only refers to tables before it.
enum class Table {
  kOrganizations,
  kSites,
  kProducts,
  kBom,
  kProduction,
  kSupply,
  kDemand,
  kFootprints,
  kMaterials,
  kPassports,
  kFootprintClasses,
  kPassportDocuments,
  kSpareParts,
};
inline constexpr int kTableCount = 13;

// The tables of battery passport data (footprint/passport.h): a bundle without
// passports has none of them, and writers leave them out when empty.
inline bool IsPassportTable(Table t) { return t >= Table::kPassports; }

enum class ColumnKind {
  kId,               // an id: non-empty, no spaces or control characters
  kText,             // free text
  kCountry,          // ISO 3166-1 alpha-2
  kNumber,           // finite decimal, within the column's Range
  kBool,             // true/false/1/0/yes/no
  kUnit,             // a unit symbol (model/units.h)
  kOrganizationRef,  // the id of an organization
  kSiteRef,          // the id of a site
  kProductRef,       // the id of a product
  kDate,             // ISO 8601 date (2026-01-31) or RFC 3339 date-time
  kIdList,           // ids separated by ';' (in JSON: an array of strings)
  kPublicKey,        // Ed25519 public key, base64url without padding (43 characters)
  kUri,              // an absolute URI (RFC 3986): a scheme, ':', no spaces
  kEmail,            // an e-mail address: local@domain.tld
};

enum class Range {
  kAny,          // any finite number
  kNonNegative,  // >= 0
  kPositive,     // > 0
  kShare,        // [0, 1]
  kLatitude,     // [-90, 90]
  kLongitude,    // [-180, 180]
  kQuality,      // [1, 3], PACT data quality rating
};

struct Column {
  std::string_view name;
  ColumnKind kind;
  bool required;
  Range range = Range::kAny;
};

struct TableSchema {
  Table table;
  std::string_view name;  // "supply"; the CSV file is name + ".csv"
  std::span<const Column> columns;
  // The natural key (DESIGN.md, "Versions"): positions in `columns`,
  // ascending (key order is column order). No two current rows share one; an upsert replaces the
  // row with the same key, and `renkei delete` names rows by it.
  std::span<const int> key;
  // Columns the store keeps after `columns` that no bundle has: what the node
  // learnt when the row came in (a received footprint's document, ...).
  std::span<const Column> stored = {};

  // The position of `column` in `columns`, or nullopt.
  std::optional<int> ColumnIndex(std::string_view column) const;
};

const TableSchema& Schema(Table table);

// All tables in dependency order.
std::span<const TableSchema> AllTables();

std::optional<Table> TableByName(std::string_view name);

// "a number >= 0", "a number in [0, 1]", ... for error messages.
std::string_view RangeDescription(Range range);
bool InRange(double value, Range range);

}  // namespace renkei::model

#endif  // RENKEI_MODEL_SCHEMA_H_
