// `tocsin check URL`: one check from the terminal, printed as phase
// timings (like httpstat) or as the JSON record the store keeps.
#pragma once

#include <CLI/CLI.hpp>

namespace tocsin::app {

// Adds the subcommand to `app`; after parsing, RunCheck returns the exit
// status: 0 the check passed, 1 it failed, 2 bad usage.
CLI::App* AddCheckCommand(CLI::App& app);
int RunCheck();

}  // namespace tocsin::app
