#include "io/csv.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/stat.h>

namespace renkei::io {
namespace {

// Length of the valid UTF-8 sequence at p (>= 1), 0 when more bytes are needed,
// -1 when invalid. Rejects overlong forms, surrogates and code points > U+10FFFF.
int Utf8Length(const unsigned char* p, const unsigned char* end, bool eof) {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  int n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return -1;
  }
  for (int i = 1; i <= n; ++i) {
    if (p + i >= end) return eof ? -1 : 0;
    const unsigned char b = p[i];
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return -1;
  }
  return n + 1;
}

// Bytes at which the scanner must look closer: in an unquoted field the
// separators and non-ASCII (checked as UTF-8); in a quoted field the quote, line
// feeds (counted) and non-ASCII. All other bytes are skipped in a tight loop.
struct ByteClasses {
  bool unquoted_stop[256] = {};
  bool quoted_stop[256] = {};
  constexpr ByteClasses() {
    for (int c = 0x80; c < 256; ++c) unquoted_stop[c] = quoted_stop[c] = true;
    unquoted_stop[static_cast<int>(',')] = unquoted_stop[static_cast<int>('\n')] = true;
    unquoted_stop[static_cast<int>('\r')] = true;
    quoted_stop[static_cast<int>('"')] = quoted_stop[static_cast<int>('\n')] = true;
  }
};
constexpr ByteClasses kBytes;

size_t CharColumn(const char* line_start, const char* at) {
  size_t column = 1;
  for (const char* p = line_start; p < at; ++p) {
    if ((static_cast<unsigned char>(*p) & 0xC0) != 0x80) ++column;
  }
  return column;
}

}  // namespace

StatusOr<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path, std::string name,
                                                     size_t block_bytes) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    if (errno == ENOENT) return NotFoundError(name + ": no such file");
    return InvalidArgumentError(name + ": cannot open: " + std::strerror(errno));
  }
  struct stat st;
  if (fstat(fileno(file), &st) != 0 || !S_ISREG(st.st_mode)) {
    std::fclose(file);
    return InvalidArgumentError(name + ": not a file" +
                                (S_ISDIR(st.st_mode) ? std::string(" (a folder)") : ""));
  }
  uint64_t size = 0;
  if (std::fseek(file, 0, SEEK_END) == 0) {
    const long end = std::ftell(file);
    if (end > 0) size = static_cast<uint64_t>(end);
    std::fseek(file, 0, SEEK_SET);
  }
  return std::unique_ptr<CsvReader>(
      new CsvReader(file, std::move(name), size, std::max<size_t>(block_bytes, 1)));
}

CsvReader::CsvReader(std::FILE* file, std::string name, uint64_t size, size_t block_bytes)
    : file_(file), name_(std::move(name)), file_size_(size), buffer_(block_bytes) {}

CsvReader::~CsvReader() { std::fclose(file_); }

Status CsvReader::Fill() {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);  // a record longer than a block
  const size_t got = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_);
  if (got == 0) {
    if (std::ferror(file_)) return InternalError(name_ + ": read failed: " + std::strerror(errno));
    eof_ = true;
  }
  end_ += got;
  if (first_block_ && end_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) {
    begin_ = 3;
    consumed_total_ += 3;
  }
  if (end_ >= 3 || eof_) first_block_ = false;
  return Status::Ok();
}

StatusOr<bool> CsvReader::Next() {
  for (;;) {
    const int r = ParseRecord();
    if (r == 1) return true;
    if (r == 2) return false;
    if (r < 0) return error_;
    if (eof_) return InternalError(name_ + ": parser stalled at end of file");
    RENKEI_RETURN_IF_ERROR(Fill());
  }
}

int CsvReader::ParseRecord() {
  if (first_block_) return 0;  // the byte-order mark is decided on the first fill
  const char* buf = buffer_.data();
  size_t p = begin_;
  uint64_t line = line_;

  // Blank lines.
  for (;;) {
    if (p == end_) {
      consumed_total_ += p - begin_;
      begin_ = p;
      line_ = line;
      return eof_ ? 2 : 0;
    }
    if (buf[p] == '\n') {
      ++p;
      ++line;
    } else if (buf[p] == '\r') {
      if (p + 1 == end_ && !eof_) return 0;
      if (p + 1 < end_ && buf[p + 1] == '\n') {
        p += 2;
        ++line;
      } else {
        break;
      }
    } else {
      break;
    }
  }
  consumed_total_ += p - begin_;
  begin_ = p;
  line_ = line;
  const size_t record_start = p;
  size_t line_start = p;

  struct Span {
    size_t offset;
    size_t length;
    bool unescaped;
  };
  static thread_local std::vector<Span> spans;
  spans.clear();
  starts_.clear();
  unescaped_.clear();

  auto fail = [&](uint64_t at_line, size_t at_line_start, size_t at, const std::string& what) {
    error_ = InvalidArgumentError(name_ + ":" + std::to_string(at_line) + ":" +
                                  std::to_string(CharColumn(buf + at_line_start, buf + at)) + ": " +
                                  what);
    return -1;
  };
  auto check_utf8 = [&](size_t at, int& length) {
    length = Utf8Length(reinterpret_cast<const unsigned char*>(buf + at),
                        reinterpret_cast<const unsigned char*>(buf + end_), eof_);
    return length;
  };

  for (;;) {  // one field per iteration
    starts_.push_back(p);
    if (p < end_ && buf[p] == '"') {
      const uint64_t open_line = line;
      const size_t open_line_start = line_start;
      const size_t open = p;
      ++p;
      size_t segment = p;
      bool escaped = false;
      const size_t unescaped_start = unescaped_.size();
      for (;;) {
        while (p < end_ && !kBytes.quoted_stop[static_cast<unsigned char>(buf[p])]) ++p;
        if (p == end_) {
          if (!eof_) return 0;
          return fail(open_line, open_line_start, open,
                      "the file ends inside a quoted field that starts here");
        }
        const char c = buf[p];
        if (c == '"') {
          if (p + 1 == end_ && !eof_) return 0;
          if (p + 1 < end_ && buf[p + 1] == '"') {
            unescaped_.append(buf + segment, p + 1 - segment);
            escaped = true;
            p += 2;
            segment = p;
            continue;
          }
          if (escaped) {
            unescaped_.append(buf + segment, p - segment);
            spans.push_back({unescaped_start, unescaped_.size() - unescaped_start, true});
          } else {
            spans.push_back({segment, p - segment, false});
          }
          ++p;
          break;
        }
        if (c == '\n') {
          ++line;
          line_start = p + 1;
        } else if (static_cast<unsigned char>(c) >= 0x80) {
          int length = 0;
          if (check_utf8(p, length) == 0) return 0;
          if (length < 0) return fail(line, line_start, p, "invalid UTF-8");
          p += static_cast<size_t>(length);
          continue;
        }
        ++p;
      }
      // After the closing quote: a separator or the end of the record.
      if (p < end_ && buf[p] != ',' && buf[p] != '\n' && buf[p] != '\r') {
        return fail(line, line_start, p,
                    "expected ',' or the end of the line after a closing quote");
      }
      if (p < end_ && buf[p] == '\r') {
        if (p + 1 == end_ && !eof_) return 0;
        if (p + 1 >= end_ || buf[p + 1] != '\n') {
          return fail(line, line_start, p,
                      "expected ',' or the end of the line after a closing quote");
        }
      }
    } else {
      const size_t start = p;
      for (;;) {
        while (p < end_ && !kBytes.unquoted_stop[static_cast<unsigned char>(buf[p])]) ++p;
        if (p == end_) {
          if (!eof_) return 0;
          break;
        }
        const char c = buf[p];
        if (c == ',' || c == '\n') break;
        if (c == '\r') {
          if (p + 1 == end_ && !eof_) return 0;
          if (p + 1 < end_ && buf[p + 1] == '\n') break;
        } else if (static_cast<unsigned char>(c) >= 0x80) {
          int length = 0;
          if (check_utf8(p, length) == 0) return 0;
          if (length < 0) return fail(line, line_start, p, "invalid UTF-8");
          p += static_cast<size_t>(length);
          continue;
        }
        ++p;
      }
      spans.push_back({start, p - start, false});
    }
    // p is at ',', '\r\n', '\n' or the end of the file.
    if (p < end_ && buf[p] == ',') {
      ++p;
      continue;
    }
    if (p < end_ && buf[p] == '\r') ++p;
    if (p < end_ && buf[p] == '\n') {
      ++p;
      ++line;
    }
    break;
  }

  fields_.clear();
  for (const Span& s : spans) {
    fields_.emplace_back(s.unescaped ? unescaped_.data() + s.offset : buf + s.offset, s.length);
  }
  record_line_ = line_;
  record_start_ = record_start;
  consumed_total_ += p - record_start;
  begin_ = p;
  line_ = line;
  return 1;
}

std::string CsvReader::Where(size_t i) const {
  if (starts_.empty() || i >= starts_.size()) {
    return name_ + ":" + std::to_string(record_line_ == 0 ? line_ : record_line_) + ":1";
  }
  // Fields after an embedded newline start on a later line than the record.
  const char* buf = buffer_.data();
  uint64_t line = record_line_;
  size_t line_start = record_start_;
  for (size_t p = record_start_; p < starts_[i]; ++p) {
    if (buf[p] == '\n') {
      ++line;
      line_start = p + 1;
    }
  }
  return name_ + ":" + std::to_string(line) + ":" +
         std::to_string(CharColumn(buf + line_start, buf + starts_[i]));
}

// --- CsvBlock --------------------------------------------------------------

void CsvBlock::Clear() {
  raw_.clear();
  raw_.reserve(kTargetBytes + (kTargetBytes >> 2));
  unescaped_.clear();
  records_.clear();
  fields_.clear();
  views_.clear();
  bytes_read_ = 0;
}

void CsvBlock::Append(const CsvReader& reader) {
  name_ = &reader.name_;
  const char* buf = reader.buffer_.data();
  const size_t record_start = reader.record_start_;
  const size_t raw_offset = raw_.size();
  raw_.append(buf + record_start, reader.begin_ - record_start);
  records_.push_back({reader.record_line_, raw_offset, fields_.size(), reader.fields_.size()});
  const char* unescaped = reader.unescaped_.data();
  const char* unescaped_end = unescaped + reader.unescaped_.size();
  for (size_t i = 0; i < reader.fields_.size(); ++i) {
    const std::string_view f = reader.fields_[i];
    const size_t start = raw_offset + (reader.starts_[i] - record_start);
    if (!reader.unescaped_.empty() && f.data() >= unescaped && f.data() < unescaped_end) {
      fields_.push_back({unescaped_.size(), f.size(), start, true});
      unescaped_.append(f);
    } else {
      fields_.push_back({raw_offset + static_cast<size_t>(f.data() - (buf + record_start)),
                         f.size(), start, false});
    }
  }
}

void CsvBlock::Seal(uint64_t bytes_read) {
  bytes_read_ = bytes_read;
  views_.clear();
  views_.reserve(fields_.size());
  for (const Field& f : fields_) {
    views_.emplace_back((f.unescaped ? unescaped_.data() : raw_.data()) + f.offset, f.length);
  }
}

std::string CsvBlock::Where(size_t r, size_t i) const {
  const Record& record = records_[r];
  if (i >= record.field_count) return *name_ + ":" + std::to_string(record.line) + ":1";
  // Fields after an embedded newline start on a later line than the record.
  const size_t start = fields_[record.first_field + i].start;
  uint64_t line = record.line;
  size_t line_start = record.raw_offset;
  for (size_t p = record.raw_offset; p < start; ++p) {
    if (raw_[p] == '\n') {
      ++line;
      line_start = p + 1;
    }
  }
  return *name_ + ":" + std::to_string(line) + ":" +
         std::to_string(CharColumn(raw_.data() + line_start, raw_.data() + start));
}

// --- CsvWriter -------------------------------------------------------------

StatusOr<std::unique_ptr<CsvWriter>> CsvWriter::Create(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return InvalidArgumentError(path + ": cannot create: " + std::strerror(errno));
  }
  return std::unique_ptr<CsvWriter>(new CsvWriter(file, path));
}

CsvWriter::~CsvWriter() {
  if (file_ != nullptr) (void)Close();
}

void CsvWriter::AppendField(std::string_view field) {
  bool quote = !field.empty() && (field.front() == ' ' || field.back() == ' ');
  // A reader takes a byte-order mark at the start of the file for the file's, not the
  // field's.
  if (at_start_) quote = quote || field.starts_with("\xEF\xBB\xBF");
  at_start_ = false;
  for (char c : field) {
    if (c == ',' || c == '"' || c == '\n' || c == '\r') {
      quote = true;
      break;
    }
  }
  if (!quote) {
    buffer_.append(field);
    return;
  }
  buffer_ += '"';
  for (char c : field) {
    if (c == '"') buffer_ += '"';
    buffer_ += c;
  }
  buffer_ += '"';
}

void CsvWriter::EndRow() {
  buffer_ += '\n';
  if (buffer_.size() >= CsvReader::kBlockBytes) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) failed_ = true;
    buffer_.clear();
  }
}

void CsvWriter::WriteRow(std::span<const std::string> fields) {
  // A record of one empty field is "": an empty line would be read as no record.
  if (fields.size() == 1 && fields[0].empty()) buffer_ += "\"\"";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) buffer_ += ',';
    AppendField(fields[i]);
  }
  EndRow();
}

void CsvWriter::WriteRow(std::span<const std::string_view> fields) {
  if (fields.size() == 1 && fields[0].empty()) buffer_ += "\"\"";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) buffer_ += ',';
    AppendField(fields[i]);
  }
  EndRow();
}

Status CsvWriter::Close() {
  if (file_ == nullptr) return Status::Ok();
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    failed_ = true;
  }
  buffer_.clear();
  if (std::fclose(file_) != 0) failed_ = true;
  file_ = nullptr;
  if (failed_) return InternalError(path_ + ": write failed: " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace renkei::io
