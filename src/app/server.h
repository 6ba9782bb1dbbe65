// The `tocsin serve` process: wires the config, the store and its recorder,
// the scheduler, the probe engine and the HTTP listener together, and
// applies config reloads.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "core/result.h"

namespace tocsin::app {

class Server {
 public:
  // Opens the store in config.server.data_dir (creating it), registers the
  // monitors and starts every component. Errors name what failed.
  static Result<std::unique_ptr<Server>> Start(const config::Config& config);
  ~Server();  // stops

  // Applies a new config's monitors (SIGHUP). Server settings that need a
  // restart are reported in the returned warning text, not applied.
  Result<std::string> Reload(const config::Config& config);

  // Stops scheduling, lets checks in flight finish, commits every result
  // and closes the listener. Idempotent.
  void Stop();

  std::string address() const;  // the HTTP listener, "127.0.0.1:8080"
  size_t monitor_count() const;

 private:
  struct Parts;
  Server();
  std::unique_ptr<Parts> parts_;
};

}  // namespace tocsin::app
