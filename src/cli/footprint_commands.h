// The carbon footprint and recycled content commands: `renkei footprint`,
// `renkei footprint export`, `renkei circularity`, `renkei passport`.
#ifndef RENKEI_CLI_FOOTPRINT_COMMANDS_H_
#define RENKEI_CLI_FOOTPRINT_COMMANDS_H_

#include "cli/command_line.h"

namespace renkei::cli {

void AddFootprintCommands(CommandLine& command_line);

}  // namespace renkei::cli

#endif  // RENKEI_CLI_FOOTPRINT_COMMANDS_H_
