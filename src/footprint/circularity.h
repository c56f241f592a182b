// Recycled content (DESIGN.md, "Recycled content"): the mass of each substance in one
// unit of a product, through its bill of materials, with its pre- and post-consumer
// recycled shares rolled up by mass, against the EU Battery Regulation minimums.
//
// Rules: a product with `materials` rows for a substance takes them as they are (its
// own declaration; the BOM is not followed for that substance); otherwise the
// substance mass is the sum over BOM lines of quantity x the component's mass. Mass
// arriving through a BOM line flagged `recycling` is recovered material: it counts
// as post-consumer recycled, the component's own materials rows give its mass, and
// the roll-up does not follow the line further (so recycling loops end there).
#ifndef RENKEI_FOOTPRINT_CIRCULARITY_H_
#define RENKEI_FOOTPRINT_CIRCULARITY_H_

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/model.h"

namespace renkei::footprint {

// Minimum recycled shares of Regulation (EU) 2023/1542, Article 8.
struct RecycledContentTarget {
  std::string substance;
  double from_2031;
  double from_2036;
};
const std::vector<RecycledContentTarget>& EuRecycledContentTargets();

struct SubstanceContent {
  std::string substance;
  double mass_kg_per_unit = 0;
  double pre_consumer_share = 0;   // of the mass
  double post_consumer_share = 0;  // of the mass
  double recycled_share() const { return pre_consumer_share + post_consumer_share; }
  // For substances with an EU minimum: the minimum and whether it is met.
  std::optional<double> target_2031, target_2036;
  bool meets_2031 = true, meets_2036 = true;
};

struct Circularity {
  model::Index product = model::kNoIndex;
  std::vector<SubstanceContent> substances;  // by name
};

// NotFound for an unknown product id.
StatusOr<Circularity> RecycledContent(const model::Model& model, const std::string& product_id);

}  // namespace renkei::footprint

#endif  // RENKEI_FOOTPRINT_CIRCULARITY_H_
