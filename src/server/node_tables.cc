#include "server/node_tables.h"

#include <sodium.h>
#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <functional>
#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "store/audit.h"
#include "trust/sealed.h"

namespace renkei::server {
namespace {

// Argon2id cost for the secrets the node generates (AddClient says why): one pass over
// 64 KiB.
constexpr unsigned long long kSecretOpsLimit = crypto_pwhash_OPSLIMIT_MIN;
constexpr size_t kSecretMemLimit = 64 * 1024;

Status SqlError(sqlite3* db) { return InternalError(std::string("sqlite: ") + sqlite3_errmsg(db)); }

// A prepared statement bound to text values; finalized on destruction.
class Query {
 public:
  Query(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Query() { sqlite3_finalize(stmt_); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& Text(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Query& Int(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // One step: true when a row is there.
  StatusOr<bool> Step() {
    if (stmt_ == nullptr) return SqlError(db_);
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqlError(db_);
  }
  Status Run() {
    RENKEI_ASSIGN_OR_RETURN(bool row, Step());
    (void)row;
    return Status::Ok();
  }
  std::string Col(int i) const {
    const auto* p = sqlite3_column_text(stmt_, i);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p));
  }
  int64_t ColInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  int Changes() const { return sqlite3_changes(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Runs `body` in one transaction with an audit entry; rolls back on error.
Status InTransaction(sqlite3* db, const std::string& actor, const std::string& action,
                     const std::function<Status()>& body) {
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqlError(db);
  }
  Status s = body();
  if (s.ok()) s = store::AppendAuditEntry(db, actor, action, store::Sha256Hex(action));
  if (s.ok() && sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    s = SqlError(db);
  }
  if (!s.ok()) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  return s;
}

Status RequireOrganization(const model::Model& model, const std::string& organization) {
  if (model.FindOrganization(organization) == model::kNoIndex) {
    return NotFoundError("unknown organization '" + organization + "'");
  }
  return Status::Ok();
}

}  // namespace

std::string NowRfc3339() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

StatusOr<NewClient> AddClient(store::Store& store, const model::Model& model,
                              const std::string& name, const std::string& organization, bool admin,
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
  sqlite3* db = store.handle();
  RENKEI_RETURN_IF_ERROR(InTransaction(
      db, actor, "client add " + out.id + " " + name + " " + organization, [&]() -> Status {
        Query q(db,
                "INSERT INTO clients(id, name, organization, secret_hash, admin, created) "
                "VALUES(?, ?, ?, ?, ?, ?)");
        return q.Text(1, out.id)
            .Text(2, name)
            .Text(3, organization)
            .Text(4, hash)
            .Int(5, admin ? 1 : 0)
            .Text(6, NowRfc3339())
            .Run();
      }));
  return out;
}

StatusOr<std::vector<Client>> ListClients(store::Store& store) {
  Query q(
      store.handle(),
      "SELECT id, name, organization, admin, created, revoked FROM clients ORDER BY created, id");
  std::vector<Client> out;
  while (true) {
    RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({q.Col(0), q.Col(1), q.Col(2), q.ColInt(3) != 0, q.Col(4), q.Col(5)});
  }
  return out;
}

Status RevokeClient(store::Store& store, const std::string& id, const std::string& actor) {
  sqlite3* db = store.handle();
  return InTransaction(db, actor, "client revoke " + id, [&]() -> Status {
    Query find(db, "SELECT revoked FROM clients WHERE id = ?");
    RENKEI_ASSIGN_OR_RETURN(bool row, find.Text(1, id).Step());
    if (!row) return NotFoundError("unknown client '" + id + "'");
    if (!find.Col(0).empty()) return FailedPreconditionError("client '" + id + "' is revoked");
    Query q(db, "UPDATE clients SET revoked = ? WHERE id = ?");
    return q.Text(1, NowRfc3339()).Text(2, id).Run();
  });
}

StatusOr<Client> AuthenticateClient(store::Store& store, const std::string& id,
                                    const std::string& secret) {
  Query q(store.handle(),
          "SELECT id, name, organization, admin, created, revoked, secret_hash FROM clients "
          "WHERE id = ?");
  RENKEI_ASSIGN_OR_RETURN(bool row, q.Text(1, id).Step());
  const Status denied = UnauthenticatedError("unknown client or wrong secret");
  if (!row || !q.Col(5).empty()) return denied;
  const std::string hash = q.Col(6);
  if (crypto_pwhash_str_verify(hash.c_str(), secret.c_str(), secret.size()) != 0) return denied;
  return Client{q.Col(0), q.Col(1), q.Col(2), q.ColInt(3) != 0, q.Col(4), q.Col(5)};
}

Status AddGrant(store::Store& store, const model::Model& model, const std::string& organization,
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
  sqlite3* db = store.handle();
  return InTransaction(db, actor, "grant " + organization + " " + list, [&]() -> Status {
    for (const std::string& p : products) {
      Query q(db, "INSERT OR IGNORE INTO grants(organization, product, created) VALUES(?, ?, ?)");
      RENKEI_RETURN_IF_ERROR(q.Text(1, organization).Text(2, p).Text(3, NowRfc3339()).Run());
    }
    return Status::Ok();
  });
}

Status RemoveGrant(store::Store& store, const std::string& organization,
                   const std::vector<std::string>& products, const std::string& actor) {
  sqlite3* db = store.handle();
  std::string list;
  for (const std::string& p : products) list += (list.empty() ? "" : ",") + p;
  return InTransaction(db, actor, "revoke " + organization + " " + list, [&]() -> Status {
    int removed = 0;
    for (const std::string& p : products) {
      if (p == "*") {
        Query q(db, "DELETE FROM grants WHERE organization = ?");
        RENKEI_RETURN_IF_ERROR(q.Text(1, organization).Run());
        removed += q.Changes();
      } else {
        Query q(db, "DELETE FROM grants WHERE organization = ? AND product = ?");
        RENKEI_RETURN_IF_ERROR(q.Text(1, organization).Text(2, p).Run());
        removed += q.Changes();
      }
    }
    if (removed == 0) return NotFoundError("no such grant to '" + organization + "'");
    return Status::Ok();
  });
}

StatusOr<std::map<std::string, std::vector<std::string>>> ListGrants(store::Store& store) {
  Query q(store.handle(),
          "SELECT organization, product FROM grants ORDER BY organization, product");
  std::map<std::string, std::vector<std::string>> out;
  while (true) {
    RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out[q.Col(0)].push_back(q.Col(1));
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
StatusOr<std::string> SealForStore(const store::Store& store, std::string_view value,
                                   const std::string& context) {
  RENKEI_ASSIGN_OR_RETURN(trust::SealingKey key,
                          trust::LoadOrCreateSealingKey(trust::SealingKeyPath(store.path())));
  return trust::Seal(key, value, context);
}

// Opens values read from the store; the key file is read once, when the first sealed
// value comes. Values stored in clear (before sealing) are returned as they are.
class Opener {
 public:
  explicit Opener(const store::Store& store) : path_(trust::SealingKeyPath(store.path())) {}

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

StatusOr<std::string> InitOrganizationKey(store::Store& store, const model::Model& model,
                                          const std::string& organization,
                                          const std::string& actor) {
  RENKEI_RETURN_IF_ERROR(RequireOrganization(model, organization));
  RENKEI_ASSIGN_OR_RETURN(trust::KeyPair keys, trust::GenerateKeyPair());
  const std::string public_key = trust::EncodePublicKey(keys);
  RENKEI_ASSIGN_OR_RETURN(std::string seed,
                          SealForStore(store, trust::EncodeSeed(keys), SeedContext(organization)));
  sqlite3* db = store.handle();
  RENKEI_RETURN_IF_ERROR(
      InTransaction(db, actor, "keys init " + organization + " " + public_key, [&]() -> Status {
        Query find(db, "SELECT 1 FROM organization_keys WHERE organization = ?");
        RENKEI_ASSIGN_OR_RETURN(bool row, find.Text(1, organization).Step());
        if (row) return AlreadyExistsError("organization '" + organization + "' has a key");
        Query q(db,
                "INSERT INTO organization_keys(organization, public_key, seed, created) "
                "VALUES(?, ?, ?, ?)");
        return q.Text(1, organization)
            .Text(2, public_key)
            .Text(3, seed)
            .Text(4, NowRfc3339())
            .Run();
      }));
  return public_key;
}

StatusOr<std::map<std::string, trust::KeyPair>> OrganizationKeys(store::Store& store) {
  Query q(store.handle(), "SELECT organization, seed FROM organization_keys");
  std::map<std::string, trust::KeyPair> out;
  Opener opener(store);
  while (true) {
    RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    RENKEI_ASSIGN_OR_RETURN(std::string seed, opener.Open(q.Col(1), SeedContext(q.Col(0)),
                                                          "the signing key of '" + q.Col(0) + "'"));
    auto keys = trust::KeyPairFromSeed(seed);
    if (!keys.ok()) return DataLossError("key of '" + q.Col(0) + "': " + keys.status().message());
    out.emplace(q.Col(0), *keys);
  }
  return out;
}

StatusOr<trust::KeyRing> RegisteredPublicKeys(store::Store& store, const model::Model& model) {
  trust::KeyRing keys;
  for (const model::Organization& o : model.organizations) {
    if (!o.public_key.empty()) keys[o.id] = o.public_key;
  }
  Query q(store.handle(), "SELECT organization, public_key FROM organization_keys");
  while (true) {
    RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    keys[q.Col(0)] = q.Col(1);
  }
  return keys;
}

namespace {
constexpr char kUnsignedSetting[] = "unsigned_footprints";
}  // namespace

StatusOr<bool> AcceptsUnsignedFootprints(const store::Store& store) {
  RENKEI_ASSIGN_OR_RETURN(std::string value, store.Setting(kUnsignedSetting, "accept"));
  return value != "reject";
}

Status SetAcceptsUnsignedFootprints(store::Store& store, bool accept, const std::string& actor) {
  return store.SetSetting(kUnsignedSetting, accept ? "accept" : "reject", actor);
}

StatusOr<bool> CheckReceivedFootprint(const nlohmann::ordered_json& document,
                                      const trust::KeyRing& keys, bool accept_unsigned,
                                      const std::string& sender) {
  RENKEI_ASSIGN_OR_RETURN(trust::DocumentSignature signature,
                          trust::VerifyDocument(document, keys));
  if (signature.is_signed) return true;
  if (!sender.empty() && keys.count(sender) != 0) {
    return UnauthenticatedError("not signed, but '" + sender +
                                "' has a registered public key: its footprints must carry its "
                                "signature");
  }
  if (!accept_unsigned) {
    return UnauthenticatedError(
        "not signed, and this store refuses unsigned footprints (renkei policy DB --unsigned "
        "accept takes them, marked unverified)");
  }
  return false;
}

Status SetPartner(store::Store& store, const model::Model& model, const Partner& partner,
                  const std::string& actor) {
  RENKEI_RETURN_IF_ERROR(RequireOrganization(model, partner.organization));
  if (partner.url.rfind("https://", 0) != 0) {
    return InvalidArgumentError("partner url must start with https://, got '" + partner.url + "'");
  }
  RENKEI_ASSIGN_OR_RETURN(
      std::string secret,
      SealForStore(store, partner.client_secret, PartnerSecretContext(partner.organization)));
  sqlite3* db = store.handle();
  return InTransaction(
      db, actor, "partner " + partner.organization + " " + partner.url, [&]() -> Status {
        Query q(db,
                "INSERT OR REPLACE INTO partners(organization, url, client_id, client_secret, "
                "ca_file) VALUES(?, ?, ?, ?, ?)");
        return q.Text(1, partner.organization)
            .Text(2, partner.url)
            .Text(3, partner.client_id)
            .Text(4, secret)
            .Text(5, partner.ca_file)
            .Run();
      });
}

StatusOr<Partner> GetPartner(store::Store& store, const std::string& organization) {
  Query q(store.handle(),
          "SELECT organization, url, client_id, client_secret, ca_file FROM partners "
          "WHERE organization = ?");
  RENKEI_ASSIGN_OR_RETURN(bool row, q.Text(1, organization).Step());
  if (!row) return NotFoundError("no partner endpoint for '" + organization + "'");
  Opener opener(store);
  RENKEI_ASSIGN_OR_RETURN(std::string secret,
                          opener.Open(q.Col(3), PartnerSecretContext(q.Col(0)),
                                      "the client secret for partner '" + q.Col(0) + "'"));
  return Partner{q.Col(0), q.Col(1), q.Col(2), std::move(secret), q.Col(4)};
}

StatusOr<int> SealStoredSecrets(store::Store& store, const std::string& actor) {
  sqlite3* db = store.handle();
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
    Query q(db, c.select);
    while (true) {
      RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      if (!trust::IsSealed(q.Col(1))) clear.emplace_back(&c, q.Col(0), q.Col(1));
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
    Query q(db, "PRAGMA secure_delete");
    RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) secure_delete = q.Col(0);
  }
  sqlite3_exec(db, "PRAGMA secure_delete = 1", nullptr, nullptr, nullptr);
  Status s = InTransaction(
      db, actor, "keys seal " + std::to_string(clear.size()) + " values", [&]() -> Status {
        for (size_t i = 0; i < clear.size(); ++i) {
          const auto& [c, organization, value] = clear[i];
          Query q(db, c->update);
          RENKEI_RETURN_IF_ERROR(q.Text(1, sealed[i]).Text(2, organization).Text(3, value).Run());
          // Sealed from what was read before the transaction: a value changed since
          // (another process) is not overwritten; nothing is written then.
          if (sqlite3_changes(db) != 1) {
            return FailedPreconditionError("the stored value for '" + organization +
                                           "' changed while sealing; nothing was sealed, run "
                                           "again");
          }
        }
        return Status::Ok();
      });
  sqlite3_exec(db, ("PRAGMA secure_delete = " + secure_delete).c_str(), nullptr, nullptr, nullptr);
  RENKEI_RETURN_IF_ERROR(s);
  sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
  return static_cast<int>(clear.size());
}

StatusOr<int64_t> RecordEvent(store::Store& store, const EventRecord& e) {
  sqlite3* db = store.handle();
  Query q(db,
          "INSERT INTO events(id, direction, type, organization, time, state, body) "
          "VALUES(?, ?, ?, ?, ?, ?, ?)");
  RENKEI_RETURN_IF_ERROR(q.Text(1, e.id)
                             .Text(2, e.direction)
                             .Text(3, e.type)
                             .Text(4, e.organization)
                             .Text(5, e.time.empty() ? NowRfc3339() : e.time)
                             .Text(6, e.state)
                             .Text(7, e.body)
                             .Run());
  return sqlite3_last_insert_rowid(db);
}

Status SetEventState(store::Store& store, int64_t seq, const std::string& state) {
  Query q(store.handle(), "UPDATE events SET state = ? WHERE seq = ?");
  return q.Text(1, state).Int(2, seq).Run();
}

namespace {
EventRecord ReadEvent(const Query& q) {
  return {q.ColInt(0), q.Col(1), q.Col(2), q.Col(3), q.Col(4), q.Col(5), q.Col(6), q.Col(7)};
}
}  // namespace

StatusOr<EventRecord> FindSentEvent(store::Store& store, const std::string& id) {
  Query q(store.handle(),
          "SELECT seq, id, direction, type, organization, time, state, body FROM events "
          "WHERE id = ? AND direction = 'out'");
  RENKEI_ASSIGN_OR_RETURN(bool row, q.Text(1, id).Step());
  if (!row) return NotFoundError("no event '" + id + "' was sent");
  return ReadEvent(q);
}

StatusOr<std::vector<EventRecord>> ListEvents(store::Store& store) {
  Query q(store.handle(),
          "SELECT seq, id, direction, type, organization, time, state, body FROM events "
          "ORDER BY seq");
  std::vector<EventRecord> out;
  while (true) {
    RENKEI_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(ReadEvent(q));
  }
  return out;
}

}  // namespace renkei::server
