// io::CsvReader and io::CsvBlock (src/io/csv.h) on any bytes as a CSV file.
//
// Invariants: the records and the error (code, message, place) do not depend on the
// block size the file is read in (one block larger than any input, and 1 to 16 bytes,
// so that every record, quote, CRLF and UTF-8 sequence straddles blocks); a CsvBlock gives back the
// records and places appended to it; records written by CsvWriter read back the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "io/csv.h"

namespace renkei::fuzz {
namespace {

// Larger than the inputs libFuzzer makes here by default (-max_len 4096), and small
// enough not to cost a run more than its parsing (ASan maps a fresh megabyte each time).
constexpr size_t kOneBlock = 4096;

struct Records {
  std::vector<std::vector<std::string>> fields;
  std::vector<std::vector<std::string>> places;  // Where(i) of each field
  std::vector<uint64_t> lines;
  Status status;  // of the read: OK, or the error that stopped it

  bool operator==(const Records&) const = default;
};

Records Read(const std::string& path, size_t block_bytes, bool with_block) {
  Records out;
  auto reader = io::CsvReader::Open(path, "fuzz.csv", block_bytes);
  Check(reader.ok(), "scratch file opens", reader.status().ToString());
  static io::CsvBlock block;  // reused, as the bundle reader does: Clear keeps its memory
  block.Clear();
  for (;;) {
    StatusOr<bool> next = (*reader)->Next();
    if (!next.ok()) {
      out.status = next.status();
      Check(out.status.code() == StatusCode::kInvalidArgument, "CSV errors are InvalidArgument",
            out.status.ToString());
      Check(out.status.message().rfind("fuzz.csv:", 0) == 0, "CSV errors name the file",
            out.status.message());
      break;
    }
    if (!*next) break;
    const auto fields = (*reader)->fields();
    Check(!fields.empty(), "a record has a field");
    out.fields.emplace_back(fields.begin(), fields.end());
    out.places.emplace_back();
    for (size_t i = 0; i < fields.size(); ++i) out.places.back().push_back((*reader)->Where(i));
    out.lines.push_back((*reader)->line());
    Check(out.lines.size() < 2 || out.lines[out.lines.size() - 2] < out.lines.back(),
          "records start on later lines");
    if (with_block) block.Append(**reader);
  }
  if (out.status.ok()) {
    Check((*reader)->bytes_read() == (*reader)->file_size(), "the whole file is read");
  }
  if (with_block) {
    block.Seal((*reader)->bytes_read());
    Check(block.size() == out.fields.size(), "the block holds every record");
    for (size_t r = 0; r < block.size(); ++r) {
      const auto fields = block.fields(r);
      Check(std::vector<std::string>(fields.begin(), fields.end()) == out.fields[r],
            "the block's fields are the reader's");
      for (size_t i = 0; i < fields.size(); ++i) {
        Check(block.Where(r, i) == out.places[r][i], "the block's places are the reader's",
              block.Where(r, i) + " != " + out.places[r][i]);
      }
    }
  }
  return out;
}

void FuzzOne(std::string_view text) {
  static const std::string path = ScratchPath("fuzz.csv");
  WriteScratch(path, text);

  const Records whole = Read(path, kOneBlock, true);
  const size_t small =
      1 + (text.empty() ? 0 : static_cast<unsigned char>(text[text.size() / 2]) % 16);
  const Records blocks = Read(path, small, false);
  Check(blocks == whole, "records do not depend on the block size",
        "block " + std::to_string(small) + ": " + blocks.status.ToString() + " vs " +
            whole.status.ToString());
  if (!whole.status.ok()) return;

  static const std::string copy = ScratchPath("copy.csv");
  {
    auto writer = io::CsvWriter::Create(copy);
    Check(writer.ok(), "scratch file created", writer.status().ToString());
    for (const auto& record : whole.fields) (*writer)->WriteRow(record);
    Check((*writer)->Close().ok(), "scratch file written");
  }
  const Records again = Read(copy, kOneBlock, false);
  Check(again.status.ok(), "what CsvWriter writes reads back", again.status.ToString());
  Check(again.fields == whole.fields, "CsvWriter's records read back the same");
}

}  // namespace
}  // namespace renkei::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  renkei::fuzz::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
