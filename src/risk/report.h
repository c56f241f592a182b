// Risk results as JSON documents: the output of `renkei risk ... --json`, also
// served by the node's /api/v1 (server/node.h), so both print the same JSON.
//
// Documents are nlohmann::json (keys sorted). Solver results are rounded to 1e-6
// so 6.5 does not print as 6.500000000000003. All functions are pure.
#ifndef RENKEI_RISK_REPORT_H_
#define RENKEI_RISK_REPORT_H_

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "network/network.h"
#include "risk/changes.h"
#include "risk/concentration.h"
#include "risk/criticality.h"
#include "risk/events.h"
#include "risk/tiers.h"
#include "risk/time_to_survive.h"

namespace renkei::risk {

// {"site", "product", "kind" ("node" | "demand"), "country", "organization"}.
nlohmann::json VertexJson(const network::Network& network, network::Index vertex);

// {"direction": "up" | "down", "tiers": [VertexJson + "tier"]}.
nlohmann::json TiersJson(const network::Network& network, std::span<const TierEntry> tiers,
                         Direction direction);

// {"product", "target" (null when none), "basis", "nodes", "nodes_without_capacity",
//  "total_capacity", "by_company", "by_country": [{"key", "capacity", "share"}],
//  "hhi_company", "hhi_country", "company_highly_concentrated",
//  "country_highly_concentrated", "dominant_countries"}.
nlohmann::json ConcentrationJson(const std::string& product_id,
                                 const std::optional<std::string>& target,
                                 const Concentration& concentration);

// The single points of failure of each target: [VertexJson + "alive", "node_spofs":
// [VertexJson], "site_spofs": [site id]].
nlohmann::json SpofTargetsJson(const network::Network& network, const Criticality& criticality,
                               std::span<const network::Index> targets);

// Production nodes and sites ranked by how many demand vertices each stops alone
// (most first, then by index), at most `top` of each; those that stop nothing are
// left out. spof_nodes / spof_sites count all that stop something.
struct SpofRanking {
  std::vector<network::Index> nodes, sites;
  size_t spof_nodes = 0, spof_sites = 0;
};
SpofRanking RankSpofs(const Criticality& criticality, size_t top);

// The network ranking (RankSpofs), at most `top` rows each: {"demand_nodes", "spof_nodes",
// "spof_sites", "nodes": [VertexJson + "demand_stopped"], "sites": [{"site",
// "demand_stopped"}]}; rows that stop nothing are left out.
nlohmann::json SpofRankingJson(const network::Network& network, const Criticality& criticality,
                               size_t top);

// {"scenario", "sites", "tts_days" (null: unbounded), "ttr_days", "lost_units":
//  {product id: units}, "lost_units_total", "impact", "rei", "exposed"}.
nlohmann::json ScenarioJson(const model::Model& model, const ScenarioResult& result);

// [ScenarioJson], in the order given.
nlohmann::json TtsJson(const model::Model& model, std::span<const ScenarioResult> results);

// {"event", "days", "sites", "nodes_hit", "affected_nodes", "affected_products",
//  "affected_demand": [VertexJson], "stopped_demand": [VertexJson], "result":
//  ScenarioJson}.
nlohmann::json EventJson(const network::Network& network, const Event& event,
                         const EventImpact& impact);

// What CompareRisk found: {"single_points_of_failure": {"gained", "lost"} (site
// ids), "concentration": [{"product", "before", "after"}] with each side null
// or {"hhi_company", "hhi_country", "top_country", "top_country_share"}, and
// "time_to_survive": "not computed" (changes.h)}.
nlohmann::json RiskChangesJson(const RiskChanges& changes);

}  // namespace renkei::risk

#endif  // RENKEI_RISK_REPORT_H_
