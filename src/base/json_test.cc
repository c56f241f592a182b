#include "base/json.h"

#include <gtest/gtest.h>

#include <string>

namespace renkei {
namespace {

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonTest, AcceptsUpToTheLimit) {
  EXPECT_TRUE(CheckJsonDepth(Nested(kMaxJsonDepth)).ok());
  EXPECT_TRUE(CheckJsonDepth(R"({"a":[{"b":[1,2]},{}]})", "", 4).ok());
  EXPECT_FALSE(CheckJsonDepth(R"({"a":[{"b":[1,2]},{}]})", "", 3).ok());
  EXPECT_TRUE(CheckJsonDepth("").ok());
}

TEST(JsonTest, NamesTheBracketPastTheLimit) {
  Status s = CheckJsonDepth("{\n  \"a\": [[1]]}", "", 2);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "line 2, column 9: JSON nested deeper than 2 levels");
  s = CheckJsonDepth(Nested(100000), "x.json");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "x.json:1:65: JSON nested deeper than 64 levels");
}

TEST(JsonTest, BracketsInStringsDoNotCount) {
  EXPECT_TRUE(CheckJsonDepth(R"(["[[[[\"[[[", "{{{{"])", "", 1).ok());
  // An escaped backslash ends before the quote that closes the string.
  EXPECT_TRUE(CheckJsonDepth(R"(["\\", "[[[["])", "", 1).ok());
  EXPECT_FALSE(CheckJsonDepth(R"(["\\", [[]])", "", 1).ok());
}

TEST(JsonTest, ColumnsCountCharacters) {
  EXPECT_EQ(CheckJsonDepth("[\"東京\", [[", "", 2).message(),
            "line 1, column 9: JSON nested deeper than 2 levels");
}

TEST(JsonTest, ParsesWithinTheLimit) {
  StatusOr<nlohmann::json> j = ParseJson<nlohmann::json>(R"({"a": [1, 2.5, "x"]})");
  ASSERT_TRUE(j.ok()) << j.status().message();
  EXPECT_EQ((*j)["a"][1], 2.5);
  EXPECT_TRUE(ParseJson<nlohmann::ordered_json>(Nested(kMaxJsonDepth)).ok());
}

TEST(JsonTest, EveryErrorNamesItsPlace) {
  auto message = [](std::string_view text) {
    StatusOr<nlohmann::ordered_json> j = ParseJson<nlohmann::ordered_json>(text, "b.json");
    EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument);
    return j.status().message();
  };
  EXPECT_EQ(message("{\n \"a\": 1e309}"),
            "b.json:2:7: invalid JSON: number overflow parsing '1e309'");
  EXPECT_EQ(message("[1,]"),
            "b.json:1:4: invalid JSON: syntax error while parsing value - unexpected ']'; "
            "expected '[', '{', or a literal");
  EXPECT_EQ(message("[\"\xff\"]"),
            "b.json:1:3: invalid JSON: syntax error while parsing value - invalid string: "
            "ill-formed UTF-8 byte");
  EXPECT_EQ(message("{} x"),
            "b.json:1:4: invalid JSON: syntax error while parsing value - invalid literal; "
            "expected end of input");
  EXPECT_EQ(message(Nested(100000)), "b.json:1:65: JSON nested deeper than 64 levels");
}

}  // namespace
}  // namespace renkei
