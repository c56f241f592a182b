// The federation benchmark's Renkei side (bench/federation/run; bench/README.md).
//
//   federation_bench seal N
//       seals and opens N hello questions (federation/envelope.h): JSON with the
//       per-message times in microseconds.
//   federation_bench ask DB PARTNER N
//       asks PARTNER N hellos one after another through federation::Client, as the
//       store DB's organization (its key, partner record and registered keys), then
//       N authenticated GETs of PATH (default /api/v1/overview) on the same node
//       with the same HTTP client library, a new connection each as the client makes:
//       JSON with the round trips' median and 99th percentile in milliseconds.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "federation/client.h"
#include "federation/envelope.h"
#include "federation/kinds.h"
#include "store/node_records.h"
#include "store/store.h"

namespace renkei {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

int Fail(const Status& s) {
  std::fprintf(stderr, "federation_bench: %s\n", s.ToString().c_str());
  return 1;
}

int Seal(int n) {
  auto keys = trust::GenerateKeyPair();
  if (!keys.ok()) return Fail(keys.status());
  const trust::KeyRing ring = {{"org:a", trust::EncodePublicKey(*keys)}};
  std::vector<std::string> sealed;
  std::vector<federation::Envelope> questions;
  for (int i = 0; i < n; ++i) {
    questions.push_back(federation::NewQuestion(federation::kHelloKind, "org:a", "org:b", 5000, 4,
                                                Json{{"product", "prod:ev-battery-pack"}}));
  }
  const auto t0 = Clock::now();
  for (const auto& q : questions) sealed.push_back(*federation::SealEnvelope(q, *keys));
  const auto t1 = Clock::now();
  size_t opened = 0;
  for (const auto& s : sealed) opened += federation::OpenEnvelope(s, ring).ok() ? 1 : 0;
  const auto t2 = Clock::now();
  if (opened != sealed.size()) return Fail(InternalError("a sealed envelope did not open"));
  std::printf("%s\n", Json{{"messages", n},
                           {"bytes", sealed.front().size()},
                           {"seal_us", Micros(t1 - t0) / n},
                           {"open_us", Micros(t2 - t1) / n}}
                          .dump()
                          .c_str());
  return 0;
}

int Ask(const std::string& db, const std::string& partner_org, int n, const std::string& path) {
  auto store = store::Store::Open(db);
  if (!store.ok()) return Fail(store.status());
  auto model = (*store)->LoadModel();
  if (!model.ok()) return Fail(model.status());
  auto partner = store::GetPartner(**store, partner_org);
  if (!partner.ok()) return Fail(partner.status());
  auto own = store::OrganizationKeys(**store);
  if (!own.ok() || own->size() != 1) return Fail(InvalidArgumentError("DB needs exactly one key"));
  auto ring = store::RegisteredPublicKeys(**store, *model);
  if (!ring.ok()) return Fail(ring.status());
  const std::string asker = own->begin()->first;

  federation::Client client;
  std::vector<double> ask_ms, get_ms;
  for (int i = 0; i <= n; ++i) {  // the first one gets the token, and is not counted
    federation::Envelope q = federation::NewQuestion(federation::kHelloKind, asker, partner_org,
                                                     10000, 0, Json::object());
    const auto t0 = Clock::now();
    federation::Outcome o = client.Ask(*partner, q, own->begin()->second, *ring);
    const auto t1 = Clock::now();
    if (o.state != federation::Outcome::State::kAnswered) {
      return Fail(
          UnavailableError(std::string(federation::OutcomeName(o.state)) + ": " + o.detail));
    }
    if (i > 0) ask_ms.push_back(Micros(t1 - t0) / 1000);
  }
  auto token = client.Token(*partner, 10000);
  if (!token.ok()) return Fail(token.status());
  for (int i = 0; i <= n; ++i) {
    httplib::Client c(partner->url);
    c.enable_server_certificate_verification(true);
    if (!partner->ca_file.empty()) c.set_ca_cert_path(partner->ca_file.c_str());
    c.set_keep_alive(false);
    c.set_bearer_token_auth(token->c_str());
    const auto t0 = Clock::now();
    auto r = c.Get(path);
    const auto t1 = Clock::now();
    if (!r || r->status != 200) return Fail(UnavailableError("GET " + path + " failed"));
    if (i > 0) get_ms.push_back(Micros(t1 - t0) / 1000);
  }
  std::printf("%s\n", Json{{"n", n},
                           {"ask_median_ms", Quantile(ask_ms, 0.5)},
                           {"ask_p99_ms", Quantile(ask_ms, 0.99)},
                           {"get_median_ms", Quantile(get_ms, 0.5)},
                           {"get_p99_ms", Quantile(get_ms, 0.99)}}
                          .dump()
                          .c_str());
  return 0;
}

}  // namespace
}  // namespace renkei

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "seal") return renkei::Seal(std::atoi(args[1].c_str()));
  if ((args.size() == 4 || args.size() == 5) && args[0] == "ask") {
    return renkei::Ask(args[1], args[2], std::atoi(args[3].c_str()),
                       args.size() == 5 ? args[4] : "/api/v1/overview");
  }
  std::fprintf(stderr,
               "usage: federation_bench seal N | federation_bench ask DB PARTNER N [PATH]\n");
  return 1;
}
