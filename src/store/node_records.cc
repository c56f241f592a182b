#include "store/node_records.h"

#include <algorithm>

#include <sodium.h>

#include <functional>
#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/clock.h"
#include "store/internal/records.h"
#include "trust/sealed.h"

namespace renkei::store {
namespace {

using internal::Param;
using internal::Records;
using internal::RecordsOf;
using internal::Row;

// Argon2id cost for the secrets the node generates (AddClient says why): one pass over
// 64 KiB.
constexpr unsigned long long kSecretOpsLimit = crypto_pwhash_OPSLIMIT_MIN;
constexpr size_t kSecretMemLimit = 64 * 1024;

Status RequireOrganization(const model::Model& model, const std::string& organization) {
  if (model.FindOrganization(organization) == model::kNoIndex) {
    return NotFoundError("unknown organization '" + organization + "'");
  }
  return Status::Ok();
}

// Runs a statement whose rows do not matter.
Status Run(Records& db, const std::string& sql, const std::vector<Param>& params) {
  return db.Query(sql, params).status();
}

}  // namespace

StatusOr<NewClient> AddClient(Store& store, const model::Model& model, const std::string& name,
                              const std::string& organization, bool admin,
                              const std::string& actor) {
  RENKEI_RETURN_IF_ERROR(RequireOrganization(model, organization));
  if (name.empty()) return InvalidArgumentError("a client needs a name");
  NewClient out{"client-" + trust::RandomHex(8), trust::RandomHex(24)};
  if (out.secret.empty()) return InternalError("libsodium could not be initialised");
  // The secret is 192 random bits from the node, not a password a person chose: no
  // guessing attack gets anywhere near it, so key stretching adds nothing and the
  // smallest Argon2id cost is enough (INTERACTIVE took ~0.17 s per /auth/token). The
  // parameters are part of the stored string, so hashes made with other limits (older
  // nodes used INTERACTIVE) still verify.
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, out.secret.c_str(), out.secret.size(), kSecretOpsLimit,
                            kSecretMemLimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return InternalError("out of memory hashing the client secret");
  }
  Records& db = RecordsOf(store);
  RENKEI_RETURN_IF_ERROR(
      db.Transaction(actor, "client add " + out.id + " " + name + " " + organization, [&] {
        return Run(
            db,
            "INSERT INTO clients(id, name, organization, secret_hash, admin, created) "
            "VALUES(?, ?, ?, ?, ?, ?)",
            {out.id, name, organization, std::string(hash), int64_t{admin ? 1 : 0}, NowRfc3339()});
      }));
  return out;
}

namespace {
// id, name, organization, admin, created, revoked: the columns of a Client.
constexpr char kClientColumns[] = "id, name, organization, admin, created, revoked";
Client ReadClient(const Row& r) { return {r[0], r[1], r[2], r[3] != "0", r[4], r[5]}; }
}  // namespace

StatusOr<std::vector<Client>> ListClients(Store& store) {
  RENKEI_ASSIGN_OR_RETURN(std::vector<Row> rows,
                          RecordsOf(store).Query(std::string("SELECT ") + kClientColumns +
                                                 " FROM clients ORDER BY created, id"));
  std::vector<Client> out;
  for (const Row& r : rows) out.push_back(ReadClient(r));
  return out;
}

Status RevokeClient(Store& store, const std::string& id, const std::string& actor) {
  Records& db = RecordsOf(store);
  return db.Transaction(actor, "client revoke " + id, [&]() -> Status {
    RENKEI_ASSIGN_OR_RETURN(std::vector<Row> found,
                            db.Query("SELECT revoked FROM clients WHERE id = ?", {id}));
    if (found.empty()) return NotFoundError("unknown client '" + id + "'");
    if (!found[0][0].empty()) return FailedPreconditionError("client '" + id + "' is revoked");
    return Run(db, "UPDATE clients SET revoked = ? WHERE id = ?", {NowRfc3339(), id});
  });
}

StatusOr<Client> AuthenticateClient(Store& store, const std::string& id,
                                    const std::string& secret) {
  RENKEI_ASSIGN_OR_RETURN(std::vector<Row> rows,
                          RecordsOf(store).Query(std::string("SELECT ") + kClientColumns +
                                                     ", secret_hash FROM clients WHERE id = ?",
                                                 {id}));
  const Status denied = UnauthenticatedError("unknown client or wrong secret");
  if (rows.empty() || !rows[0][5].empty()) return denied;
  const std::string& hash = rows[0][6];
  if (crypto_pwhash_str_verify(hash.c_str(), secret.c_str(), secret.size()) != 0) return denied;
  return ReadClient(rows[0]);
}

Status AddGrant(Store& store, const model::Model& model, const std::string& organization,
                const std::vector<std::string>& products, const std::string& actor) {
  RENKEI_RETURN_IF_ERROR(RequireOrganization(model, organization));
  if (products.empty()) return InvalidArgumentError("name the products to grant, or --all");
  std::string list;
  for (const std::string& p : products) {
    if (p != "*" && model.FindProduct(p) == model::kNoIndex) {
      return NotFoundError("unknown product '" + p + "'");
    }
    list += (list.empty() ? "" : ",") + p;
  }
  Records& db = RecordsOf(store);
  return db.Transaction(actor, "grant " + organization + " " + list, [&]() -> Status {
    for (const std::string& p : products) {
      RENKEI_RETURN_IF_ERROR(Run(db,
                                 "INSERT INTO grants(organization, product, created) "
                                 "VALUES(?, ?, ?) ON CONFLICT DO NOTHING",
                                 {organization, p, NowRfc3339()}));
    }
    return Status::Ok();
  });
}

Status RemoveGrant(Store& store, const std::string& organization,
                   const std::vector<std::string>& products, const std::string& actor) {
  std::string list;
  for (const std::string& p : products) list += (list.empty() ? "" : ",") + p;
  Records& db = RecordsOf(store);
  return db.Transaction(actor, "revoke " + organization + " " + list, [&]() -> Status {
    size_t removed = 0;
    for (const std::string& p : products) {
      RENKEI_ASSIGN_OR_RETURN(
          std::vector<Row> gone,
          p == "*" ? db.Query("DELETE FROM grants WHERE organization = ? RETURNING product",
                              {organization})
                   : db.Query("DELETE FROM grants WHERE organization = ? AND product = ? "
                              "RETURNING product",
                              {organization, p}));
      removed += gone.size();
    }
    if (removed == 0) return NotFoundError("no such grant to '" + organization + "'");
    return Status::Ok();
  });
}

StatusOr<std::map<std::string, std::vector<std::string>>> ListGrants(Store& store) {
  RENKEI_ASSIGN_OR_RETURN(std::vector<Row> rows,
                          RecordsOf(store).Query("SELECT organization, product FROM grants "
                                                 "ORDER BY organization, product"));
  std::map<std::string, std::vector<std::string>> out;
  for (const Row& r : rows) out[r[0]].push_back(r[1]);
  return out;
}

namespace {

// The contexts values are sealed for (trust/sealed.h): table, column and row key.
std::string SeedContext(const std::string& organization) {
  return "organization_keys.seed/" + organization;
}
std::string PartnerSecretContext(const std::string& organization) {
  return "partners.client_secret/" + organization;
}

// `value` sealed with the store's sealing key, made on first use.
StatusOr<std::string> SealForStore(const Store& store, std::string_view value,
                                   const std::string& context) {
  RENKEI_ASSIGN_OR_RETURN(std::string path, store.SecretsKeyPath());
  RENKEI_ASSIGN_OR_RETURN(trust::SealingKey key, trust::LoadOrCreateSealingKey(path));
  return trust::Seal(key, value, context);
}

// Opens values read from the store; the key file is read once, when the first sealed
// value comes. Values stored in clear (before sealing) are returned as they are.
class Opener {
 public:
  explicit Opener(const Store& store) : store_(store) {}

  // `what` names the value in errors.
  StatusOr<std::string> Open(const std::string& value, const std::string& context,
                             const std::string& what) {
    if (!trust::IsSealed(value)) return value;
    if (!key_) {
      StatusOr<std::string> path = store_.SecretsKeyPath();
      StatusOr<trust::SealingKey> key =
          path.ok() ? trust::LoadSealingKey(*path) : StatusOr<trust::SealingKey>(path.status());
      if (!key.ok()) {
        return DataLossError(
            what + " is sealed, but the sealing key cannot be read: " + key.status().message());
      }
      key_ = *key;
      path_ = *path;
    }
    StatusOr<std::string> plain = trust::Unseal(*key_, value, context);
    if (!plain.ok()) {
      return DataLossError(what + ": " + plain.status().message() + " (key file " + path_ + ")");
    }
    return plain;
  }

 private:
  const Store& store_;
  std::string path_;
  std::optional<trust::SealingKey> key_;
};

}  // namespace

StatusOr<std::string> InitOrganizationKey(Store& store, const model::Model& model,
                                          const std::string& organization,
                                          const std::string& actor) {
  RENKEI_RETURN_IF_ERROR(RequireOrganization(model, organization));
  RENKEI_ASSIGN_OR_RETURN(trust::KeyPair keys, trust::GenerateKeyPair());
  const std::string public_key = trust::EncodePublicKey(keys);
  RENKEI_ASSIGN_OR_RETURN(std::string seed,
                          SealForStore(store, trust::EncodeSeed(keys), SeedContext(organization)));
  Records& db = RecordsOf(store);
  RENKEI_RETURN_IF_ERROR(
      db.Transaction(actor, "keys init " + organization + " " + public_key, [&]() -> Status {
        RENKEI_ASSIGN_OR_RETURN(
            std::vector<Row> found,
            db.Query("SELECT 1 FROM organization_keys WHERE organization = ?", {organization}));
        if (!found.empty())
          return AlreadyExistsError("organization '" + organization + "' has a key");
        return Run(db,
                   "INSERT INTO organization_keys(organization, public_key, seed, created) "
                   "VALUES(?, ?, ?, ?)",
                   {organization, public_key, seed, NowRfc3339()});
      }));
  return public_key;
}

StatusOr<std::map<std::string, trust::KeyPair>> OrganizationKeys(Store& store) {
  RENKEI_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      RecordsOf(store).Query("SELECT organization, seed FROM organization_keys"));
  std::map<std::string, trust::KeyPair> out;
  Opener opener(store);
  for (const Row& r : rows) {
    const std::string& organization = r[0];
    RENKEI_ASSIGN_OR_RETURN(
        std::string seed,
        opener.Open(r[1], SeedContext(organization), "the signing key of '" + organization + "'"));
    auto keys = trust::KeyPairFromSeed(seed);
    if (!keys.ok()) {
      return DataLossError("key of '" + organization + "': " + keys.status().message());
    }
    out.emplace(organization, *keys);
  }
  return out;
}

StatusOr<trust::KeyRing> RegisteredPublicKeys(Store& store, const model::Model& model) {
  trust::KeyRing keys;
  for (const model::Organization& o : model.organizations) {
    if (!o.public_key.empty()) keys[o.id] = o.public_key;
  }
  RENKEI_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      RecordsOf(store).Query("SELECT organization, public_key FROM organization_keys"));
  for (const Row& r : rows) keys[r[0]] = r[1];
  return keys;
}

namespace {
constexpr char kUnsignedSetting[] = "unsigned_footprints";
constexpr char kCurrencySetting[] = "margin_currency";
}  // namespace

StatusOr<bool> AcceptsUnsignedFootprints(const Store& store) {
  RENKEI_ASSIGN_OR_RETURN(std::string value, store.Setting(kUnsignedSetting, "accept"));
  return value != "reject";
}

Status SetAcceptsUnsignedFootprints(Store& store, bool accept, const std::string& actor) {
  return store.SetSetting(kUnsignedSetting, accept ? "accept" : "reject", actor);
}

StatusOr<std::string> MarginCurrency(const Store& store) {
  return store.Setting(kCurrencySetting, "");
}

Status SetMarginCurrency(Store& store, const std::string& code, const std::string& actor) {
  const bool ok = code.size() == 3 && std::all_of(code.begin(), code.end(),
                                                  [](char c) { return c >= 'A' && c <= 'Z'; });
  if (!ok) {
    return InvalidArgumentError("--currency: expected an ISO 4217 code such as USD or JPY, got '" +
                                code + "'");
  }
  return store.SetSetting(kCurrencySetting, code, actor);
}

Status SetPartner(Store& store, const model::Model& model, const Partner& partner,
                  const std::string& actor) {
  RENKEI_RETURN_IF_ERROR(RequireOrganization(model, partner.organization));
  if (partner.url.rfind("https://", 0) != 0) {
    return InvalidArgumentError("partner url must start with https://, got '" + partner.url + "'");
  }
  RENKEI_ASSIGN_OR_RETURN(
      std::string secret,
      SealForStore(store, partner.client_secret, PartnerSecretContext(partner.organization)));
  Records& db = RecordsOf(store);
  return db.Transaction(actor, "partner " + partner.organization + " " + partner.url, [&] {
    return Run(db,
               "INSERT INTO partners(organization, url, client_id, client_secret, ca_file) "
               "VALUES(?, ?, ?, ?, ?) ON CONFLICT(organization) DO UPDATE SET "
               "url = excluded.url, client_id = excluded.client_id, "
               "client_secret = excluded.client_secret, ca_file = excluded.ca_file",
               {partner.organization, partner.url, partner.client_id, secret, partner.ca_file});
  });
}

StatusOr<Partner> GetPartner(Store& store, const std::string& organization) {
  RENKEI_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      RecordsOf(store).Query("SELECT organization, url, client_id, client_secret, ca_file FROM "
                             "partners WHERE organization = ?",
                             {organization}));
  if (rows.empty()) return NotFoundError("no partner endpoint for '" + organization + "'");
  const Row& r = rows[0];
  Opener opener(store);
  RENKEI_ASSIGN_OR_RETURN(std::string secret,
                          opener.Open(r[3], PartnerSecretContext(r[0]),
                                      "the client secret for partner '" + r[0] + "'"));
  return Partner{r[0], r[1], r[2], std::move(secret), r[4]};
}

StatusOr<int> SealStoredSecrets(Store& store, const std::string& actor) {
  Records& db = RecordsOf(store);
  // Each table's clear values: (row key, value), sealed for that row.
  struct Column {
    const char* select;
    const char* update;
    std::string (*context)(const std::string&);
  };
  const Column columns[] = {
      {"SELECT organization, seed FROM organization_keys ORDER BY organization",
       "UPDATE organization_keys SET seed = ? WHERE organization = ? AND seed = ? "
       "RETURNING organization",
       SeedContext},
      {"SELECT organization, client_secret FROM partners ORDER BY organization",
       "UPDATE partners SET client_secret = ? WHERE organization = ? AND client_secret = ? "
       "RETURNING organization",
       PartnerSecretContext},
  };
  std::vector<std::tuple<const Column*, std::string, std::string>> clear;
  for (const Column& c : columns) {
    RENKEI_ASSIGN_OR_RETURN(std::vector<Row> rows, db.Query(c.select));
    for (const Row& r : rows) {
      if (!trust::IsSealed(r[1])) clear.emplace_back(&c, r[0], r[1]);
    }
  }
  if (clear.empty()) return 0;
  RENKEI_ASSIGN_OR_RETURN(std::string path, store.SecretsKeyPath());
  RENKEI_ASSIGN_OR_RETURN(trust::SealingKey key, trust::LoadOrCreateSealingKey(path));
  std::vector<std::string> sealed;
  for (const auto& [c, organization, value] : clear) {
    RENKEI_ASSIGN_OR_RETURN(std::string v, trust::Seal(key, value, c->context(organization)));
    sealed.push_back(std::move(v));
  }
  // The clear values must not stay behind in freed space or in a log.
  internal::TransactionOptions options;
  options.erase_overwritten = true;
  RENKEI_RETURN_IF_ERROR(db.Transaction(
      actor, "keys seal " + std::to_string(clear.size()) + " values",
      [&]() -> Status {
        for (size_t i = 0; i < clear.size(); ++i) {
          const auto& [c, organization, value] = clear[i];
          RENKEI_ASSIGN_OR_RETURN(std::vector<Row> updated,
                                  db.Query(c->update, {sealed[i], organization, value}));
          // Sealed from what was read before the transaction: a value changed since
          // (another process) is not overwritten; nothing is written then.
          if (updated.size() != 1) {
            return FailedPreconditionError("the stored value for '" + organization +
                                           "' changed while sealing; nothing was sealed, run "
                                           "again");
          }
        }
        return Status::Ok();
      },
      options));
  return static_cast<int>(clear.size());
}

StatusOr<int64_t> RecordEvent(Store& store, const EventRecord& e) {
  RENKEI_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      RecordsOf(store).Query("INSERT INTO events(id, direction, type, organization, time, state, "
                             "body) VALUES(?, ?, ?, ?, ?, ?, ?) RETURNING seq",
                             {e.id, e.direction, e.type, e.organization,
                              e.time.empty() ? NowRfc3339() : e.time, e.state, e.body}));
  if (rows.size() != 1) return InternalError("recording an event returned no number");
  return std::stoll(rows[0][0]);
}

Status SetEventState(Store& store, int64_t seq, const std::string& state) {
  return Run(RecordsOf(store), "UPDATE events SET state = ? WHERE seq = ?", {state, seq});
}

namespace {
constexpr char kEventColumns[] = "seq, id, direction, type, organization, time, state, body";
EventRecord ReadEvent(const Row& r) {
  return {std::stoll(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7]};
}
}  // namespace

StatusOr<EventRecord> FindSentEvent(Store& store, const std::string& id) {
  RENKEI_ASSIGN_OR_RETURN(std::vector<Row> rows,
                          RecordsOf(store).Query(std::string("SELECT ") + kEventColumns +
                                                     " FROM events WHERE id = ? AND "
                                                     "direction = 'out'",
                                                 {id}));
  if (rows.empty()) return NotFoundError("no event '" + id + "' was sent");
  return ReadEvent(rows[0]);
}

StatusOr<std::vector<EventRecord>> ListEvents(Store& store) {
  RENKEI_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      RecordsOf(store).Query(std::string("SELECT ") + kEventColumns + " FROM events ORDER BY seq"));
  std::vector<EventRecord> out;
  for (const Row& r : rows) out.push_back(ReadEvent(r));
  return out;
}

}  // namespace renkei::store
