// The /api/v1 routes (what the dashboard reads): the network, sites,
// products, tiers, concentration, SPOFs, the TTS table (computed in the background),
// scenarios, footprints, circularity, keys, events, bundles and footprint requests.
#include "server/internal/node_impl.h"

namespace renkei::server {

namespace {

using Plain = nlohmann::json;  // the documents of risk/report.h (keys sorted)

void SendJson(Response& res, const Plain& body) {
  res.status = 200;
  res.set_content(body.dump(-1, ' ', false, Plain::error_handler_t::replace), "application/json");
}

// The API error for a failed analysis or lookup.
ApiError FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound:
      return {404, "NotFound", s.message()};
    case StatusCode::kPermissionDenied:
      return {403, "AccessDenied", s.message()};
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kOutOfRange:
      return BadRequest(s.message());
    default:
      return {500, "InternalError", s.message()};
  }
}

// A non-negative integer query parameter; `fallback` when absent.
std::optional<ApiError> IntParam(const Request& req, const std::string& name, size_t minimum,
                                 size_t& out) {
  if (!req.has_param(name.c_str())) return std::nullopt;
  const std::string v = req.get_param_value(name.c_str());
  if (v.empty() || v.size() > 9 || !std::all_of(v.begin(), v.end(), ::isdigit) ||
      std::stoul(v) < minimum) {
    return BadRequest(name + ": expected an integer of at least " + std::to_string(minimum) +
                      ", got '" + v + "'");
  }
  out = std::stoul(v);
  return std::nullopt;
}

std::optional<ApiError> NumberParam(const Request& req, const std::string& name, double& out) {
  if (!req.has_param(name.c_str())) return std::nullopt;
  const std::string v = req.get_param_value(name.c_str());
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(x) || x < 0) {
    return BadRequest(name + ": expected a non-negative number, got '" + v + "'");
  }
  out = x;
  return std::nullopt;
}

// Resolves a NODE parameter (network::Resolve) the caller may see: NotFound for
// unknown ids, PermissionDenied when the site or product it names is not visible.
StatusOr<network::Selection> ResolveVisible(const network::Network& n, const View& view,
                                            const std::string& param, const std::string& ref) {
  auto sel = network::Resolve(n, ref);
  if (!sel.ok()) return sel.status().WithPrefix(param);
  const network::Index v = sel->vertices.front();
  const bool visible = sel->kind == network::SelectionKind::kSite      ? view.site(n.site(v))
                       : sel->kind == network::SelectionKind::kProduct ? view.product(n.product(v))
                                                                       : view.vertex(n, v);
  if (!visible) return PermissionDeniedError("Access denied");
  return sel;
}

// Whether the {"site", "product"} an entry names are visible.
bool SeesEntry(const model::Model& m, const View& view, const Plain& entry) {
  return view.site(m.FindSite(entry["site"].get<std::string>())) &&
         view.product(m.FindProduct(entry["product"].get<std::string>()));
}

// Drops the elements of `list` for which `sees` is false (nothing for admins).
template <typename Sees>
void Keep(const View& view, Plain& list, Sees sees) {
  if (view.all()) return;
  Plain kept = Plain::array();
  for (Plain& e : list) {
    if (sees(e)) kept.push_back(std::move(e));
  }
  list = std::move(kept);
}

void KeepEntries(const model::Model& m, const View& view, Plain& list) {
  Keep(view, list, [&](const Plain& e) { return SeesEntry(m, view, e); });
}

void KeepSites(const model::Model& m, const View& view, Plain& ids) {
  Keep(view, ids, [&](const Plain& id) { return view.site(m.FindSite(id.get<std::string>())); });
}

void KeepProducts(const model::Model& m, const View& view, Plain& ids) {
  Keep(view, ids,
       [&](const Plain& id) { return view.product(m.FindProduct(id.get<std::string>())); });
}

// A ScenarioJson without the sites and products the caller may not see.
void FilterScenario(const model::Model& m, const View& view, Plain& scenario) {
  if (view.all()) return;
  KeepSites(m, view, scenario["sites"]);
  Plain lost = Plain::object();
  for (const auto& [id, units] : scenario["lost_units"].items()) {
    if (view.product(m.FindProduct(id))) lost[id] = units;
  }
  scenario["lost_units"] = lost;
}

Json SiteProducts(const model::Model& m, const View& view, model::Index site) {
  Json out = Json::array();
  for (const model::Production& node : m.production) {
    if (node.site != site || !view.product(node.product)) continue;
    out.push_back(
        {{"id", m.products[node.product].id},
         {"capacity_per_day", node.capacity_per_day ? Json(*node.capacity_per_day) : Json(nullptr)},
         {"inventory_units", node.inventory_units ? Json(*node.inventory_units) : Json(nullptr)}});
  }
  return out;
}

Json NodeRef(const model::Model& m, model::Index site, model::Index product) {
  return {{"site", m.sites[site].id}, {"product", m.products[product].id}};
}

double Round6(double x) { return std::round(x * 1e6) / 1e6; }

}  // namespace

const risk::Criticality& Node::Impl::CriticalityOf(const Snapshot& s) {
  std::call_once(s.analyses->criticality_once, [&s] {
    s.analyses->criticality =
        std::make_unique<risk::Criticality>(risk::Criticality::Analyse(*s.graph));
  });
  return *s.analyses->criticality;
}

namespace {

// Solves the site scenarios of `s` one by one (so that a cancel takes effect
// between two), as risk::RunScenarios does, then publishes the table.
void ComputeTtsTable(const Snapshot& s) {
  TtsTable& t = s.analyses->tts;
  const std::vector<risk::Scenario> scenarios = risk::SiteScenarios(*s.graph);
  {
    std::lock_guard<std::mutex> lock(t.mu);
    t.total = scenarios.size();
  }
  StatusOr<std::vector<risk::ScenarioResult>> results =
      [&]() -> StatusOr<std::vector<risk::ScenarioResult>> {
    risk::SolverOptions options;
    options.cancel = &t.cancel;  // a large network's first solve can take minutes
    RENKEI_ASSIGN_OR_RETURN(std::unique_ptr<risk::ScenarioSolver> solver,
                            risk::ScenarioSolver::Create(*s.graph, options));
    std::vector<risk::ScenarioResult> out;
    out.reserve(scenarios.size());
    double worst = 0;
    for (const risk::Scenario& scenario : scenarios) {
      if (t.cancel) return UnavailableError("the TTS table was abandoned");
      RENKEI_ASSIGN_OR_RETURN(risk::ScenarioResult r, solver->Solve(scenario));
      worst = std::max(worst, r.impact);
      out.push_back(std::move(r));
      std::lock_guard<std::mutex> lock(t.mu);
      ++t.done;
    }
    for (risk::ScenarioResult& r : out) r.rei = worst > 0 ? r.impact / worst : 0;
    return out;
  }();
  std::vector<uint8_t> exposed(s.model.sites.size(), 0);
  if (results.ok()) {
    for (const risk::ScenarioResult& r : *results) {
      if (r.sites.size() == 1 && r.exposed) exposed[r.sites[0]] = 1;
    }
  }
  {
    std::lock_guard<std::mutex> lock(t.mu);
    t.results = std::move(results);
    t.exposed = std::move(exposed);
    t.state = TtsTable::State::kDone;
  }
  t.cv.notify_all();
}

}  // namespace

const TtsTable* Node::Impl::TtsTableOf(const std::shared_ptr<const Snapshot>& s,
                                       std::chrono::milliseconds wait) {
  TtsTable& t = s->analyses->tts;
  {
    std::unique_lock<std::mutex> lock(t.mu);
    if (t.state == TtsTable::State::kDone) return &t;
    if (t.state == TtsTable::State::kIdle) {
      t.state = TtsTable::State::kRunning;
      lock.unlock();
      std::lock_guard<std::mutex> threads(tts_mu_);
      if (tts_thread_.joinable()) {  // an older snapshot's table: abandon it
        tts_snapshot_->analyses->tts.cancel = true;
        tts_thread_.join();
      }
      tts_snapshot_ = s;
      tts_thread_ = std::thread([s] { ComputeTtsTable(*s); });
    }
  }
  std::unique_lock<std::mutex> lock(t.mu);
  t.cv.wait_for(lock, wait, [&t] { return t.state == TtsTable::State::kDone; });
  return t.state == TtsTable::State::kDone ? &t : nullptr;
}

void Node::Impl::StopTts() {
  std::lock_guard<std::mutex> lock(tts_mu_);
  if (!tts_thread_.joinable()) return;
  tts_snapshot_->analyses->tts.cancel = true;
  tts_thread_.join();
  tts_snapshot_.reset();
}

namespace {

// {"state": "computing" | "done", "done": N, "total": M}: where the TTS table is.
Json TtsProgress(const TtsTable& t) {
  std::lock_guard<std::mutex> lock(t.mu);
  return {{"state", t.state == TtsTable::State::kDone ? "done" : "computing"},
          {"done", t.done},
          {"total", t.total}};
}

}  // namespace

void Node::Impl::Api(const Request& req, Response& res, const char* method, const char* path,
                     ApiHandler handler) {
  auto caller = Authorize(req, res);
  if (!caller) return;
  const std::set<std::string>& known = QueryParameters(method, path);
  for (const auto& [name, value] : req.params) {
    if (!known.count(name)) {
      return SendError(res, BadRequest("unknown query parameter '" + name + "'"));
    }
  }
  // An earlier version (?as_of=) is read with the caller's current grants; its
  // organization is found again in that version's model.
  std::shared_ptr<const Snapshot> snap;
  Caller who = *caller;
  if (req.has_param("as_of")) {
    Json progress;
    StatusOr<std::shared_ptr<const Snapshot>> old =
        SnapshotAsOf(req.get_param_value("as_of"), &progress);
    if (SentVersionAnswer(res, "as_of", old, progress)) return;
    snap = std::move(*old);
    who.organization = snap->model.FindOrganization(who.client.organization);
  } else {
    snap = snapshot();
  }
  const View view(*snap, who);
  ApiCall call{req, res, who, *snap, view, snap};
  const bool analysis = handler == &Impl::ApiTiers || handler == &Impl::ApiSpofs ||
                        handler == &Impl::ApiTts || handler == &Impl::ApiScenarios ||
                        handler == &Impl::ApiConcentration;
  if (analysis && snap->graph == nullptr) {
    return SendError(res, {500, "InternalError",
                           "the network snapshot could not be built: " + snap->graph_error});
  }
  (this->*handler)(call);
}

void Node::Impl::ApiNetwork(ApiCall& c) {
  const model::Model& m = c.snap.model;
  std::set<std::string> countries, organizations;
  size_t sites = 0, products = 0;
  for (model::Index s = 0; s < m.sites.size(); ++s) {
    if (!c.view.site(s)) continue;
    ++sites;
    countries.insert(m.sites[s].country);
    organizations.insert(m.organizations[m.sites[s].organization].id);
  }
  for (model::Index p = 0; p < m.products.size(); ++p) products += c.view.product(p) ? 1 : 0;
  SendJson(c.res, Json{{"organization", c.caller.client.organization},
                       {"organizations", organizations.size()},
                       {"sites", sites},
                       {"products", products},
                       {"countries", countries}});
}

void Node::Impl::ApiOverview(ApiCall& c) {
  const model::Model& m = c.snap.model;
  struct Cluster {
    size_t sites = 0;
    std::set<model::Index> organizations, products;
  };
  std::map<std::string, Cluster> clusters;
  for (model::Index s = 0; s < m.sites.size(); ++s) {
    if (!c.view.site(s) || m.sites[s].cluster.empty()) continue;
    Cluster& cl = clusters[m.sites[s].cluster];
    ++cl.sites;
    cl.organizations.insert(m.sites[s].organization);
  }
  double japan = 0, makers = 0, world = 0;
  for (const model::Production& node : m.production) {
    const model::Site& site = m.sites[node.site];
    if (!c.view.site(node.site) || !c.view.product(node.product)) continue;
    if (!site.cluster.empty()) clusters[site.cluster].products.insert(node.product);
    if (m.products[node.product].unit != model::Unit::kKilowattHour) continue;
    const double per_day = node.capacity_per_day.value_or(site.capacity_per_day.value_or(0));
    const double gwh = per_day * 365 / 1e6;
    world += gwh;
    if (site.country == "JP") japan += gwh;
    if (m.organizations[site.organization].country == "JP") makers += gwh;
  }
  Json list = Json::array();
  for (const auto& [id, cl] : clusters) {
    list.push_back({{"id", id},
                    {"sites", cl.sites},
                    {"organizations", cl.organizations.size()},
                    {"products", cl.products.size()}});
  }
  SendJson(c.res, Json{{"clusters", list},
                       {"battery",
                        {{"japan_gwh_per_year", Round6(japan)},
                         {"japanese_makers_gwh_per_year", Round6(makers)},
                         {"world_gwh_per_year", Round6(world)},
                         {"target_japan_gwh_per_year", 150},
                         {"target_japanese_makers_gwh_per_year", 600},
                         {"target_year", 2030}}}});
}

void Node::Impl::ApiSites(ApiCall& c) {
  const model::Model& m = c.snap.model;
  const risk::Criticality* crit = c.snap.graph ? &CriticalityOf(c.snap) : nullptr;
  const TtsTable* tts = c.snap.graph ? TtsTableOf(c.shared) : nullptr;
  const bool tts_ok = tts != nullptr && tts->results->ok();
  Json features = Json::array();
  std::set<model::Index> organizations;
  for (model::Index s = 0; s < m.sites.size(); ++s) {
    if (!c.view.site(s)) continue;
    const model::Site& site = m.sites[s];
    organizations.insert(site.organization);
    // An external site has no known place (model.h): a feature without geometry.
    features.push_back(
        {{"type", "Feature"},
         {"geometry", site.external
                          ? Json(nullptr)
                          : Json{{"type", "Point"}, {"coordinates", {site.lon, site.lat}}}},
         {"properties",
          {{"id", site.id},
           {"name", site.name},
           {"name_ja", site.name_ja},
           {"external", site.external},
           {"organization", m.organizations[site.organization].id},
           {"country", site.country},
           {"region", site.region},
           {"cluster", site.cluster},
           {"recovery_days", site.recovery_days ? Json(*site.recovery_days) : Json(nullptr)},
           {"products", SiteProducts(m, c.view, s)},
           {"demand_stopped", crit ? crit->site_stops()[s] : 0},
           {"exposed", tts_ok ? Json(tts->exposed[s] != 0) : Json(nullptr)}}}});
  }
  // The names of the sites' organizations, once each (a foreign member of the
  // FeatureCollection, RFC 7946 6.1).
  Json names = Json::object();
  for (model::Index o : organizations) {
    const model::Organization& org = m.organizations[o];
    names[org.id] = {{"name", org.name}, {"name_ja", org.name_ja}};
  }
  Json doc{{"type", "FeatureCollection"}, {"features", features}, {"organizations", names}};
  if (c.snap.graph) doc["tts"] = TtsProgress(c.snap.analyses->tts);
  SendJson(c.res, doc);
}

void Node::Impl::ApiSite(ApiCall& c) {
  const model::Model& m = c.snap.model;
  const std::string id = c.req.path_params[0];
  const model::Index s = m.FindSite(id);
  if (s == model::kNoIndex) return SendError(c.res, {404, "NotFound", "unknown site '" + id + "'"});
  if (!c.view.site(s)) return SendError(c.res, {403, "AccessDenied", "Access denied"});
  const model::Site& site = m.sites[s];
  const model::Organization& org = m.organizations[site.organization];
  Json customers = Json::array(), suppliers = Json::array(), dependent = Json::array();
  for (const model::SupplyLink& link : m.supply) {
    if (!c.view.product(link.product)) continue;
    if (link.supplier_site == s && c.view.site(link.customer_site)) {
      customers.push_back(NodeRef(m, link.customer_site, link.product));
    }
    if (link.customer_site == s && c.view.site(link.supplier_site)) {
      suppliers.push_back(NodeRef(m, link.supplier_site, link.product));
    }
  }
  Json exposed = nullptr;
  uint32_t stopped = 0;
  if (c.snap.graph) {
    const network::Network& n = *c.snap.graph;
    auto nodes = n.nodes_at_site(s);
    for (const risk::TierEntry& e : risk::Closure(n, nodes, risk::Direction::kDownstream)) {
      if (n.IsDemand(e.vertex) && c.view.vertex(n, e.vertex)) {
        dependent.push_back(NodeRef(m, n.site(e.vertex), n.product(e.vertex)));
      }
    }
    stopped = CriticalityOf(c.snap).site_stops()[s];
    const TtsTable* tts = TtsTableOf(c.shared);
    if (tts != nullptr && tts->results->ok()) exposed = tts->exposed[s] != 0;
  }
  SendJson(c.res,
           Json{{"id", site.id},
                {"name", site.name},
                {"name_ja", site.name_ja},
                {"external", site.external},
                {"organization", {{"id", org.id}, {"name", org.name}}},
                {"country", site.country},
                {"region", site.region},
                {"cluster", site.cluster},
                {"lat", site.external ? Json(nullptr) : Json(site.lat)},
                {"lon", site.external ? Json(nullptr) : Json(site.lon)},
                {"recovery_days", site.recovery_days ? Json(*site.recovery_days) : Json(nullptr)},
                {"products", SiteProducts(m, c.view, s)},
                {"demand_stopped", stopped},
                {"exposed", exposed},
                {"customers", customers},
                {"suppliers", suppliers},
                {"dependent_demand", dependent}});
}

void Node::Impl::ApiProducts(ApiCall& c) {
  const model::Model& m = c.snap.model;
  std::vector<std::set<model::Index>> sites(m.products.size());
  for (const model::Production& node : m.production) {
    if (c.view.site(node.site)) sites[node.product].insert(node.site);
  }
  std::vector<model::Index> order;
  for (model::Index p = 0; p < m.products.size(); ++p) {
    if (c.view.product(p)) order.push_back(p);
  }
  std::sort(order.begin(), order.end(),
            [&m](model::Index a, model::Index b) { return m.products[a].id < m.products[b].id; });
  Json out = Json::array();
  for (model::Index p : order) {
    out.push_back({{"id", m.products[p].id},
                   {"name", m.products[p].name},
                   {"name_ja", m.products[p].name_ja},
                   {"category", m.products[p].category},
                   {"unit", std::string(model::UnitSymbol(m.products[p].unit))},
                   {"sites", sites[p].size()}});
  }
  SendJson(c.res, Json{{"products", out}});
}

void Node::Impl::ApiTiers(ApiCall& c) {
  const network::Network& n = *c.snap.graph;
  const model::Model& m = c.snap.model;
  const std::string node = c.req.get_param_value("node");
  if (node.empty()) return SendError(c.res, BadRequest("node: a node is required"));
  const std::string direction =
      c.req.has_param("direction") ? c.req.get_param_value("direction") : "up";
  if (direction != "up" && direction != "down") {
    return SendError(c.res, BadRequest("direction: expected up or down, got '" + direction + "'"));
  }
  size_t depth = risk::kUnlimitedDepth;
  if (auto e = IntParam(c.req, "depth", 0, depth)) return SendError(c.res, *e);
  auto sel = ResolveVisible(n, c.view, "node", node);
  if (!sel.ok()) return SendError(c.res, FromStatus(sel.status()));
  const bool up = direction == "up";
  const risk::Direction dir = up ? risk::Direction::kUpstream : risk::Direction::kDownstream;
  const std::vector<risk::TierEntry> tiers =
      risk::Closure(n, sel->vertices, dir, static_cast<uint32_t>(depth));
  Plain doc = risk::TiersJson(n, tiers, dir);
  std::vector<uint8_t> spof(n.vertex_count()), in_closure(n.vertex_count());
  if (up) {
    const risk::Criticality& crit = CriticalityOf(c.snap);
    for (network::Index t : sel->vertices) {
      for (network::Index v : crit.NodeSpofs(t)) spof[v] = 1;
    }
  }
  Plain entries = Plain::array();
  for (size_t i = 0; i < tiers.size(); ++i) {
    const network::Index v = tiers[i].vertex;
    in_closure[v] = 1;
    if (!c.view.vertex(n, v)) continue;
    Plain e = doc["tiers"][i];
    e["spof"] = spof[v] != 0;
    entries.push_back(std::move(e));
  }
  Plain links = Plain::array();
  for (const risk::TierEntry& t : tiers) {
    if (!c.view.vertex(n, t.vertex)) continue;
    for (const network::InputGroup& g : n.groups(t.vertex)) {
      for (const network::InEdge& e : n.edges(g)) {
        if (!in_closure[e.from] || !c.view.vertex(n, e.from)) continue;
        std::optional<double> share;
        if (e.link != network::kNone) share = m.supply[e.link].share;
        links.push_back({{"from", NodeRef(m, n.site(e.from), n.product(e.from))},
                         {"to", NodeRef(m, n.site(t.vertex), n.product(t.vertex))},
                         {"share", share ? Plain(*share) : Plain(nullptr)}});
      }
    }
  }
  doc["tiers"] = std::move(entries);
  doc["links"] = std::move(links);
  SendJson(c.res, doc);
}

namespace {

// The product `id` of a /api/v1/products/{product} route, when it exists and the caller
// may see it; else kNoIndex, and the 404 or 403 is sent.
model::Index SeenProduct(ApiCall& c, const std::string& id) {
  const model::Index p = c.snap.model.FindProduct(id);
  if (p == model::kNoIndex) {
    SendError(c.res, {404, "NotFound", "unknown product '" + id + "'"});
  } else if (!c.view.product(p)) {
    SendError(c.res, {403, "AccessDenied", "Access denied"});
    return model::kNoIndex;
  }
  return p;
}

}  // namespace

void Node::Impl::ApiConcentration(ApiCall& c) {
  const network::Network& n = *c.snap.graph;
  const model::Model& m = c.snap.model;
  const std::string& id = c.req.path_params[0];
  const model::Index p = SeenProduct(c, id);
  if (p == model::kNoIndex) return;
  const std::string target = c.req.get_param_value("target");
  if (c.req.has_param("target") && target.empty()) {
    return SendError(c.res, BadRequest("target: a node is required"));
  }
  StatusOr<risk::Concentration> conc = [&]() -> StatusOr<risk::Concentration> {
    if (target.empty()) return risk::ProductConcentration(n, p);
    RENKEI_ASSIGN_OR_RETURN(network::Selection sel, ResolveVisible(n, c.view, "target", target));
    return risk::ProductConcentrationFor(n, p, sel.vertices);
  }();
  if (!conc.ok()) return SendError(c.res, FromStatus(conc.status()));
  Plain doc = risk::ConcentrationJson(
      id, target.empty() ? std::nullopt : std::optional<std::string>(target), *conc);
  if (!c.view.all()) {
    Plain kept = Plain::array();
    for (Plain& share : doc["by_company"]) {
      if (c.view.organization(m.FindOrganization(share["key"].get<std::string>()))) {
        kept.push_back(std::move(share));
      }
    }
    doc["by_company"] = std::move(kept);
  }
  SendJson(c.res, doc);
}

void Node::Impl::ApiSpofs(ApiCall& c) {
  const network::Network& n = *c.snap.graph;
  const model::Model& m = c.snap.model;
  size_t top = 20;
  if (auto e = IntParam(c.req, "top", 1, top)) return SendError(c.res, *e);
  const std::string target = c.req.get_param_value("target");
  if (c.req.has_param("target") && target.empty()) {
    return SendError(c.res, BadRequest("target: a node is required"));
  }
  if (!target.empty()) {
    auto sel = ResolveVisible(n, c.view, "target", target);
    if (!sel.ok()) return SendError(c.res, FromStatus(sel.status()));
    Plain out = risk::SpofTargetsJson(n, CriticalityOf(c.snap), sel->vertices);
    KeepEntries(m, c.view, out);
    for (Plain& t : out) {
      KeepEntries(m, c.view, t["node_spofs"]);
      KeepSites(m, c.view, t["site_spofs"]);
    }
    return SendJson(c.res, out);
  }
  if (n.demand_count() == 0) {
    return SendError(c.res, BadRequest("the network has no demand: single points of failure are "
                                       "counted against demand rows"));
  }
  if (c.view.all()) return SendJson(c.res, risk::SpofRankingJson(n, CriticalityOf(c.snap), top));
  Plain doc = risk::SpofRankingJson(n, CriticalityOf(c.snap), std::numeric_limits<size_t>::max());
  KeepEntries(m, c.view, doc["nodes"]);
  Plain sites = Plain::array();
  for (Plain& row : doc["sites"]) {
    if (c.view.site(m.FindSite(row["site"].get<std::string>()))) sites.push_back(std::move(row));
  }
  doc["sites"] = std::move(sites);
  for (const char* list : {"nodes", "sites"}) {
    if (doc[list].size() > top)
      doc[list].erase(doc[list].begin() + static_cast<long>(top), doc[list].end());
  }
  SendJson(c.res, doc);
}

void Node::Impl::ApiTts(ApiCall& c) {
  const network::Network& n = *c.snap.graph;
  const model::Model& m = c.snap.model;
  double days = risk::kDefaultRecoveryDays;
  if (auto e = NumberParam(c.req, "default_days", days)) return SendError(c.res, *e);
  StatusOr<std::vector<risk::ScenarioResult>> computed = std::vector<risk::ScenarioResult>{};
  const StatusOr<std::vector<risk::ScenarioResult>>* results = &computed;
  if (days == risk::kDefaultRecoveryDays) {
    const TtsTable* table = TtsTableOf(c.shared, std::chrono::seconds(5));
    if (table == nullptr) {
      c.res.set_header("Retry-After", "5");
      return SendJson(c.res, TtsProgress(c.snap.analyses->tts), 202);
    }
    results = &*table->results;
  } else {
    std::lock_guard<std::mutex> lock(lp_mu_);
    computed = risk::RunScenarios(n, risk::SiteScenarios(n, days));
  }
  if (!results->ok()) return SendError(c.res, FromStatus(results->status()));
  Plain out = risk::TtsJson(m, **results);
  if (!c.view.all()) {
    Plain kept = Plain::array();
    for (size_t i = 0; i < out.size(); ++i) {
      const auto& sites = (**results)[i].sites;
      if (!std::all_of(sites.begin(), sites.end(),
                       [&](network::Index s) { return c.view.site(s); })) {
        continue;
      }
      FilterScenario(m, c.view, out[i]);
      kept.push_back(std::move(out[i]));
    }
    out = std::move(kept);
  }
  SendJson(c.res, out);
}

void Node::Impl::ApiScenarios(ApiCall& c) {
  const network::Network& n = *c.snap.graph;
  const model::Model& m = c.snap.model;
  if (c.req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    return SendError(c.res, BadRequest("content type must be application/json"));
  }
  StatusOr<risk::Event> event = risk::ParseEvent(c.req.body);
  if (!event.ok()) return SendError(c.res, BadRequest(event.status().message()));
  // The sites or company an event names must be visible; unknown ones are NotFound below.
  if (event->kind == risk::Event::Kind::kSites) {
    for (const std::string& id : event->sites) {
      const model::Index s = m.FindSite(id);
      if (s != model::kNoIndex && !c.view.site(s)) {
        return SendError(c.res, {403, "AccessDenied", "Access denied"});
      }
    }
  }
  if (event->kind == risk::Event::Kind::kCompany) {
    const model::Index o = m.FindOrganization(event->company);
    if (o != model::kNoIndex && !c.view.organization(o)) {
      return SendError(c.res, {403, "AccessDenied", "Access denied"});
    }
  }
  StatusOr<risk::EventImpact> impact = [&] {
    std::lock_guard<std::mutex> lock(lp_mu_);
    return risk::AnalyseEvent(n, *event);
  }();
  if (!impact.ok()) return SendError(c.res, FromStatus(impact.status()));
  Plain doc = risk::EventJson(n, *event, *impact);
  StatusOr<std::string> currency = [&] {
    std::lock_guard<std::mutex> lock(store_mu_);
    return MarginCurrency(*store_);
  }();
  if (!currency.ok()) return SendError(c.res, {500, "InternalError", currency.status().message()});
  doc["currency"] = currency->empty() ? Plain(nullptr) : Plain(*currency);
  if (!c.view.all()) {
    KeepSites(m, c.view, doc["sites"]);
    KeepProducts(m, c.view, doc["affected_products"]);
    KeepEntries(m, c.view, doc["affected_demand"]);
    KeepEntries(m, c.view, doc["stopped_demand"]);
    FilterScenario(m, c.view, doc["result"]);
  }
  SendJson(c.res, doc);
}

void Node::Impl::ApiKeys(ApiCall& c) {
  Json keys = Json::array();
  for (const auto& [org, key] : c.snap.public_keys) {
    Json jwk = Json::parse(trust::PublicJwk(key));
    jwk["kid"] = org;
    jwk["alg"] = "EdDSA";
    keys.push_back(jwk);
  }
  SendJson(c.res, Json{{"keys", keys}});
}

void Node::Impl::ApiFootprint(ApiCall& c) {
  const model::Model& m = c.snap.model;
  const std::string& id = c.req.path_params[0];
  if (SeenProduct(c, id) == model::kNoIndex) return;
  const std::string split = c.req.has_param("split") ? c.req.get_param_value("split") : "country";
  footprint::SplitBy by;
  if (split == "tier") {
    by = footprint::SplitBy::kTier;
  } else if (split == "country") {
    by = footprint::SplitBy::kCountry;
  } else if (split == "supplier") {
    by = footprint::SplitBy::kSupplier;
  } else if (split == "stage") {
    by = footprint::SplitBy::kStage;
  } else {
    return SendError(
        c.res, BadRequest("split: expected tier, country, supplier or stage, got '" + split + "'"));
  }
  if (!c.snap.have_network) {
    return SendError(c.res, {500, "InternalError", "the footprints could not be computed"});
  }
  auto fp = footprint::FootprintOfProduct(m, c.snap.network, id);
  if (!fp.ok()) return SendError(c.res, {404, "NotFound", fp.status().message()});
  Json doc = footprint::FootprintJson(m, *fp, by);
  if (by == footprint::SplitBy::kSupplier && !c.view.all()) {
    Json kept = Json::array();
    for (Json& e : doc["by_supplier"]) {
      const model::Index o = m.FindOrganization(e["key"].get<std::string>());
      if (o == model::kNoIndex || c.view.organization(o)) kept.push_back(std::move(e));
    }
    doc["by_supplier"] = std::move(kept);
  }
  SendJson(c.res, doc);
}

void Node::Impl::ApiCircularity(ApiCall& c) {
  const model::Model& m = c.snap.model;
  const std::string& id = c.req.path_params[0];
  if (SeenProduct(c, id) == model::kNoIndex) return;
  auto circ = footprint::RecycledContent(m, id);
  if (!circ.ok()) return SendError(c.res, {404, "NotFound", circ.status().message()});
  SendJson(c.res, footprint::CircularityJson(m, *circ));
}

void Node::Impl::ApiPassport(ApiCall& c) {
  const model::Model& m = c.snap.model;
  const std::string& id = c.req.path_params[0];
  if (SeenProduct(c, id) == model::kNoIndex) return;
  bool allow_incomplete = false;
  if (c.req.has_param("allow_incomplete")) {
    const std::string v = c.req.get_param_value("allow_incomplete");
    if (v != "true" && v != "false") {
      return SendError(c.res,
                       BadRequest("allow_incomplete: expected true or false, got '" + v + "'"));
    }
    allow_incomplete = v == "true";
  }
  if (!c.snap.have_network) {
    return SendError(c.res, {500, "InternalError", "the footprints could not be computed"});
  }
  auto passport = footprint::MakeBatteryPassport(m, c.snap.network, id);
  if (!passport.ok()) return SendError(c.res, {404, "NotFound", passport.status().message()});
  Json doc = std::move(passport->document);
  if (!passport->complete()) {
    Json missing = Json::array();
    for (const footprint::MissingValue& v : passport->missing) {
      missing.push_back({{"field", v.field}, {"provide", v.provide}});
    }
    if (!allow_incomplete) {
      return SendJson(
          c.res,
          Json{{"code", "PassportIncomplete"},
               {"message", id + ": the passport lacks " + std::to_string(missing.size()) +
                               " value(s) the Battery Pass data model requires "
                               "(allow_incomplete=true returns what there is)"},
               {"missing", std::move(missing)}},
          422);
    }
    doc["missing"] = std::move(missing);
  }
  SendJson(c.res, doc);
}

void Node::Impl::ApiEvents(ApiCall& c) {
  if (!c.caller.client.admin) {
    return SendError(c.res, {403, "AccessDenied", "admin clients only"});
  }
  std::lock_guard<std::mutex> lock(store_mu_);
  auto events = ListEvents(*store_);
  if (!events.ok()) return SendError(c.res, {500, "InternalError", events.status().message()});
  Json out = Json::array();
  for (const EventRecord& e : *events) {
    out.push_back({{"id", e.id},
                   {"direction", e.direction},
                   {"type", e.type},
                   {"organization", e.organization},
                   {"time", e.time},
                   {"state", e.state}});
  }
  SendJson(c.res, Json{{"events", out}});
}

namespace {

// The JSON body of an admin POST, or the error sent.
std::optional<Json> AdminJsonBody(ApiCall& c) {
  if (!c.caller.client.admin) {
    SendError(c.res, {403, "AccessDenied", "admin clients only"});
    return std::nullopt;
  }
  if (c.req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    SendError(c.res, BadRequest("content type must be application/json"));
    return std::nullopt;
  }
  StatusOr<Json> body = ParseJson<Json>(c.req.body, "body");
  if (!body.ok()) {
    SendError(c.res, BadRequest(body.status().message()));
    return std::nullopt;
  }
  return std::move(*body);
}

}  // namespace

void Node::Impl::ApiRequests(ApiCall& c) {
  auto body = AdminJsonBody(c);
  if (!body) return;
  if (!body->is_object() || !body->contains("organization") ||
      !(*body)["organization"].is_string()) {
    return SendError(c.res, BadRequest("organization is required"));
  }
  auto id = RequestFootprints((*body)["organization"], body->value("criteria", Json::object()));
  if (!id.ok()) {
    return SendError(c.res, id.status().code() == StatusCode::kNotFound
                                ? ApiError{404, "NotFound", id.status().message()}
                                : BadRequest(id.status().message()));
  }
  SendJson(c.res, Json{{"id", *id}}, 202);
}

void Node::Impl::ApiBundles(ApiCall& c) {
  if (!AdminJsonBody(c)) return;
  // The bundle as one JSON document, through the same import as `renkei import`.
  store::ImportOptions options;
  options.actor = "client:" + c.caller.client.id;
  options.action = "import via API";
  std::lock_guard<std::mutex> lock(store_mu_);
  auto imported = store::ImportBundle(*store_, {"", c.req.body, "body"}, options);
  if (!imported.ok()) return SendError(c.res, BadRequest(imported.status().message()));
  Json added = Json::object();
  for (const model::TableSchema& t : model::AllTables()) {
    added[std::string(t.name)] = imported->after[static_cast<size_t>(t.table)] -
                                 imported->before[static_cast<size_t>(t.table)];
  }
  Status swapped = SwapIn(std::move(imported->model), imported->change);
  if (!swapped.ok()) return SendError(c.res, {500, "InternalError", swapped.message()});
  SendJson(c.res, Json{{"imported", added}});
}

}  // namespace renkei::server
