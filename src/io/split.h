// Cutting a model into one per company, the data each company's own node holds in a
// federation (DESIGN.md, "Federation and confidentiality"; model/owner.h).
//
// The part of organization O holds:
//   - every row O owns (model/owner.h): its organization, sites, products, their BOM
//     lines and materials, its production and demand, the supply links into its
//     sites, its footprints (received PACT documents included), its products'
//     passport data;
//   - the BOM lines, materials and passport data of shared products (owned by no
//     one) that O makes, and when it has any passport the performance classes;
//   - what those rows refer to, so that the part imports on its own: the suppliers'
//     sites its supply links name, as external references (id and organization, no
//     name, place or capacity), with a production row of the product each supplies
//     there (site and product only: what the supply link says already); the products
//     its rows name (their rows, not their BOM lines); and the organizations of those
//     sites and products (their rows, with their public keys).
// Nothing else: another company's production, demand, supply links, BOM lines,
// footprints and site details stay out.
#ifndef RENKEI_IO_SPLIT_H_
#define RENKEI_IO_SPLIT_H_

#include <string>
#include <vector>

#include "base/status.h"
#include "model/builder.h"
#include "model/model.h"

namespace renkei::io {

struct Part {
  std::string organization;  // its id
  model::Model model;
  model::RowCounts owned{};  // rows of each table that the organization owns
  size_t external_sites = 0;
};

// One part per organization that owns a row, in the model's organization order.
// Each part is built through the ModelBuilder, so it satisfies every rule a bundle
// must; Internal if one would not (a bug, named with the part and the row).
StatusOr<std::vector<Part>> SplitByOrganization(const model::Model& model);

}  // namespace renkei::io

#endif  // RENKEI_IO_SPLIT_H_
