#include "footprint/circularity.h"

#include <functional>
#include <map>

namespace renkei::footprint {
namespace {

using model::Index;

struct Mass {
  double total = 0, pre = 0, post = 0;
};
using Substances = std::map<std::string, Mass>;

class MaterialRollUp {
 public:
  explicit MaterialRollUp(const model::Model& model)
      : rows_(model.products.size()),
        lines_(model.products.size()),
        memo_(model.products.size()),
        done_(model.products.size(), false) {
    for (const model::Material& m : model.materials) rows_[m.product].push_back(&m);
    for (const model::BomLine& l : model.bom) lines_[l.product].push_back(&l);
  }

  const Substances& Of(Index product) {
    if (done_[product]) return memo_[product];
    done_[product] = true;  // a non-recycling cycle cannot exist (ModelBuilder::Finish)
    Substances out = Declared(product);
    for (const model::BomLine* line : lines_[product]) {
      const Substances& part = line->recycling ? Recovered(line->component) : Of(line->component);
      for (const auto& [name, mass] : part) {
        if (!Declares(product, name)) {
          Mass& m = out[name];
          m.total += line->quantity * mass.total;
          m.pre += line->quantity * mass.pre;
          m.post += line->quantity * mass.post;
        }
      }
    }
    memo_[product] = std::move(out);
    return memo_[product];
  }

 private:
  Substances Declared(Index product) const {
    Substances out;
    for (const model::Material* m : rows_[product]) {
      Mass& mass = out[m->substance];
      mass.total += m->mass_kg_per_unit;
      mass.pre += m->mass_kg_per_unit * m->recycled_pre_consumer_share.value_or(0);
      mass.post += m->mass_kg_per_unit * m->recycled_post_consumer_share.value_or(0);
    }
    return out;
  }
  bool Declares(Index product, const std::string& substance) const {
    for (const model::Material* m : rows_[product]) {
      if (m->substance == substance) return true;
    }
    return false;
  }
  const Substances& Recovered(Index product) {
    auto [it, inserted] = recovered_.try_emplace(product);
    if (inserted) {
      for (auto& [name, mass] : Declared(product)) it->second[name] = {mass.total, 0, mass.total};
    }
    return it->second;
  }

  std::vector<std::vector<const model::Material*>> rows_;
  std::vector<std::vector<const model::BomLine*>> lines_;
  std::vector<Substances> memo_;
  std::vector<bool> done_;
  std::map<Index, Substances> recovered_;
};

}  // namespace

const std::vector<RecycledContentTarget>& EuRecycledContentTargets() {
  static const std::vector<RecycledContentTarget> kTargets = {
      {"Co", 0.16, 0.26}, {"Li", 0.06, 0.12}, {"Ni", 0.06, 0.15}, {"Pb", 0.85, 0.85}};
  return kTargets;
}

StatusOr<Circularity> RecycledContent(const model::Model& model, const std::string& product_id) {
  const Index product = model.FindProduct(product_id);
  if (product == model::kNoIndex) return NotFoundError("unknown product '" + product_id + "'");
  MaterialRollUp roll_up(model);
  Circularity out;
  out.product = product;
  for (const auto& [name, mass] : roll_up.Of(product)) {
    SubstanceContent s;
    s.substance = name;
    s.mass_kg_per_unit = mass.total;
    if (mass.total > 0) {
      s.pre_consumer_share = mass.pre / mass.total;
      s.post_consumer_share = mass.post / mass.total;
    }
    for (const RecycledContentTarget& t : EuRecycledContentTargets()) {
      if (t.substance != name) continue;
      s.target_2031 = t.from_2031;
      s.target_2036 = t.from_2036;
      // Compared on 12 significant digits, so 0.16 exactly meets 16 %.
      s.meets_2031 = s.recycled_share() + 1e-12 >= t.from_2031;
      s.meets_2036 = s.recycled_share() + 1e-12 >= t.from_2036;
    }
    out.substances.push_back(std::move(s));
  }
  return out;
}

}  // namespace renkei::footprint
