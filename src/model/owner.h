// Which organization each row belongs to: the company whose data it is, the only
// one that may change it, and the one a federation split hands it to.
//
//   organizations   itself
//   sites           its organization
//   products        its organization; a product without one belongs to its
//                   makers' organization (the organizations of the sites with a
//                   production row of it) when they are one organization, and
//                   otherwise to no one: a shared product, reference data that
//                   only the node's operator changes
//   bom, materials  their product's owner (who makes a thing says what is in it)
//   production,
//   demand          their site's organization
//   supply          the customer site's organization: a buyer records whom it
//                   buys from, so a company holding only its own data still has
//                   its supply links (to external sites, model.h)
//   footprints      their site's organization, or without a site the product's
//                   owner
//   passports,
//   passport_documents,
//   spare_parts     their product's owner (who makes a battery publishes its
//                   passport)
//   footprint_classes  no one: reference data (the classes of a category)
#ifndef RENKEI_MODEL_OWNER_H_
#define RENKEI_MODEL_OWNER_H_

#include <cstddef>
#include <vector>

#include "model/model.h"
#include "model/schema.h"

namespace renkei::model {

class Owners {
 public:
  // Works out the products' owners: one pass over the production rows. The
  // model must outlive this and not change.
  explicit Owners(const Model& model);

  // The organization that row `row` of `table` belongs to, or kNoIndex (a
  // shared product and its BOM lines, materials and site-less footprints).
  Index Of(Table table, size_t row) const;

  Index OfProduct(Index product) const { return product_owner_[product]; }

 private:
  const Model& model_;
  std::vector<Index> product_owner_;
};

}  // namespace renkei::model

#endif  // RENKEI_MODEL_OWNER_H_
