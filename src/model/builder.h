// ModelBuilder: turns rows of text into a validated Model.
//
// Every bundle reader (CSV, JSON) and every import path goes through here, so the
// rules of DESIGN.md are enforced in one place: references resolve, numbers parse
// and lie in range, units and countries are known, ids and keys are unique, and the
// bill of materials has no cycle except through a line flagged `recycling`.
#ifndef RENKEI_MODEL_BUILDER_H_
#define RENKEI_MODEL_BUILDER_H_

#include <array>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "model/internal/key_set.h"
#include "model/model.h"
#include "model/schema.h"

namespace renkei::model {

// Where a row came from, for error messages.
class RowOrigin {
 public:
  virtual ~RowOrigin() = default;
  // The place of the cell of schema column `column` ("supply.csv:42:17",
  // "$.supply[40].share"), or of the whole row when `column` < 0.
  virtual std::string Where(int column) const = 0;
};

// How many rows each table held; indexed by Table.
using RowCounts = std::array<size_t, kTableCount>;
RowCounts CountRows(const Model& model);

// The last id resolved in each reference column of a table (builder.cc).
struct RefCache {
  struct Entry {
    std::string id;
    Index index = kNoIndex;
  };
  std::array<Entry, 4> entries;
};

struct BuildOptions {
  // Reading an upsert or replace (model/edit.h) on top of a model holding the
  // store's organizations, sites and products alone: a row whose id is one of
  // theirs restates that entity in place (once per bundle) instead of being a
  // duplicate, rows may be marked deleted (DeleteRow), and the checks that need
  // the store's other rows (a supplier's production, BOM cycles, the passport
  // tables' rules across rows) are left to model::MergeEdit.
  bool upsert = false;
};

// A row a bundle asks to delete: its key (model/row_text.h) and where it was asked.
struct Deletion {
  Table table;
  std::string key;
  std::string where;
};

// Checks that the bill of materials of `model` has no cycle except through a
// line flagged `recycling`. Lines from `first_new` on are new: a cycle is
// reported at `where` of a new line on it, naming the stored lines it runs
// through.
Status CheckBomCycles(const Model& model, size_t first_new,
                      const std::function<std::string(size_t line)>& where);

// The rules across rows of the passport tables, for rows checked one by one
// (ModelBuilder) and for a merged model (MergeEdit): the problem with classes
// `a` and `b` of one category being in force together ("" when none), and the
// column (of spare_parts) in which two parts of one product and supplier give
// the source different contact details (-1 when none).
std::string ClassOrderProblem(const FootprintClass& a, const FootprintClass& b);
int SourceDifference(const SparePart& a, const SparePart& b);

class ModelBuilder {
 public:
  // Appends to `model`, which may already hold rows (loaded from a store); they
  // are indexed so that a new row colliding with an old one is found.
  // `model` must outlive the builder.
  explicit ModelBuilder(Model& model, BuildOptions options = {});

  // A row whose `deleted` cell is `deleted` (true/false/1/0/yes/no; empty is
  // false): AddRow when false; when true (upsert only) its key columns are
  // checked (references must resolve, an entity must exist) and the deletion
  // recorded; its other cells are ignored.
  // `given` has bit c set for each schema column c the bundle has for this row
  // (CSV: in its header; JSON: in its object): in upsert mode a row restating a
  // stored one keeps the stored values of the columns not given (given(), and
  // restated entities at once).
  Status AddOrDeleteRow(Table table, std::span<const std::string_view> fields,
                        std::string_view deleted, const RowOrigin& origin,
                        uint64_t given = ~uint64_t{0});

  // After an upsert read: the entity rows restated in place (indices below
  // rows_before()), per entity table (organizations, sites, products), and the
  // rows asked to be deleted.
  const std::array<std::vector<Index>, 3>& restated() const { return restated_; }
  const std::vector<Deletion>& deletions() const { return deletions_; }
  // In upsert mode: the columns given of each new row of each table other than
  // the entities' (see AddOrDeleteRow), in row order.
  const std::array<std::vector<uint64_t>, kTableCount>& given() const { return given_; }

  // Checks one row of `table` and appends it to the model. fields[i] is the text
  // of schema column i, empty when absent; fields.size() must equal the schema's
  // column count. On error nothing is appended and the Status (InvalidArgument)
  // reads "<origin.Where(col)>: <column>: <what was expected>, got '<text>'".
  Status AddRow(Table table, std::span<const std::string_view> fields, const RowOrigin& origin);

  // A hint that AddRow(table, fields, ...) comes soon: starts loading the id
  // index entries it will look up, so that a reader calling it some rows ahead
  // overlaps the cache misses of large indexes. Changes nothing.
  void Prefetch(Table table, std::span<const std::string_view> fields) const;
  // Later hints for the same row, in this order, each some rows after the one
  // before and before AddRow: PrefetchText starts loading the id text the
  // lookup compares; PrefetchKeys resolves the row's ids (now in the cache) and
  // starts loading the duplicate-key slots AddRow checks. Change nothing.
  void PrefetchText(Table table, std::span<const std::string_view> fields) const;
  void PrefetchKeys(Table table, std::span<const std::string_view> fields) const;

  // Checks that need whole tables, once all rows are in: BOM cycles.
  Status Finish();

  // The row counts when the builder was made: rows at or after these are new.
  const RowCounts& rows_before() const { return rows_before_; }

  // Pre-sizes the indexes for about `rows` more rows of `table`.
  void Reserve(Table table, size_t rows);

 private:
  Status AddOrganization(std::span<const std::string_view> f, const RowOrigin& o);
  Status AddSite(std::span<const std::string_view> f, const RowOrigin& o);
  Status AddProduct(std::span<const std::string_view> f, const RowOrigin& o);
  Status AddBomLine(std::span<const std::string_view> f, const RowOrigin& o);
  Status AddProduction(std::span<const std::string_view> f, const RowOrigin& o);
  Status AddSupply(std::span<const std::string_view> f, const RowOrigin& o);
  Status AddDemand(std::span<const std::string_view> f, const RowOrigin& o);
  Status AddFootprint(std::span<const std::string_view> f, const RowOrigin& o);
  Status AddMaterial(std::span<const std::string_view> f, const RowOrigin& o);
  Status AddPassport(std::span<const std::string_view> f, const RowOrigin& o);
  Status AddFootprintClass(std::span<const std::string_view> f, const RowOrigin& o);
  Status AddPassportDocument(std::span<const std::string_view> f, const RowOrigin& o);
  Status AddSparePart(std::span<const std::string_view> f, const RowOrigin& o);
  // Keys of the passport tables' rows (few rows: text keys in one set).
  static std::string PassportKey(const Passport& p);
  static std::string ClassKey(const FootprintClass& c);
  static std::string DocumentKey(const PassportDocument& d);
  static std::string SparePartKey(const SparePart& p);
  static std::string SourceKey(const SparePart& p);  // (product, supplier)

  // In upsert mode: the entity `index` of `table` (an entity table) becomes
  // `row` when it is an old one not restated yet; false otherwise.
  template <typename Row>
  bool Restate(Table table, Index index, Row& row);

  Model& model_;
  BuildOptions options_;
  RowCounts rows_before_;
  std::array<std::vector<Index>, 3> restated_;
  std::array<std::vector<bool>, 3> restated_mark_;
  std::vector<Deletion> deletions_;
  std::array<std::vector<uint64_t>, kTableCount> given_;
  uint64_t row_given_ = ~uint64_t{0};              // of the row being added
  internal::KeySet bom_keys_;                      // (product, component)
  internal::KeySet production_keys_;               // (site, product)
  internal::KeySet supply_keys_;                   // (supplier, customer), product
  internal::KeySet demand_keys_;                   // (site, product)
  internal::KeySet material_keys_;                 // (product, substance number)
  internal::KeySet footprint_keys_;                // (product, site), period number
  IdIndex substances_;                             // substance name -> number, for material_keys_
  IdIndex periods_;                                // "start/end" -> number, for footprint_keys_
  std::unordered_set<std::string> passport_keys_;  // the passport tables' keys
  std::unordered_map<std::string, size_t> spare_part_sources_;  // SourceKey -> first row
  std::vector<std::string> bom_origins_;                        // Where(-1) of each new BOM line
  RefCache supply_refs_;
  RefCache production_refs_;
};

}  // namespace renkei::model

#endif  // RENKEI_MODEL_BUILDER_H_
