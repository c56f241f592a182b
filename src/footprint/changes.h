// What a change of the data did to the products' footprints (`renkei diff`,
// GET /api/v1/diff): the cradle-to-gate footprint of every product made
// somewhere (roll_up.h) in two versions of the model, and for each that
// differs, the changed rows it is computed from.
//
// A product's footprint is computed from the rows upstream of its production
// nodes: each node's production row (own emissions), the BOM lines of its
// product, the supply links of each component into its site (or the site's own
// production of it), the nodes those links come from, and so on up; and the
// footprint rows (received data) of every product met on the way, which may
// replace a computed value. The rows a change is blamed on are the diff's rows
// (model/diff.h) among these, in either version: a removed row through the old
// one, an added or changed row through the new one. They are found by carrying
// each changed row down the supply network from where a walk up would meet it,
// so the work grows with the network, not with the number of changed products.
#ifndef RENKEI_FOOTPRINT_CHANGES_H_
#define RENKEI_FOOTPRINT_CHANGES_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/diff.h"
#include "model/model.h"

namespace renkei::footprint {

// At most this many rows are named per footprint change: the first in (table,
// key) order.
inline constexpr size_t kMaxCauses = 32;

struct FootprintChange {
  std::string product;           // its id
  std::optional<double> before;  // kgCO2e per unit; none: not made in that version
  std::optional<double> after;
  std::vector<std::string> caused_by;  // "production site:x,prod:y" (model::RowName), by table
  bool caused_by_complete = true;      // false: more than kMaxCauses rows
};

// The products whose footprint differs between `before` and `after` (beyond a
// relative 1e-9), by product id; `diff` is DiffModels(before, after).
// FailedPrecondition when either roll-up fails (a recycling loop that does not
// converge).
StatusOr<std::vector<FootprintChange>> CompareFootprints(const model::Model& before,
                                                         const model::Model& after,
                                                         const model::ModelDiff& diff);

}  // namespace renkei::footprint

#endif  // RENKEI_FOOTPRINT_CHANGES_H_
