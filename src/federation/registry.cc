#include "federation/registry.h"

#include <algorithm>

namespace renkei::federation {
namespace {

// The part of the time left kept for answering back: a tenth, at least 20 ms.
int64_t Reserve(int64_t remaining_ms) { return std::max<int64_t>(remaining_ms / 10, 20); }

}  // namespace

Context::Context(const Envelope& question, const Registry& registry, Links links,
                 std::chrono::steady_clock::time_point received)
    : question_(question),
      registry_(registry),
      links_(std::move(links)),
      deadline_(received + std::chrono::milliseconds(question.budget_ms)) {}

int64_t Context::remaining_ms() const {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline_ - std::chrono::steady_clock::now());
  return std::max<int64_t>(left.count(), 0);
}

Outcome Context::Ask(const std::string& organization, const std::string& kind,
                     nlohmann::ordered_json body) {
  Outcome out;
  out.state = Outcome::State::kUnknown;
  if (question_.hops <= 0) {
    out.detail = "the hop budget is spent";
    return out;
  }
  const int64_t left = remaining_ms();
  const int64_t budget = left - Reserve(left);
  if (budget <= 0) {
    out.detail = "no time is left in the budget";
    return out;
  }
  if (links_.client == nullptr || !links_.partner || links_.keys == nullptr ||
      links_.public_keys == nullptr) {
    out.detail = "this node asks no partners";
    return out;
  }
  StatusOr<store::Partner> partner = links_.partner(organization);
  if (!partner.ok()) {
    out.detail = "no partner endpoint for '" + organization + "'";
    return out;
  }
  // Asked by this node's organization, on behalf of the same question and origin.
  Envelope next = NewQuestion(kind, question_.recipient, organization,
                              std::min(budget, kMaxBudgetMs), question_.hops - 1, std::move(body));
  next.id = question_.id;
  next.origin = question_.origin;
  return links_.client->Ask(*partner, next, *links_.keys, *links_.public_keys);
}

Status Registry::Add(const std::string& kind, Handler handler) {
  Envelope probe = NewQuestion(kind, "a", "b", 1, 0, nlohmann::ordered_json::object());
  if (Status s = CheckEnvelope(probe); !s.ok()) {
    return InvalidArgumentError("kind '" + kind + "': " + s.message());
  }
  if (!handlers_.emplace(kind, std::move(handler)).second) {
    return AlreadyExistsError("kind '" + kind + "' already has a handler");
  }
  return Status::Ok();
}

const Handler* Registry::Find(const std::string& kind) const {
  auto it = handlers_.find(kind);
  return it == handlers_.end() ? nullptr : &it->second;
}

std::vector<std::string> Registry::Kinds() const {
  std::vector<std::string> out;
  for (const auto& [kind, handler] : handlers_) out.push_back(kind);
  return out;
}

}  // namespace renkei::federation
