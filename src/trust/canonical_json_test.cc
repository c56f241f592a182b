#include "trust/canonical_json.h"

#include <gtest/gtest.h>

#include <limits>

namespace renkei::trust {
namespace {

TEST(CanonicalJsonTest, SortsMembersByUtf16CodeUnits) {
  // RFC 8785 section 3.2.3: U+1F600 (a surrogate pair) sorts before U+FB33.
  auto out = CanonicalizeJsonText(
      R"({"\u20ac":"Euro","\r":"CR","\ufb33":"Hebrew","1":"One","\ud83d\ude00":"Smiley",)"
      R"("\u0080":"Control","\u00f6":"o"})");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(
      *out,
      "{\"\\r\":\"CR\",\"1\":\"One\",\"\xc2\x80\":\"Control\",\"\xc3\xb6\":\"o\","
      "\"\xe2\x82\xac\":\"Euro\",\"\xf0\x9f\x98\x80\":\"Smiley\",\"\xef\xac\xb3\":\"Hebrew\"}");
}

TEST(CanonicalJsonTest, WritesNumbersAsEcmaScript) {
  auto out = CanonicalizeJsonText(
      R"({"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001,-0.0,10,)"
      R"(1e21,123e18,0.000001,1e-7]})");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, R"({"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27,0,10,1e+21,)"
                  R"(123000000000000000000,0.000001,1e-7]})");
}

// Found by fuzz/canonical_json_fuzz.cc: integers beyond 2^53 were written with all
// their digits, where RFC 8785 (and JSON.stringify) write the double they read as.
TEST(CanonicalJsonTest, WritesIntegersAsTheDoublesTheyReadAs) {
  auto out = CanonicalizeJsonText(
      R"([9007199254740993,-9007199254740993,18446744073709551615,-9223372036854775808,)"
      R"(9007199254740992,-12,0,-0,100000000000000000000000])");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, R"([9007199254740992,-9007199254740992,18446744073709552000,)"
                  R"(-9223372036854776000,9007199254740992,-12,0,0,1e+23])");
}

TEST(CanonicalJsonTest, EscapesStringsMinimally) {
  auto out = CanonicalizeJsonText(
      R"({"s":"\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"\/","t":true,"n":null})");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "{\"n\":null,\"s\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\",\"t\":true}");
}

TEST(CanonicalJsonTest, RejectsNonFiniteNumbersAndBadText) {
  nlohmann::ordered_json v = {{"x", std::numeric_limits<double>::infinity()}};
  auto out = CanonicalJson(v);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(), "number is not finite");
  auto bad = CanonicalizeJsonText("{\"a\":");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(CanonicalJsonTest, NestedObjectsAndArraysKeepArrayOrder) {
  auto out = CanonicalizeJsonText(R"({"b":[3,{"z":1,"a":2}],"a":{}})");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, R"({"a":{},"b":[3,{"a":2,"z":1}]})");
}

}  // namespace
}  // namespace renkei::trust
