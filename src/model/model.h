// The supply-network model: plain entity structs and the tables that hold them.
//
// Entities refer to each other by dense uint32_t indices into the Model's
// vectors; the string ids chosen by the data owner ("site:jasm-kikuyo") live on
// organizations, sites and products and are indexed for lookup. A Model is built
// by model::ModelBuilder (validated) or loaded from a store, and is then only
// read. See DESIGN.md, "The model and its bundle format".
#ifndef RENKEI_MODEL_MODEL_H_
#define RENKEI_MODEL_MODEL_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/units.h"

namespace renkei::model {

using Index = uint32_t;
inline constexpr Index kNoIndex = std::numeric_limits<Index>::max();

struct Organization {
  std::string id;
  std::string name;
  std::string country;     // ISO 3166-1 alpha-2
  std::string kind;        // free text: "manufacturer", "recycler", ...; may be empty
  std::string public_key;  // Ed25519, base64url without padding; may be empty
  std::string name_ja;     // the name in Japanese; may be empty
};

struct Site {
  std::string id;
  Index organization = kNoIndex;
  std::string name;
  std::string country;
  std::string region;
  double lat = 0;
  double lon = 0;
  std::string cluster;
  std::optional<double> capacity_per_day;  // shared by all products made here
  std::optional<double> recovery_days;     // time to recover (TTR) after a disruption
  std::string name_ja;                     // may be empty
  // A site known only by its id and organization (another company's site that
  // supplies one of ours): name, country, region and cluster may be empty, and
  // lat/lon are 0 and mean nothing. It is a node of the network like any other,
  // but no geographic event hits it and no map shows it.
  bool external = false;
};

struct Product {
  std::string id;
  std::string name;
  std::string category;
  Unit unit = Unit::kPiece;
  Index organization = kNoIndex;  // kNoIndex: not tied to one organization
  std::string hs_code;
  std::vector<std::string> pact_product_ids;
  std::string name_ja;  // may be empty
};

// `quantity` units of `component` go into one unit of `product`. A line flagged
// `recycling` returns recovered material; cycles are allowed only through such lines.
struct BomLine {
  Index product = kNoIndex;
  Index component = kNoIndex;
  double quantity = 0;
  bool recycling = false;
};

// Data quality ratings of PACT (1 best .. 3 worst).
struct DataQuality {
  std::optional<double> ter;  // technological representativeness
  std::optional<double> ger;  // geographical representativeness
  std::optional<double> tir;  // temporal representativeness
};

// One production row: a node of the network (site x product).
struct Production {
  Index site = kNoIndex;
  Index product = kNoIndex;
  std::optional<double> capacity_per_day;
  std::optional<double> inventory_units;
  std::optional<double> emissions_kgco2e_per_unit;  // own gate-to-gate emissions
  DataQuality dqr;                                  // of the own emissions
  std::optional<double> recovery_days;
};

struct SupplyLink {
  Index supplier_site = kNoIndex;
  Index customer_site = kNoIndex;
  Index product = kNoIndex;
  std::optional<double> share;  // of the customer's need, in [0, 1]
  std::optional<double> capacity_per_day;
  std::optional<double> lead_time_days;
};

// A sink: the site needs `demand_per_day` units of the product.
struct Demand {
  Index site = kNoIndex;
  Index product = kNoIndex;
  double demand_per_day = 0;
  std::optional<double> inventory_units;
  std::optional<double> margin_per_unit;
};

// A footprint known for a product (received from a supplier, or measured).
struct Footprint {
  Index product = kNoIndex;
  Index site = kNoIndex;  // kNoIndex: for the product wherever made
  double pcf_kgco2e_per_unit = 0;
  std::optional<double> fossil;
  std::optional<double> biogenic;
  std::optional<double> primary_data_share;
  DataQuality dqr;
  std::string period_start;  // ISO 8601 date or date-time; may be empty
  std::string period_end;
  // The PACT ProductFootprint document this row was read from (received
  // footprints); empty for rows of footprints.csv.
  std::string pact_json;
  // A received document whose signature was checked against a public key the
  // store held (trust/document_signature.h) when it came in; false for unsigned
  // documents and for rows of footprints.csv.
  bool verified = false;
};

struct Material {
  Index product = kNoIndex;
  std::string substance;  // "Co", "Li", "Ni", "Pb", ...
  double mass_kg_per_unit = 0;
  std::optional<double> recycled_pre_consumer_share;
  std::optional<double> recycled_post_consumer_share;
};

// The Battery Pass data of a battery product beyond what the model computes
// (footprint/passport.h). Links are absolute URIs; empty when not given.
struct Passport {
  Index product = kNoIndex;
  std::string performance_class;  // "A" (best) .. ; empty: derived from footprint_classes
  std::string carbon_footprint_study;
  std::optional<double> lifetime_energy_kwh;  // energy delivered over the service life
  std::optional<double> distribution_kgco2e_per_unit;
  std::optional<double> end_of_life_kgco2e_per_unit;
  std::optional<double> renewable_content_share;  // of the mass, in [0, 1]
  std::string safety_instructions;
  std::vector<std::string> extinguishing_agents;  // extinguisher classes: "A", "D", ...
  std::string waste_prevention;
  std::string separate_collection;
  std::string information_on_collection;
};

// A carbon footprint performance class of a product category: footprints up to
// `max_kgco2e_per_kwh` (per kWh of lifetime energy) are in it, unless a better
// class takes them; no bound: every footprint above the better classes.
struct FootprintClass {
  std::string category;
  std::string name;  // "A", "B", ...
  std::optional<double> max_kgco2e_per_kwh;
};

// A document for dismantling and removal of a product.
struct PassportDocument {
  Index product = kNoIndex;
  std::string document_type;  // one of PassportDocumentTypes()
  std::string mime_type;      // "application/pdf"
  std::string url;
};

// One spare part of a product and the source that sells it.
struct SparePart {
  Index product = kNoIndex;
  std::string supplier;
  std::string street_address;
  std::string postal_code;
  std::string country;  // ISO 3166-1 alpha-2
  std::string email;
  std::string web_address;
  std::string part_name;
  std::string part_number;
};

// The document types of the Battery Pass data model's dismantling and removal
// information: "BillOfMaterial", "Model3D", "DismantlingManual", "RemovalManual",
// "OtherManual", "Drawing".
const std::vector<std::string_view>& PassportDocumentTypes();

// Maps string ids to indices; lookups take string_view without copying.
// Open addressing over a flat slot array, with the ids packed in one arena, so
// a lookup among millions of ids costs about two cache misses.
class IdIndex {
 public:
  // Returns the index of `id`, or kNoIndex.
  Index Find(std::string_view id) const;
  // A hint that Find(id) comes soon: starts loading its slot into the cache.
  void Prefetch(std::string_view id) const;
  // A later hint, once Prefetch(id) has loaded the slot: starts loading the
  // stored text of the id found there, which Find compares.
  void PrefetchText(std::string_view id) const;
  // Adds `id` -> `index`; returns false when `id` is already present.
  bool Insert(std::string_view id, Index index);
  size_t size() const { return size_; }
  void Reserve(size_t n);

 private:
  struct Slot {
    uint64_t hash;
    uint64_t offset;  // of the id in arena_
    uint32_t length;
    Index index;  // kNoIndex: empty
  };
  void Grow(size_t capacity);

  std::vector<Slot> slots_;
  std::string arena_;
  size_t size_ = 0;
};

struct Model {
  std::vector<Organization> organizations;
  std::vector<Site> sites;
  std::vector<Product> products;
  std::vector<BomLine> bom;
  std::vector<Production> production;
  std::vector<SupplyLink> supply;
  std::vector<Demand> demand;
  std::vector<Footprint> footprints;
  std::vector<Material> materials;
  std::vector<Passport> passports;
  std::vector<FootprintClass> footprint_classes;
  std::vector<PassportDocument> passport_documents;
  std::vector<SparePart> spare_parts;

  IdIndex organization_ids;
  IdIndex site_ids;
  IdIndex product_ids;

  // Fills organization_ids, site_ids and product_ids anew from the rows.
  void IndexIds();

  Index FindOrganization(std::string_view id) const { return organization_ids.Find(id); }
  Index FindSite(std::string_view id) const { return site_ids.Find(id); }
  Index FindProduct(std::string_view id) const { return product_ids.Find(id); }
};

}  // namespace renkei::model

#endif  // RENKEI_MODEL_MODEL_H_
