// `renkei ask`: one federation question to a partner's node (federation/), its
// outcome printed as JSON.
#ifndef RENKEI_CLI_FEDERATION_COMMANDS_H_
#define RENKEI_CLI_FEDERATION_COMMANDS_H_

#include "cli/command_line.h"

namespace renkei::cli {

void AddFederationCommands(CommandLine& command_line);

}  // namespace renkei::cli

#endif  // RENKEI_CLI_FEDERATION_COMMANDS_H_
