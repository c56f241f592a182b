// Commands over bundles and the store: init, import, export, validate, stats,
// generate, audit verify.
#ifndef RENKEI_CLI_BUNDLE_COMMANDS_H_
#define RENKEI_CLI_BUNDLE_COMMANDS_H_

#include "cli/command_line.h"

namespace renkei::cli {

void AddBundleCommands(CommandLine& command_line);

}  // namespace renkei::cli

#endif  // RENKEI_CLI_BUNDLE_COMMANDS_H_
