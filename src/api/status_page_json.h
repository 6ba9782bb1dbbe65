// Status pages in the API's JSON: a page's settings read and written, and
// the checks that keep a page to its own workspace's monitors.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "core/result.h"
#include "report/status_page.h"
#include "store/monitors.h"
#include "store/status_pages.h"

namespace tocsin::api {

inline constexpr const char* kPostStates[] = {"investigating", "identified", "monitoring",
                                              "resolved"};
bool IsPostState(std::string_view state);

// The stored settings (settings_json) as the report module reads them.
report::StatusPageSettings SettingsOf(const store::StatusPageRecord& page);
nlohmann::json PageJson(const store::StatusPageRecord& page);
nlohmann::json PostJson(const store::StatusPostRecord& post);

// The page's monitors in its order: those that still exist and belong to
// its workspace (a monitor moved or deleted since drops out by itself).
Result<std::vector<store::MonitorRecord>> PageMonitors(store::MonitorStore& monitors,
                                                       const store::StatusPageRecord& page,
                                                       const report::StatusPageSettings& settings);

}  // namespace tocsin::api
