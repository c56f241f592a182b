// The Ed25519 key pair the signing fuzz targets use: a fixed seed (32 bytes of
// 0x2a), so that the checked-in seed inputs verify.
#ifndef RENKEI_FUZZ_FIXED_KEY_H_
#define RENKEI_FUZZ_FIXED_KEY_H_

#include <sodium.h>

#include "fuzz/fuzz_check.h"
#include "trust/keys.h"

namespace renkei::fuzz {

inline const trust::KeyPair& FixedKeys() {
  static const trust::KeyPair keys = [] {
    Check(sodium_init() >= 0, "libsodium initialises");
    StatusOr<trust::KeyPair> k =
        trust::KeyPairFromSeed("KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio");
    Check(k.ok(), "the fixed seed is valid", k.status().ToString());
    return *k;
  }();
  return keys;
}

}  // namespace renkei::fuzz

#endif  // RENKEI_FUZZ_FIXED_KEY_H_
