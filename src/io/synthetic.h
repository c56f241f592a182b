// Synthetic bundles for scale tests and benchmarks (`renkei generate`).
#ifndef RENKEI_IO_SYNTHETIC_H_
#define RENKEI_IO_SYNTHETIC_H_

#include <cstdint>
#include <string>

#include "base/status.h"

namespace renkei::io {

// The shape of a synthetic network.
//   general       the layered network below (`tiers`, multi-sourced, capacities)
//   assembly      a single-sourced assembly tree: one finished good at the root,
//                 each stage made from 1-4 components, each made at one site by
//                 one supplier, deep rather than wide (a stage's parent is one of
//                 the 8 stages made before it), 1-4 units of a component per unit
//                 while one finished good holds at most 1,000 of it — the shape
//                 of published semiconductor and battery chains
//   serial        one line: each stage made from the one before
//   distribution  one source feeding a tree of stages, each a 1:1 step of its
//                 parent's product; demand at the leaves
// In the three tree shapes every site is one stage making one product, supplied
// by its children (assembly) or its parent; `tiers` is not used.
enum class Shape { kGeneral, kAssembly, kSerial, kDistribution };

// "general", "assembly", "serial", "distribution"; InvalidArgument otherwise.
StatusOr<Shape> ParseShape(const std::string& name);

struct SyntheticOptions {
  uint64_t sites = 1000;
  int tiers = 5;  // >= 2: raw materials, intermediate tiers, final products
  uint64_t seed = 1;
  Shape shape = Shape::kGeneral;
  // Tree shapes only: whether nodes get capacities (above the flows they carry,
  // as below) and stock. Without either, every TTS scenario of the network is
  // answered without an LP (risk/time_to_survive.h).
  bool capacities = true;
  bool inventories = true;
};

struct SyntheticCounts {
  uint64_t organizations = 0, sites = 0, products = 0, bom = 0, production = 0, supply = 0,
           demand = 0, materials = 0;
};

// Writes a CSV bundle at `dir` with the structure of a real supply network:
// products in `tiers` tiers with bills of materials from the tier below; each
// site makes one or two products of one tier; each site buys every component
// it needs from one to five suppliers with shares summing to 1, chosen with a
// strong preference for a few large suppliers (power-law fan-in); sites spread
// over 24 countries with realistic weights; recovery days, emissions and data
// quality on every node; demand with margins on every final-product node; metal
// contents on raw materials. About 9.5 supply rows per site.
//
// The network meets its demand before any disruption, with headroom, as a real
// one does. The structure (sites, products, BOM, supply links with shares,
// demand) is decided first; then demand is pushed upstream tier by tier: a
// site's need of a component is Σ over its nodes of required output × BOM
// quantity, a supply link carries share × that need, and a node's required
// output is the sum of what its links carry (plus its own demand). Only then are
// the numbers drawn:
//   node capacity      = max(required, 10) × U(1.2, 2.0)  (10/day for nodes
//                        nobody buys from), rounded up;
//   link capacity      = max(flow, 1) × U(1.3, 3), rounded up;
//   site capacity      = max(Σ required of its nodes, 10) × U(1.1, 1.6), rounded
//                        up, on 30 % of the sites (the others have none);
//   node inventory     = max(required, 10) × U(0, 20) days;
//   demand             = U(50, 5000)/day, inventory demand × U(0, 20) days.
// So with nothing down the time to survive (risk/time_to_survive.h) is
// unbounded, and a single site's loss is often absorbed by the headroom of its
// customers' other suppliers.
//
// The same options always give the same bundle. InvalidArgument for fewer than
// 2 or more than 100,000,000 sites, tiers outside 2-20, or a `dir` that cannot
// be created. Memory: the structure is held until the files are written, about
// 100 bytes per site (1 M sites: about 150 MB); rows are streamed.
StatusOr<SyntheticCounts> WriteSyntheticBundle(const SyntheticOptions& options,
                                               const std::string& dir);

}  // namespace renkei::io

#endif  // RENKEI_IO_SYNTHETIC_H_
