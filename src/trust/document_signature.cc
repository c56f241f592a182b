#include "trust/document_signature.h"

#include <utility>
#include <vector>

#include "trust/canonical_json.h"
#include "trust/jws.h"

namespace renkei::trust {
namespace {

using Json = nlohmann::ordered_json;

bool IsSignature(const Json& extension) {
  if (!extension.is_object()) return false;
  auto schema = extension.find("dataSchema");
  return schema != extension.end() && schema->is_string() &&
         schema->get_ref<const std::string&>() == kSignatureSchema;
}

// A signature extension found in a document: its place and its JWS (empty when
// the extension carries none that is a string).
struct Found {
  size_t index = 0;
  std::string jws;
};

std::vector<Found> FindSignatures(const Json& doc) {
  std::vector<Found> found;
  if (!doc.is_object()) return found;
  auto ext = doc.find("extensions");
  if (ext == doc.end() || !ext->is_array()) return found;
  for (size_t i = 0; i < ext->size(); ++i) {
    const Json& e = (*ext)[i];
    if (!IsSignature(e)) continue;
    Found f{i, ""};
    auto data = e.find("data");
    if (data != e.end() && data->is_object()) {
      auto jws = data->find("jws");
      if (jws != data->end() && jws->is_string()) f.jws = jws->get<std::string>();
    }
    found.push_back(std::move(f));
  }
  return found;
}

}  // namespace

StatusOr<std::string> SignedContent(Json doc) {
  if (doc.is_object()) {
    auto ext = doc.find("extensions");
    if (ext != doc.end() && ext->is_array()) {
      Json kept = Json::array();
      for (Json& e : *ext) {
        if (!IsSignature(e)) kept.push_back(std::move(e));
      }
      if (kept.empty()) {
        doc.erase("extensions");
      } else {
        *ext = std::move(kept);
      }
    }
  }
  return CanonicalJson(doc);
}

StatusOr<Json> SignDocument(Json doc, const KeyPair& keys, const std::string& kid) {
  if (!doc.is_object()) return InvalidArgumentError("only a JSON object can be signed");
  RENKEI_ASSIGN_OR_RETURN(std::string content, SignedContent(doc));
  // The document keeps its own key order (ordered_json); only the signature changes.
  auto ext = doc.find("extensions");
  if (ext == doc.end()) {
    doc["extensions"] = Json::array();
  } else if (!ext->is_array()) {
    return InvalidArgumentError("$.extensions: expected an array");
  } else {
    Json kept = Json::array();
    for (Json& e : *ext) {
      if (!IsSignature(e)) kept.push_back(std::move(e));
    }
    *ext = std::move(kept);
  }
  doc["extensions"].push_back({{"specVersion", "2.0.0"},
                               {"dataSchema", kSignatureSchema},
                               {"data", {{"jws", SignJws(content, keys, kid)}}}});
  return doc;
}

StatusOr<DocumentSignature> VerifyDocument(const Json& doc, const KeyRing& keys) {
  const std::vector<Found> found = FindSignatures(doc);
  if (found.empty()) return DocumentSignature{};
  const std::string place = "$.extensions[" + std::to_string(found[0].index) + "].data.jws";
  if (found.size() > 1) {
    return UnauthenticatedError("$.extensions[" + std::to_string(found[1].index) +
                                "]: a second signature; a document carries one");
  }
  if (found[0].jws.empty()) return UnauthenticatedError(place + ": expected a JWS string");
  auto kid = JwsKeyId(found[0].jws);
  if (!kid.ok()) return UnauthenticatedError(place + ": " + kid.status().message());
  auto key = keys.find(*kid);
  if (key == keys.end()) {
    return UnauthenticatedError(place + ": signer '" + *kid + "' has no registered public key");
  }
  auto verified = VerifyJws(found[0].jws, key->second);
  if (!verified.ok()) return UnauthenticatedError(place + ": " + verified.status().message());
  RENKEI_ASSIGN_OR_RETURN(std::string content, SignedContent(doc));
  if (verified->payload != content) {
    return UnauthenticatedError(place + ": signature of '" + *kid +
                                "' does not cover this document");
  }
  return DocumentSignature{true, *kid};
}

StatusOr<bool> CheckReceivedDocument(const Json& doc, const KeyRing& keys, bool accept_unsigned,
                                     const std::string& sender) {
  RENKEI_ASSIGN_OR_RETURN(DocumentSignature signature, VerifyDocument(doc, keys));
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

std::string DocumentSigner(const Json& doc) {
  const std::vector<Found> found = FindSignatures(doc);
  if (found.empty()) return "";
  auto kid = JwsKeyId(found[0].jws);
  return kid.ok() ? *kid : "";
}

}  // namespace renkei::trust
