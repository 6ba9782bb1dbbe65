// The alerting sections: `notifications:` (channels, named once), `alerts:`
// (the policy every monitor starts from; a monitor may override any key)
// and `maintenance:` (windows when alerts are held).
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "config/yaml_tree.h"

namespace tocsin::config {

// A name written in one place that must be defined in another (a channel,
// a monitor), checked once the whole file is read.
struct Reference {
  std::string name;
  int line = 0;
  std::string where;  // "alerts.notify", "monitor 'x': depends_on"
};

struct AlertReferences {
  std::vector<Reference> channels;
  std::vector<Reference> monitors;
};

Status ParseNotificationsSection(const YamlReader& reader, const YamlNode& node,
                                 std::vector<model::Channel>& channels);

// `alerts:`: the defaults (and group_window, a server-wide setting).
Status ParseAlertsSection(const YamlReader& reader, const YamlNode& node, Config& config,
                          AlertReferences& refs);

Status ParseMaintenanceSection(const YamlReader& reader, const YamlNode& node,
                               std::vector<MaintenanceConfig>& windows, AlertReferences& refs);

// Whether `key` is a policy key a monitor may override, and reads it.
bool IsAlertKey(std::string_view key);
Status SetAlertKey(const YamlReader& reader, const YamlEntry& e, const std::string& context,
                   model::AlertPolicy& policy, AlertReferences& refs);

// Every reference names something defined; depends_on has no cycle.
Status CheckReferences(const YamlReader& reader, const Config& config, const AlertReferences& refs);

}  // namespace tocsin::config
