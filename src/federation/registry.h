// The kinds of question a node answers, and what a kind's handler is given.
//
// A kind is a name ("hello", later "incident", "tiers", ...) and a handler that
// turns a verified question (federation/envelope.h) into an answer. Handlers may ask
// further partners through their Context, within the question's time and hop
// budgets. federation/kinds.h adds the kinds every node answers; later capabilities
// add theirs to the same registry.
#ifndef RENKEI_FEDERATION_REGISTRY_H_
#define RENKEI_FEDERATION_REGISTRY_H_

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "federation/client.h"
#include "federation/envelope.h"

namespace renkei::federation {

// What a handler answers: the status and body of the signed answer.
struct Answer {
  AnswerStatus status = AnswerStatus::kAnswered;
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
};

class Registry;

// A question being answered, as its handler sees it.
class Context {
 public:
  // The partner records, sealing keys and public keys a handler's own questions
  // use; `partner` NotFound when none is configured for an organization.
  struct Links {
    Client* client = nullptr;
    std::function<StatusOr<store::Partner>(const std::string& organization)> partner;
    const trust::KeyPair* keys = nullptr;  // of the question's recipient
    const trust::KeyRing* public_keys = nullptr;
  };

  // `received` is when the question arrived (this node's steady clock).
  Context(const Envelope& question, const Registry& registry, Links links,
          std::chrono::steady_clock::time_point received);

  const Envelope& question() const { return question_; }
  const Registry& registry() const { return registry_; }
  // Milliseconds left until the answer is due (0 when it is late).
  int64_t remaining_ms() const;

  // Asks `organization` a question of `kind` on this one's behalf: the same id and
  // origin, sent by this node's organization, one hop fewer, and the time left less
  // a reserve for answering. Unknown outcome, without sending, when no hop or no
  // time is left or no partner endpoint is configured for `organization`.
  Outcome Ask(const std::string& organization, const std::string& kind,
              nlohmann::ordered_json body);

 private:
  const Envelope& question_;
  const Registry& registry_;
  Links links_;
  std::chrono::steady_clock::time_point deadline_;
};

// A kind's handler. An error Status becomes an `unknown` answer naming it.
using Handler = std::function<StatusOr<Answer>(Context& context)>;

class Registry {
 public:
  // AlreadyExists when `kind` has a handler; InvalidArgument for a name an envelope
  // cannot carry.
  Status Add(const std::string& kind, Handler handler);
  // Null for a kind without a handler.
  const Handler* Find(const std::string& kind) const;
  std::vector<std::string> Kinds() const;  // sorted

 private:
  std::map<std::string, Handler> handlers_;
};

}  // namespace renkei::federation

#endif  // RENKEI_FEDERATION_REGISTRY_H_
