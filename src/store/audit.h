// The audit log: a hash chain over every committed change of a store.
//
// Entry n holds (seq, time, actor, action, digest, prev_hash, hash) where
// digest is the SHA-256 of the change's content, prev_hash is entry n-1's hash
// (64 zeros for the first) and hash = SHA-256 of
// "seq|time|actor|action|digest|prev_hash". Changing, removing or reordering
// any entry breaks the chain from there on.
#ifndef RENKEI_STORE_AUDIT_H_
#define RENKEI_STORE_AUDIT_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

struct sqlite3;

namespace renkei::store {

struct AuditEntry {
  int64_t seq = 0;
  std::string time;  // RFC 3339, UTC
  std::string actor;
  std::string action;
  std::string digest;     // hex SHA-256 of the change's content
  std::string prev_hash;  // hex
  std::string hash;       // hex
};

// Incremental SHA-256 of a change's content. Values are gathered in a buffer and
// hashed in large pieces (OpenSSL, which uses the CPU's SHA instructions), so
// adding millions of small values stays cheap. Not thread-safe.
class ContentDigest {
 public:
  ContentDigest();
  ~ContentDigest();
  ContentDigest(const ContentDigest&) = delete;
  ContentDigest& operator=(const ContentDigest&) = delete;

  // Each string is hashed as its length (8 bytes) and then its bytes; numbers as
  // their 8 bytes.
  void Add(std::string_view bytes);
  void Add(double value) { AddRaw(&value, sizeof(value)); }
  void Add(int64_t value) { AddRaw(&value, sizeof(value)); }
  std::string HexDigest();  // finishes the digest

 private:
  static constexpr size_t kBufferSize = 1 << 16;
  void AddRaw(const void* bytes, size_t n) {
    if (used_ + n > kBufferSize) Flush();
    if (n > kBufferSize) return AddLarge(bytes, n);
    std::memcpy(buffer_ + used_, bytes, n);
    used_ += n;
  }
  void AddLarge(const void* bytes, size_t n);
  void Flush();

  void* context_;  // EVP_MD_CTX
  size_t used_ = 0;
  unsigned char buffer_[kBufferSize];
};

// Hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// The entry's hash over its other fields.
std::string AuditEntryHash(const AuditEntry& entry);

// The entry after `last` (nullptr: the first), stamped now, with its hash: what
// either engine appends.
AuditEntry NextAuditEntry(const AuditEntry* last, const std::string& actor,
                          const std::string& action, const std::string& digest);

// Recomputes the chain of `entries` (a whole log in sequence order), as
// VerifyAuditLog.
Status VerifyAuditChain(const std::vector<AuditEntry>& entries);

// Appends an entry to the log of `db`; call inside the change's transaction.
Status AppendAuditEntry(sqlite3* db, const std::string& actor, const std::string& action,
                        const std::string& digest);

// All entries in sequence order.
StatusOr<std::vector<AuditEntry>> ReadAuditLog(sqlite3* db);

// Recomputes the chain. OK when intact; DataLoss naming the first broken entry
// ("audit entry 3 (import by alice): hash does not match its content").
Status VerifyAuditLog(sqlite3* db);

}  // namespace renkei::store

#endif  // RENKEI_STORE_AUDIT_H_
