// What a change of the data did to the risk analyses (`renkei diff`, GET
// /api/v1/diff), comparing two versions of the model: the sites that became or
// stopped being a single point of failure (criticality.h) of some demand, and
// the products whose supply concentration (concentration.h) moved.
//
// Time to survive per site is not compared here: it is a table the risk
// analyses compute on request, and a diff never recomputes two whole tables.
#ifndef RENKEI_RISK_CHANGES_H_
#define RENKEI_RISK_CHANGES_H_

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/model.h"

namespace renkei::risk {

// Where a product's supply is concentrated, in one version.
struct ConcentrationSummary {
  double hhi_company = 0;  // 0..10,000
  double hhi_country = 0;
  std::string top_country;  // the country with the largest share ("" when none)
  double top_country_share = 0;
};

struct ConcentrationChange {
  std::string product;                         // its id
  std::optional<ConcentrationSummary> before;  // none: made nowhere in that version
  std::optional<ConcentrationSummary> after;
};

struct RiskChanges {
  std::vector<std::string> spofs_gained;  // site ids, sorted
  std::vector<std::string> spofs_lost;
  std::vector<ConcentrationChange> concentration;  // by product id
};

// Compares the analyses of `before` and `after` (numbers equal up to a relative
// 1e-9 count as unchanged). An error when either network cannot be built.
StatusOr<RiskChanges> CompareRisk(const model::Model& before, const model::Model& after);

}  // namespace renkei::risk

#endif  // RENKEI_RISK_CHANGES_H_
