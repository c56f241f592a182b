// JWS verification (src/trust/jws.h) on any bytes as a compact JWS, against a fixed
// Ed25519 key; and JwsKeyId.
//
// The input is verified as it is, and again with its signature replaced by the fixed
// key's signature over its first two parts, so that the header and payload checks
// behind the signature are reached for any header the fuzzer makes.
//
// Invariants: errors are InvalidArgument, or Unauthenticated for a signature that does
// not verify (never for a re-signed input); a verified JWS has the kid JwsKeyId reads
// and the payload its second part decodes to; what SignJws makes verifies.
#include <sodium.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fixed_key.h"
#include "fuzz/fuzz_check.h"
#include "trust/jws.h"
#include "trust/keys.h"

namespace renkei::fuzz {
namespace {

// Verifies `jws` and checks what comes back; true when it verified.
bool Verify(std::string_view jws, bool resigned) {
  static const std::string public_key = trust::EncodePublicKey(FixedKeys());
  StatusOr<trust::VerifiedJws> verified = trust::VerifyJws(jws, public_key);
  StatusOr<std::string> kid = trust::JwsKeyId(jws);
  if (!verified.ok()) {
    const StatusCode code = verified.status().code();
    Check(
        code == StatusCode::kInvalidArgument || (!resigned && code == StatusCode::kUnauthenticated),
        "JWS errors are InvalidArgument or, for a bad signature, Unauthenticated",
        verified.status().ToString());
    if (!kid.ok()) {
      Check(kid.status().code() == StatusCode::kInvalidArgument,
            "JwsKeyId errors are InvalidArgument", kid.status().ToString());
    }
    return false;
  }
  Check(kid.ok() && *kid == verified->kid, "a verified JWS has the kid JwsKeyId reads");
  const size_t a = jws.find('.');
  const size_t b = jws.find('.', a + 1);
  StatusOr<std::string> payload = trust::Base64UrlDecode(jws.substr(a + 1, b - a - 1));
  Check(payload.ok() && *payload == verified->payload, "a verified JWS gives its payload");
  return true;
}

void FuzzOne(std::string_view text) {
  Verify(text, false);

  const size_t a = text.find('.');
  const size_t b = a == std::string_view::npos ? a : text.find('.', a + 1);
  if (b != std::string_view::npos && text.find('.', b + 1) == std::string_view::npos) {
    const std::string_view input = text.substr(0, b);
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pk, sk, FixedKeys().seed.data());
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(input.data()),
                         input.size(), sk);
    const std::string resigned =
        std::string(input) + "." +
        trust::Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(sig), sizeof sig));
    Verify(resigned, true);
  }

  // Any bytes signed as a payload verify (with a kid made of their first ones).
  const std::string kid = trust::Base64UrlEncode(text.substr(0, std::min<size_t>(text.size(), 12)));
  const std::string signed_jws = trust::SignJws(text, FixedKeys(), kid);
  Check(Verify(signed_jws, true), "what SignJws makes verifies", signed_jws);
}

}  // namespace
}  // namespace renkei::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  renkei::fuzz::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
