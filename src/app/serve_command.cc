#include "app/serve_command.h"

#include <malloc.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <tuple>

#include "app/server.h"
#include "config/config.h"

namespace tocsin::app {
namespace {

struct ServeFlags {
  std::string config_path;
  std::string listen;
  std::string data_dir;
};

ServeFlags& Flags() {
  static ServeFlags flags;  // owned by the one parse of this process's command line
  return flags;
}

Result<config::Config> LoadConfig(const config::Environment& env) {
  const ServeFlags& f = Flags();
  auto config = f.config_path.empty() ? config::DefaultConfig(env)
                                      : config::LoadConfigFile(f.config_path, env);
  if (!config.ok()) return config;
  // Command-line flags win over the file and the environment, and are
  // checked as they would be there.
  for (const auto& [flag, key, value] : {std::tuple{"--listen", "listen", &f.listen},
                                         std::tuple{"--data-dir", "data_dir", &f.data_dir}}) {
    if (value->empty()) continue;
    if (Status s = config::OverrideServerSetting(config->server, key, *value); !s.ok()) {
      return InvalidArgument(std::string(flag) + ": " + s.error().message);
    }
  }
  return config;
}

}  // namespace

CLI::App* AddServeCommand(CLI::App& app) {
  ServeFlags& f = Flags();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Run Tocsin: check the configured monitors on schedule and keep their history");
  cmd->add_option("-c,--config", f.config_path, "YAML config file (docs/configuration.md)");
  cmd->add_option("--listen", f.listen, "HTTP address, e.g. 127.0.0.1:8080 (overrides config)");
  cmd->add_option("--data-dir", f.data_dir, "Data directory (overrides config)");
  return cmd;
}

int RunServe() {
  // Signals are taken synchronously by this thread; every thread started
  // from here on inherits the mask, so none of them is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const config::Environment env = config::ProcessEnvironment();
  auto config = LoadConfig(env);
  if (!config.ok()) {
    spdlog::error("{}", config.error().message);
    return 2;
  }
  auto server = Server::Start(*config);
  if (!server.ok()) {
    spdlog::error("tocsin serve: cannot start: {}", server.error().message);
    return 1;
  }
  spdlog::info("tocsin serve: listening on http://{}, data dir {}, {} monitors",
               (*server)->address(), config->server.data_dir, (*server)->monitor_count());
  // Parsing a large config leaves hundreds of MB of freed heap that glibc
  // keeps; the running set needs a fraction of it. Hand it back.
  config->monitors = {};
  malloc_trim(0);

  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      if (Flags().config_path.empty()) {
        spdlog::warn("SIGHUP: no config file to reload");
        continue;
      }
      auto fresh = LoadConfig(env);
      if (!fresh.ok()) {
        spdlog::error("config reload failed, running set unchanged: {}", fresh.error().message);
        continue;
      }
      auto warning = (*server)->Reload(*fresh);
      if (!warning.ok()) {
        spdlog::error("config reload failed, running set unchanged: {}", warning.error().message);
        continue;
      }
      fresh->monitors = {};
      malloc_trim(0);
      spdlog::info("config reloaded: {} monitors", (*server)->monitor_count());
      if (!warning->empty()) spdlog::warn("config reload: {}", *warning);
      continue;
    }
    spdlog::info("tocsin serve: stopping ({})", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    (*server)->Stop();
    spdlog::info("tocsin serve: stopped");
    return 0;
  }
}

}  // namespace tocsin::app
