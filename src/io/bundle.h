// Reading and writing bundles: a folder of CSV files, or one JSON file, holding
// the tables of model/schema.h (DESIGN.md, "The model and its bundle format").
#ifndef RENKEI_IO_BUNDLE_H_
#define RENKEI_IO_BUNDLE_H_

#include <array>
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/builder.h"
#include "model/edit.h"
#include "model/model.h"

namespace renkei::io {

enum class BundleFormat { kCsv, kJson };

// Reads the bundle at `path` — a folder with <table>.csv files (any subset; a
// missing file is an empty table) or a .json file with one array per table — and
// appends its rows to `model`, checking each through model::ModelBuilder. `model`
// may already hold rows (loaded from a store): references may point at them and
// collisions with them are errors.
//
// CSV follows RFC 4180 (quotes, embedded commas and newlines, CRLF), UTF-8 with
// or without a byte-order mark; the header names the columns in any order. Files
// are streamed in blocks, so the text of a large file is never held whole.
// Shows a progress bar on a terminal for long reads.
//
// Errors (InvalidArgument, or NotFound for a missing path) name the place:
// "supply.csv:42:17: share: expected a number in [0, 1], got '1.5'", or for JSON
// "bundle.json: $.supply[40].share: ...". On error `model` holds an unspecified
// part of the bundle and must be discarded.
Status ReadBundle(const std::string& path, model::Model& model);

// Told while a bundle is read that rows of `table` before `rows` (the table's
// size in the model) have passed the row-by-row checks; called on the reading
// thread, between appends, tables in model::Table order, so the rows may be
// copied out. Checks over whole tables (BOM cycles) come later: the rows count
// only once ReadBundle returns OK. Every table is reported with its final size
// before ReadBundle returns OK.
using RowSink = std::function<void(model::Table table, size_t rows)>;

// As above, telling `sink` about the rows as they pass, so that they can be
// written while the rest is read (store::SideFileAppend).
Status ReadBundle(const std::string& path, model::Model& model, const RowSink& sink);

// Checks a received PACT footprint (a file of the bundle's footprints/ folder,
// parsed) before its row is added: OK(true) when its signature verified, OK(false)
// when it is taken unsigned; an error refuses the bundle, prefixed with the file's
// name ("footprints/dopant.json: $.extensions[0].data.jws: ...").
using FootprintCheck = std::function<StatusOr<bool>(const nlohmann::ordered_json& document)>;

// What a bundle read as an upsert says beyond its rows (model/edit.h): the
// stored organizations, sites and products it restated, the rows it marks
// deleted (a `deleted` column, true/false, in any table; only the key columns
// of such a row are read), and the columns each row gave.
using Upsert = model::UpsertRead;

struct ReadOptions {
  RowSink sink;  // as above; may be empty
  // When given, the bundle is read as an upsert (model::BuildOptions::upsert) on
  // top of model::EntitiesOf(the store's model), and this gets what it says.
  Upsert* upsert = nullptr;
  // Without one, every received footprint is read as unverified (model::Footprint).
  FootprintCheck check_footprint;
};

Status ReadBundle(const std::string& path, model::Model& model, const ReadOptions& options);

// Reads the text of a JSON bundle (a request body), as ReadBundle reads a .json file;
// errors name it `name` ("body: $.sites[3].lat: ...").
Status ReadJsonBundleText(std::string text, const std::string& name, model::Model& model,
                          const RowSink& sink = RowSink(), Upsert* upsert = nullptr);

// Reads a bundle into a new Model.
StatusOr<model::Model> ReadBundle(const std::string& path);

// Writes every row of `model` as a bundle at `path`: a folder of CSV files
// (created if needed; one file per table, header included, even when empty) or
// one JSON file. Numbers are written in their shortest exact form, so reading
// the bundle back gives the same model.
Status WriteBundle(const model::Model& model, const std::string& path, BundleFormat format);

}  // namespace renkei::io

#endif  // RENKEI_IO_BUNDLE_H_
