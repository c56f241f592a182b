// The `renkei` command line: subcommands register here and run after parsing.
#ifndef RENKEI_CLI_COMMAND_LINE_H_
#define RENKEI_CLI_COMMAND_LINE_H_

#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>
#include <string>

#include "base/status.h"

namespace renkei::cli {

// Exit codes of every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;  // bad input or usage
inline constexpr int kExitInternal = 2;  // internal failure
inline constexpr int kExitNoAnswer = 3;  // a partner's node did not answer (`renkei ask`)

// The help of every --as-of option.
inline constexpr const char* kAsOfHelp =
    "Read the store as of a version (a change number, see 'renkei history') or a time (RFC "
    "3339, or a date meaning its end in UTC)";

// Prints "renkei: error: <message>" on standard error and returns the exit code
// for `status`: 1 for errors in the caller's input, 2 for internal failures.
int ReportError(const Status& status);

// Who a command run from this shell acts as in the audit log, unless --actor
// says: "cli:$USER" ("cli:local" without one).
std::string DefaultActor();

// Prints a JSON document (nlohmann::json or ordered_json) indented, then a newline.
template <typename Json>
void PrintJson(const Json& document) {
  std::printf("%s\n", document.dump(2).c_str());
}

class CommandLine {
 public:
  CommandLine();

  CLI::App& app() { return app_; }

  // Adds subcommand `name` under `parent`; `run` is called after a successful
  // parse when this subcommand was chosen and returns the exit code (use
  // ReportError for failures).
  CLI::App* Add(CLI::App& parent, const std::string& name, const std::string& description,
                std::function<int()> run);

  // Parses and runs; returns the process exit code.
  int Run(int argc, char** argv);

 private:
  CLI::App app_;
  std::function<int()> chosen_;
};

}  // namespace renkei::cli

#endif  // RENKEI_CLI_COMMAND_LINE_H_
