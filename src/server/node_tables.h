// The node's own tables in the store file (migration 2 of store/store.cc): API
// clients, access grants, organization signing keys, partners the node sends events
// to, and the log of events received and sent.
//
// Every change runs in one transaction with an audit log entry (store/audit.h).
// Organization key seeds and partner client secrets are stored sealed with the store's
// sealing key file (trust/sealed.h); values stored in clear by earlier versions are
// still read, and SealStoredSecrets() seals them.
// Functions are not thread-safe on one Store; the server serialises them.
#ifndef RENKEI_SERVER_NODE_TABLES_H_
#define RENKEI_SERVER_NODE_TABLES_H_

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/model.h"
#include "store/store.h"
#include "trust/document_signature.h"
#include "trust/keys.h"

namespace renkei::server {

// "2024-05-01T12:00:00Z", now.
std::string NowRfc3339();

struct Client {
  std::string id;
  std::string name;
  std::string organization;  // organization id of the model
  bool admin = false;        // sees every record and may import bundles
  std::string created;
  std::string revoked;  // time of revocation; empty while active
};

struct NewClient {
  std::string id;
  std::string secret;  // shown once; only its Argon2id hash is stored
};

// Adds a client of `organization`, which must exist in `model` (NotFound otherwise).
StatusOr<NewClient> AddClient(store::Store& store, const model::Model& model,
                              const std::string& name, const std::string& organization, bool admin,
                              const std::string& actor);
StatusOr<std::vector<Client>> ListClients(store::Store& store);
// NotFound for an unknown id; FailedPrecondition when already revoked.
Status RevokeClient(store::Store& store, const std::string& id, const std::string& actor);
// The active client with this id and secret; Unauthenticated otherwise (one message
// for every cause, so that ids cannot be probed).
StatusOr<Client> AuthenticateClient(store::Store& store, const std::string& id,
                                    const std::string& secret);

// Grants `organization` read access to the footprints and network data of
// `products` (ids of the model), or to everything when `products` is {"*"}.
// NotFound for an unknown organization or product.
Status AddGrant(store::Store& store, const model::Model& model, const std::string& organization,
                const std::vector<std::string>& products, const std::string& actor);
// Removes those grants ({"*"}: every grant of the organization). NotFound when none
// of them exists.
Status RemoveGrant(store::Store& store, const std::string& organization,
                   const std::vector<std::string>& products, const std::string& actor);
// organization -> granted product ids ("*" for all).
StatusOr<std::map<std::string, std::vector<std::string>>> ListGrants(store::Store& store);

// Makes the Ed25519 key pair of `organization` (in `model`). AlreadyExists when it
// has one. Returns the public key (base64url).
StatusOr<std::string> InitOrganizationKey(store::Store& store, const model::Model& model,
                                          const std::string& organization,
                                          const std::string& actor);
// organization -> its key pair, for every organization with a key on this node.
StatusOr<std::map<std::string, trust::KeyPair>> OrganizationKeys(store::Store& store);

// The public key of every organization a received footprint may be signed by: the
// organizations' public_key column (of `model`, as loaded from the store) and the
// node's own organization keys.
StatusOr<trust::KeyRing> RegisteredPublicKeys(store::Store& store, const model::Model& model);

// The store's policy for received footprints that carry no signature (`renkei
// policy DB --unsigned accept|reject`): true when they are taken, marked unverified
// (the default); false when they are refused.
StatusOr<bool> AcceptsUnsignedFootprints(const store::Store& store);
Status SetAcceptsUnsignedFootprints(store::Store& store, bool accept, const std::string& actor);

// Checks a received footprint as both ways in (a partner's events, a bundle's
// footprints/ folder) do: its signature against `keys` (trust::VerifyDocument);
// without one, the store's policy decides — and a footprint a partner sends
// (`sender`, empty for a file) must be signed when that partner has a key in `keys`,
// so that a signature stripped on the way is noticed. (A signer other than the
// sender is fine: a partner may pass on its suppliers' signed footprints.)
// OK(true) when its signature verified, OK(false) when it is taken unsigned;
// Unauthenticated otherwise.
StatusOr<bool> CheckReceivedFootprint(const nlohmann::ordered_json& document,
                                      const trust::KeyRing& keys, bool accept_unsigned,
                                      const std::string& sender = "");

// Where and how the node reaches a partner's PACT events endpoint.
struct Partner {
  std::string organization;
  std::string url;  // "https://host:port", without a trailing slash
  std::string client_id;
  std::string client_secret;
  std::string ca_file;  // PEM of the partner's certificate or CA; empty: system CAs
};
Status SetPartner(store::Store& store, const model::Model& model, const Partner& partner,
                  const std::string& actor);
// NotFound when none is configured.
StatusOr<Partner> GetPartner(store::Store& store, const std::string& organization);

// Seals the organization key seeds and partner client secrets that earlier versions
// stored in clear, in one transaction (the sealing key file is made if missing).
// Returns how many values it sealed; 0 when every value already was.
StatusOr<int> SealStoredSecrets(store::Store& store, const std::string& actor);

// One event received ("in") or sent ("out").
struct EventRecord {
  int64_t seq = 0;
  std::string id;
  std::string direction;
  std::string type;
  std::string organization;  // the partner
  std::string time;
  std::string state;  // "received", "pending", "delivered", "failed", "fulfilled", ...
  std::string body;
};
StatusOr<int64_t> RecordEvent(store::Store& store, const EventRecord& event);
Status SetEventState(store::Store& store, int64_t seq, const std::string& state);
// The outgoing event with CloudEvents id `id`; NotFound otherwise.
StatusOr<EventRecord> FindSentEvent(store::Store& store, const std::string& id);
StatusOr<std::vector<EventRecord>> ListEvents(store::Store& store);

}  // namespace renkei::server

#endif  // RENKEI_SERVER_NODE_TABLES_H_
