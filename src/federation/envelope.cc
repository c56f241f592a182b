#include "federation/envelope.h"

#include <chrono>
#include <set>

#include "base/json.h"
#include "trust/canonical_json.h"
#include "trust/jws.h"

namespace renkei::federation {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kStatusNames[] = {"answered", "refused", "unknown", "in_progress"};

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

Status CheckToken(std::string_view field, const std::string& value, size_t max_size) {
  bool ok = !value.empty() && value.size() <= max_size;
  for (char c : value) ok = ok && IsIdChar(c);
  if (ok) return Status::Ok();
  return InvalidArgumentError("$." + std::string(field) + ": expected 1 to " +
                              std::to_string(max_size) +
                              " of the characters A-Z a-z 0-9 . _ : -, got '" + value + "'");
}

Status CheckNonce(std::string_view field, const std::string& value) {
  bool ok = value.size() >= 16 && value.size() <= 64;
  for (char c : value) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (ok) return Status::Ok();
  return InvalidArgumentError("$." + std::string(field) +
                              ": expected 16 to 64 lowercase hex digits, got '" + value + "'");
}

// An organization id: any text of 1 to 256 bytes without control characters.
Status CheckOrganization(std::string_view field, const std::string& value) {
  bool ok = !value.empty() && value.size() <= 256;
  for (unsigned char c : value) ok = ok && c >= 0x20 && c != 0x7f;
  if (ok) return Status::Ok();
  return InvalidArgumentError("$." + std::string(field) +
                              ": expected an organization id of 1 to 256 characters");
}

Status CheckRange(std::string_view field, int64_t value, int64_t low, int64_t high) {
  if (value >= low && value <= high) return Status::Ok();
  return InvalidArgumentError("$." + std::string(field) + ": expected an integer from " +
                              std::to_string(low) + " to " + std::to_string(high) + ", got " +
                              std::to_string(value));
}

StatusOr<std::string> StringField(const Json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end()) return InvalidArgumentError(std::string("$.") + name + ": missing");
  if (!it->is_string())
    return InvalidArgumentError(std::string("$.") + name + ": expected a string");
  return it->get<std::string>();
}

StatusOr<int64_t> IntegerField(const Json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end()) return InvalidArgumentError(std::string("$.") + name + ": missing");
  if (it->is_number_unsigned() && it->get<uint64_t>() <= uint64_t{INT64_MAX}) {
    return static_cast<int64_t>(it->get<uint64_t>());
  }
  if (it->is_number_integer()) return it->get<int64_t>();
  return InvalidArgumentError(std::string("$.") + name + ": expected an integer");
}

}  // namespace

const char* AnswerStatusName(AnswerStatus status) { return kStatusNames[static_cast<int>(status)]; }

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Envelope NewQuestion(std::string kind, std::string sender, std::string recipient, int64_t budget_ms,
                     int hops, Json body) {
  Envelope e;
  e.id = trust::RandomHex(16);
  e.nonce = trust::RandomHex(16);
  e.kind = std::move(kind);
  e.origin = sender;
  e.sender = std::move(sender);
  e.recipient = std::move(recipient);
  e.sent_ms = NowMillis();
  e.budget_ms = budget_ms;
  e.hops = hops;
  e.body = std::move(body);
  return e;
}

Envelope AnswerTo(const Envelope& question, AnswerStatus status, Json body) {
  Envelope e;
  e.id = question.id;
  e.nonce = trust::RandomHex(16);
  e.kind = question.kind;
  e.origin = question.origin;
  e.sender = question.recipient;
  e.recipient = question.sender;
  e.sent_ms = NowMillis();
  e.budget_ms = question.budget_ms;
  e.hops = question.hops;
  e.reply_to = question.nonce;
  e.status = status;
  e.body = std::move(body);
  return e;
}

Status CheckEnvelope(const Envelope& e) {
  RENKEI_RETURN_IF_ERROR(CheckToken("id", e.id, 128));
  RENKEI_RETURN_IF_ERROR(CheckNonce("nonce", e.nonce));
  RENKEI_RETURN_IF_ERROR(CheckToken("kind", e.kind, 64));
  RENKEI_RETURN_IF_ERROR(CheckOrganization("origin", e.origin));
  RENKEI_RETURN_IF_ERROR(CheckOrganization("sender", e.sender));
  RENKEI_RETURN_IF_ERROR(CheckOrganization("recipient", e.recipient));
  RENKEI_RETURN_IF_ERROR(CheckRange("sent_ms", e.sent_ms, 0, int64_t{1} << 50));
  RENKEI_RETURN_IF_ERROR(CheckRange("budget_ms", e.budget_ms, 1, kMaxBudgetMs));
  RENKEI_RETURN_IF_ERROR(CheckRange("hops", e.hops, 0, kMaxHops));
  if (e.is_answer()) RENKEI_RETURN_IF_ERROR(CheckNonce("reply_to", e.reply_to));
  if (!e.body.is_object()) return InvalidArgumentError("$.body: expected an object");
  return Status::Ok();
}

StatusOr<Json> EnvelopeJson(const Envelope& e) {
  RENKEI_RETURN_IF_ERROR(CheckEnvelope(e));
  Json doc = {{"v", kEnvelopeVersion},    {"id", e.id},
              {"nonce", e.nonce},         {"kind", e.kind},
              {"origin", e.origin},       {"sender", e.sender},
              {"recipient", e.recipient}, {"sent_ms", e.sent_ms},
              {"budget_ms", e.budget_ms}, {"hops", e.hops}};
  if (e.is_answer()) {
    doc["reply_to"] = e.reply_to;
    doc["status"] = AnswerStatusName(e.status);
  }
  doc["body"] = e.body;
  return doc;
}

StatusOr<Envelope> ParseEnvelope(std::string_view payload) {
  RENKEI_ASSIGN_OR_RETURN(Json doc, ParseJson<Json>(payload, "envelope"));
  if (!doc.is_object()) return InvalidArgumentError("$: expected an object");
  static const std::set<std::string> known = {
      "v",       "id",        "nonce", "kind",     "origin", "sender", "recipient",
      "sent_ms", "budget_ms", "hops",  "reply_to", "status", "body"};
  for (const auto& [name, value] : doc.items()) {
    if (!known.count(name)) return InvalidArgumentError("$." + name + ": unknown field");
  }
  RENKEI_ASSIGN_OR_RETURN(int64_t version, IntegerField(doc, "v"));
  if (version != kEnvelopeVersion) {
    return InvalidArgumentError("$.v: envelope version " + std::to_string(version) +
                                " is not understood; expected " + std::to_string(kEnvelopeVersion));
  }
  Envelope e;
  RENKEI_ASSIGN_OR_RETURN(e.id, StringField(doc, "id"));
  RENKEI_ASSIGN_OR_RETURN(e.nonce, StringField(doc, "nonce"));
  RENKEI_ASSIGN_OR_RETURN(e.kind, StringField(doc, "kind"));
  RENKEI_ASSIGN_OR_RETURN(e.origin, StringField(doc, "origin"));
  RENKEI_ASSIGN_OR_RETURN(e.sender, StringField(doc, "sender"));
  RENKEI_ASSIGN_OR_RETURN(e.recipient, StringField(doc, "recipient"));
  RENKEI_ASSIGN_OR_RETURN(e.sent_ms, IntegerField(doc, "sent_ms"));
  RENKEI_ASSIGN_OR_RETURN(e.budget_ms, IntegerField(doc, "budget_ms"));
  RENKEI_ASSIGN_OR_RETURN(int64_t hops, IntegerField(doc, "hops"));
  RENKEI_RETURN_IF_ERROR(CheckRange("hops", hops, 0, kMaxHops));
  e.hops = static_cast<int>(hops);
  const bool has_reply = doc.contains("reply_to"), has_status = doc.contains("status");
  if (has_reply != has_status) {
    return InvalidArgumentError(
        has_reply ? "$.status: missing (an answer carries reply_to and status)"
                  : "$.reply_to: missing (an answer carries reply_to and status)");
  }
  if (has_reply) {
    RENKEI_ASSIGN_OR_RETURN(e.reply_to, StringField(doc, "reply_to"));
    RENKEI_ASSIGN_OR_RETURN(std::string status, StringField(doc, "status"));
    bool found = false;
    for (int i = 0; i < 4; ++i) {
      if (status == kStatusNames[i]) {
        e.status = static_cast<AnswerStatus>(i);
        found = true;
      }
    }
    if (!found) {
      return InvalidArgumentError(
          "$.status: expected answered, refused, unknown or in_progress, got '" + status + "'");
    }
    RENKEI_RETURN_IF_ERROR(CheckNonce("reply_to", e.reply_to));
  }
  auto body = doc.find("body");
  if (body == doc.end()) return InvalidArgumentError("$.body: missing");
  e.body = std::move(*body);
  RENKEI_RETURN_IF_ERROR(CheckEnvelope(e));
  return e;
}

StatusOr<std::string> SealEnvelope(const Envelope& envelope, const trust::KeyPair& keys) {
  RENKEI_ASSIGN_OR_RETURN(Json doc, EnvelopeJson(envelope));
  RENKEI_ASSIGN_OR_RETURN(std::string payload, trust::CanonicalJson(doc));
  return trust::SignJws(payload, keys, envelope.sender);
}

StatusOr<Envelope> OpenEnvelope(std::string_view jws, const trust::KeyRing& keys) {
  RENKEI_ASSIGN_OR_RETURN(std::string signer, trust::JwsKeyId(jws));
  auto key = keys.find(signer);
  if (key == keys.end()) {
    return UnauthenticatedError("signer '" + signer + "' has no registered public key");
  }
  RENKEI_ASSIGN_OR_RETURN(trust::VerifiedJws verified, trust::VerifyJws(jws, key->second));
  RENKEI_ASSIGN_OR_RETURN(Envelope e, ParseEnvelope(verified.payload));
  if (e.sender != signer) {
    return UnauthenticatedError("message signed by '" + signer + "' names sender '" + e.sender +
                                "'");
  }
  return e;
}

}  // namespace renkei::federation
