#include "store/audit.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <sqlite3.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <optional>

#include "base/clock.h"
#include "store/internal/sqlite.h"

namespace renkei::store {
namespace {

std::string Hex(const unsigned char* bytes, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
}

const std::string kZeroHash(64, '0');

}  // namespace

ContentDigest::ContentDigest() : context_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), EVP_sha256(), nullptr);
}

ContentDigest::~ContentDigest() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_)); }

void ContentDigest::Add(std::string_view bytes) {
  const uint64_t n = bytes.size();
  AddRaw(&n, sizeof(n));
  AddRaw(bytes.data(), bytes.size());
}

void ContentDigest::Flush() {
  if (used_ > 0) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), buffer_, used_);
  used_ = 0;
}

void ContentDigest::AddLarge(const void* bytes, size_t n) {
  Flush();
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), bytes, n);
}

std::string ContentDigest::HexDigest() {
  Flush();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), out, &length);
  return Hex(out, length);
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return Hex(out, sizeof(out));
}

std::string AuditEntryHash(const AuditEntry& e) {
  return Sha256Hex(std::to_string(e.seq) + "|" + e.time + "|" + e.actor + "|" + e.action + "|" +
                   e.digest + "|" + e.prev_hash);
}

AuditEntry NextAuditEntry(const AuditEntry* last, const std::string& actor,
                          const std::string& action, const std::string& digest) {
  AuditEntry e;
  e.seq = last == nullptr ? 1 : last->seq + 1;
  e.prev_hash = last == nullptr ? kZeroHash : last->hash;
  e.time = NowRfc3339(true);
  e.actor = actor;
  e.action = action;
  e.digest = digest;
  e.hash = AuditEntryHash(e);
  return e;
}

Status AppendAuditEntry(sqlite3* db, const std::string& actor, const std::string& action,
                        const std::string& digest) {
  std::optional<AuditEntry> last;
  {
    RENKEI_ASSIGN_OR_RETURN(internal::Statement q,
                            internal::Statement::Prepare(db,
                                                         "SELECT seq, hash FROM audit_log "
                                                         "ORDER BY seq DESC LIMIT 1"));
    RENKEI_ASSIGN_OR_RETURN(bool found, q.Step());
    if (found) {
      last.emplace();
      last->seq = q.Int(0);
      last->hash = q.Text(1);
    }
  }
  const AuditEntry e = NextAuditEntry(last ? &*last : nullptr, actor, action, digest);
  RENKEI_ASSIGN_OR_RETURN(
      internal::Statement insert,
      internal::Statement::Prepare(db,
                                   "INSERT INTO audit_log(seq, time, actor, action, digest, "
                                   "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  insert.Bind(1, e.seq);
  insert.BindText(2, e.time);
  insert.BindText(3, e.actor);
  insert.BindText(4, e.action);
  insert.BindText(5, e.digest);
  insert.BindText(6, e.prev_hash);
  insert.BindText(7, e.hash);
  return insert.Run();
}

StatusOr<std::vector<AuditEntry>> ReadAuditLog(sqlite3* db) {
  RENKEI_ASSIGN_OR_RETURN(
      internal::Statement select,
      internal::Statement::Prepare(db,
                                   "SELECT seq, time, actor, action, digest, "
                                   "prev_hash, hash FROM audit_log ORDER BY seq"));
  std::vector<AuditEntry> entries;
  for (;;) {
    RENKEI_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    entries.push_back({select.Int(0), select.Text(1), select.Text(2), select.Text(3),
                       select.Text(4), select.Text(5), select.Text(6)});
  }
  return entries;
}

Status VerifyAuditLog(sqlite3* db) {
  RENKEI_ASSIGN_OR_RETURN(std::vector<AuditEntry> entries, ReadAuditLog(db));
  return VerifyAuditChain(entries);
}

Status VerifyAuditChain(const std::vector<AuditEntry>& entries) {
  std::string prev = kZeroHash;
  int64_t expected_seq = 1;
  for (const AuditEntry& e : entries) {
    const std::string name =
        "audit entry " + std::to_string(e.seq) + " (" + e.action + " by " + e.actor + ")";
    if (e.seq != expected_seq) {
      return DataLossError("audit entry " + std::to_string(expected_seq) +
                           " is missing (the next entry is " + std::to_string(e.seq) + ")");
    }
    if (e.prev_hash != prev) {
      return DataLossError(name + ": previous hash does not match the entry before it");
    }
    if (AuditEntryHash(e) != e.hash) {
      return DataLossError(name + ": hash does not match its content");
    }
    prev = e.hash;
    ++expected_seq;
  }
  return Status::Ok();
}

}  // namespace renkei::store
