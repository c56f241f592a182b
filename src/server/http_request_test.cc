#include "server/http_request.h"

#include <gtest/gtest.h>

#include <cctype>

#include <string>
#include <vector>

#include "server/openapi.h"
#include "server/router.h"

namespace renkei::server {
namespace {

TEST(HttpRequestTest, DecodesThePathAndSplitsTheQuery) {
  auto req = ParseHttpRequest(
      "GET /api/v1/sites/site%3Akumamoto%20east?limit=10&filter=a+b&x=%E6%9D%B1 HTTP/1.1\r\n"
      "Host: x\r\nAccept-Encoding: br\r\n\r\n");
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->method, "GET");
  EXPECT_EQ(req->version, "HTTP/1.1");
  EXPECT_EQ(req->target, "/api/v1/sites/site%3Akumamoto%20east?limit=10&filter=a+b&x=%E6%9D%B1");
  EXPECT_EQ(req->path, "/api/v1/sites/site:kumamoto east");
  EXPECT_EQ(req->get_param_value("limit"), "10");
  EXPECT_EQ(req->get_param_value("filter"), "a b");
  EXPECT_EQ(req->get_param_value("x"), "\xE6\x9D\xB1");
  EXPECT_EQ(req->get_header_value("Accept-Encoding"), "br");
}

TEST(HttpRequestTest, FormBodiesAreParametersToo) {
  auto req = ParseHttpRequest(
      "POST /auth/token HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: 29\r\n\r\ngrant_type=client_credentials");
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->version, "HTTP/1.0");
  EXPECT_EQ(req->body, "grant_type=client_credentials");
  EXPECT_EQ(req->get_param_value("grant_type"), "client_credentials");
}

TEST(HttpRequestTest, ReadsChunkedBodiesAndIgnoresWhatFollows) {
  auto req = ParseHttpRequest(
      "POST /3/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\n{\"a\r\n3\r\n\":1\r\n1\r\n}\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->body, "{\"a\":1}");
}

TEST(HttpRequestTest, IncompleteMalformedAndTooLarge) {
  EXPECT_EQ(ParseHttpRequest("").status(), InvalidArgumentError("incomplete HTTP request"));
  EXPECT_EQ(ParseHttpRequest("GET / HTTP/1.1\r\nHost: x\r\n").status(),
            InvalidArgumentError("incomplete HTTP request"));
  EXPECT_EQ(ParseHttpRequest("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc").status(),
            InvalidArgumentError("incomplete HTTP request"));
  EXPECT_EQ(ParseHttpRequest("GET / HTTP/1.1\r\nHost x\r\n\r\n").status(),
            InvalidArgumentError("malformed HTTP request: bad field"));
  EXPECT_EQ(
      ParseHttpRequest("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world", 10).status(),
      InvalidArgumentError("malformed HTTP request: body limit exceeded"));
}

// Found by fuzz/http_request_fuzz.cc: a last chunk whose line ends in a bare LF, at the
// end of the input, tripped an assertion in Beast's parser when it was handed the same
// bytes again after asking for more.
TEST(HttpRequestTest, ALastChunkCutShortIsIncomplete) {
  EXPECT_EQ(ParseHttpRequest("POST /3/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "0\n\r\n")
                .status(),
            InvalidArgumentError("incomplete HTTP request"));
}

struct TestRoute {
  const char* method;
  const char* path;
};

TEST(RouterTest, MatchesSegmentsInTableOrder) {
  const std::vector<TestRoute> routes = {{"get", "/api/v1/sites/{site}"},
                                         {"get", "/api/v1/sites/special"},
                                         {"post", "/api/v1/sites/{site}"},
                                         {"get", "/api/v1/products/{product}/footprint"}};
  const Router<TestRoute> router(routes);
  std::vector<std::string> params;
  EXPECT_EQ(router.Find("GET", "/api/v1/sites/special", params), &routes[0]);
  EXPECT_EQ(params, std::vector<std::string>{"special"});
  EXPECT_EQ(router.Find("HEAD", "/api/v1/sites/a", params), &routes[0]);
  EXPECT_EQ(router.Find("POST", "/api/v1/sites/a", params), &routes[2]);
  EXPECT_EQ(router.Find("GET", "/api/v1/products/p:a/footprint", params), &routes[3]);
  EXPECT_EQ(params, std::vector<std::string>{"p:a"});
  for (const char* path : {"/api/v1/sites/", "/api/v1/sites", "/api/v1/sites/a/b", "api/v1/sites/a",
                           "", "/", "/api/v1/products//footprint"}) {
    EXPECT_EQ(router.Find("GET", path, params), nullptr) << path;
    EXPECT_TRUE(params.empty()) << path;
  }
  EXPECT_EQ(router.Find("PUT", "/api/v1/sites/a", params), nullptr);
}

TEST(RouterTest, FindsEveryDocumentedOperation) {
  const std::vector<Operation> operations = DocumentedOperations();
  const Router<Operation> router(operations);
  std::vector<std::string> params;
  for (const Operation& op : operations) {
    std::string path = op.path;
    for (size_t open; (open = path.find('{')) != std::string::npos;) {
      path.replace(open, path.find('}', open) - open + 1, "x");
    }
    std::string method;
    for (char c : op.method) method += static_cast<char>(std::toupper(c));
    const Operation* found = router.Find(method, path, params);
    ASSERT_NE(found, nullptr) << path;
    EXPECT_EQ(found->path, op.path);
  }
}

}  // namespace
}  // namespace renkei::server
