// What readers see: a snapshot of the store's model with the footprints served (computed
// and signed, and received as they came), built after each committed change.
#include "server/internal/node_impl.h"

namespace renkei::server {
namespace {

StatusOr<std::string> SignedBody(const pact::ProductFootprint& pf, const trust::KeyPair* keys,
                                 const std::string& kid) {
  Json doc = pact::ProductFootprintToJson(pf);
  if (keys == nullptr) return doc.dump();
  RENKEI_ASSIGN_OR_RETURN(Json signed_doc, trust::SignDocument(std::move(doc), *keys, kid));
  return signed_doc.dump();
}

std::string ReferenceYear(int offset) {
  return std::to_string(UtcYear(std::chrono::system_clock::now()) + offset);
}

// Keeps the latest version of each id: the highest `version`, then the latest update.
void KeepLatest(std::vector<Served>& list) {
  std::map<std::string, size_t> best;
  std::vector<Served> out;
  for (Served& s : list) {
    auto it = best.find(s.pf.id);
    if (it == best.end()) {
      best.emplace(s.pf.id, out.size());
      out.push_back(std::move(s));
      continue;
    }
    Served& old = out[it->second];
    const auto vo = old.pf.version_number.value_or(0), vn = s.pf.version_number.value_or(0);
    if (vn > vo || (vn == vo && std::max(s.pf.updated, s.pf.created) >
                                    std::max(old.pf.updated, old.pf.created))) {
      old = std::move(s);
    }
  }
  list = std::move(out);
}

}  // namespace

StatusOr<std::shared_ptr<const Snapshot>> BuildSnapshot(store::Store& store) {
  // Read first: a change committed meanwhile is then seen again, never missed.
  RENKEI_ASSIGN_OR_RETURN(const int64_t change, store.LastChange());
  RENKEI_ASSIGN_OR_RETURN(model::Model model, store.LoadModel());
  return BuildSnapshot(store, std::move(model), change);
}

StatusOr<std::shared_ptr<const Snapshot>> BuildSnapshot(store::Store& store, model::Model model,
                                                        int64_t change) {
  auto snap = std::make_shared<Snapshot>();
  snap->change = change;
  snap->model = std::move(model);
  RENKEI_ASSIGN_OR_RETURN(snap->own_keys, OrganizationKeys(store));
  const model::Model& m = snap->model;
  // The keys received footprints are checked with, as an import checks them.
  RENKEI_ASSIGN_OR_RETURN(snap->public_keys, store::RegisteredPublicKeys(store, m));
  snap->product_owner.assign(m.products.size(), model::kNoIndex);
  for (model::Index p = 0; p < m.products.size(); ++p) {
    snap->product_owner[p] = m.products[p].organization;
  }
  for (const model::Production& node : m.production) {
    model::Index& owner = snap->product_owner[node.product];
    if (owner == model::kNoIndex) owner = m.sites[node.site].organization;
  }
  auto graph = network::Network::Build(m);
  if (graph.ok()) {
    snap->graph = std::make_unique<network::Network>(std::move(*graph));
  } else {
    snap->graph_error = graph.status().message();
    snap->warnings.push_back(
        "the network snapshot could not be built (risk analyses answer 500): " + snap->graph_error);
  }
  auto network = footprint::RollUp(m);
  if (!network.ok()) {
    snap->warnings.push_back(
        "the carbon roll-up could not be computed (only received footprints "
        "are served): " +
        network.status().message());
  } else {
    snap->have_network = true;
    snap->network = std::move(*network);
    footprint::PactExportOptions options;
    options.created = NowRfc3339();
    options.reference_period_start = ReferenceYear(-1) + "-01-01T00:00:00Z";
    options.reference_period_end = ReferenceYear(0) + "-01-01T00:00:00Z";
    for (auto version : {pact::SpecVersion::kV2, pact::SpecVersion::kV3}) {
      std::vector<std::string> notes;
      auto docs = footprint::ExportPact(m, snap->network, version, options, notes);
      if (!docs.ok()) return docs.status();
      for (pact::ProductFootprint& pf : *docs) {
        Served s;
        s.product = ProductOf(m, pf);
        s.owner = s.product == model::kNoIndex ? model::kNoIndex : OwnerOf(m, s.product);
        const trust::KeyPair* keys = nullptr;
        std::string kid;
        if (s.owner != model::kNoIndex) {
          kid = m.organizations[s.owner].id;
          auto k = snap->own_keys.find(kid);
          if (k != snap->own_keys.end()) keys = &k->second;
        }
        RENKEI_ASSIGN_OR_RETURN(s.body, SignedBody(pf, keys, kid));
        s.pf = std::move(pf);
        (version == pact::SpecVersion::kV2 ? snap->v2 : snap->v3).push_back(std::move(s));
      }
    }
  }
  // Received documents are served as received, with their signer's signature.
  // A stored document that no longer parses (written by an older version, or
  // changed in the file) is left out and logged: the node still starts.
  for (const model::Footprint& f : m.footprints) {
    if (f.pact_json.empty()) continue;
    const std::string where =
        "stored footprint of '" + m.products[f.product].id + "'" +
        (f.site == model::kNoIndex ? std::string() : " at '" + m.sites[f.site].id + "'");
    auto pf = pact::ParseProductFootprint(f.pact_json, where);
    if (!pf.ok()) {
      snap->warnings.push_back(pf.status().message() + "; not served");
      continue;
    }
    Served s;
    s.product = f.product;
    s.owner = OwnerOf(m, f.product);
    s.body = ParseJson<Json>(f.pact_json)->dump();
    s.pf = std::move(*pf);
    (s.pf.version == pact::SpecVersion::kV2 ? snap->v2 : snap->v3).push_back(std::move(s));
  }
  KeepLatest(snap->v2);
  KeepLatest(snap->v3);
  for (auto [list, ids] : {std::pair{&snap->v2, &snap->v2_ids}, {&snap->v3, &snap->v3_ids}}) {
    for (size_t i = 0; i < list->size(); ++i) {
      Served& s = (*list)[i];
      s.one = "{\"data\":" + s.body + "}";
      ids->emplace(s.pf.id, i);
    }
  }
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

}  // namespace renkei::server
