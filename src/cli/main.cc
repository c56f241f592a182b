// renkei: the command-line entry point of a Renkei node.
#include "cli/bundle_commands.h"
#include "cli/command_line.h"
#include "cli/federation_commands.h"
#include "cli/footprint_commands.h"
#include "cli/risk_commands.h"
#include "cli/server_commands.h"
#include "cli/version_commands.h"

int main(int argc, char** argv) {
  renkei::cli::CommandLine command_line;
  renkei::cli::AddBundleCommands(command_line);
  renkei::cli::AddRiskCommands(command_line);
  renkei::cli::AddFootprintCommands(command_line);
  renkei::cli::AddServerCommands(command_line);
  renkei::cli::AddFederationCommands(command_line);
  renkei::cli::AddVersionCommands(command_line);
  return command_line.Run(argc, argv);
}
