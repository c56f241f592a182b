// HTTP request parsing (src/server/http_request.h: Beast's parser, then the conversion
// to the node's Request with path decoding and query parsing) and the node's routing
// (src/server/router.h over the routes of the OpenAPI document, which the node's route
// table must equal) on any bytes as a request.
//
// Invariants: errors are InvalidArgument; a request's route has its method (HEAD as
// GET), and putting the path parameters the router found into the route's path
// template gives back the path the router was given.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "server/http_request.h"
#include "server/openapi.h"
#include "server/router.h"

namespace renkei::fuzz {
namespace {

// Small enough that the fuzzer reaches the body limit (the node's is 8 MB).
constexpr size_t kMaxBody = 1024;

void FuzzOne(std::string_view bytes) {
  static const std::vector<server::Operation> operations = server::DocumentedOperations();
  static const server::Router<server::Operation> router(operations);

  StatusOr<server::Request> req = server::ParseHttpRequest(bytes, kMaxBody);
  if (!req.ok()) {
    Check(req.status().code() == StatusCode::kInvalidArgument, "request errors are InvalidArgument",
          req.status().ToString());
    return;
  }
  Check(req->body.size() <= kMaxBody, "the body is within the limit");
  std::vector<std::string> params;
  const server::Operation* op = router.Find(req->method, req->path, params);
  if (op == nullptr) {
    Check(params.empty(), "no route, no path parameters");
    return;
  }
  const std::string method = req->method == "HEAD" ? "GET" : req->method;
  Check((op->method == "get" && method == "GET") || (op->method == "post" && method == "POST"),
        "the route has the request's method", req->method + " " + op->method);
  std::string path;
  size_t next = 0;
  for (std::string_view seg : server::PathSegments(op->path)) {
    path += '/';
    if (!seg.empty() && seg.front() == '{') {
      Check(next < params.size(), "a parameter for each {name}", op->path);
      Check(!params[next].empty(), "path parameters are not empty");
      path += params[next++];
    } else {
      path += seg;
    }
  }
  Check(next == params.size(), "no parameter more than the {name}s", op->path);
  Check(path == req->path, "the route and its parameters give back the path",
        path + " != " + req->path);
}

}  // namespace
}  // namespace renkei::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  renkei::fuzz::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
