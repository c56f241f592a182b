// `renkei serve`, `client`, `grant`, `revoke`, `keys` and `partner`: the node's API
// and who may use it.
#ifndef RENKEI_CLI_SERVER_COMMANDS_H_
#define RENKEI_CLI_SERVER_COMMANDS_H_

#include "cli/command_line.h"

namespace renkei::cli {

void AddServerCommands(CommandLine& command_line);

}  // namespace renkei::cli

#endif  // RENKEI_CLI_SERVER_COMMANDS_H_
