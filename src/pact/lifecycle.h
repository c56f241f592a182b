// PACT's footprint lifecycle applied to an upsert (DESIGN.md, "Versions"): a
// received ProductFootprint is known by its id, not by the row it makes.
//
//   same id, higher `version`      a new version of that footprint: it replaces
//                                  the stored row, even when its product, site or
//                                  reference period (the row's key) moved
//   same id and version            the same footprint: it must be the same
//                                  document (v3 has no version: any change to a
//                                  footprint gets a new id)
//   same id, lower version         stale: refused
//   a stored id in precedingPfIds  superseded: the stored row is removed
//
// A stored row that a bundle row has the same key as is replaced by the usual
// rule of its table (model/edit.h); the deletions below are the rows the
// lifecycle removes besides those.
#ifndef RENKEI_PACT_LIFECYCLE_H_
#define RENKEI_PACT_LIFECYCLE_H_

#include <vector>

#include "base/status.h"
#include "model/builder.h"
#include "model/model.h"

namespace renkei::pact {

// The stored received footprints (rows of `before` with a PACT document) that
// the received footprints of `read` (a bundle read for an upsert, model/edit.h)
// replace under a key of another row, or supersede. InvalidArgument naming the
// footprint's id and row when one is stale, restates a stored version with
// other content, or appears twice in the bundle.
StatusOr<std::vector<model::Deletion>> SupersededFootprints(const model::Model& before,
                                                            const model::Model& read);

}  // namespace renkei::pact

#endif  // RENKEI_PACT_LIFECYCLE_H_
