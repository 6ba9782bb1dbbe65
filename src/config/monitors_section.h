// The `monitors:` section: each monitor's own settings (name, interval,
// slow_threshold, enabled, owner, depends_on), its check options, read by
// the probe's option table (probe/check_options.h) under the same names, and
// overrides of any `alerts:` key.
#pragma once

#include <vector>

#include "config/alerts_section.h"
#include "config/config.h"
#include "config/yaml_tree.h"

namespace tocsin::config {

// Each monitor's alert policy starts from `defaults` (the alerts section);
// names it refers to (channels, depends_on) go to `refs`.
Result<std::vector<MonitorConfig>> ParseMonitorsSection(const YamlReader& reader,
                                                        const YamlNode& node,
                                                        const model::AlertPolicy& defaults,
                                                        AlertReferences& refs);

}  // namespace tocsin::config
