#include "federation/receiver.h"

namespace renkei::federation {

StatusOr<std::string> Receiver::Handle(std::string_view jws, const std::string& caller,
                                       const std::map<std::string, trust::KeyPair>& own_keys,
                                       Context::Links links) const {
  const auto received = std::chrono::steady_clock::now();
  if (links.public_keys == nullptr) return InternalError("no public keys to check messages with");
  StatusOr<Envelope> question = OpenEnvelope(jws, *links.public_keys);
  if (!question.ok()) {
    if (question.status().code() == StatusCode::kUnauthenticated) {
      return PermissionDeniedError(question.status().message());
    }
    return question.status();
  }
  if (question->is_answer()) {
    return InvalidArgumentError("$.reply_to: an answer was sent where a question is taken");
  }
  if (question->sender != caller) {
    return PermissionDeniedError("$.sender: message from '" + question->sender +
                                 "' sent by a client of '" + caller + "'");
  }
  auto own = own_keys.find(question->recipient);
  if (own == own_keys.end()) {
    return PermissionDeniedError("$.recipient: this node does not answer for '" +
                                 question->recipient + "'");
  }
  RENKEI_RETURN_IF_ERROR(
      replay_.Admit(question->sender, question->nonce, question->sent_ms, NowMillis()));

  Answer answer;
  if (const Handler* handler = registry_.Find(question->kind); handler == nullptr) {
    answer = {AnswerStatus::kRefused,
              {{"reason", "kind '" + question->kind + "' is not answered here"}}};
  } else {
    links.keys = &own->second;
    Context context(*question, registry_, std::move(links), received);
    StatusOr<Answer> handled = (*handler)(context);
    answer = handled.ok()
                 ? std::move(*handled)
                 : Answer{AnswerStatus::kUnknown, {{"reason", handled.status().ToString()}}};
  }
  return SealEnvelope(AnswerTo(*question, answer.status, std::move(answer.body)), own->second);
}

}  // namespace renkei::federation
