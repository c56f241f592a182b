// The OpenAPI 3 document of the node's API (server/node.h), served at
// /api/v1/openapi.json.
#ifndef RENKEI_SERVER_OPENAPI_H_
#define RENKEI_SERVER_OPENAPI_H_

#include <nlohmann/json.hpp>

#include <string>

namespace renkei::server {

// The document with `base_url` ("https://host:port") as its server.
nlohmann::ordered_json OpenApiDocument(const std::string& base_url);

}  // namespace renkei::server

#endif  // RENKEI_SERVER_OPENAPI_H_
