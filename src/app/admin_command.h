// `tocsin admin`: the operator's commands on the store, run beside (or
// without) a running server: create-user, reset-password, list-users,
// disable-user, backup.
#pragma once

#include <CLI/CLI.hpp>

namespace tocsin::app {

CLI::App* AddAdminCommand(CLI::App& app);
// Runs the parsed admin subcommand; returns the exit status (0 done, 1 the
// store refused, 2 bad input).
int RunAdmin();

}  // namespace tocsin::app
