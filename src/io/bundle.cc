#include "io/bundle.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "base/files.h"
#include "base/json.h"
#include "base/numbers.h"
#include "base/progress.h"
#include "io/csv.h"
#include "model/row_text.h"
#include "model/schema.h"
#include "pact/footprint_row.h"

namespace renkei::io {
namespace {

namespace fs = std::filesystem;
using model::Table;
using model::TableSchema;

// Row errors of one table are collected up to this many before reading stops;
// errors of structure (syntax, header) stop reading at once.
constexpr size_t kMaxRowErrors = 20;

// The builder is told this many rows ahead which ids it will look up.
constexpr size_t kPrefetchRows = 8;

// The column that marks a row of an upsert deleted (model::ModelBuilder::AddOrDeleteRow).
constexpr std::string_view kDeletedColumn = "deleted";

std::string ColumnList(const TableSchema& schema) {
  std::string list;
  for (const model::Column& c : schema.columns) {
    if (!list.empty()) list += ", ";
    list += c.name;
  }
  return list;
}

Status JoinErrors(const std::vector<Status>& errors, bool truncated) {
  std::string message;
  for (const Status& e : errors) {
    if (!message.empty()) message += '\n';
    message += e.message();
  }
  if (truncated) message += "\n(more errors not shown)";
  return InvalidArgumentError(std::move(message));
}

// --- CSV --------------------------------------------------------------------

class CsvRowOrigin : public model::RowOrigin {
 public:
  explicit CsvRowOrigin(const std::vector<int>& field_of_column)
      : field_of_column_(field_of_column) {}
  void set_row(const CsvBlock* block, size_t record) {
    block_ = block;
    record_ = record;
  }
  std::string Where(int column) const override {
    if (column < 0 || field_of_column_[static_cast<size_t>(column)] < 0) {
      return block_->Where(record_, SIZE_MAX);
    }
    return block_->Where(record_,
                         static_cast<size_t>(field_of_column_[static_cast<size_t>(column)]));
  }

 private:
  const std::vector<int>& field_of_column_;
  const CsvBlock* block_ = nullptr;
  size_t record_ = 0;
};

// Reads the records of a CSV file on a second thread, in blocks, while the
// caller checks the blocks already read. At most kBlocks blocks are in flight.
class CsvPipeline {
 public:
  using Pool = std::vector<std::unique_ptr<CsvBlock>>;

  // Takes blocks from `pool` and gives them back when done, so that the tables
  // of a bundle reuse the same memory.
  CsvPipeline(CsvReader& reader, Pool& pool)
      : reader_(reader), pool_(pool), free_(std::move(pool)), thread_([this] { Produce(); }) {}
  ~CsvPipeline() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
    pool_ = std::move(free_);
    for (auto& block : ready_) pool_.push_back(std::move(block));
  }
  CsvPipeline(const CsvPipeline&) = delete;
  CsvPipeline& operator=(const CsvPipeline&) = delete;

  // The next block, or nullptr at the end of the file; a syntax error of the
  // file is returned once the blocks before it have been taken.
  StatusOr<std::unique_ptr<CsvBlock>> Next() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return !ready_.empty() || done_; });
    if (!ready_.empty()) {
      std::unique_ptr<CsvBlock> block = std::move(ready_.front());
      ready_.pop_front();
      return block;
    }
    if (!error_.ok()) return error_;
    return std::unique_ptr<CsvBlock>();
  }

  // Hands a block back for reuse.
  void Recycle(std::unique_ptr<CsvBlock> block) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      free_.push_back(std::move(block));
    }
    changed_.notify_all();
  }

 private:
  static constexpr size_t kBlocks = 6;

  void Produce() {
    size_t made = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      made = free_.size();
    }
    for (;;) {
      std::unique_ptr<CsvBlock> block;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return stop_ || !free_.empty() || made < kBlocks; });
        if (stop_) return;
        if (!free_.empty()) {
          block = std::move(free_.back());
          free_.pop_back();
        } else {
          block = std::make_unique<CsvBlock>();
          ++made;
        }
      }
      block->Clear();
      Status error;
      bool end = false;
      while (!block->full()) {
        StatusOr<bool> more = reader_.Next();
        if (!more.ok()) {
          error = more.status();
          break;
        }
        if (!*more) {
          end = true;
          break;
        }
        block->Append(reader_);
      }
      block->Seal(reader_.bytes_read());
      const bool finished = !error.ok() || end;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (block->size() > 0) ready_.push_back(std::move(block));
        if (finished) {
          error_ = std::move(error);
          done_ = true;
        }
      }
      changed_.notify_all();
      if (finished) return;
    }
  }

  CsvReader& reader_;
  Pool& pool_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<CsvBlock>> ready_;  // guarded by mutex_
  Pool free_;                                    // guarded by mutex_
  Status error_;                                 // guarded by mutex_
  bool done_ = false;                            // guarded by mutex_
  bool stop_ = false;                            // guarded by mutex_
  std::thread thread_;                           // last: starts once the rest is built
};

class BundleProgress {
 public:
  BundleProgress(const std::string& label, uint64_t total) : progress_(label, total, "bytes") {}
  void Update(uint64_t file_bytes) { progress_.Update(done_ + file_bytes); }
  void FileDone(uint64_t file_bytes) { done_ += file_bytes; }

 private:
  Progress progress_;
  uint64_t done_ = 0;
};

Status ReadCsvTable(const std::string& path, const TableSchema& schema,
                    model::ModelBuilder& builder, const model::Model& model,
                    BundleProgress& progress, CsvPipeline::Pool& pool, const RowSink& sink) {
  const std::string name = std::string(schema.name) + ".csv";
  RENKEI_ASSIGN_OR_RETURN(std::unique_ptr<CsvReader> reader, CsvReader::Open(path, name));
  RENKEI_ASSIGN_OR_RETURN(bool has_header, reader->Next());
  if (!has_header) {
    return InvalidArgumentError(name + ":1:1: the file is empty; expected a header row with " +
                                "the columns " + ColumnList(schema));
  }
  // Header: every name a column of the table, each once, the required ones present.
  const auto header = reader->fields();
  const size_t width = header.size();
  std::vector<int> field_of_column(schema.columns.size(), -1);
  std::optional<size_t> deleted_field;  // the `deleted` column of an upsert
  for (size_t i = 0; i < width; ++i) {
    if (header[i] == kDeletedColumn) {
      if (deleted_field) {
        return InvalidArgumentError(reader->Where(i) +
                                    ": column 'deleted' appears twice in the header");
      }
      deleted_field = i;
      continue;
    }
    std::optional<int> column = schema.ColumnIndex(header[i]);
    if (!column) {
      return InvalidArgumentError(reader->Where(i) + ": unknown column '" + std::string(header[i]) +
                                  "' in the header; the columns of " + std::string(schema.name) +
                                  " are " + ColumnList(schema));
    }
    if (field_of_column[static_cast<size_t>(*column)] >= 0) {
      return InvalidArgumentError(reader->Where(i) + ": column '" + std::string(header[i]) +
                                  "' appears twice in the header");
    }
    field_of_column[static_cast<size_t>(*column)] = static_cast<int>(i);
  }
  for (size_t c = 0; c < schema.columns.size(); ++c) {
    // A file of deletions may name just the key.
    const bool key =
        std::find(schema.key.begin(), schema.key.end(), static_cast<int>(c)) != schema.key.end();
    if (schema.columns[c].required && field_of_column[c] < 0 && (!deleted_field || key)) {
      return InvalidArgumentError(name + ":1:1: the header lacks the required column '" +
                                  std::string(schema.columns[c].name) + "'");
    }
  }

  // The indexes are sized once the first block shows how long rows are: too
  // large an estimate costs as much as a rehash (zeroed pages, cache misses).
  uint64_t given = 0;  // the columns the file has
  for (size_t c = 0; c < field_of_column.size(); ++c) {
    if (field_of_column[c] >= 0) given |= uint64_t{1} << c;
  }
  const uint64_t header_bytes = reader->bytes_read();
  bool reserved = false;
  CsvRowOrigin origin(field_of_column);
  std::vector<std::string_view> cells(schema.columns.size());
  std::vector<std::string_view> ahead_cells(schema.columns.size());
  std::vector<Status> errors;
  CsvPipeline pipeline(*reader, pool);
  for (;;) {
    RENKEI_ASSIGN_OR_RETURN(std::unique_ptr<CsvBlock> block, pipeline.Next());
    if (block == nullptr) break;
    if (!reserved) {
      reserved = true;
      const uint64_t bytes = std::max<uint64_t>(block->bytes_read() - header_bytes, 1);
      const uint64_t rest = reader->file_size() - std::min(reader->file_size(), header_bytes);
      const auto rows = static_cast<double>(rest) * static_cast<double>(block->size()) /
                        static_cast<double>(bytes);
      builder.Reserve(schema.table, static_cast<size_t>(rows * 1.1) + 1024);
    }
    for (size_t r = 0; r < block->size(); ++r) {
      // Three hints ahead: the id index slot, then (once it is in) the id
      // text, then (once that is in) the duplicate-key slots.
      for (const size_t by : {kPrefetchRows, kPrefetchRows / 2, kPrefetchRows / 4}) {
        if (r + by >= block->size()) continue;
        const auto ahead = block->fields(r + by);
        if (ahead.size() != width) continue;
        for (size_t c = 0; c < cells.size(); ++c) {
          ahead_cells[c] = field_of_column[c] < 0 ? std::string_view()
                                                  : ahead[static_cast<size_t>(field_of_column[c])];
        }
        if (by == kPrefetchRows) {
          builder.Prefetch(schema.table, ahead_cells);
        } else if (by == kPrefetchRows / 2) {
          builder.PrefetchText(schema.table, ahead_cells);
        } else {
          builder.PrefetchKeys(schema.table, ahead_cells);
        }
      }
      const auto fields = block->fields(r);
      if (fields.size() != width) {
        return InvalidArgumentError(block->Where(r, SIZE_MAX) + ": expected " +
                                    std::to_string(width) + " fields as in the header, found " +
                                    std::to_string(fields.size()));
      }
      for (size_t c = 0; c < cells.size(); ++c) {
        cells[c] = field_of_column[c] < 0 ? std::string_view()
                                          : fields[static_cast<size_t>(field_of_column[c])];
      }
      origin.set_row(block.get(), r);
      Status s = builder.AddOrDeleteRow(schema.table, cells,
                                        deleted_field ? fields[*deleted_field] : std::string_view(),
                                        origin, given);
      if (!s.ok()) {
        errors.push_back(std::move(s));
        if (errors.size() >= kMaxRowErrors) return JoinErrors(errors, true);
      }
    }
    progress.Update(block->bytes_read());
    pipeline.Recycle(std::move(block));
    // Footprints and materials may still get rows from the footprints/ folder
    // after materials.csv: they are reported at the end, in table order.
    if (sink && errors.empty() && schema.table < Table::kFootprints) {
      sink(schema.table, model::TableSize(model, schema.table));
    }
  }
  progress.FileDone(reader->file_size());
  if (!errors.empty()) return JoinErrors(errors, false);
  return Status::Ok();
}

// Origin of a received PACT footprint: the file, then the JSON path.
class PactOrigin : public model::RowOrigin {
 public:
  explicit PactOrigin(std::string file) : file_(std::move(file)) {}
  std::string Where(int) const override { return file_; }

 private:
  std::string file_;
};

// Every *.json file of the bundle's footprints/ folder is a PACT
// ProductFootprint (v2 or v3) received from a supplier, in file-name order.
Status ReadPactFolder(const std::string& dir, model::Model& model, model::ModelBuilder& builder,
                      const FootprintCheck& check) {
  const fs::path folder = fs::path(dir) / "footprints";
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return Status::Ok();
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) return InvalidArgumentError(folder.string() + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& path : files) {
    const std::string name = "footprints/" + path.filename().string();
    RENKEI_ASSIGN_OR_RETURN(std::string json, ReadFile(path.string()));
    RENKEI_ASSIGN_OR_RETURN(std::vector<std::string> row, pact::FootprintRow(json, name, model));
    bool verified = false;
    if (check) {
      // FootprintRow parsed it: it is JSON within the nesting limit.
      RENKEI_ASSIGN_OR_RETURN(auto document, ParseJson<nlohmann::ordered_json>(json, name));
      StatusOr<bool> checked = check(document);
      if (!checked.ok()) return checked.status().WithPrefix(name);
      verified = *checked;
    }
    std::vector<std::string_view> cells(row.begin(), row.end());
    RENKEI_RETURN_IF_ERROR(builder.AddRow(Table::kFootprints, cells, PactOrigin(name)));
    model.footprints.back().pact_json = std::move(json);
    model.footprints.back().verified = verified;
  }
  return Status::Ok();
}

// Hands what an upsert's bundle said beyond its rows to `upsert` (if any).
void TellUpsert(const model::ModelBuilder& builder, Upsert* upsert) {
  if (upsert == nullptr) return;
  upsert->restated = builder.restated();
  upsert->deletions = builder.deletions();
  upsert->given = builder.given();
}

// Reports every table's final size to `sink`.
void ReportAllRows(const model::Model& model, const RowSink& sink) {
  if (!sink) return;
  for (const TableSchema& schema : model::AllTables()) {
    sink(schema.table, model::TableSize(model, schema.table));
  }
}

Status ReadCsvBundle(const std::string& dir, model::Model& model, const ReadOptions& options) {
  const RowSink& sink = options.sink;
  // A .csv file that is not a table is most likely a misnamed one: say so.
  std::set<std::string> tables;
  for (const TableSchema& t : model::AllTables()) tables.insert(std::string(t.name) + ".csv");
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".csv") continue;
    if (tables.count(file) == 0) {
      std::string known;
      for (const TableSchema& t : model::AllTables()) {
        known += std::string(known.empty()                                ? ""
                             : t.table == model::AllTables().back().table ? " and "
                                                                          : ", ") +
                 std::string(t.name) + ".csv";
      }
      return InvalidArgumentError(file + ":1:1: not a table of a bundle; a bundle holds " + known);
    }
    total += static_cast<uint64_t>(entry.file_size(ec));
  }
  if (ec) return InvalidArgumentError(dir + ": cannot list: " + ec.message());

  BundleProgress progress("reading " + fs::path(dir).filename().string(), total);
  model::ModelBuilder builder(model, {.upsert = options.upsert != nullptr});
  CsvPipeline::Pool pool;
  for (const TableSchema& schema : model::AllTables()) {
    const fs::path path = fs::path(dir) / (std::string(schema.name) + ".csv");
    if (!fs::exists(path)) continue;
    RENKEI_RETURN_IF_ERROR(
        ReadCsvTable(path.string(), schema, builder, model, progress, pool, sink));
  }
  RENKEI_RETURN_IF_ERROR(ReadPactFolder(dir, model, builder, options.check_footprint));
  RENKEI_RETURN_IF_ERROR(builder.Finish());
  TellUpsert(builder, options.upsert);
  ReportAllRows(model, sink);
  return Status::Ok();
}

// --- JSON -------------------------------------------------------------------

using nlohmann::json;

class JsonRowOrigin : public model::RowOrigin {
 public:
  JsonRowOrigin(const std::string& file, const TableSchema& schema)
      : file_(file), schema_(schema) {}
  void set_row(size_t row) { row_ = row; }
  std::string Where(int column) const override {
    std::string where =
        file_ + ": $." + std::string(schema_.name) + "[" + std::to_string(row_) + "]";
    if (column >= 0) where += "." + std::string(schema_.columns[static_cast<size_t>(column)].name);
    return where;
  }

 private:
  const std::string& file_;
  const TableSchema& schema_;
  size_t row_ = 0;
};

std::string JsonTypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "null";
  }
}

// Turns one JSON cell into the text the builder checks; type errors are
// reported here since the text form would hide them.
Status JsonCell(const json& v, const model::Column& column, const JsonRowOrigin& origin, int index,
                std::string& out) {
  out.clear();
  if (v.is_null()) return Status::Ok();
  auto mismatch = [&](const char* expected) {
    return InvalidArgumentError(origin.Where(index) + ": expected " + expected + ", got " +
                                JsonTypeName(v));
  };
  switch (column.kind) {
    case model::ColumnKind::kNumber:
      if (v.is_number_float()) {
        AppendNumber(out, v.get<double>());
      } else if (v.is_number_integer() || v.is_number_unsigned()) {
        out = v.dump();
      } else {
        return mismatch("a number");
      }
      return Status::Ok();
    case model::ColumnKind::kBool:
      if (!v.is_boolean()) return mismatch("true or false");
      out = v.get<bool>() ? "true" : "false";
      return Status::Ok();
    case model::ColumnKind::kIdList:
      if (!v.is_array()) return mismatch("an array of strings");
      for (const json& item : v) {
        if (!item.is_string()) return mismatch("an array of strings");
        if (!out.empty()) out += ';';
        out += item.get<std::string>();
      }
      return Status::Ok();
    default:
      if (!v.is_string()) return mismatch("a string");
      out = v.get<std::string>();
      if (out.empty()) {
        // An empty string is not "absent": keep it visible to the required check.
        if (column.required) {
          return InvalidArgumentError(origin.Where(index) + ": a value is required");
        }
      }
      return Status::Ok();
  }
}

Status ReadJsonText(std::string text, const std::string& file, model::Model& model,
                    const RowSink& sink, Upsert* upsert) {
  RENKEI_ASSIGN_OR_RETURN(json doc, ParseJson<json>(text, file));
  text.clear();
  text.shrink_to_fit();
  if (!doc.is_object()) {
    return InvalidArgumentError(file + ": $: expected an object with one array per table");
  }
  for (const auto& [key, value] : doc.items()) {
    if (!model::TableByName(key)) {
      return InvalidArgumentError(file + ": $." + key + ": unknown table");
    }
    if (!value.is_array()) {
      return InvalidArgumentError(file + ": $." + key + ": expected an array, got " +
                                  JsonTypeName(value));
    }
  }
  model::ModelBuilder builder(model, {.upsert = upsert != nullptr});
  for (const TableSchema& schema : model::AllTables()) {
    auto it = doc.find(std::string(schema.name));
    if (it == doc.end()) continue;
    JsonRowOrigin origin(file, schema);
    std::vector<std::string> text_cells(schema.columns.size());
    std::vector<std::string_view> cells(schema.columns.size());
    std::vector<Status> errors;
    for (size_t row = 0; row < it->size(); ++row) {
      origin.set_row(row);
      const json& object = (*it)[row];
      if (!object.is_object()) {
        return InvalidArgumentError(origin.Where(-1) + ": expected an object, got " +
                                    JsonTypeName(object));
      }
      std::string deleted;
      for (const auto& [key, value] : object.items()) {
        if (key == kDeletedColumn) {
          if (value.is_boolean()) {
            deleted = value.get<bool>() ? "true" : "false";
          } else if (value.is_string()) {
            deleted = value.get<std::string>();
          } else {
            return InvalidArgumentError(origin.Where(-1) + ".deleted: expected a boolean, got " +
                                        JsonTypeName(value));
          }
          continue;
        }
        if (!schema.ColumnIndex(key)) {
          return InvalidArgumentError(origin.Where(-1) + "." + key +
                                      ": unknown column; the columns of " +
                                      std::string(schema.name) + " are " + ColumnList(schema));
        }
      }
      Status row_status;
      for (size_t c = 0; c < schema.columns.size() && row_status.ok(); ++c) {
        auto cell = object.find(std::string(schema.columns[c].name));
        if (cell == object.end()) {
          text_cells[c].clear();
        } else {
          row_status =
              JsonCell(*cell, schema.columns[c], origin, static_cast<int>(c), text_cells[c]);
        }
        cells[c] = text_cells[c];
      }
      uint64_t given = 0;
      for (size_t c = 0; c < schema.columns.size(); ++c) {
        if (object.contains(std::string(schema.columns[c].name))) given |= uint64_t{1} << c;
      }
      if (row_status.ok()) {
        row_status = builder.AddOrDeleteRow(schema.table, cells, deleted, origin, given);
      }
      if (!row_status.ok()) {
        errors.push_back(std::move(row_status));
        if (errors.size() >= kMaxRowErrors) return JoinErrors(errors, true);
      }
    }
    if (!errors.empty()) return JoinErrors(errors, false);
  }
  RENKEI_RETURN_IF_ERROR(builder.Finish());
  TellUpsert(builder, upsert);
  ReportAllRows(model, sink);
  return Status::Ok();
}

// --- Writing ----------------------------------------------------------------

Status WriteCsvBundle(const model::Model& model, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return InvalidArgumentError(dir + ": cannot create: " + ec.message());
  Progress progress("writing " + fs::path(dir).filename().string(), 0, "rows");
  uint64_t done = 0;
  std::vector<std::string> cells;
  for (const TableSchema& schema : model::AllTables()) {
    const size_t n = model::TableSize(model, schema.table);
    if (n == 0 && model::IsPassportTable(schema.table)) continue;
    RENKEI_ASSIGN_OR_RETURN(
        std::unique_ptr<CsvWriter> writer,
        CsvWriter::Create((fs::path(dir) / (std::string(schema.name) + ".csv")).string()));
    std::vector<std::string_view> header;
    for (const model::Column& c : schema.columns) header.push_back(c.name);
    writer->WriteRow(std::span<const std::string_view>(header));
    for (size_t row = 0; row < n; ++row) {
      if (schema.table == Table::kFootprints && !model.footprints[row].pact_json.empty()) continue;
      model::RowText(model, schema.table, row, cells);
      writer->WriteRow(std::span<const std::string>(cells));
      if ((++done & 0xFFFF) == 0) progress.Update(done);
    }
    RENKEI_RETURN_IF_ERROR(writer->Close());
  }
  // Received PACT footprints go back out as the documents they came in.
  size_t received = 0;
  for (const model::Footprint& f : model.footprints) {
    if (f.pact_json.empty()) continue;
    const fs::path folder = fs::path(dir) / "footprints";
    fs::create_directories(folder, ec);
    if (ec) return InvalidArgumentError(folder.string() + ": cannot create: " + ec.message());
    char name[32];
    std::snprintf(name, sizeof(name), "received-%04zu.json", ++received);
    RENKEI_RETURN_IF_ERROR(WriteFileAtomically((folder / name).string(), f.pact_json));
  }
  return Status::Ok();
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

Status WriteJsonBundle(const model::Model& model, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return InvalidArgumentError(path + ": cannot create");
  std::string buffer = "{";
  std::vector<std::string> cells;
  bool first_table = true;
  for (const TableSchema& schema : model::AllTables()) {
    const size_t n = model::TableSize(model, schema.table);
    if (n == 0 && model::IsPassportTable(schema.table)) continue;
    if (!first_table) buffer += ",";
    first_table = false;
    buffer += "\n  \"";
    buffer += schema.name;
    buffer += "\": [";
    bool first_row = true;
    for (size_t row = 0; row < n; ++row) {
      model::RowText(model, schema.table, row, cells);
      buffer += first_row ? "\n    {" : ",\n    {";
      first_row = false;
      bool first_cell = true;
      for (size_t c = 0; c < cells.size(); ++c) {
        if (cells[c].empty()) continue;
        const model::Column& column = schema.columns[c];
        if (!first_cell) buffer += ", ";
        first_cell = false;
        buffer += '"';
        buffer += column.name;
        buffer += "\": ";
        if (column.kind == model::ColumnKind::kNumber || column.kind == model::ColumnKind::kBool) {
          buffer += cells[c];
        } else if (column.kind == model::ColumnKind::kIdList) {
          json ids = json::array();
          for (std::string_view rest = cells[c]; !rest.empty();) {
            const size_t end = rest.find(';');
            ids.push_back(std::string(rest.substr(0, end)));
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
          }
          buffer += ids.dump();
        } else {
          AppendJsonString(buffer, cells[c]);
        }
      }
      buffer += "}";
      if (buffer.size() > (1 << 20)) {
        out << buffer;
        buffer.clear();
      }
    }
    buffer += first_row ? "]" : "\n  ]";
  }
  buffer += "\n}\n";
  out << buffer;
  out.close();
  if (!out) return InternalError(path + ": write failed");
  return Status::Ok();
}

Status ReadJsonBundle(const std::string& path, model::Model& model, const ReadOptions& options) {
  RENKEI_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ReadJsonText(std::move(text), fs::path(path).filename().string(), model, options.sink,
                      options.upsert);
}

}  // namespace

Status ReadJsonBundleText(std::string text, const std::string& name, model::Model& model,
                          const RowSink& sink, Upsert* upsert) {
  return ReadJsonText(std::move(text), name, model, sink, upsert);
}

Status ReadBundle(const std::string& path, model::Model& model, const ReadOptions& options) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return ReadCsvBundle(path, model, options);
  if (!fs::exists(path, ec))
    return NotFoundError(path + ": no such bundle (a folder or a .json file)");
  if (fs::path(path).extension() == ".json") return ReadJsonBundle(path, model, options);
  return InvalidArgumentError(path + ": a bundle is a folder of CSV files or a .json file");
}

Status ReadBundle(const std::string& path, model::Model& model, const RowSink& sink) {
  ReadOptions options;
  options.sink = sink;
  return ReadBundle(path, model, options);
}

Status ReadBundle(const std::string& path, model::Model& model) {
  return ReadBundle(path, model, RowSink());
}

StatusOr<model::Model> ReadBundle(const std::string& path) {
  model::Model model;
  RENKEI_RETURN_IF_ERROR(ReadBundle(path, model));
  return model;
}

Status WriteBundle(const model::Model& model, const std::string& path, BundleFormat format) {
  return format == BundleFormat::kCsv ? WriteCsvBundle(model, path) : WriteJsonBundle(model, path);
}

}  // namespace renkei::io
