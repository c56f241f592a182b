#include "store/node_records.h"

#include <sodium.h>
#include <sqlite3.h>

#include <functional>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/clock.h"
#include "store/audit.h"
#include "store/internal/sqlite.h"
#include "trust/sealed.h"

namespace renkei::store {
namespace {

using internal::Exec;
using internal::Statement;

// Argon2id cost for the secrets the node generates (AddClient says why): one pass over
// 64 KiB.
constexpr unsigned long long kSecretOpsLimit = crypto_pwhash_OPSLIMIT_MIN;
constexpr size_t kSecretMemLimit = 64 * 1024;

// The SQLite connection of `store`; the node's own tables are on that engine only
// so far (store/postgres.h).
StatusOr<sqlite3*> Db(const Store& store) {
  sqlite3* db = internal::Handle(store);
  if (db == nullptr) {
    return FailedPreconditionError(
        store.path() +
        ": the node's clients, grants, keys, partners and events are kept "
        "in an SQLite store only so far; use a store file for them");
  }
  return db;
}

// `sql` prepared on `db` with `texts` bound from parameter 1 on, as they are.
StatusOr<Statement> Prepare(sqlite3* db, const char* sql,
                            std::initializer_list<std::string_view> texts = {}) {
  RENKEI_ASSIGN_OR_RETURN(Statement statement, Statement::Prepare(db, sql));
  int i = 1;
  for (std::string_view text : texts) statement.BindCopy(i++, text);
  return statement;
}
StatusOr<Statement> Prepare(const Store& store, const char* sql,
                            std::initializer_list<std::string_view> texts = {}) {
  RENKEI_ASSIGN_OR_RETURN(sqlite3 * db, Db(store));
  return Prepare(db, sql, texts);
}

// Runs `body` in one transaction with an audit entry; rolls back on error.
Status InTransaction(sqlite3* db, const std::string& actor, const std::string& action,
                     const std::function<Status()>& body) {
  RENKEI_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  Status s = body();
  if (s.ok()) s = AppendAuditEntry(db, actor, action, Sha256Hex(action));
  if (s.ok()) s = Exec(db, "COMMIT");
  if (!s.ok()) (void)Exec(db, "ROLLBACK");
  return s;
}

Status RequireOrganization(const model::Model& model, const std::string& organization) {
  if (model.FindOrganization(organization) == model::kNoIndex) {
    return NotFoundError("unknown organization '" + organization + "'");
  }
  return Status::Ok();
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
  RENKEI_ASSIGN_OR_RETURN(sqlite3 * db, Db(store));
  RENKEI_RETURN_IF_ERROR(InTransaction(
      db, actor, "client add " + out.id + " " + name + " " + organization, [&]() -> Status {
        RENKEI_ASSIGN_OR_RETURN(
            Statement q,
            Prepare(db,
                    "INSERT INTO clients(id, name, organization, secret_hash, admin, created) "
                    "VALUES(?, ?, ?, ?, ?, ?)",
                    {out.id, name, organization, hash}));
        q.Bind(5, int64_t{admin ? 1 : 0});
        q.BindCopy(6, NowRfc3339());
        return q.Run();
      }));
  return out;
}

StatusOr<std::vector<Client>> ListClients(Store& store) {
  RENKEI_ASSIGN_OR_RETURN(
      Statement q, Prepare(store,
                           "SELECT id, name, organization, admin, created, revoked FROM clients "
                           "ORDER BY created, id"));
  std::vector<Client> out;
  while (true) {
    RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({q.Text(0), q.Text(1), q.Text(2), q.Int(3) != 0, q.Text(4), q.Text(5)});
  }
  return out;
}

Status RevokeClient(Store& store, const std::string& id, const std::string& actor) {
  RENKEI_ASSIGN_OR_RETURN(sqlite3 * db, Db(store));
  return InTransaction(db, actor, "client revoke " + id, [&]() -> Status {
    RENKEI_ASSIGN_OR_RETURN(Statement find,
                            Prepare(db, "SELECT revoked FROM clients WHERE id = ?", {id}));
    RENKEI_ASSIGN_OR_RETURN(bool row, find.Step());
    if (!row) return NotFoundError("unknown client '" + id + "'");
    if (!find.Text(0).empty()) return FailedPreconditionError("client '" + id + "' is revoked");
    RENKEI_ASSIGN_OR_RETURN(Statement q, Prepare(db, "UPDATE clients SET revoked = ? WHERE id = ?",
                                                 {NowRfc3339(), id}));
    return q.Run();
  });
}

StatusOr<Client> AuthenticateClient(Store& store, const std::string& id,
                                    const std::string& secret) {
  RENKEI_ASSIGN_OR_RETURN(
      Statement q,
      Prepare(store,
              "SELECT id, name, organization, admin, created, revoked, secret_hash FROM clients "
              "WHERE id = ?",
              {id}));
  RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
  const Status denied = UnauthenticatedError("unknown client or wrong secret");
  if (!row || !q.Text(5).empty()) return denied;
  const std::string hash = q.Text(6);
  if (crypto_pwhash_str_verify(hash.c_str(), secret.c_str(), secret.size()) != 0) return denied;
  return Client{q.Text(0), q.Text(1), q.Text(2), q.Int(3) != 0, q.Text(4), q.Text(5)};
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
  RENKEI_ASSIGN_OR_RETURN(sqlite3 * db, Db(store));
  return InTransaction(db, actor, "grant " + organization + " " + list, [&]() -> Status {
    for (const std::string& p : products) {
      RENKEI_ASSIGN_OR_RETURN(
          Statement q,
          Prepare(db,
                  "INSERT OR IGNORE INTO grants(organization, product, created) VALUES(?, ?, ?)",
                  {organization, p, NowRfc3339()}));
      RENKEI_RETURN_IF_ERROR(q.Run());
    }
    return Status::Ok();
  });
}

Status RemoveGrant(Store& store, const std::string& organization,
                   const std::vector<std::string>& products, const std::string& actor) {
  RENKEI_ASSIGN_OR_RETURN(sqlite3 * db, Db(store));
  std::string list;
  for (const std::string& p : products) list += (list.empty() ? "" : ",") + p;
  return InTransaction(db, actor, "revoke " + organization + " " + list, [&]() -> Status {
    int removed = 0;
    for (const std::string& p : products) {
      RENKEI_ASSIGN_OR_RETURN(
          Statement q,
          p == "*" ? Prepare(db, "DELETE FROM grants WHERE organization = ?", {organization})
                   : Prepare(db, "DELETE FROM grants WHERE organization = ? AND product = ?",
                             {organization, p}));
      RENKEI_RETURN_IF_ERROR(q.Run());
      removed += q.Changes();
    }
    if (removed == 0) return NotFoundError("no such grant to '" + organization + "'");
    return Status::Ok();
  });
}

StatusOr<std::map<std::string, std::vector<std::string>>> ListGrants(Store& store) {
  RENKEI_ASSIGN_OR_RETURN(
      Statement q,
      Prepare(store, "SELECT organization, product FROM grants ORDER BY organization, product"));
  std::map<std::string, std::vector<std::string>> out;
  while (true) {
    RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out[q.Text(0)].push_back(q.Text(1));
  }
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
  RENKEI_RETURN_IF_ERROR(Db(store).status());
  RENKEI_ASSIGN_OR_RETURN(trust::SealingKey key,
                          trust::LoadOrCreateSealingKey(trust::SealingKeyPath(store.path())));
  return trust::Seal(key, value, context);
}

// Opens values read from the store; the key file is read once, when the first sealed
// value comes. Values stored in clear (before sealing) are returned as they are.
class Opener {
 public:
  explicit Opener(const Store& store) : path_(trust::SealingKeyPath(store.path())) {}

  // `what` names the value in errors.
  StatusOr<std::string> Open(const std::string& value, const std::string& context,
                             const std::string& what) {
    if (!trust::IsSealed(value)) return value;
    if (!key_) {
      StatusOr<trust::SealingKey> key = trust::LoadSealingKey(path_);
      if (!key.ok()) {
        return DataLossError(
            what + " is sealed, but the sealing key cannot be read: " + key.status().message());
      }
      key_ = *key;
    }
    StatusOr<std::string> plain = trust::Unseal(*key_, value, context);
    if (!plain.ok()) {
      return DataLossError(what + ": " + plain.status().message() + " (key file " + path_ + ")");
    }
    return plain;
  }

 private:
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
  RENKEI_ASSIGN_OR_RETURN(sqlite3 * db, Db(store));
  RENKEI_RETURN_IF_ERROR(
      InTransaction(db, actor, "keys init " + organization + " " + public_key, [&]() -> Status {
        RENKEI_ASSIGN_OR_RETURN(
            Statement find,
            Prepare(db, "SELECT 1 FROM organization_keys WHERE organization = ?", {organization}));
        RENKEI_ASSIGN_OR_RETURN(bool row, find.Step());
        if (row) return AlreadyExistsError("organization '" + organization + "' has a key");
        RENKEI_ASSIGN_OR_RETURN(
            Statement q, Prepare(db,
                                 "INSERT INTO organization_keys(organization, public_key, seed, "
                                 "created) VALUES(?, ?, ?, ?)",
                                 {organization, public_key, seed, NowRfc3339()}));
        return q.Run();
      }));
  return public_key;
}

StatusOr<std::map<std::string, trust::KeyPair>> OrganizationKeys(Store& store) {
  RENKEI_ASSIGN_OR_RETURN(Statement q,
                          Prepare(store, "SELECT organization, seed FROM organization_keys"));
  std::map<std::string, trust::KeyPair> out;
  Opener opener(store);
  while (true) {
    RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    const std::string organization = q.Text(0);
    RENKEI_ASSIGN_OR_RETURN(std::string seed,
                            opener.Open(q.Text(1), SeedContext(organization),
                                        "the signing key of '" + organization + "'"));
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
  // The node's own signing keys are kept in an SQLite store only so far: a
  // PostgreSQL store has none yet (store/postgres.h).
  if (internal::Handle(store) == nullptr) return keys;
  RENKEI_ASSIGN_OR_RETURN(Statement q,
                          Prepare(store, "SELECT organization, public_key FROM organization_keys"));
  while (true) {
    RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    keys[q.Text(0)] = q.Text(1);
  }
  return keys;
}

namespace {
constexpr char kUnsignedSetting[] = "unsigned_footprints";
}  // namespace

StatusOr<bool> AcceptsUnsignedFootprints(const Store& store) {
  RENKEI_ASSIGN_OR_RETURN(std::string value, store.Setting(kUnsignedSetting, "accept"));
  return value != "reject";
}

Status SetAcceptsUnsignedFootprints(Store& store, bool accept, const std::string& actor) {
  return store.SetSetting(kUnsignedSetting, accept ? "accept" : "reject", actor);
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
  RENKEI_ASSIGN_OR_RETURN(sqlite3 * db, Db(store));
  return InTransaction(
      db, actor, "partner " + partner.organization + " " + partner.url, [&]() -> Status {
        RENKEI_ASSIGN_OR_RETURN(
            Statement q,
            Prepare(
                db,
                "INSERT OR REPLACE INTO partners(organization, url, client_id, client_secret, "
                "ca_file) VALUES(?, ?, ?, ?, ?)",
                {partner.organization, partner.url, partner.client_id, secret, partner.ca_file}));
        return q.Run();
      });
}

StatusOr<Partner> GetPartner(Store& store, const std::string& organization) {
  RENKEI_ASSIGN_OR_RETURN(
      Statement q, Prepare(store,
                           "SELECT organization, url, client_id, client_secret, ca_file FROM "
                           "partners WHERE organization = ?",
                           {organization}));
  RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return NotFoundError("no partner endpoint for '" + organization + "'");
  Opener opener(store);
  RENKEI_ASSIGN_OR_RETURN(std::string secret,
                          opener.Open(q.Text(3), PartnerSecretContext(q.Text(0)),
                                      "the client secret for partner '" + q.Text(0) + "'"));
  return Partner{q.Text(0), q.Text(1), q.Text(2), std::move(secret), q.Text(4)};
}

StatusOr<int> SealStoredSecrets(Store& store, const std::string& actor) {
  RENKEI_ASSIGN_OR_RETURN(sqlite3 * db, Db(store));
  // Each table's clear values: (row key, value), sealed for that row.
  struct Column {
    const char* select;
    const char* update;
    std::string (*context)(const std::string&);
  };
  const Column columns[] = {
      {"SELECT organization, seed FROM organization_keys ORDER BY organization",
       "UPDATE organization_keys SET seed = ? WHERE organization = ? AND seed = ?", SeedContext},
      {"SELECT organization, client_secret FROM partners ORDER BY organization",
       "UPDATE partners SET client_secret = ? WHERE organization = ? AND client_secret = ?",
       PartnerSecretContext},
  };
  std::vector<std::tuple<const Column*, std::string, std::string>> clear;
  for (const Column& c : columns) {
    RENKEI_ASSIGN_OR_RETURN(Statement q, Prepare(db, c.select));
    while (true) {
      RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      if (!trust::IsSealed(q.Text(1))) clear.emplace_back(&c, q.Text(0), q.Text(1));
    }
  }
  if (clear.empty()) return 0;
  RENKEI_ASSIGN_OR_RETURN(trust::SealingKey key,
                          trust::LoadOrCreateSealingKey(trust::SealingKeyPath(store.path())));
  std::vector<std::string> sealed;
  for (const auto& [c, organization, value] : clear) {
    RENKEI_ASSIGN_OR_RETURN(std::string v, trust::Seal(key, value, c->context(organization)));
    sealed.push_back(std::move(v));
  }
  // The clear values must not stay behind in freed space or in the write-ahead log:
  // freed space is zeroed, and the log is written back into the file and emptied (when
  // no reader holds it; else at the next checkpoint).
  std::string secure_delete = "0";
  {
    RENKEI_ASSIGN_OR_RETURN(Statement q, Prepare(db, "PRAGMA secure_delete"));
    RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) secure_delete = q.Text(0);
  }
  (void)Exec(db, "PRAGMA secure_delete = 1");
  Status s = InTransaction(
      db, actor, "keys seal " + std::to_string(clear.size()) + " values", [&]() -> Status {
        for (size_t i = 0; i < clear.size(); ++i) {
          const auto& [c, organization, value] = clear[i];
          RENKEI_ASSIGN_OR_RETURN(Statement q,
                                  Prepare(db, c->update, {sealed[i], organization, value}));
          RENKEI_RETURN_IF_ERROR(q.Run());
          // Sealed from what was read before the transaction: a value changed since
          // (another process) is not overwritten; nothing is written then.
          if (q.Changes() != 1) {
            return FailedPreconditionError("the stored value for '" + organization +
                                           "' changed while sealing; nothing was sealed, run "
                                           "again");
          }
        }
        return Status::Ok();
      });
  (void)Exec(db, "PRAGMA secure_delete = " + secure_delete);
  RENKEI_RETURN_IF_ERROR(s);
  (void)Exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  return static_cast<int>(clear.size());
}

StatusOr<int64_t> RecordEvent(Store& store, const EventRecord& e) {
  RENKEI_ASSIGN_OR_RETURN(
      Statement q, Prepare(store,
                           "INSERT INTO events(id, direction, type, organization, time, state, "
                           "body) VALUES(?, ?, ?, ?, ?, ?, ?)",
                           {e.id, e.direction, e.type, e.organization,
                            e.time.empty() ? NowRfc3339() : e.time, e.state, e.body}));
  RENKEI_RETURN_IF_ERROR(q.Run());
  return q.LastInsertRowId();
}

Status SetEventState(Store& store, int64_t seq, const std::string& state) {
  RENKEI_ASSIGN_OR_RETURN(Statement q,
                          Prepare(store, "UPDATE events SET state = ? WHERE seq = ?", {state}));
  q.Bind(2, seq);
  return q.Run();
}

namespace {
EventRecord ReadEvent(const Statement& q) {
  return {q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4), q.Text(5), q.Text(6), q.Text(7)};
}
}  // namespace

StatusOr<EventRecord> FindSentEvent(Store& store, const std::string& id) {
  RENKEI_ASSIGN_OR_RETURN(
      Statement q, Prepare(store,
                           "SELECT seq, id, direction, type, organization, time, state, body FROM "
                           "events WHERE id = ? AND direction = 'out'",
                           {id}));
  RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return NotFoundError("no event '" + id + "' was sent");
  return ReadEvent(q);
}

StatusOr<std::vector<EventRecord>> ListEvents(Store& store) {
  RENKEI_ASSIGN_OR_RETURN(
      Statement q, Prepare(store,
                           "SELECT seq, id, direction, type, organization, time, state, body FROM "
                           "events ORDER BY seq"));
  std::vector<EventRecord> out;
  while (true) {
    RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(ReadEvent(q));
  }
  return out;
}

}  // namespace renkei::store
