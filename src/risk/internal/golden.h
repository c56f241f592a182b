// Test support: the golden networks under tests/data/risk.
#ifndef RENKEI_RISK_INTERNAL_GOLDEN_H_
#define RENKEI_RISK_INTERNAL_GOLDEN_H_

#include <memory>
#include <string>

#include "io/bundle.h"
#include "network/network.h"

namespace renkei::risk::internal {

// A model and its snapshot; the snapshot borrows the model, so both live here.
struct Golden {
  std::unique_ptr<model::Model> model;
  std::unique_ptr<network::Network> network;

  network::Index Site(const std::string& id) const { return model->FindSite(id); }
  network::Index Product(const std::string& id) const { return model->FindProduct(id); }
  network::Index Node(const std::string& site, const std::string& product) const {
    return network->FindNode(Site(site), Product(product));
  }
  network::Index Demand(const std::string& site, const std::string& product) const {
    for (network::Index d = 0; d < network->demand_count(); ++d) {
      network::Index v = network->DemandVertex(d);
      if (network->site(v) == Site(site) && network->product(v) == Product(product)) return v;
    }
    return network::kNone;
  }
};

// Reads tests/data/risk/<name> (or any path relative to the source tree when
// `name` contains a '/'); aborts the test binary on failure.
inline Golden LoadGolden(const std::string& name) {
  std::string path = std::string(RENKEI_SOURCE_DIR) +
                     (name.find('/') == std::string::npos ? "/tests/data/risk/" : "/") + name;
  StatusOr<model::Model> m = io::ReadBundle(path);
  if (!m.ok()) throw std::runtime_error(path + ": " + m.status().ToString());
  Golden g;
  g.model = std::make_unique<model::Model>(std::move(m).value());
  StatusOr<network::Network> n = network::Network::Build(*g.model);
  if (!n.ok()) throw std::runtime_error(path + ": " + n.status().ToString());
  g.network = std::make_unique<network::Network>(std::move(n).value());
  return g;
}

}  // namespace renkei::risk::internal

#endif  // RENKEI_RISK_INTERNAL_GOLDEN_H_
