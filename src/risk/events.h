// Disruption events: what a region, country, company or set of sites going down
// for some days does to the network (DESIGN.md, "Analyses").
#ifndef RENKEI_RISK_EVENTS_H_
#define RENKEI_RISK_EVENTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "network/network.h"
#include "risk/time_to_survive.h"

namespace renkei::risk {

inline constexpr double kEarthRadiusKm = 6371.0088;  // IUGG mean radius

// Great-circle (haversine) distance in km between two points in degrees.
double GreatCircleKm(double lat1, double lon1, double lat2, double lon2);

struct Event {
  enum class Kind { kCircle, kCountry, kCompany, kSites };
  Kind kind = Kind::kSites;
  std::string name;  // empty: made from the definition ("circle 32.88,130.84 30 km")
  double lat = 0, lon = 0, radius_km = 0;  // kCircle: sites within radius_km (inclusive)
  std::string country;                     // kCountry: ISO 3166-1 alpha-2, any case
  std::string company;                     // kCompany: organization id
  std::vector<std::string> sites;          // kSites: site ids
  double days = 0;                         // how long the hit sites stay down
};

// Parses an event file:
//   {"name": "...", "days": 30, and exactly one of
//    "circle": {"lat": 32.9, "lon": 130.8, "radius_km": 30} | "country": "JP" |
//    "company": "org:x" | "sites": ["site:a", "site:b"]}
// InvalidArgument naming the field on malformed JSON, a missing or second
// definition, or a wrong type; the values are checked by SitesHit().
StatusOr<Event> ParseEvent(std::string_view json);

// The event's display name.
std::string EventName(const Event& event);

// The sites the event hits, ascending. InvalidArgument for an empty event (no
// site listed, empty country), a negative or non-finite radius or days, a latitude
// or longitude out of range; NotFound for an unknown company or site id.
// A valid event may hit no site.
StatusOr<std::vector<network::Index>> SitesHit(const model::Model& model, const Event& event);

struct EventImpact {
  std::vector<network::Index> sites;  // hit, ascending
  std::vector<network::Index> nodes;  // production nodes at those sites
  // Downstream of the hit nodes through all tiers (the hit nodes included):
  std::vector<network::Index> affected_nodes;     // production nodes, ascending
  std::vector<network::Index> affected_products;  // products of those, ascending
  std::vector<network::Index> affected_demand;    // demand vertices, ascending
  // Demand vertices that can get nothing at all while the sites are down and
  // stock is gone (criticality semantics), ascending.
  std::vector<network::Index> stopped_demand;
  ScenarioResult result;  // TTS/TTR with the sites down for event.days; rei 1 or 0
};

// Everything above for one event; errors of SitesHit() and of the scenario
// solver (a network with no demand).
StatusOr<EventImpact> AnalyseEvent(const network::Network& network, const Event& event);

}  // namespace renkei::risk

#endif  // RENKEI_RISK_EVENTS_H_
