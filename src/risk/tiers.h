// Tiers: the upstream or downstream closure of a set of vertices (DESIGN.md,
// "Analyses").
#ifndef RENKEI_RISK_TIERS_H_
#define RENKEI_RISK_TIERS_H_

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "network/network.h"

namespace renkei::risk {

enum class Direction {
  kUpstream,    // suppliers, their suppliers, ...
  kDownstream,  // customers (production and demand nodes), their customers, ...
};

inline constexpr uint32_t kUnlimitedDepth = std::numeric_limits<uint32_t>::max();

struct TierEntry {
  network::Index vertex;
  uint32_t tier;  // 0 for the start vertices; tier n+1 is first reached from tier n
};

// Breadth-first closure from `start` along inbound (upstream) or outbound
// (downstream) edges, to at most `max_depth` tiers. Each reached vertex appears
// once, with its smallest tier, ordered by tier then vertex. O(V + E) time;
// `start` vertices out of range are ignored.
std::vector<TierEntry> Closure(const network::Network& network,
                               std::span<const network::Index> start, Direction direction,
                               uint32_t max_depth = kUnlimitedDepth);

// The same closure, reusing `visited` (vertex_count() bytes, all zero on entry and
// on return) and `queue` (scratch, grown once to vertex_count() entries) for
// repeated queries without allocation; returns the number of vertices reached.
// For benchmarks and the server.
size_t ClosureSize(const network::Network& network, std::span<const network::Index> start,
                   Direction direction, std::vector<uint8_t>& visited,
                   std::vector<network::Index>& queue);

}  // namespace renkei::risk

#endif  // RENKEI_RISK_TIERS_H_
