// RFC 8785 canonical JSON (src/trust/canonical_json.h) on any bytes as JSON text, and
// the signed documents built on it (src/trust/document_signature.h).
//
// Invariants: errors are InvalidArgument; the canonical form of a canonical form is
// itself; it holds no insignificant whitespace (it is as long as its compact dump would
// be at most); every number in it is written as ECMAScript writes its double value. A
// document's signature check gives OK or Unauthenticated, never anything else; every
// object that can be signed verifies once signed, naming its signer.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "trust/canonical_json.h"
#include "trust/document_signature.h"

namespace renkei::fuzz {
namespace {

using Json = nlohmann::ordered_json;

// Every number of `v` (a parsed canonical form) is as EcmaScriptNumber writes it: RFC
// 8785 reads and writes all numbers as IEEE 754 doubles, integers too.
void CheckNumbers(const Json& v, const std::string& canonical) {
  switch (v.type()) {
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: {
      const double d = v.get<double>();
      Check(std::isfinite(d), "canonical numbers are finite", canonical);
      const std::string expected = trust::EcmaScriptNumber(d);
      StatusOr<std::string> alone = trust::CanonicalJson(v);
      Check(alone.ok() && *alone == expected, "numbers are written as ECMAScript writes doubles",
            (alone.ok() ? *alone : alone.status().ToString()) + " != " + expected);
      return;
    }
    case Json::value_t::array:
    case Json::value_t::object:
      for (const Json& e : v) CheckNumbers(e, canonical);
      return;
    default:
      return;
  }
}

const trust::KeyPair& Keys() {
  static const trust::KeyPair keys = [] {
    StatusOr<trust::KeyPair> k =
        trust::KeyPairFromSeed("KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio");
    Check(k.ok(), "the fixed seed is valid", k.status().ToString());
    return *k;
  }();
  return keys;
}

void CheckSignature(const Json& doc) {
  static const trust::KeyRing ring = {{"org:fuzz", trust::EncodePublicKey(Keys())}};
  StatusOr<trust::DocumentSignature> as_is = trust::VerifyDocument(doc, ring);
  Check(as_is.ok() || as_is.status().code() == StatusCode::kUnauthenticated,
        "a document's signature check is OK or Unauthenticated", as_is.status().ToString());
  StatusOr<Json> signed_doc = trust::SignDocument(doc, Keys(), "org:fuzz");
  if (!signed_doc.ok()) {
    Check(
        signed_doc.status().code() == StatusCode::kInvalidArgument &&
            (!doc.is_object() || (doc.contains("extensions") && !doc.at("extensions").is_array())),
        "only a non-object or one with non-array extensions cannot be signed",
        signed_doc.status().ToString());
    return;
  }
  StatusOr<trust::DocumentSignature> verified = trust::VerifyDocument(*signed_doc, ring);
  Check(verified.ok() && verified->is_signed && verified->signer == "org:fuzz",
        "a signed document verifies and names its signer",
        verified.ok() ? signed_doc->dump() : verified.status().ToString());
}

void FuzzOne(std::string_view text) {
  StatusOr<std::string> canonical = trust::CanonicalizeJsonText(text);
  if (!canonical.ok()) {
    Check(canonical.status().code() == StatusCode::kInvalidArgument,
          "canonical JSON errors are InvalidArgument", canonical.status().ToString());
    return;
  }
  StatusOr<std::string> again = trust::CanonicalizeJsonText(*canonical);
  Check(again.ok(), "a canonical form is JSON", again.status().ToString() + "\n" + *canonical);
  Check(*again == *canonical, "the canonical form of a canonical form is itself",
        *canonical + "\n" + *again);
  const Json parsed = Json::parse(*canonical);
  CheckNumbers(parsed, *canonical);
  CheckSignature(parsed);
}

}  // namespace
}  // namespace renkei::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  renkei::fuzz::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
