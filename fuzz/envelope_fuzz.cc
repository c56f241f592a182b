// Federation envelopes (src/federation/envelope.h): any bytes as an envelope's
// payload, and as a sealed message.
//
// The input is parsed as a payload (ParseEnvelope); when it parses, it is written
// back (EnvelopeJson), sealed with a fixed key and opened again, which must give the
// same envelope. The input is also opened as a compact JWS against the fixed key,
// and signed as a payload and opened, so that the checks behind the signature are
// reached for any bytes.
//
// Invariants: parse errors are InvalidArgument; open errors InvalidArgument or
// Unauthenticated (never for bytes the fixed key signed); what parses round-trips
// (its body as signed: RFC 8785 orders members and reads numbers as doubles).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "federation/envelope.h"
#include "fuzz/fixed_key.h"
#include "fuzz/fuzz_check.h"
#include "trust/canonical_json.h"
#include "trust/jws.h"
#include "trust/keys.h"

namespace renkei::fuzz {
namespace {

// A body as signed: members in canonical order, numbers as doubles.
std::string Canonical(const nlohmann::ordered_json& body) {
  StatusOr<std::string> text = trust::CanonicalJson(body);
  Check(text.ok(), "a sealed body has a canonical form", text.status().ToString());
  return *text;
}

bool Same(const federation::Envelope& a, const federation::Envelope& b) {
  return a.id == b.id && a.nonce == b.nonce && a.kind == b.kind && a.origin == b.origin &&
         a.sender == b.sender && a.recipient == b.recipient && a.sent_ms == b.sent_ms &&
         a.budget_ms == b.budget_ms && a.hops == b.hops && a.reply_to == b.reply_to &&
         a.status == b.status && Canonical(a.body) == Canonical(b.body);
}

void FuzzOne(std::string_view text) {
  StatusOr<federation::Envelope> parsed = federation::ParseEnvelope(text);
  if (!parsed.ok()) {
    Check(parsed.status().code() == StatusCode::kInvalidArgument,
          "ParseEnvelope errors are InvalidArgument", parsed.status().ToString());
  } else {
    StatusOr<nlohmann::ordered_json> doc = federation::EnvelopeJson(*parsed);
    Check(doc.ok(), "a parsed envelope is written back", doc.status().ToString());
    StatusOr<std::string> sealed = federation::SealEnvelope(*parsed, FixedKeys());
    Check(sealed.ok(), "a parsed envelope is sealed", sealed.status().ToString());
    const trust::KeyRing ring = {{parsed->sender, trust::EncodePublicKey(FixedKeys())}};
    StatusOr<federation::Envelope> opened = federation::OpenEnvelope(*sealed, ring);
    Check(opened.ok(), "a sealed envelope opens", opened.status().ToString());
    Check(Same(*parsed, *opened), "an envelope round-trips through sealing", text);
  }

  const trust::KeyRing any = {{"org:fuzz", trust::EncodePublicKey(FixedKeys())}};
  StatusOr<federation::Envelope> raw = federation::OpenEnvelope(text, any);
  if (!raw.ok()) {
    const StatusCode code = raw.status().code();
    Check(code == StatusCode::kInvalidArgument || code == StatusCode::kUnauthenticated,
          "OpenEnvelope errors are InvalidArgument or Unauthenticated", raw.status().ToString());
  }
  // Signed by the registered key: only the payload's checks can refuse it.
  StatusOr<federation::Envelope> signed_payload =
      federation::OpenEnvelope(trust::SignJws(text, FixedKeys(), "org:fuzz"), any);
  if (!signed_payload.ok()) {
    const StatusCode code = signed_payload.status().code();
    Check(code == StatusCode::kInvalidArgument ||
              (code == StatusCode::kUnauthenticated && parsed.ok() && parsed->sender != "org:fuzz"),
          "a signed payload is refused only for its content", signed_payload.status().ToString());
  }
}

}  // namespace
}  // namespace renkei::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  renkei::fuzz::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
