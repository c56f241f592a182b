#include "cli/command_line.h"

#include <cstdio>
#include <cstdlib>

namespace renkei::cli {

std::string DefaultActor() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr && *user != '\0' ? user : "local");
}

int ReportError(const Status& status) {
  std::fprintf(stderr, "renkei: error: %s\n", status.message().c_str());
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInternal:
    case StatusCode::kDataLoss:
    case StatusCode::kUnavailable:
      return kExitInternal;
    default:
      return kExitBadInput;
  }
}

CommandLine::CommandLine()
    : app_(
          "Renkei: a node of the supply-chain data linkage platform.\n"
          "Keeps a company's supply network in a local store, analyses it, and shares\n"
          "signed data with chosen partners.",
          "renkei") {
  app_.require_subcommand(1);
  app_.set_help_all_flag("--help-all", "Show help for every command");
}

CLI::App* CommandLine::Add(CLI::App& parent, const std::string& name,
                           const std::string& description, std::function<int()> run) {
  CLI::App* sub = parent.add_subcommand(name, description);
  sub->callback([this, run = std::move(run)] { chosen_ = run; });
  return sub;
}

int CommandLine::Run(int argc, char** argv) {
  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app_.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  if (!chosen_) {
    std::fprintf(stderr, "renkei: error: no command given; see renkei --help\n");
    return kExitBadInput;
  }
  try {
    return chosen_();
  } catch (const std::exception& e) {
    return ReportError(InternalError(std::string("unexpected failure: ") + e.what()));
  }
}

}  // namespace renkei::cli
