// Cradle-to-gate carbon footprint roll-up (DESIGN.md, "Carbon footprint roll-up").
//
// A node is a production row (site x product). Its footprint, in kgCO2e per unit of
// its product, is
//   F(node) = own emissions + sum over BOM lines (component k, quantity q) of
//             q x sum over the sources s of k at the node of w(s) x F(s)
// where the sources of k at a node are the supply links of k into the node's site
// (their shares w, normalised when they do not sum to 1 -- each such case is
// reported in `notes`), else the site's own production of k, else a footprint row of
// k (received data), else nothing (reported in `notes`; it counts 0).
// A footprint row (model::Footprint: received PACT data or footprints.csv) for
// (site, product), or for the product wherever made, replaces the computed value of
// that node: site-specific rows win over product-wide ones, then the latest
// period_end.
//
// Primary data: own emissions count fully; a received footprint counts with its
// primary_data_share (a PACT document without one: fully; a footprints.csv row
// without one: not at all). Data quality ratings (TeR, GeR, TiR) are averages
// weighted by quantity x emission over every contribution that carries a rating,
// the node's own emissions included (Ouranos battery CFP guideline).
//
// These quantities are all linear in the same matrix A (A[j][i] = quantity x share
// of node i in node j), so X = x0 + A X is solved once for eight right-hand sides:
// in one pass in topological order when the network is acyclic, and as the sparse
// system (I - A) X = x0 (Eigen SparseLU) when a recycling loop makes it cyclic. A
// loop that does not converge (the spectral radius of A is >= 1: it returns more
// than it takes) is FailedPrecondition.
//
// Values are doubles; print them with FormatDecimal (12 significant digits,
// no binary noise). All functions are pure and thread-compatible.
#ifndef RENKEI_FOOTPRINT_ROLL_UP_H_
#define RENKEI_FOOTPRINT_ROLL_UP_H_

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/model.h"

namespace renkei::footprint {

// Data quality ratings, 1 (best) .. 3; absent when no contribution carried one.
struct Quality {
  std::optional<double> ter;
  std::optional<double> ger;
  std::optional<double> tir;
};

// The footprint of every node (indexed like model.production).
struct NetworkFootprint {
  std::vector<double> pcf;      // kgCO2e per unit of the node's product
  std::vector<double> primary;  // the part of pcf from primary data
  std::vector<Quality> dqr;
  std::vector<model::Index> received;  // the footprint row that replaced it, or kNoIndex
  bool cyclic = false;                 // solved as a linear system
  std::vector<std::string> notes;      // normalised shares, components without data
};

StatusOr<NetworkFootprint> RollUp(const model::Model& model);

enum class SplitBy { kTier, kCountry, kSupplier, kStage };

struct SplitEntry {
  std::string key;  // "1", "JP", "org:hokuriku", "raw_material_extraction"; "unknown"
  double kgco2e = 0;
};

// The footprint of one product.
struct ProductFootprint {
  model::Index product = model::kNoIndex;
  double pcf = 0;                 // kgCO2e per unit of the product
  double primary_data_share = 0;  // in [0, 1]
  Quality dqr;
  bool received = false;  // taken from a footprint row, not computed
  // False when the value rests on a received PACT footprint whose signature was
  // not verified (model::Footprint::verified); rows of footprints.csv are the
  // store owner's own statement and count as verified.
  bool verified = true;
  // Where the total comes from, largest first; sums to pcf (up to rounding). Tier 0
  // is the product's own production; the stage of a contribution is
  // "raw_material_extraction" when its product has no BOM lines, else
  // "main_production".
  std::vector<SplitEntry> by_tier, by_country, by_supplier, by_stage;
  std::vector<std::string> notes;
};

// The footprint of `product`: the mean over the nodes that make it, weighted by
// their capacity_per_day (equal weights when any is missing), with the splits.
// A product made nowhere takes its footprint row. NotFound for an unknown id or a
// product with neither; the errors of RollUp otherwise.
StatusOr<ProductFootprint> FootprintOfProduct(const model::Model& model,
                                              const NetworkFootprint& network,
                                              const std::string& product_id);

// The footprints of every product made at some site, as FootprintOfProduct gives them
// but without the splits, notes or `verified` (which need a pass over the product's
// upstream each): pcf, primary share, ratings and `received`. Indexed like
// model.products; entries of products made nowhere have product kNoIndex. One pass over
// the network for all products (a PACT export of every product).
std::vector<ProductFootprint> MadeProductFootprints(const model::Model& model,
                                                    const NetworkFootprint& network);

}  // namespace renkei::footprint

#endif  // RENKEI_FOOTPRINT_ROLL_UP_H_
