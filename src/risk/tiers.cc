#include "risk/tiers.h"

#include <algorithm>

namespace renkei::risk {

using network::Index;

std::vector<TierEntry> Closure(const network::Network& net, std::span<const Index> start,
                               Direction direction, uint32_t max_depth) {
  std::vector<uint8_t> seen(net.vertex_count(), 0);
  std::vector<TierEntry> out;
  for (Index v : start) {
    if (v < net.vertex_count() && !seen[v]) {
      seen[v] = 1;
      out.push_back({v, 0});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const TierEntry& a, const TierEntry& b) { return a.vertex < b.vertex; });
  size_t tier_begin = 0;
  for (uint32_t tier = 0; tier < max_depth && tier_begin < out.size(); ++tier) {
    const size_t tier_end = out.size();
    for (size_t i = tier_begin; i < tier_end; ++i) {
      const Index v = out[i].vertex;
      auto reach = [&](Index w) {
        if (!seen[w]) {
          seen[w] = 1;
          out.push_back({w, tier + 1});
        }
      };
      if (direction == Direction::kUpstream) {
        for (const network::InEdge& e : net.in_edges(v)) reach(e.from);
      } else {
        for (const network::OutEdge& o : net.out(v)) reach(o.to);
      }
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(tier_end), out.end(),
              [](const TierEntry& a, const TierEntry& b) { return a.vertex < b.vertex; });
    tier_begin = tier_end;
  }
  return out;
}

size_t ClosureSize(const network::Network& net, std::span<const Index> start, Direction direction,
                   std::vector<uint8_t>& visited, std::vector<Index>& queue) {
  // The queue is written by position (no capacity check per vertex reached); it
  // keeps its full size between calls.
  if (queue.size() < net.vertex_count()) queue.resize(net.vertex_count());
  Index* q = queue.data();
  size_t tail = 0;
  for (Index v : start) {
    if (v < net.vertex_count() && !visited[v]) {
      visited[v] = 1;
      q[tail++] = v;
    }
  }
  // A closure of a large network is bound by memory latency: each vertex's edges are
  // elsewhere. The offsets and then the edges of the vertices a few places ahead in
  // the queue are fetched while this one's edges are walked.
  constexpr size_t kAhead = 4;
  for (size_t i = 0; i < tail; ++i) {
    const Index v = q[i];
    if (direction == Direction::kUpstream) {
      net.PrefetchUpstreamWalk<uint8_t>({q, tail}, i, nullptr, /*groups=*/false);
      for (const network::InEdge& e : net.in_edges(v)) {
        if (!visited[e.from]) {
          visited[e.from] = 1;
          q[tail++] = e.from;
        }
      }
    } else {
      if (i + kAhead < tail) __builtin_prefetch(net.out(q[i + kAhead]).data());
      for (const network::OutEdge& o : net.out(v)) {
        if (!visited[o.to]) {
          visited[o.to] = 1;
          q[tail++] = o.to;
        }
      }
    }
  }
  for (size_t i = 0; i < tail; ++i) visited[q[i]] = 0;
  return tail;
}

}  // namespace renkei::risk
