// Streaming RFC 4180 CSV reading and writing.
#ifndef RENKEI_IO_CSV_H_
#define RENKEI_IO_CSV_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace renkei::io {

// Reads a CSV file record by record in blocks of about a megabyte, so memory
// stays flat however large the file is. Accepts quoted fields with embedded
// commas, quotes ("") and newlines, CRLF or LF line ends, and a UTF-8 byte-order
// mark; checks that the text is valid UTF-8. Blank lines are skipped.
// Not thread-safe.
class CsvReader {
 public:
  // How much is read at a time, unless a record is longer.
  static constexpr size_t kBlockBytes = 1 << 20;

  // Opens `path`; `name` is how errors refer to the file ("supply.csv"). Records are
  // the same whatever `block_bytes` (> 0; small blocks test the records and
  // characters that straddle two).
  static StatusOr<std::unique_ptr<CsvReader>> Open(const std::string& path, std::string name,
                                                   size_t block_bytes = kBlockBytes);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record. Returns false at the end of the file. Errors
  // (InvalidArgument) name the place: "supply.csv:7:12: invalid UTF-8",
  // "supply.csv:9:3: the file ends inside a quoted field".
  StatusOr<bool> Next();

  // The fields of the current record; valid until the next call to Next().
  std::span<const std::string_view> fields() const { return fields_; }

  // "name:line:column" of the start of field `i` of the current record (the
  // column counts characters from 1); of the record's start when i is out of range.
  std::string Where(size_t i) const;

  // The physical line on which the current record starts (1-based).
  uint64_t line() const { return record_line_; }

  uint64_t bytes_read() const { return consumed_total_; }
  uint64_t file_size() const { return file_size_; }
  const std::string& name() const { return name_; }

 private:
  friend class CsvBlock;
  CsvReader(std::FILE* file, std::string name, uint64_t size, size_t block_bytes);
  // Parses one record from buffer_[pos_...]; returns 1 on success, 0 when more
  // input is needed, -1 on error (error_ set).
  int ParseRecord();
  Status Fill();

  std::FILE* file_;
  std::string name_;
  uint64_t file_size_;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // start of unparsed data
  size_t end_ = 0;    // end of valid data
  bool eof_ = false;
  bool first_block_ = true;
  uint64_t consumed_total_ = 0;
  uint64_t line_ = 1;  // line at begin_

  // The current record.
  std::vector<std::string_view> fields_;
  // Buffer offsets of the record's first byte and of each field's first byte;
  // lines and columns are worked out from them only when an error is reported.
  size_t record_start_ = 0;
  std::vector<size_t> starts_;
  std::string unescaped_;  // quoted fields with "" inside, concatenated
  uint64_t record_line_ = 0;
  Status error_;
};

// Records copied out of a CsvReader, so that they can be checked on another
// thread while the reader goes on. Not thread-safe; hand a whole block over.
class CsvBlock {
 public:
  // About this many bytes of text make a full block.
  static constexpr size_t kTargetBytes = 256 << 10;

  // Empties the block for reuse, keeping its memory.
  void Clear();
  // Copies the current record of `reader`, which must outlive the block's use
  // (errors name its file).
  void Append(const CsvReader& reader);
  // Makes the fields visible; call after the last Append. `bytes_read` is the
  // reader's position after the block.
  void Seal(uint64_t bytes_read);

  bool full() const { return raw_.size() >= kTargetBytes; }
  size_t size() const { return records_.size(); }
  uint64_t bytes_read() const { return bytes_read_; }

  // The fields of record r; valid until Clear().
  std::span<const std::string_view> fields(size_t r) const {
    return std::span<const std::string_view>(views_).subspan(records_[r].first_field,
                                                             records_[r].field_count);
  }
  // As CsvReader::Where, for field i of record r.
  std::string Where(size_t r, size_t i) const;

 private:
  struct Record {
    uint64_t line;
    size_t raw_offset;
    size_t first_field;
    size_t field_count;
  };
  struct Field {
    size_t offset;  // in raw_, or in unescaped_ when `unescaped`
    size_t length;
    size_t start;  // offset in raw_ of the field's first byte, for Where()
    bool unescaped;
  };
  const std::string* name_ = nullptr;
  std::string raw_;        // the records' text as in the file
  std::string unescaped_;  // quoted fields with "" inside
  std::vector<Record> records_;
  std::vector<Field> fields_;
  std::vector<std::string_view> views_;
  uint64_t bytes_read_ = 0;
};

// Writes CSV with RFC 4180 quoting (only where needed) and LF line ends,
// buffering output.
class CsvWriter {
 public:
  static StatusOr<std::unique_ptr<CsvWriter>> Create(const std::string& path);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  void WriteRow(std::span<const std::string> fields);
  void WriteRow(std::span<const std::string_view> fields);
  // Flushes and closes; reports any write error.
  Status Close();

 private:
  CsvWriter(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  void AppendField(std::string_view field);
  void EndRow();

  std::FILE* file_;
  std::string path_;
  std::string buffer_;
  bool at_start_ = true;  // nothing written yet: a leading byte-order mark would be dropped
  bool failed_ = false;
};

}  // namespace renkei::io

#endif  // RENKEI_IO_CSV_H_
