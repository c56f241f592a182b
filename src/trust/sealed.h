// Secrets at rest: values the node must read back (organizations' signing key seeds,
// partners' client secrets) are stored sealed, not in clear, so that a copy of the store
// file (a backup, a file sent for support) does not give away the keys.
//
// A sealed value is "sealed:v1:" followed by base64url (RFC 4648 section 5, no padding)
// of a 24-byte random nonce and the XChaCha20-Poly1305 ciphertext with its 16-byte tag
// (libsodium's crypto_aead_xchacha20poly1305_ietf). The additional data is the value's
// context (table, column and row key), so a sealed value copied into another row does
// not open there. The 32-byte sealing key lives in a file of its own beside the store
// (SealingKeyPath), made on first use with mode 0600, as base64url on one line; keep it
// with the store's backups, apart from them when they travel.
#ifndef RENKEI_TRUST_SEALED_H_
#define RENKEI_TRUST_SEALED_H_

#include <array>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::trust {

inline constexpr size_t kSealingKeyBytes = 32;
using SealingKey = std::array<unsigned char, kSealingKeyBytes>;

// The sealing key file of the store at `store_path`: "<store_path>.secrets.key".
std::string SealingKeyPath(const std::string& store_path);

// Reads the key file at `path`; NotFound when it does not exist, DataLoss when it does
// not hold one key (naming the file).
StatusOr<SealingKey> LoadSealingKey(const std::string& path);
// Reads the key file, or makes one (mode 0600) when there is none.
StatusOr<SealingKey> LoadOrCreateSealingKey(const std::string& path);

// True when `text` is a sealed value (has the "sealed:v1:" prefix).
bool IsSealed(std::string_view text);

// `plaintext` sealed under `key` for `context`. Internal when libsodium cannot be
// initialised.
StatusOr<std::string> Seal(const SealingKey& key, std::string_view plaintext,
                           std::string_view context);

// The plaintext of a sealed value; DataLoss when it is not well formed, or does not open
// with this key and context (wrong key file, altered value, value of another row).
StatusOr<std::string> Unseal(const SealingKey& key, std::string_view sealed,
                             std::string_view context);

}  // namespace renkei::trust

#endif  // RENKEI_TRUST_SEALED_H_
