// The `monitors:` section: each monitor's own settings (name, interval,
// slow_threshold, enabled, owner) and its check options, read by the
// probe's option table (probe/check_options.h) under the same names.
#pragma once

#include <vector>

#include "config/config.h"
#include "config/yaml_tree.h"

namespace tocsin::config {

Result<std::vector<MonitorConfig>> ParseMonitorsSection(const YamlReader& reader,
                                                        const YamlNode& node);

}  // namespace tocsin::config
