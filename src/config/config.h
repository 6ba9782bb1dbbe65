// Config as code for `tocsin serve --config FILE`: one YAML file holds the
// server settings and the monitors; TOCSIN_SERVER_* environment variables
// override the server settings. Every setting is documented for users in
// docs/configuration.md.
//
// The loader is pure: it returns a whole, validated Config or an error naming
// the file, the line and the offending key or monitor. It never touches
// running state, so a reload (SIGHUP) with a bad file can leave the running
// set untouched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/alerting.h"
#include "model/monitor.h"
#include "net/address_policy.h"
#include "probe/check_spec.h"

namespace tocsin::config {

// Limits of the settings, as documented.
inline constexpr Micros kMinRetention = 3'600'000'000;              // 1h
inline constexpr Micros kMaxRetention = 36'500 * 86'400'000'000LL;  // 100 years
inline constexpr int kMaxShards = 64;
inline constexpr int kMaxPerHostConcurrency = 10'000;
inline constexpr size_t kMaxMaxInFlight = 1'000'000;
using model::kDefaultInterval;
using model::kMaxInterval;
using model::kMaxMonitorNameBytes;
using model::kMinInterval;
// A config file larger than this is refused before parsing (about 900,000
// monitors of one line each fit).
inline constexpr size_t kMaxConfigFileBytes = 64u << 20;

// The SMTP server alerts go through. With no host, mail is written to a
// Maildir under the data dir instead.
struct SmtpConfig {
  enum class Tls : uint8_t { kStartTls, kImplicit, kNone };
  std::string host;
  uint16_t port = 587;
  Tls tls = Tls::kStartTls;
  std::string username;
  std::string password;
  std::string from = "Tocsin <tocsin@localhost>";
  std::string ca_file;  // PEM CAs trusted instead of the system's (a private mail server)
  bool operator==(const SmtpConfig&) const = default;
};

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port; IPv6 hosts in brackets
  std::string data_dir = "./tocsin-data";
  bool allow_private = false;  // see net::AddressPolicyOptions
  std::vector<net::Prefix> allow_cidrs;
  Micros retention = 30 * 86'400'000'000LL;  // raw results kept this long
  std::vector<std::string> dns_servers;      // "ip" or "ip:port"; empty = system resolver
  int shards = 1;                            // probe engine threads
  int per_host_concurrency = 8;              // checks in flight per host:port
  size_t max_in_flight = 10'000;             // checks in flight per shard
  // The address people reach this server at, for links in alerts; empty:
  // http://<listen>.
  std::string public_url;
  SmtpConfig smtp;
  // Reverse proxies in front of Tocsin whose X-Forwarded-For gives the
  // client address (login throttling, the access log).
  std::vector<net::Prefix> trusted_proxies;
  // How long a rendered public status page is kept and served again (0:
  // rendered for every visitor).
  Micros status_page_cache = 10'000'000;
  // "" (none), "stderr", or a file: one line per request (web/access_log.h).
  std::string access_log;
  // Both or neither: the server then answers HTTPS only (TLS 1.2, 1.3), and
  // the session cookie is Secure.
  std::string tls_cert;
  std::string tls_key;
};

struct MonitorConfig {
  std::string name;  // unique within the file
  // The validated probe options (url, method, assertions, timeout, limits).
  std::shared_ptr<const probe::PreparedCheck> check;
  Micros interval = kDefaultInterval;
  Micros slow_threshold = 0;  // 0 = off; else slower than this is "degraded"
  bool enabled = true;        // false = paused
  uint64_t owner = 0;         // user id
  int line = 0;               // 1-based line of the monitor in its file, for messages
  // The `alerts:` defaults with this monitor's overrides applied.
  model::AlertPolicy alerts;
  std::string depends_on;         // a monitor's name; "" for none
  std::vector<std::string> tags;  // labels for the console's list (model::NormalizeTags)
};

// A maintenance window as the file writes it: monitors by name.
struct MaintenanceConfig {
  model::MaintenanceWindow window;    // window.monitors is filled in by id later
  std::vector<std::string> monitors;  // empty: every monitor
};

struct Config {
  ServerConfig server;
  std::vector<model::Channel> notifications;  // channels, named once
  model::AlertPolicy alerts;                  // defaults for every monitor
  Micros group_window = 30'000'000;           // alerts for one channel within it share a message
  std::vector<MaintenanceConfig> maintenance;
  std::vector<MonitorConfig> monitors;  // in file order
};

// Looks up an environment variable by name; nullopt when it is not set.
// A parameter rather than getenv() so that parsing is hermetic in tests.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;

// A snapshot of the process environment taken now. Take it once at start
// (before other threads run) and reuse it for every reload.
Environment ProcessEnvironment();
// An environment holding exactly these variables (tests, embedding).
Environment EnvironmentFromMap(std::map<std::string, std::string, std::less<>> variables);

// The name of the variable that overrides server setting `key`:
// "per_host_concurrency" -> "TOCSIN_SERVER_PER_HOST_CONCURRENCY".
std::string EnvironmentVariableFor(std::string_view key);

// Parses and validates a whole config. `source_name` (usually the path)
// starts every error message: "tocsin.yaml:12: monitor 'homepage': ...".
// Environment overrides are applied on top of the file's server settings.
Result<Config> ParseConfig(std::string_view yaml_text, std::string_view source_name,
                           const Environment& env);

// Reads `path` and parses it; an unreadable or oversized file is an error
// naming the path and the reason.
Result<Config> LoadConfigFile(const std::string& path, const Environment& env);

// Sets one scalar server setting from text, validated as the file's would
// be: for the command-line flags that override the file (`--listen`).
Status OverrideServerSetting(ServerConfig& server, std::string_view key, std::string_view text);

// The config when no file is given: defaults, then environment overrides
// (which can be invalid, hence the Result). No monitors.
Result<Config> DefaultConfig(const Environment& env);

}  // namespace tocsin::config
