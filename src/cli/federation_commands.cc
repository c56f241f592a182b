#include "cli/federation_commands.h"

#include <cstdio>
#include <memory>
#include <string>

#include "base/json.h"
#include "federation/client.h"
#include "federation/kinds.h"
#include "store/node_records.h"
#include "store/store.h"

namespace renkei::cli {
namespace {

using Json = nlohmann::ordered_json;

struct Options {
  std::string db;
  std::string partner;
  std::string kind = federation::kHelloKind;
  std::string as;
  std::string body = "{}";
  std::string secrets_key;
  int64_t budget_ms = 5000;
  int hops = 0;
};

// The organization this node asks as: `as`, or the only one it holds a key of.
StatusOr<std::string> Asker(const std::map<std::string, trust::KeyPair>& keys,
                            const std::string& as) {
  if (!as.empty()) {
    if (!keys.count(as)) {
      return NotFoundError("--as: this node holds no key of '" + as +
                           "' (make one with `renkei keys init DB " + as + "`)");
    }
    return as;
  }
  if (keys.size() == 1) return keys.begin()->first;
  if (keys.empty()) {
    return FailedPreconditionError(
        "this node holds no organization key to sign with; make one with `renkei keys init DB "
        "ORG`");
  }
  std::string names;
  for (const auto& [org, key] : keys) names += (names.empty() ? "" : ", ") + org;
  return InvalidArgumentError("--as: the node holds keys of " + names + "; name the one to ask as");
}

int RunAsk(const Options& o) {
  StatusOr<Json> body = ParseJson<Json>(o.body, "--body");
  if (!body.ok()) return ReportError(body.status());
  auto store = store::Store::Open(o.db);
  if (!store.ok()) return ReportError(store.status());
  if (!o.secrets_key.empty()) (*store)->set_secrets_key(o.secrets_key);
  auto model = (*store)->LoadModel();
  if (!model.ok()) return ReportError(model.status());
  auto partner = store::GetPartner(**store, o.partner);
  if (!partner.ok()) return ReportError(partner.status());
  auto own = store::OrganizationKeys(**store);
  if (!own.ok()) return ReportError(own.status());
  auto asker = Asker(*own, o.as);
  if (!asker.ok()) return ReportError(asker.status());
  auto keys = store::RegisteredPublicKeys(**store, *model);
  if (!keys.ok()) return ReportError(keys.status());

  federation::Envelope question =
      federation::NewQuestion(o.kind, *asker, o.partner, o.budget_ms, o.hops, std::move(*body));
  if (Status s = federation::CheckEnvelope(question); !s.ok()) {
    return ReportError(InvalidArgumentError("the question: " + s.message()));
  }
  federation::Client client;
  const int64_t sent = federation::NowMillis();
  federation::Outcome outcome = client.Ask(*partner, question, own->at(*asker), *keys);
  Json out = {{"partner", o.partner},
              {"as", *asker},
              {"kind", o.kind},
              {"id", question.id},
              {"outcome", federation::OutcomeName(outcome.state)},
              {"elapsed_ms", outcome.elapsed_ms},
              {"bytes_sent", outcome.bytes_sent},
              {"bytes_received", outcome.bytes_received}};
  if (outcome.state != federation::Outcome::State::kAnswered) {
    out["detail"] = outcome.detail;
  } else {
    const federation::Envelope& a = outcome.answer;
    out["answer"] = {
        {"status", federation::AnswerStatusName(a.status)}, {"sender", a.sender}, {"body", a.body}};
    // The partner's clock against ours, taking its answer as made halfway through.
    if (o.kind == federation::kHelloKind && a.body.contains("time_ms") &&
        a.body["time_ms"].is_number_integer()) {
      out["clock_offset_ms"] = a.body["time_ms"].get<int64_t>() - (sent + outcome.elapsed_ms / 2);
    }
  }
  std::printf("%s\n", out.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
  const bool answered = outcome.state == federation::Outcome::State::kAnswered &&
                        outcome.answer.status == federation::AnswerStatus::kAnswered;
  return answered ? kExitOk : kExitNoAnswer;
}

}  // namespace

void AddFederationCommands(CommandLine& command_line) {
  auto o = std::make_shared<Options>();
  CLI::App* ask = command_line.Add(
      command_line.app(), "ask",
      "Ask a partner's node one federation question (default: hello, which checks the link "
      "end to end) and print the outcome",
      [o] { return RunAsk(*o); });
  ask->add_option("db", o->db, "store file or postgresql:// URL")->required();
  ask->add_option("partner", o->partner, "partner organization id (see `renkei partner`)")
      ->required();
  ask->add_option("--kind", o->kind, "kind of question (default hello)");
  ask->add_option("--as", o->as,
                  "the organization to ask as (default: the only one this node holds a key of)");
  ask->add_option("--body", o->body, "the question's body, a JSON object (default {})");
  ask->add_option("--budget-ms", o->budget_ms, "time to wait for the answer (default 5000)");
  ask->add_option("--hops", o->hops, "forwards allowed beyond the partner (default 0)");
  ask->add_option("--secrets-key", o->secrets_key,
                  "the file of the key secrets are sealed with (default: DB.secrets.key beside a "
                  "store file; required for a URL)");
}

}  // namespace renkei::cli
