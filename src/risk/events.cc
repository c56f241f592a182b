#include "risk/events.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>

#include "base/json.h"
#include "base/numbers.h"
#include "model/countries.h"
#include "risk/criticality.h"
#include "risk/tiers.h"

namespace renkei::risk {

using network::Index;

double GreatCircleKm(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRad = std::numbers::pi / 180;
  const double dlat = (lat2 - lat1) * kRad;
  const double dlon = (lon2 - lon1) * kRad;
  const double a =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(a)));
}

StatusOr<Event> ParseEvent(std::string_view text) {
  using nlohmann::json;
  StatusOr<json> parsed = ParseJson<json>(text);
  if (!parsed.ok()) return parsed.status().WithPrefix("event");
  json doc = std::move(*parsed);
  if (!doc.is_object()) return InvalidArgumentError("event: expected a JSON object");
  Event ev;
  auto number = [&](const json& parent, const char* key, const std::string& where,
                    double& out) -> Status {
    auto it = parent.find(key);
    if (it == parent.end() || !it->is_number()) {
      return InvalidArgumentError("event: " + where + key + ": expected a number");
    }
    out = it->get<double>();
    return Status::Ok();
  };
  RENKEI_RETURN_IF_ERROR(number(doc, "days", "", ev.days));
  if (auto it = doc.find("name"); it != doc.end()) {
    if (!it->is_string()) return InvalidArgumentError("event: name: expected a string");
    ev.name = it->get<std::string>();
  }
  int kinds = 0;
  if (auto it = doc.find("circle"); it != doc.end()) {
    ++kinds;
    ev.kind = Event::Kind::kCircle;
    if (!it->is_object()) return InvalidArgumentError("event: circle: expected an object");
    RENKEI_RETURN_IF_ERROR(number(*it, "lat", "circle.", ev.lat));
    RENKEI_RETURN_IF_ERROR(number(*it, "lon", "circle.", ev.lon));
    RENKEI_RETURN_IF_ERROR(number(*it, "radius_km", "circle.", ev.radius_km));
  }
  if (auto it = doc.find("country"); it != doc.end()) {
    ++kinds;
    ev.kind = Event::Kind::kCountry;
    if (!it->is_string()) return InvalidArgumentError("event: country: expected a string");
    ev.country = it->get<std::string>();
  }
  if (auto it = doc.find("company"); it != doc.end()) {
    ++kinds;
    ev.kind = Event::Kind::kCompany;
    if (!it->is_string()) return InvalidArgumentError("event: company: expected a string");
    ev.company = it->get<std::string>();
  }
  if (auto it = doc.find("sites"); it != doc.end()) {
    ++kinds;
    ev.kind = Event::Kind::kSites;
    if (!it->is_array()) return InvalidArgumentError("event: sites: expected an array of ids");
    for (const json& s : *it) {
      if (!s.is_string()) return InvalidArgumentError("event: sites: expected an array of ids");
      ev.sites.push_back(s.get<std::string>());
    }
  }
  if (kinds != 1) {
    return InvalidArgumentError(
        "event: expected exactly one of \"circle\", \"country\", \"company\", \"sites\", got " +
        std::to_string(kinds));
  }
  return ev;
}

std::string EventName(const Event& ev) {
  if (!ev.name.empty()) return ev.name;
  switch (ev.kind) {
    case Event::Kind::kCircle:
      return "circle " + FormatNumber(ev.lat) + "," + FormatNumber(ev.lon) + " " +
             FormatNumber(ev.radius_km) + " km";
    case Event::Kind::kCountry:
      return "country " + ev.country;
    case Event::Kind::kCompany:
      return "company " + ev.company;
    case Event::Kind::kSites: {
      std::string name = "sites";
      for (size_t i = 0; i < ev.sites.size(); ++i) name += (i ? "," : " ") + ev.sites[i];
      return name;
    }
  }
  return "event";
}

StatusOr<std::vector<Index>> SitesHit(const model::Model& m, const Event& ev) {
  if (!std::isfinite(ev.days) || ev.days < 0) {
    return InvalidArgumentError("event: days must be a number >= 0, got " + FormatNumber(ev.days));
  }
  std::vector<Index> hit;
  switch (ev.kind) {
    case Event::Kind::kCircle: {
      if (!std::isfinite(ev.radius_km) || ev.radius_km < 0) {
        return InvalidArgumentError("event: radius must be a number of km >= 0, got " +
                                    FormatNumber(ev.radius_km));
      }
      if (!(ev.lat >= -90 && ev.lat <= 90) || !(ev.lon >= -180 && ev.lon <= 180)) {
        return InvalidArgumentError("event: centre " + FormatNumber(ev.lat) + "," +
                                    FormatNumber(ev.lon) +
                                    " is not a latitude in [-90, 90] and a longitude in "
                                    "[-180, 180]");
      }
      for (Index s = 0; s < m.sites.size(); ++s) {
        if (m.sites[s].external) continue;  // no known place
        if (GreatCircleKm(ev.lat, ev.lon, m.sites[s].lat, m.sites[s].lon) <= ev.radius_km) {
          hit.push_back(s);
        }
      }
      break;
    }
    case Event::Kind::kCountry: {
      std::string cc = ev.country;
      for (char& ch : cc) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (cc.empty()) return InvalidArgumentError("empty event: no country given");
      if (!model::IsCountryCode(cc)) {
        return InvalidArgumentError("event: '" + ev.country +
                                    "' is not an ISO 3166-1 alpha-2 country code");
      }
      for (Index s = 0; s < m.sites.size(); ++s) {
        if (m.sites[s].country == cc) hit.push_back(s);
      }
      break;
    }
    case Event::Kind::kCompany: {
      if (ev.company.empty()) return InvalidArgumentError("empty event: no company given");
      Index org = m.FindOrganization(ev.company);
      if (org == model::kNoIndex) {
        return NotFoundError("event: unknown company '" + ev.company + "'");
      }
      for (Index s = 0; s < m.sites.size(); ++s) {
        if (m.sites[s].organization == org) hit.push_back(s);
      }
      break;
    }
    case Event::Kind::kSites: {
      if (ev.sites.empty()) return InvalidArgumentError("empty event: no site listed");
      for (const std::string& id : ev.sites) {
        Index s = m.FindSite(id);
        if (s == model::kNoIndex) return NotFoundError("event: unknown site '" + id + "'");
        hit.push_back(s);
      }
      std::sort(hit.begin(), hit.end());
      hit.erase(std::unique(hit.begin(), hit.end()), hit.end());
      break;
    }
  }
  return hit;
}

StatusOr<EventImpact> AnalyseEvent(const network::Network& net, const Event& ev) {
  EventImpact out;
  RENKEI_ASSIGN_OR_RETURN(out.sites, SitesHit(net.model(), ev));
  std::vector<uint8_t> removed(net.vertex_count(), 0);
  for (Index s : out.sites) {
    for (Index v : net.nodes_at_site(s)) {
      out.nodes.push_back(v);
      removed[v] = 1;
    }
  }
  std::sort(out.nodes.begin(), out.nodes.end());
  std::vector<uint8_t> product_seen(net.model().products.size(), 0);
  for (const TierEntry& e : Closure(net, out.nodes, Direction::kDownstream)) {
    if (net.IsDemand(e.vertex)) {
      out.affected_demand.push_back(e.vertex);
    } else {
      out.affected_nodes.push_back(e.vertex);
      product_seen[net.product(e.vertex)] = 1;
    }
  }
  std::sort(out.affected_nodes.begin(), out.affected_nodes.end());
  std::sort(out.affected_demand.begin(), out.affected_demand.end());
  for (Index p = 0; p < product_seen.size(); ++p) {
    if (product_seen[p]) out.affected_products.push_back(p);
  }
  const std::vector<uint8_t> before = AliveAfter(net, {});
  const std::vector<uint8_t> after = AliveAfter(net, removed);
  for (Index d = 0; d < net.demand_count(); ++d) {
    Index v = net.DemandVertex(d);
    if (before[v] && !after[v]) out.stopped_demand.push_back(v);
  }
  Scenario scenario{EventName(ev), out.sites, ev.days};
  RENKEI_ASSIGN_OR_RETURN(std::vector<ScenarioResult> results,
                          RunScenarios(net, std::span(&scenario, 1)));
  out.result = std::move(results[0]);
  return out;
}

}  // namespace renkei::risk
