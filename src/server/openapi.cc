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
  op["responses"]["401"] = Error(
      "a missing, invalid or revoked access token (BadRequest; AccessDenied on /2), or "
      "an expired one (TokenExpired)");
  op["responses"]["403"] = Error("AccessDenied");
  return op;
}

Json Ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }
Json Str() { return {{"type", "string"}}; }
Json Num() { return {{"type", "number"}}; }
Json Int() { return {{"type", "integer"}}; }
Json Bool() { return {{"type", "boolean"}}; }
Json Nullable(Json schema) {
  schema["nullable"] = true;
  return schema;
}
Json Arr(Json items) { return {{"type", "array"}, {"items", std::move(items)}}; }
// An object whose properties are all required.
Json Obj(Json properties) {
  Json required = Json::array();
  for (const auto& [name, schema] : properties.items()) required.push_back(name);
  return {{"type", "object"}, {"required", required}, {"properties", std::move(properties)}};
}

Json Returns(const std::string& description, Json schema) {
  return {{"description", description},
          {"content", {{"application/json", {{"schema", std::move(schema)}}}}}};
}

Json Param(const std::string& name, const std::string& in, const std::string& description,
           Json schema, bool required = false) {
  return {{"name", name},
          {"in", in},
          {"description", description},
          {"required", required || in == "path"},
          {"schema", std::move(schema)}};
}

constexpr char kNodeRef[] =
    "SITE_ID/PRODUCT_ID (a production node and/or demand row), a site id (all its nodes) or a "
    "product id (all its nodes)";

// The schemas of Renkei's own documents (risk/report.h, footprint/report.h).
Json Schemas() {
  Json vertex = Obj({{"site", Str()},
                     {"product", Str()},
                     {"kind", {{"type", "string"}, {"enum", {"node", "demand"}}}},
                     {"country", Str()},
                     {"organization", Str()}});
  Json tier = vertex;
  tier["properties"]["tier"] = Int();
  tier["properties"]["spof"] = Bool();
  tier["required"].push_back("tier");
  tier["required"].push_back("spof");
  Json node_ref = Obj({{"site", Str()}, {"product", Str()}});
  Json share = Obj({{"key", Str()}, {"capacity", Num()}, {"share", Num()}});
  Json spof_target = vertex;
  spof_target["properties"]["alive"] = Bool();
  spof_target["properties"]["node_spofs"] = Arr(Ref("Vertex"));
  spof_target["properties"]["site_spofs"] = Arr(Str());
  for (const char* n : {"alive", "node_spofs", "site_spofs"}) spof_target["required"].push_back(n);
  Json ranked = vertex;
  ranked["properties"]["demand_stopped"] = Int();
  ranked["required"].push_back("demand_stopped");
  Json scenario = Obj({{"scenario", Str()},
                       {"sites", Arr(Str())},
                       {"tts_days", Nullable(Num())},
                       {"ttr_days", Num()},
                       {"lost_units", {{"type", "object"}, {"additionalProperties", Num()}}},
                       {"lost_units_total", Num()},
                       {"impact", Num()},
                       {"rei", Num()},
                       {"exposed", Bool()}});
  scenario["description"] = "tts_days null: the network meets demand forever";
  Json event_request = {{"type", "object"},
                        {"required", {"days"}},
                        {"description", "exactly one of circle, country, company, sites"},
                        {"properties",
                         {{"name", Str()},
                          {"days", Num()},
                          {"circle", Obj({{"lat", Num()}, {"lon", Num()}, {"radius_km", Num()}})},
                          {"country", Str()},
                          {"company", Str()},
                          {"sites", Arr(Str())}}}};
  Json site_product = Obj(
      {{"id", Str()}, {"capacity_per_day", Nullable(Num())}, {"inventory_units", Nullable(Num())}});
  Json site_properties = Obj({{"id", Str()},
                              {"name", Str()},
                              {"name_ja", Str()},
                              {"external", Bool()},
                              {"organization", Str()},
                              {"country", Str()},
                              {"region", Str()},
                              {"cluster", Str()},
                              {"recovery_days", Nullable(Num())},
                              {"products", Arr(Ref("SiteProduct"))},
                              {"demand_stopped", Int()},
                              {"exposed", Nullable(Bool())}});
  Json split = Arr(Obj({{"key", Str()}, {"kgco2e", Str()}, {"share", Num()}}));
  Json dqr = Nullable(Obj({{"ter", Num()}, {"ger", Num()}, {"tir", Num()}}));
  return {
      {"Error",
       {{"type", "object"},
        {"required", {"code", "message"}},
        {"properties", {{"code", Str()}, {"message", Str()}}}}},
      {"Vertex", vertex},
      {"NodeRef", node_ref},
      {"Tiers", Obj({{"direction", {{"type", "string"}, {"enum", {"up", "down"}}}},
                     {"tiers", Arr(tier)},
                     {"links", Arr(Obj({{"from", Ref("NodeRef")},
                                        {"to", Ref("NodeRef")},
                                        {"share", Nullable(Num())}}))}})},
      {"Concentration", Obj({{"product", Str()},
                             {"target", Nullable(Str())},
                             {"basis", {{"type", "string"}, {"enum", {"capacity", "count"}}}},
                             {"nodes", Int()},
                             {"nodes_without_capacity", Int()},
                             {"total_capacity", Num()},
                             {"by_company", Arr(share)},
                             {"by_country", Arr(share)},
                             {"hhi_company", Num()},
                             {"hhi_country", Num()},
                             {"company_highly_concentrated", Bool()},
                             {"country_highly_concentrated", Bool()},
                             {"dominant_countries", Arr(Str())}})},
      {"SpofRanking", Obj({{"demand_nodes", Int()},
                           {"spof_nodes", Int()},
                           {"spof_sites", Int()},
                           {"nodes", Arr(ranked)},
                           {"sites", Arr(Obj({{"site", Str()}, {"demand_stopped", Int()}}))}})},
      {"SpofTarget", spof_target},
      {"Scenario", scenario},
      {"EventRequest", event_request},
      {"EventImpact", Obj({{"event", Str()},
                           {"days", Num()},
                           {"sites", Arr(Str())},
                           {"nodes_hit", Int()},
                           {"affected_nodes", Int()},
                           {"affected_products", Arr(Str())},
                           {"affected_demand", Arr(Ref("Vertex"))},
                           {"stopped_demand", Arr(Ref("Vertex"))},
                           {"result", Ref("Scenario")},
                           {"currency", Nullable(Str())}})},
      {"SiteProduct", site_product},
      {"Sites",
       Obj({{"type", Str()},
            {"features",
             Arr(Obj({{"type", Str()},
                      {"geometry", Nullable(Obj({{"type", Str()}, {"coordinates", Arr(Num())}}))},
                      {"properties", site_properties}}))},
            {"organizations",
             {{"type", "object"},
              {"description", "the name (and Japanese name) of each site's organization, by id"},
              {"additionalProperties", Obj({{"name", Str()}, {"name_ja", Str()}})}}},
            {"tts", Ref("TtsProgress")}})},
      {"TtsProgress", Obj({{"state", Str()}, {"done", Int()}, {"total", Int()}})},
      {"Site", Obj({{"id", Str()},
                    {"name", Str()},
                    {"name_ja", Str()},
                    {"external", Bool()},
                    {"organization", Obj({{"id", Str()}, {"name", Str()}})},
                    {"country", Str()},
                    {"region", Str()},
                    {"cluster", Str()},
                    {"lat", Nullable(Num())},
                    {"lon", Nullable(Num())},
                    {"recovery_days", Nullable(Num())},
                    {"products", Arr(Ref("SiteProduct"))},
                    {"demand_stopped", Int()},
                    {"exposed", Nullable(Bool())},
                    {"customers", Arr(Ref("NodeRef"))},
                    {"suppliers", Arr(Ref("NodeRef"))},
                    {"dependent_demand", Arr(Ref("NodeRef"))}})},
      {"Products", Obj({{"products", Arr(Obj({{"id", Str()},
                                              {"name", Str()},
                                              {"name_ja", Str()},
                                              {"category", Str()},
                                              {"unit", Str()},
                                              {"sites", Int()}}))}})},
      {"Overview", Obj({{"clusters", Arr(Obj({{"id", Str()},
                                              {"sites", Int()},
                                              {"organizations", Int()},
                                              {"products", Int()}}))},
                        {"battery", Obj({{"japan_gwh_per_year", Num()},
                                         {"japanese_makers_gwh_per_year", Num()},
                                         {"world_gwh_per_year", Num()},
                                         {"target_japan_gwh_per_year", Num()},
                                         {"target_japanese_makers_gwh_per_year", Num()},
                                         {"target_year", Int()}})}})},
      {"Footprint",
       {{"type", "object"},
        {"required", {"product", "unit", "pcf_kgco2e_per_unit", "primary_data_share", "dqr"}},
        {"properties",
         {{"product", Str()},
          {"unit", Str()},
          {"pcf_kgco2e_per_unit", {{"type", "string"}, {"description", "decimal"}}},
          {"primary_data_share", Num()},
          {"dqr", dqr},
          {"received", Bool()},
          {"verified", Bool()},
          {"by_tier", split},
          {"by_country", split},
          {"by_supplier", split},
          {"by_stage", split},
          {"notes", Arr(Str())}}}}},
      {"MissingValue", Obj({{"field", Str()}, {"provide", Str()}})},
      {"Passport",
       {{"type", "object"},
        {"required", {"product", "name", "dataModel", "carbonFootprint", "circularity", "basis"}},
        {"properties",
         {{"product", Str()},
          {"name", Str()},
          {"dataModel", Obj({{"carbonFootprint", Str()}, {"circularity", Str()}})},
          {"carbonFootprint", {{"type", "object"}}},
          {"circularity", {{"type", "object"}}},
          {"basis", {{"type", "object"}}},
          {"missing", Arr(Ref("MissingValue"))}}}}},
      {"PassportIncomplete",
       Obj({{"code", Str()}, {"message", Str()}, {"missing", Arr(Ref("MissingValue"))}})},
      {"Circularity", Obj({{"product", Str()},
                           {"substances", Arr(Obj({{"substance", Str()},
                                                   {"mass_kg_per_unit", Num()},
                                                   {"pre_consumer_share", Num()},
                                                   {"post_consumer_share", Num()},
                                                   {"recycled_share", Num()},
                                                   {"eu_minimum_2031", Nullable(Num())},
                                                   {"meets_2031", Nullable(Bool())},
                                                   {"eu_minimum_2036", Nullable(Num())},
                                                   {"meets_2036", Nullable(Bool())}}))}})}};
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
                   {"404", Error(v == "2" ? "NoSuchFootprint" : "NotFound")}}}});
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
  paths["/api/v1/overview"]["get"] = Secured(
      {{"summary",
        "site clusters (visible sites, organizations, products) and battery cell capacity (GWh "
        "per year of production nodes in kWh) against the 2030 targets"},
       {"responses", {{"200", Returns("overview", Ref("Overview"))}}}});
  paths["/api/v1/sites"]["get"] = Secured(
      {{"summary",
        "visible sites as a GeoJSON FeatureCollection, with their products, the demand each stops "
        "alone and whether its own disruption outlasts its time to survive"},
       {"responses", {{"200", Returns("GeoJSON", Ref("Sites"))}}}});
  Json site_id = Param("site", "path", "site id", Str());
  paths["/api/v1/sites/{site}"]["get"] =
      Secured({{"summary", "one site: products, direct customers and suppliers, dependent demand"},
               {"parameters", Json::array({site_id})},
               {"responses", {{"200", Returns("site", Ref("Site"))}, {"404", Error("NotFound")}}}});
  paths["/api/v1/products"]["get"] =
      Secured({{"summary", "visible products with their number of production sites"},
               {"responses", {{"200", Returns("products", Ref("Products"))}}}});
  Json node = Param("node", "query", kNodeRef, Str(), true);
  Json target = Param("target", "query", std::string("only for this node: ") + kNodeRef, Str());
  paths["/api/v1/tiers"]["get"] = Secured(
      {{"summary",
        "upstream or downstream closure of a node with tiers, the supply links between them and "
        "(upstream) which are single points of failure of the node"},
       {"parameters",
        Json::array({node,
                     Param("direction", "query", "up (default) or down",
                           {{"type", "string"}, {"enum", {"up", "down"}}, {"default", "up"}}),
                     Param("depth", "query", "at most this many tiers (default: all)",
                           {{"type", "integer"}, {"minimum", 0}})})},
       {"responses",
        {{"200", Returns("tiers", Ref("Tiers"))},
         {"400", Error("BadRequest")},
         {"404", Error("NotFound")}}}});
  paths["/api/v1/spofs"]["get"] = Secured(
      {{"summary",
        "single points of failure: the network ranking, or with target those of each target "
        "vertex"},
       {"parameters",
        Json::array({target, Param("top", "query", "rows of the ranking (default 20)",
                                   {{"type", "integer"}, {"minimum", 1}, {"default", 20}})})},
       {"responses",
        {{"200", Returns("ranking, or [SpofTarget] with target",
                         {{"oneOf", {Ref("SpofRanking"), Arr(Ref("SpofTarget"))}}})},
         {"400", Error("BadRequest")},
         {"404", Error("NotFound")}}}});
  paths["/api/v1/tts"]["get"] = Secured(
      {{"summary",
        "time to survive against time to recover, every site down for its recovery days"},
       {"parameters", Json::array({Param("default_days", "query",
                                         "TTR of a site with no recovery_days (default 30)",
                                         {{"type", "number"}, {"minimum", 0}, {"default", 30}})})},
       {"responses",
        {{"200", Returns("one row per site", Arr(Ref("Scenario")))},
         {"202",
          Returns("still being computed in the background (Retry-After)", Ref("TtsProgress"))},
         {"400", Error("BadRequest")}}}});
  paths["/api/v1/scenarios"]["post"] =
      Secured({{"summary",
                "what a disruption event does: sites hit, products and demand affected, TTS/TTR"},
               {"requestBody",
                {{"required", true},
                 {"content", {{"application/json", {{"schema", Ref("EventRequest")}}}}}}},
               {"responses",
                {{"200", Returns("impact", Ref("EventImpact"))},
                 {"400", Error("BadRequest")},
                 {"404", Error("NotFound")}}}});
  paths["/api/v1/keys"]["get"] =
      Secured({{"summary", "Ed25519 public keys as JWKs (kid = organization id)"},
               {"responses", {{"200", JsonOk("JWK set")}}}});
  paths["/api/v1/events"]["get"] = Secured({{"summary", "events received and sent (admin clients)"},
                                            {"responses", {{"200", JsonOk("events")}}}});
  Json pid = Param("product", "path", "product id", Str());
  paths["/api/v1/products/{product}/footprint"]["get"] = Secured(
      {{"summary", "the cradle-to-gate carbon footprint of a product, split one way"},
       {"parameters",
        Json::array({pid, Param("split", "query", "country (default), tier, supplier or stage",
                                {{"type", "string"},
                                 {"enum", {"tier", "country", "supplier", "stage"}},
                                 {"default", "country"}})})},
       {"responses",
        {{"200", Returns("footprint", Ref("Footprint"))},
         {"400", Error("BadRequest")},
         {"404", Error("NotFound")}}}});
  paths["/api/v1/products/{product}/circularity"]["get"] = Secured(
      {{"summary", "recycled content of a product"},
       {"parameters", Json::array({pid})},
       {"responses",
        {{"200", Returns("circularity", Ref("Circularity"))}, {"404", Error("NotFound")}}}});
  paths["/api/v1/products/{product}/passport"]["get"] = Secured(
      {{"summary",
        "the battery passport: Battery Pass CarbonFootprint and Circularity aspects 1.2.0"},
       {"parameters",
        Json::array({pid, Param("allow_incomplete", "query",
                                "return the passport even when required values are missing",
                                {{"type", "boolean"}, {"default", false}})})},
       {"responses",
        {{"200", Returns("passport", Ref("Passport"))},
         {"400", Error("BadRequest")},
         {"404", Error("NotFound")},
         {"422", Returns("required values missing (PassportIncomplete), with what would give "
                         "each",
                         Ref("PassportIncomplete"))}}}});
  paths["/api/v1/products/{product}/concentration"]["get"] =
      Secured({{"summary", "capacity shares of a product by company and country, with HHI"},
               {"parameters", Json::array({pid, target})},
               {"responses",
                {{"200", Returns("concentration", Ref("Concentration"))},
                 {"400", Error("BadRequest")},
                 {"404", Error("NotFound")}}}});
  paths["/api/v1/bundles"]["post"] = Secured(
      {{"summary", "import a JSON bundle in one transaction (admin clients)"},
       {"requestBody",
        {{"required", true},
         {"content",
          {{"application/json",
            {{"schema",
              {{"type", "object"},
               {"description", "tables as arrays of rows, as in a JSON bundle file"}}}}}}}}},
       {"responses",
        {{"200",
          Returns("rows imported per table",
                  Obj({{"imported", {{"type", "object"}, {"additionalProperties", Int()}}}}))},
         {"400", Error("BadRequest")}}}});
  paths["/api/v1/requests"]["post"] = Secured(
      {{"summary", "ask a partner for footprints (PF Request Event; admin clients)"},
       {"requestBody",
        {{"required", true},
         {"content",
          {{"application/json",
            {{"schema",
              {{"type", "object"},
               {"required", {"organization"}},
               {"properties",
                {{"organization", Str()},
                 {"criteria",
                  {{"type", "object"},
                   {"description", "v3 filter: productId, companyId, geography, ..."}}}}}}}}}}}}},
       {"responses",
        {{"202", Returns("sent in the background", Obj({{"id", Str()}}))},
         {"400", Error("BadRequest")},
         {"404", Error("NotFound")}}}});
  const Json edit_result =
      Obj({{"version", Int()},
           {"tables",
            {{"type", "object"},
             {"description", "per table changed: rows added, changed and removed"},
             {"additionalProperties",
              Obj({{"added", Int()}, {"changed", Int()}, {"removed", Int()}})}}},
           {"cascaded", {{"type", "array"}, {"items", Str()}}}});
  const Json cascade = Param("cascade", "query",
                             "true: rows that refer to removed rows are removed too (listed in "
                             "cascaded); false (default): such a change is refused",
                             Str());
  paths["/api/v1/bundles"]["put"] = Secured(
      {{"summary",
        "upsert or replace with a JSON bundle as one new version; a client that is not an "
        "admin may change its own organization's rows only"},
       {"parameters",
        Json::array({Param("mode", "query", "upsert or replace", Str(), true),
                     Param("organization", "query",
                           "mode=replace: whose rows the bundle is the whole truth of (default "
                           "for a client that is not an admin: its own)",
                           Str()),
                     cascade})},
       {"requestBody",
        {{"required", true},
         {"content",
          {{"application/json",
            {{"schema",
              {{"type", "object"},
               {"description",
                "tables as arrays of rows, as in a JSON bundle file; a row may have "
                "\"deleted\": true (its key columns name the row to remove)"}}}}}}}}},
       {"responses",
        {{"200",
          Returns("the version committed (0: nothing changed) and what changed", edit_result)},
         {"400", Error("BadRequest")},
         {"403", Error("AccessDenied: a row of another organization")},
         {"409", Error("Conflict: the store changed meanwhile; send again")}}}});
  paths["/api/v1/rows/{table}/{key}"]["delete"] = Secured(
      {{"summary",
        "remove a row as one new version; a client that is not an admin may remove its own "
        "organization's rows only"},
       {"parameters",
        Json::array({Param("table", "path", "organizations, sites, products, supply, ...", Str()),
                     Param("key", "path",
                           "the row's key columns in order, ',' between (supply: "
                           "supplier_site,customer_site,product)",
                           Str()),
                     cascade})},
       {"responses",
        {{"200", Returns("the version committed and what changed", edit_result)},
         {"400", Error("BadRequest: an unknown table, a malformed key, or rows refer to it")},
         {"403", Error("AccessDenied: a row of another organization")},
         {"404", Error("NotFound: no such row")},
         {"409", Error("Conflict: the store changed meanwhile; send again")}}}});
  // Reads of the model and its analyses may be made as of an earlier version;
  // its snapshot is built in the background while 202 answers say how far.
  const Json building =
      Returns("the earlier version is still being read (Retry-After)", Obj({{"state", Str()},
                                                                            {"version", Int()},
                                                                            {"stage", Str()},
                                                                            {"done", Int()},
                                                                            {"total", Int()}}));
  const Json busy = Error("Unavailable: as many earlier versions as the node keeps are being read");
  const Json side = Nullable(Obj({{"hhi_company", Num()},
                                  {"hhi_country", Num()},
                                  {"top_country", Str()},
                                  {"top_country_share", Num()}}));
  const Json diff = Obj(
      {{"from", Int()},
       {"to", Int()},
       {"tables",
        {{"type", "object"},
         {"description",
          "per table changed: the keys of rows added and removed, and the cells of rows changed"},
         {"additionalProperties",
          Obj({{"added", Arr(Str())},
               {"changed", Arr(Obj({{"key", Str()},
                                    {"cells",
                                     {{"type", "object"},
                                      {"additionalProperties",
                                       Obj({{"before", Str()}, {"after", Str()}})}}}}))},
               {"removed", Arr(Str())}})}}},
       {"analyses",
        Obj({{"single_points_of_failure", Obj({{"gained", Arr(Str())}, {"lost", Arr(Str())}})},
             {"footprints_kgco2e_per_unit", Arr(Obj({{"product", Str()},
                                                     {"before", Nullable(Num())},
                                                     {"after", Nullable(Num())},
                                                     {"caused_by", Arr(Str())},
                                                     {"caused_by_complete", Bool()}}))},
             {"concentration", Arr(Obj({{"product", Str()}, {"before", side}, {"after", side}}))},
             {"time_to_survive", Str()}})}});
  paths["/api/v1/versions"]["get"] = Secured(
      {{"summary",
        "the store's versions (model changes), oldest first: what ?as_of= and /api/v1/diff "
        "name; who made each and what it did for admins only"},
       {"responses",
        {{"200", Returns("the versions",
                         Obj({{"versions", Arr({{"type", "object"},
                                                {"required", Json::array({"version", "time"})},
                                                {"properties",
                                                 {{"version", Int()},
                                                  {"time", Str()},
                                                  {"actor", Str()},
                                                  {"action", Str()}}}})}}))}}}});
  const char* version_text = "a version (a change number, see renkei history) or a time (RFC 3339)";
  paths["/api/v1/diff"]["get"] =
      Secured({{"summary",
                "what changed between two versions: rows added, changed and removed per table, and "
                "the analyses' changes (single points of failure gained and lost, footprints with "
                "the changed rows they are computed from, concentration); a client that is not an "
                "admin sees its own organization's rows and what its current grants let it see"},
               {"parameters", Json::array({Param("from", "query", version_text, Str(), true),
                                           Param("to", "query", version_text, Str(), true)})},
               {"responses",
                {{"200", Returns("the changes from one version to the other", diff)},
                 {"202", building},
                 {"400", Error("BadRequest: a missing or unknown version")},
                 {"503", busy}}}});
  const Json as_of = Param("as_of", "query",
                           "read the model as of a version (a change number) or a time (RFC "
                           "3339, or a date meaning its end in UTC); access follows the current "
                           "grants",
                           Str());
  for (const char* path :
       {"/api/v1/network", "/api/v1/overview", "/api/v1/sites", "/api/v1/sites/{site}",
        "/api/v1/products", "/api/v1/tiers", "/api/v1/spofs",
        "/api/v1/products/{product}/footprint", "/api/v1/products/{product}/circularity",
        "/api/v1/products/{product}/passport", "/api/v1/products/{product}/concentration"}) {
    Json& op = paths[path]["get"];
    if (!op.contains("parameters")) op["parameters"] = Json::array();
    op["parameters"].push_back(as_of);
    op["responses"]["400"] = Error("BadRequest");
    op["responses"]["202"] = building;
    op["responses"]["503"] = busy;
  }
  const Json jose = {{"type", "string"},
                     {"description",
                      "compact JWS (EdDSA) of the RFC 8785 canonical JSON envelope, kid = the "
                      "signing organization (federation/envelope.h)"}};
  paths["/api/v1/federation/messages"]["post"] = Secured(
      {{"summary",
        "a sealed question from a partner's node; answered with the sealed answer (the "
        "envelope's sender must be the client's organization)"},
       {"requestBody",
        {{"required", true}, {"content", {{"application/jose", {{"schema", jose}}}}}}},
       {"responses",
        {{"200",
          {{"description", "the sealed answer"},
           {"content", {{"application/jose", {{"schema", jose}}}}}}},
         {"400", Error("BadRequest: not a sealed question (the field is named)")},
         {"409", Error("Replayed: a message taken before, or sent outside the replay window")},
         {"503", Error("Unavailable: the replay cache is full")}}}});
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
            {"schemas", Schemas()}}}};
}

std::vector<Operation> DocumentedOperations() {
  std::vector<Operation> out;
  const Json doc = OpenApiDocument("https://localhost");
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      Operation o{method, path, op.contains("security"), {}};
      for (const Json& p : op.value("parameters", Json::array())) {
        if (p["in"] == "query") o.query.push_back(p["name"]);
      }
      out.push_back(std::move(o));
    }
  }
  return out;
}

}  // namespace renkei::server
