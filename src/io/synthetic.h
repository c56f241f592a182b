// Synthetic bundles for scale tests and benchmarks (`renkei generate`).
#ifndef RENKEI_IO_SYNTHETIC_H_
#define RENKEI_IO_SYNTHETIC_H_

#include <cstdint>
#include <string>

#include "base/status.h"

namespace renkei::io {

struct SyntheticOptions {
  uint64_t sites = 1000;
  int tiers = 5;  // >= 2: raw materials, intermediate tiers, final products
  uint64_t seed = 1;
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
// over 24 countries with realistic weights; capacities, inventories, recovery
// days, emissions and data quality on every node; demand with margins on every
// final-product node; metal contents on raw materials. About 9.5 supply rows
// per site. The same options always give the same bundle. Streams the files,
// so memory grows with the number of sites, not the number of rows.
StatusOr<SyntheticCounts> WriteSyntheticBundle(const SyntheticOptions& options,
                                               const std::string& dir);

}  // namespace renkei::io

#endif  // RENKEI_IO_SYNTHETIC_H_
