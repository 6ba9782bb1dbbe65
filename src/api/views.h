// The JSON shapes of what the API returns, written once: a monitor (with
// its latest state), a check result, a range summary, an incident with the
// notifications sent for it. docs/openapi.json describes the same shapes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/check_record.h"
#include "model/incident.h"
#include "model/latest_state.h"
#include "model/monitor.h"
#include "pipeline/latest_states.h"
#include "store/alerts.h"
#include "store/results.h"

namespace tocsin::api {

nlohmann::json LatestJson(const model::LatestState& s);
// id, workspace_id (null for the file's), managed_by, name, url,
// interval_s, enabled, tags, latest (when there is one).
nlohmann::json MonitorJson(const model::Monitor& m, const pipeline::LatestStates& latest);
nlohmann::json ResultJson(const model::CheckRecord& r);
// The tags kept in a stored monitor's settings (validated when written).
std::vector<std::string> TagsOf(const nlohmann::json& settings);
// The monitor a stored monitor's settings say it depends on; 0: none.
model::MonitorId DependsOn(const nlohmann::json& settings);
nlohmann::json SummaryJson(const store::RangeSummary& s);
// One notification and how its delivery went.
nlohmann::json NotificationJson(const store::OutboxRow& row);
nlohmann::json IncidentJson(const model::Incident& inc,
                            const std::vector<store::OutboxRow>& notifications);

}  // namespace tocsin::api
