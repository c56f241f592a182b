#include "server/openapi.h"

namespace renkei::server {
namespace {

using Json = nlohmann::ordered_json;

Json Error(const std::string& description) {
  return {
      {"description", description},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

Json JsonOk(const std::string& description) {
  return {{"description", description},
          {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
}

Json Query(const std::string& name, const std::string& description, bool array = false) {
  Json schema =
      array ? Json{{"type", "array"}, {"items", {{"type", "string"}}}} : Json{{"type", "string"}};
  return {{"name", name},
          {"in", "query"},
          {"description", description},
          {"schema", schema},
          {"explode", true}};
}

Json Secured(Json op) {
  op["security"] = Json::array({{{"oauth2", Json::array()}}});
  op["responses"]["401"] = Error("TokenExpired");
  op["responses"]["403"] = Error("AccessDenied");
  return op;
}

}  // namespace

nlohmann::ordered_json OpenApiDocument(const std::string& base_url) {
  Json paths = Json::object();
  Json limit = {
      {"name", "limit"}, {"in", "query"}, {"schema", {{"type", "integer"}, {"minimum", 1}}}};
  Json id = {{"name", "id"},
             {"in", "path"},
             {"required", true},
             {"schema", {{"type", "string"}, {"format", "uuid"}}}};
  paths["/auth/token"]["post"] = {
      {"summary", "OAuth2 client credentials (HTTP Basic)"},
      {"requestBody",
       {{"content",
         {{"application/x-www-form-urlencoded",
           {{"schema",
             {{"type", "object"},
              {"properties",
               {{"grant_type", {{"type", "string"}, {"enum", {"client_credentials"}}}}}}}}}}}}}},
      {"responses",
       {{"200", JsonOk("access token")},
        {"400", JsonOk("invalid_request")},
        {"401", JsonOk("invalid_client")}}}};
  paths["/.well-known/openid-configuration"]["get"] = {
      {"summary", "OpenID provider configuration"}, {"responses", {{"200", JsonOk("document")}}}};
  for (const std::string v : {"2", "3"}) {
    Json params = Json::array({limit});
    if (v == "2") {
      params.push_back(Query("$filter",
                             "OData subset: <path> eq|ne|lt|le|gt|ge '<v>' and "
                             "productIds|companyIds/any(x: x eq '<v>'), joined by and"));
    } else {
      for (const char* n : {"productId", "companyId", "geography", "classification"}) {
        params.push_back(Query(n, "matches any of the values", true));
      }
      for (const char* n : {"validOn", "validAfter", "validBefore"}) {
        params.push_back(Query(n, "RFC 3339 date or date-time"));
      }
      params.push_back(Query("status", "Active or Deprecated"));
    }
    Json list_ok = JsonOk("{\"data\": [ProductFootprint]}; a Link header rel=\"next\" when more");
    list_ok["headers"]["Link"] = {{"schema", {{"type", "string"}}}};
    paths["/" + v + "/footprints"]["get"] = Secured(
        {{"summary", "ListFootprints (PACT v" + v + ")"},
         {"parameters", params},
         {"responses", {{"200", list_ok}, {"400", Error("BadRequest or NotImplemented")}}}});
    paths["/" + v + "/footprints/{id}"]["get"] =
        Secured({{"summary", "GetFootprint (PACT v" + v + ")"},
                 {"parameters", Json::array({id})},
                 {"responses",
                  {{"200", JsonOk("{\"data\": ProductFootprint}")},
                   {"400", Error("BadRequest")},
                   {"404", Error("NoSuchFootprint")}}}});
    paths["/" + v + "/events"]["post"] = Secured(
        {{"summary", "CloudEvents: Published, RequestCreated, RequestFulfilled, RequestRejected"},
         {"requestBody",
          {{"content", {{"application/cloudevents+json", {{"schema", {{"type", "object"}}}}}}}}},
         {"responses",
          {{"200", {{"description", "accepted, empty body"}}}, {"400", Error("BadRequest")}}}});
  }
  paths["/api/v1/openapi.json"]["get"] = {{"summary", "this document"},
                                          {"responses", {{"200", JsonOk("OpenAPI 3")}}}};
  paths["/api/v1/network"]["get"] = Secured(
      {{"summary", "counts of the visible network"}, {"responses", {{"200", JsonOk("summary")}}}});
  paths["/api/v1/sites"]["get"] =
      Secured({{"summary", "visible sites as a GeoJSON FeatureCollection"},
               {"responses", {{"200", JsonOk("GeoJSON")}}}});
  paths["/api/v1/keys"]["get"] =
      Secured({{"summary", "Ed25519 public keys as JWKs (kid = organization id)"},
               {"responses", {{"200", JsonOk("JWK set")}}}});
  paths["/api/v1/events"]["get"] = Secured({{"summary", "events received and sent (admin clients)"},
                                            {"responses", {{"200", JsonOk("events")}}}});
  Json pid = {
      {"name", "product"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}};
  for (const char* what : {"footprint", "circularity"}) {
    paths[std::string("/api/v1/products/{product}/") + what]["get"] =
        Secured({{"summary", std::string("the ") + what + " of a product"},
                 {"parameters", Json::array({pid})},
                 {"responses", {{"200", JsonOk(what)}, {"404", Error("NotFound")}}}});
  }
  paths["/api/v1/bundles"]["post"] = Secured(
      {{"summary", "import a JSON bundle in one transaction (admin clients)"},
       {"requestBody", {{"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}},
       {"responses", {{"200", JsonOk("rows imported per table")}, {"400", Error("BadRequest")}}}});
  paths["/api/v1/requests"]["post"] = Secured(
      {{"summary", "ask a partner for footprints (PF Request Event; admin clients)"},
       {"requestBody", {{"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}},
       {"responses", {{"202", JsonOk("{\"id\": event id}")}, {"404", Error("NotFound")}}}});
  return {{"openapi", "3.0.3"},
          {"info", {{"title", "Renkei node API"}, {"version", "1.0.0"}}},
          {"servers", {{{"url", base_url}}}},
          {"paths", paths},
          {"components",
           {{"securitySchemes",
             {{"oauth2",
               {{"type", "oauth2"},
                {"flows",
                 {{"clientCredentials",
                   {{"tokenUrl", base_url + "/auth/token"}, {"scopes", Json::object()}}}}}}}}},
            {"schemas",
             {{"Error",
               {{"type", "object"},
                {"required", {"code", "message"}},
                {"properties",
                 {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}}}};
}

}  // namespace renkei::server
