// The node's records in the store, on either engine: API clients, access grants,
// organization signing keys, partners the node sends events to, the log of events
// received and sent, and the store's policy for unsigned footprints.
//
// Every change runs in one transaction with an audit log entry (store/audit.h), and
// is recorded in the change feed (store/changes.h). Organization key seeds and
// partner client secrets are stored sealed with the key in the file
// Store::SecretsKeyPath() names (trust/sealed.h); values stored in clear by earlier
// versions are still read, and SealStoredSecrets() seals them.
// Functions are not thread-safe on one Store; the server serialises them.
#ifndef RENKEI_STORE_NODE_RECORDS_H_
#define RENKEI_STORE_NODE_RECORDS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/model.h"
#include "store/store.h"
#include "trust/document_signature.h"
#include "trust/keys.h"

namespace renkei::store {

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
StatusOr<NewClient> AddClient(Store& store, const model::Model& model, const std::string& name,
                              const std::string& organization, bool admin,
                              const std::string& actor);
StatusOr<std::vector<Client>> ListClients(Store& store);
// NotFound for an unknown id; FailedPrecondition when already revoked.
Status RevokeClient(Store& store, const std::string& id, const std::string& actor);
// The active client with this id and secret; Unauthenticated otherwise (one message
// for every cause, so that ids cannot be probed).
StatusOr<Client> AuthenticateClient(Store& store, const std::string& id, const std::string& secret);

// Grants `organization` read access to the footprints and network data of
// `products` (ids of the model), or to everything when `products` is {"*"}.
// NotFound for an unknown organization or product.
Status AddGrant(Store& store, const model::Model& model, const std::string& organization,
                const std::vector<std::string>& products, const std::string& actor);
// Removes those grants ({"*"}: every grant of the organization). NotFound when none
// of them exists.
Status RemoveGrant(Store& store, const std::string& organization,
                   const std::vector<std::string>& products, const std::string& actor);
// organization -> granted product ids ("*" for all).
StatusOr<std::map<std::string, std::vector<std::string>>> ListGrants(Store& store);

// Makes the Ed25519 key pair of `organization` (in `model`). AlreadyExists when it
// has one. Returns the public key (base64url).
StatusOr<std::string> InitOrganizationKey(Store& store, const model::Model& model,
                                          const std::string& organization,
                                          const std::string& actor);
// organization -> its key pair, for every organization with a key on this node.
StatusOr<std::map<std::string, trust::KeyPair>> OrganizationKeys(Store& store);

// The public key of every organization a received footprint may be signed by: the
// organizations' public_key column (of `model`, as loaded from the store) and the
// node's own organization keys.
StatusOr<trust::KeyRing> RegisteredPublicKeys(Store& store, const model::Model& model);

// The store's policy for received footprints that carry no signature (`renkei
// policy DB --unsigned accept|reject`): true when they are taken, marked unverified
// (the default); false when they are refused.
StatusOr<bool> AcceptsUnsignedFootprints(const Store& store);
Status SetAcceptsUnsignedFootprints(Store& store, bool accept, const std::string& actor);

// The currency of demand.margin_per_unit, and so of every lost margin (impact) the
// analyses give (`renkei policy DB --currency USD`): an ISO 4217 code, or empty
// while none is set. InvalidArgument for anything but three capital letters.
StatusOr<std::string> MarginCurrency(const Store& store);
Status SetMarginCurrency(Store& store, const std::string& code, const std::string& actor);

// Where and how the node reaches a partner's PACT events endpoint.
struct Partner {
  std::string organization;
  std::string url;  // "https://host:port", without a trailing slash
  std::string client_id;
  std::string client_secret;
  std::string ca_file;  // PEM of the partner's certificate or CA; empty: system CAs
};
Status SetPartner(Store& store, const model::Model& model, const Partner& partner,
                  const std::string& actor);
// NotFound when none is configured.
StatusOr<Partner> GetPartner(Store& store, const std::string& organization);

// Seals the organization key seeds and partner client secrets that earlier versions
// stored in clear, in one transaction (the sealing key file is made if missing).
// Returns how many values it sealed; 0 when every value already was.
StatusOr<int> SealStoredSecrets(Store& store, const std::string& actor);

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
StatusOr<int64_t> RecordEvent(Store& store, const EventRecord& event);
Status SetEventState(Store& store, int64_t seq, const std::string& state);
// The outgoing event with CloudEvents id `id`; NotFound otherwise.
StatusOr<EventRecord> FindSentEvent(Store& store, const std::string& id);
StatusOr<std::vector<EventRecord>> ListEvents(Store& store);

}  // namespace renkei::store

#endif  // RENKEI_STORE_NODE_RECORDS_H_
