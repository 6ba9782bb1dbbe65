// The `server:` section and its TOCSIN_SERVER_* overrides: one table of
// settings read from both.
#pragma once

#include "config/config.h"
#include "config/yaml_tree.h"

namespace tocsin::config {

Status ParseServerSection(const YamlReader& reader, const YamlNode& node, ServerConfig& server);

// Applies every TOCSIN_SERVER_* variable that is set.
Status ApplyEnvironment(ServerConfig& server, const Environment& env);

}  // namespace tocsin::config
