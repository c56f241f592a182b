// The OpenAPI 3 document of the node's API (server/node.h), served at
// /api/v1/openapi.json.
//
// The document is the list of routes: Node registers exactly the operations the
// document names and refuses to start when a handler has no operation or the
// other way round (server/node.cc), so the two cannot drift apart.
#ifndef RENKEI_SERVER_OPENAPI_H_
#define RENKEI_SERVER_OPENAPI_H_

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace renkei::server {

// The document with `base_url` ("https://host:port") as its server.
nlohmann::ordered_json OpenApiDocument(const std::string& base_url);

struct Operation {
  std::string method;              // "get", "post"
  std::string path;                // "/api/v1/products/{product}/concentration"
  bool secured = true;             // needs a bearer token
  std::vector<std::string> query;  // names of its query parameters
};

// Every operation of the document, in document order.
std::vector<Operation> DocumentedOperations();

}  // namespace renkei::server

#endif  // RENKEI_SERVER_OPENAPI_H_
