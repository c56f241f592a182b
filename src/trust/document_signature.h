// Signed JSON documents: how Renkei signs the PACT footprints it serves and checks
// those it receives, wherever they come from (a partner's event, a bundle's
// footprints/ folder).
//
// The signature is a JWS (trust/jws.h) over the RFC 8785 canonical JSON of the
// document without its signature, carried in the document as a PACT extension:
//   {"specVersion": "2.0.0", "dataSchema": kSignatureSchema, "data": {"jws": "..."}}
// The JWS's kid names the signer: the id of the organization whose key signed.
// Any change to the document after signing (a value, an added extension) makes
// the signature no longer cover it.
#ifndef RENKEI_TRUST_DOCUMENT_SIGNATURE_H_
#define RENKEI_TRUST_DOCUMENT_SIGNATURE_H_

#include <nlohmann/json.hpp>

#include <map>
#include <string>

#include "base/status.h"
#include "trust/keys.h"

namespace renkei::trust {

inline constexpr char kSignatureSchema[] =
    "https://renkei.dev/schemas/signature/1.0.0/data-model.json";

// The canonical JSON that a signature of `doc` covers: `doc` without its signature
// extensions (and without "extensions" when nothing else is left in it).
StatusOr<std::string> SignedContent(nlohmann::ordered_json doc);

// `doc` with its signature by `keys` for signer `kid` added (any earlier signature
// replaced). InvalidArgument when `doc` is not an object or its "extensions" is not
// an array.
StatusOr<nlohmann::ordered_json> SignDocument(nlohmann::ordered_json doc, const KeyPair& keys,
                                              const std::string& kid);

// Public keys (base64url) by signer id.
using KeyRing = std::map<std::string, std::string>;

// What a document's signature says.
struct DocumentSignature {
  bool is_signed = false;  // false: the document carries no signature
  std::string signer;      // the kid of a signed document
};

// Checks the signature `doc` carries against `keys`. A document without a
// signature is not an error here (the caller's policy decides: is_signed false).
// Unauthenticated, its place given as a JSON path, when a signature is there but
// its signer has no key in `keys` ("$.extensions[1].data.jws: signer 'org:x' has
// no registered public key"), it does not verify, or it does not cover the document
// as it is ("... signature of 'org:x' does not cover this document"); a document
// with two signatures is refused too.
StatusOr<DocumentSignature> VerifyDocument(const nlohmann::ordered_json& doc, const KeyRing& keys);

// Checks a received document as both ways in (a partner's events, a bundle's
// footprints/ folder) do: its signature against `keys` (VerifyDocument); without
// one, `accept_unsigned` (the store's policy) decides — and a document a partner sends
// (`sender`, empty for a file) must be signed when that partner has a key in `keys`,
// so that a signature stripped on the way is noticed. (A signer other than the
// sender is fine: a partner may pass on its suppliers' signed footprints.)
// OK(true) when its signature verified, OK(false) when it is taken unsigned;
// Unauthenticated otherwise.
StatusOr<bool> CheckReceivedDocument(const nlohmann::ordered_json& doc, const KeyRing& keys,
                                     bool accept_unsigned, const std::string& sender = "");

// The signer named by the signature `doc` carries, without verifying anything;
// empty when it carries none or it is malformed.
std::string DocumentSigner(const nlohmann::ordered_json& doc);

}  // namespace renkei::trust

#endif  // RENKEI_TRUST_DOCUMENT_SIGNATURE_H_
