#include "io/csv.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace renkei::io {
namespace {

namespace fs = std::filesystem;

class CsvTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& content) {
    const fs::path path = fs::path(::testing::TempDir()) /
                          // Unique per process and test: ctest runs tests in parallel.
                          ("csv_test_" + std::to_string(getpid()) + "_" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
                           std::to_string(++n_) + ".csv");
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }
  // All records, or the error message.
  std::vector<std::vector<std::string>> ReadAll(const std::string& content,
                                                std::string* error = nullptr) {
    auto reader = CsvReader::Open(Write(content), "t.csv");
    EXPECT_TRUE(reader.ok());
    std::vector<std::vector<std::string>> records;
    for (;;) {
      StatusOr<bool> more = (*reader)->Next();
      if (!more.ok()) {
        if (error) *error = more.status().message();
        return records;
      }
      if (!*more) break;
      std::vector<std::string> r;
      for (std::string_view f : (*reader)->fields()) r.emplace_back(f);
      records.push_back(r);
    }
    return records;
  }
  int n_ = 0;
};

using Records = std::vector<std::vector<std::string>>;

TEST_F(CsvTest, ReadsPlainRecords) {
  EXPECT_EQ(ReadAll("a,b,c\n1,2,3\n"), (Records{{"a", "b", "c"}, {"1", "2", "3"}}));
  EXPECT_EQ(ReadAll("a,b\n1,2"), (Records{{"a", "b"}, {"1", "2"}}));  // no final newline
  EXPECT_EQ(ReadAll("a,,\n"), (Records{{"a", "", ""}}));
}

TEST_F(CsvTest, HandlesQuotesCommasNewlinesAndCrlf) {
  EXPECT_EQ(ReadAll("\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nz,\"\",w\r\n"),
            (Records{{"x, y", "say \"hi\"", "two\nlines"}, {"z", "", "w"}}));
}

TEST_F(CsvTest, SkipsByteOrderMarkAndBlankLines) {
  EXPECT_EQ(ReadAll("\xEF\xBB\xBFid,name\n\n1,\xE6\x97\xA5\xE6\x9C\xAC\n\r\n"),
            (Records{{"id", "name"}, {"1", "日本"}}));
}

TEST_F(CsvTest, ReportsLineAndColumnOfFields) {
  auto reader = CsvReader::Open(Write("a,b\n\"multi\nline\",x,日本,y\n"), "t.csv");
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(*(*reader)->Next());
  ASSERT_TRUE(*(*reader)->Next());
  EXPECT_EQ((*reader)->line(), 2u);
  EXPECT_EQ((*reader)->Where(0), "t.csv:2:1");
  EXPECT_EQ((*reader)->Where(1), "t.csv:3:7");
  EXPECT_EQ((*reader)->Where(3), "t.csv:3:12");  // columns count characters, not bytes
}

TEST_F(CsvTest, RejectsInvalidUtf8WithItsPlace) {
  std::string error;
  ReadAll("a,b\n1,ab\xFF\n", &error);
  EXPECT_EQ(error, "t.csv:2:5: invalid UTF-8");
  ReadAll("a\n\xC0\xAF\n", &error);  // overlong
  EXPECT_EQ(error, "t.csv:2:1: invalid UTF-8");
  ReadAll("a\n\xED\xA0\x80\n", &error);  // surrogate
  EXPECT_EQ(error, "t.csv:2:1: invalid UTF-8");
}

TEST_F(CsvTest, RejectsUnterminatedQuoteAndJunkAfterQuote) {
  std::string error;
  ReadAll("a,b\n1,\"open\n", &error);
  EXPECT_EQ(error, "t.csv:2:3: the file ends inside a quoted field that starts here");
  ReadAll("a,b\n\"x\"y,1\n", &error);
  EXPECT_EQ(error, "t.csv:2:4: expected ',' or the end of the line after a closing quote");
}

TEST_F(CsvTest, StreamsAcrossBlockBoundaries) {
  // Records straddle the 1 MiB block boundary many times, including a quoted
  // field longer than a block.
  std::string content = "id,text\n";
  std::vector<std::string> expected;
  for (int i = 0; i < 60000; ++i) {
    std::string text = "row " + std::to_string(i) + (i % 7 == 0 ? ", with \"\"q\"\"" : "");
    content += std::to_string(i) + ",\"" + text + "\"\r\n";
    std::string unescaped = text;
    for (size_t p = 0; (p = unescaped.find("\"\"", p)) != std::string::npos; ++p)
      unescaped.erase(p, 1);
    expected.push_back(unescaped);
  }
  const std::string big(3 << 20, 'x');
  content += "60000,\"" + big + "\"\n";
  expected.push_back(big);
  const Records records = ReadAll(content);
  ASSERT_EQ(records.size(), expected.size() + 1);
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(records[i + 1][1], expected[i]) << i;
  }
}

// A block keeps the records, unescaped fields and places of errors after the
// reader has moved on past them.
TEST_F(CsvTest, BlockKeepsRecordsAndTheirPlaces) {
  auto reader = CsvReader::Open(
      Write("a,b\n\"multi\nline\",x,日本,y\n\"say \"\"hi\"\"\",z\n\nlast,1\n"), "t.csv");
  ASSERT_TRUE(reader.ok());
  CsvBlock block;
  block.Clear();
  for (;;) {
    StatusOr<bool> more = (*reader)->Next();
    ASSERT_TRUE(more.ok());
    if (!*more) break;
    block.Append(**reader);
  }
  block.Seal((*reader)->bytes_read());
  ASSERT_EQ(block.size(), 4u);
  EXPECT_EQ(block.bytes_read(), (*reader)->file_size());
  auto fields = [&](size_t r) {
    std::vector<std::string> out;
    for (std::string_view f : block.fields(r)) out.emplace_back(f);
    return out;
  };
  EXPECT_EQ(fields(0), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(fields(1), (std::vector<std::string>{"multi\nline", "x", "日本", "y"}));
  EXPECT_EQ(fields(2), (std::vector<std::string>{"say \"hi\"", "z"}));
  EXPECT_EQ(fields(3), (std::vector<std::string>{"last", "1"}));
  EXPECT_EQ(block.Where(1, 0), "t.csv:2:1");
  EXPECT_EQ(block.Where(1, 1), "t.csv:3:7");
  EXPECT_EQ(block.Where(1, 3), "t.csv:3:12");
  EXPECT_EQ(block.Where(2, 1), "t.csv:4:14");
  EXPECT_EQ(block.Where(3, 1), "t.csv:6:6");
  EXPECT_EQ(block.Where(3, 9), "t.csv:6:1");
  EXPECT_FALSE(block.full());
}

TEST_F(CsvTest, WriterQuotesOnlyWhereNeededAndRoundTrips) {
  const fs::path path =
      fs::path(::testing::TempDir()) / ("csv_writer_test_" + std::to_string(getpid()) + ".csv");
  auto writer = CsvWriter::Create(path.string());
  ASSERT_TRUE(writer.ok());
  const std::vector<std::string> row = {"plain", "a,b", "say \"x\"", "two\nlines", " pad", ""};
  (*writer)->WriteRow(std::span<const std::string>(row));
  ASSERT_TRUE((*writer)->Close().ok());
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "plain,\"a,b\",\"say \"\"x\"\"\",\"two\nlines\",\" pad\",\n");
  EXPECT_EQ(ReadAll(text), (Records{row}));
}

// Found by fuzz/csv_reader_fuzz.cc: a record of one empty field was written as an empty
// line, which reads back as no record at all.
TEST_F(CsvTest, WriterKeepsARecordOfOneEmptyField) {
  const fs::path path =
      fs::path(::testing::TempDir()) / ("csv_writer_empty_" + std::to_string(getpid()) + ".csv");
  auto writer = CsvWriter::Create(path.string());
  ASSERT_TRUE(writer.ok());
  const std::vector<std::string> empty = {""};
  const std::vector<std::string_view> empty_view = {""};
  const std::vector<std::string> row = {"a"};
  (*writer)->WriteRow(std::span<const std::string>(empty));
  (*writer)->WriteRow(std::span<const std::string>(row));
  (*writer)->WriteRow(std::span<const std::string_view>(empty_view));
  ASSERT_TRUE((*writer)->Close().ok());
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "\"\"\na\n\"\"\n");
  EXPECT_EQ(ReadAll(text), (Records{{""}, {"a"}, {""}}));
}

// Found by fuzz/csv_reader_fuzz.cc: a first field starting with a byte-order mark was
// written unquoted at the start of the file, where the reader drops it as the file's.
TEST_F(CsvTest, WriterKeepsAByteOrderMarkThatStartsTheFirstField) {
  const fs::path path =
      fs::path(::testing::TempDir()) / ("csv_writer_bom_" + std::to_string(getpid()) + ".csv");
  auto writer = CsvWriter::Create(path.string());
  ASSERT_TRUE(writer.ok());
  const std::vector<std::string> row = {"\xEF\xBB\xBFid", "\xEF\xBB\xBFname"};
  (*writer)->WriteRow(std::span<const std::string>(row));
  (*writer)->WriteRow(std::span<const std::string>(row));
  ASSERT_TRUE((*writer)->Close().ok());
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "\"\xEF\xBB\xBFid\",\xEF\xBB\xBFname\n\xEF\xBB\xBFid,\xEF\xBB\xBFname\n");
  EXPECT_EQ(ReadAll(text), (Records{row, row}));
}

}  // namespace
}  // namespace renkei::io
