// Loads and validates the YAML config file and the TOCSIN_SERVER_* overrides:
// the top level. The YAML tree, the server section and the monitors section
// have files of their own.
#include "config/config.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <algorithm>

#include "config/alerts_section.h"
#include "config/monitors_section.h"
#include "config/server_section.h"
#include "config/yaml_tree.h"
#include "core/text.h"

extern char** environ;  // POSIX; read once by ProcessEnvironment()

namespace tocsin::config {
namespace {

constexpr std::string_view kEnvPrefix = "TOCSIN_SERVER_";

}  // namespace

std::string EnvironmentVariableFor(std::string_view key) {
  std::string name(kEnvPrefix);
  name += AsciiUppercase(key);
  return name;
}

Environment EnvironmentFromMap(std::map<std::string, std::string, std::less<>> variables) {
  auto shared =
      std::make_shared<const std::map<std::string, std::string, std::less<>>>(std::move(variables));
  return [shared](std::string_view name) -> std::optional<std::string> {
    const auto it = shared->find(name);
    if (it == shared->end()) return std::nullopt;
    return it->second;
  };
}

Environment ProcessEnvironment() {
  std::map<std::string, std::string, std::less<>> variables;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    variables.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return EnvironmentFromMap(std::move(variables));
}

Result<Config> ParseConfig(std::string_view yaml_text, std::string_view source_name,
                           const Environment& env) {
  Config config;
  // The tree is only needed while parsing: it goes before the Config returns.
  auto doc = YamlDocument::Parse(yaml_text, source_name);
  if (!doc.ok()) return doc.error();
  const YamlReader reader(source_name);
  if (doc->root() != nullptr && !doc->root()->IsNull()) {
    const YamlNode& root = *doc->root();
    if (!root.IsMap()) {
      return reader.ErrorAt(root, "the file must be a map with 'server' and 'monitors'");
    }
    auto entries = reader.Entries(root, "");
    if (!entries.ok()) return entries.error();
    // Sections are read in this order whatever the file's: monitors start
    // from the alerts defaults and refer to channels.
    static constexpr std::string_view kSections[] = {"server", "notifications", "alerts",
                                                     "maintenance", "monitors"};
    for (const YamlEntry& e : *entries) {
      if (std::find(std::begin(kSections), std::end(kSections), e.name()) == std::end(kSections)) {
        return reader.ErrorAt(e.key, "unknown top-level key " + Quote(e.name()) +
                                         " (expected server, notifications, alerts, maintenance, "
                                         "monitors)");
      }
    }
    const auto section = [&](std::string_view name) -> const YamlNode* {
      for (const YamlEntry& e : *entries) {
        if (e.name() == name) return &e.value;
      }
      return nullptr;
    };
    AlertReferences refs;
    if (const YamlNode* n = section("server")) {
      if (Status s = ParseServerSection(reader, *n, config.server); !s.ok()) return s.error();
    }
    if (const YamlNode* n = section("notifications")) {
      if (Status s = ParseNotificationsSection(reader, *n, config.notifications); !s.ok()) {
        return s.error();
      }
    }
    if (const YamlNode* n = section("alerts")) {
      if (Status s = ParseAlertsSection(reader, *n, config, refs); !s.ok()) return s.error();
    }
    if (const YamlNode* n = section("maintenance")) {
      if (Status s = ParseMaintenanceSection(reader, *n, config.maintenance, refs); !s.ok()) {
        return s.error();
      }
    }
    if (const YamlNode* n = section("monitors")) {
      auto monitors = ParseMonitorsSection(reader, *n, config.alerts, refs);
      if (!monitors.ok()) return monitors.error();
      config.monitors = std::move(*monitors);
    }
    if (Status s = CheckReferences(reader, config, refs); !s.ok()) return s.error();
  }
  if (Status s = ApplyEnvironment(config.server, env); !s.ok()) return s.error();
  return config;
}

Result<Config> LoadConfigFile(const std::string& path, const Environment& env) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  const auto unreadable = [&](int err) {
    return Unavailable("cannot read config file '" + path + "': " + std::strerror(err));
  };
  if (!file) return unreadable(errno);
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const size_t n = std::fread(buffer, 1, sizeof(buffer), file.get());
    text.append(buffer, n);
    if (text.size() > kMaxConfigFileBytes) {
      return InvalidArgument("config file '" + path + "' is larger than " +
                             std::to_string(kMaxConfigFileBytes >> 20) + " MiB");
    }
    if (n < sizeof(buffer)) {
      if (std::ferror(file.get())) return unreadable(errno);
      break;
    }
  }
  return ParseConfig(text, path, env);
}

Result<Config> DefaultConfig(const Environment& env) {
  Config config;
  if (Status s = ApplyEnvironment(config.server, env); !s.ok()) return s.error();
  return config;
}

}  // namespace tocsin::config
