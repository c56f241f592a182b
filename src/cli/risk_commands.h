// `renkei risk ...`: tiers, concentration, single points of failure, time to
// survive and disruption events over the network in a store (DESIGN.md,
// "Analyses").
#ifndef RENKEI_CLI_RISK_COMMANDS_H_
#define RENKEI_CLI_RISK_COMMANDS_H_

#include "cli/command_line.h"

namespace renkei::cli {

// Registers `renkei risk tiers|concentration|spof|tts|event`. Each opens the
// store, builds the network snapshot, prints a table (or JSON with --json) and
// exits 1 on bad input (unknown node, bad event, no demand), 2 on internal
// failures.
void AddRiskCommands(CommandLine& command_line);

}  // namespace renkei::cli

#endif  // RENKEI_CLI_RISK_COMMANDS_H_
