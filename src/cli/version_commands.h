// Versions of the store (DESIGN.md, "Versions"): `renkei delete`, `renkei
// history` and `renkei diff`. Imports that upsert or replace are `renkei
// import --mode` (bundle_commands.h); analyses read old versions with --as-of.
#ifndef RENKEI_CLI_VERSION_COMMANDS_H_
#define RENKEI_CLI_VERSION_COMMANDS_H_

#include "cli/command_line.h"

namespace renkei::cli {

void AddVersionCommands(CommandLine& command_line);

}  // namespace renkei::cli

#endif  // RENKEI_CLI_VERSION_COMMANDS_H_
