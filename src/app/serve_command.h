// `tocsin serve`: the all-in-one server (scheduler, probe, store, HTTP).
#pragma once

#include <CLI/CLI.hpp>

namespace tocsin::app {

CLI::App* AddServeCommand(CLI::App& app);
// Runs until SIGTERM or SIGINT; SIGHUP reloads the config file. Returns the
// exit status: 0 after a clean stop, 1 when start-up failed, 2 bad usage.
int RunServe();

}  // namespace tocsin::app
