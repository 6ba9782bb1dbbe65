// A notice as the JSON payload of its outbox rows: everything its message
// will say, fixed when the event happened (a monitor renamed later does not
// change an alert already queued). The notify module renders it; the
// format is versioned because rows outlive a restart into a newer build.
#pragma once

#include <functional>
#include <string>

#include "alert/evaluator.h"
#include "model/incident.h"

namespace tocsin::alert {

inline constexpr int kNoticeFormatVersion = 1;

// `rules_of` finds a monitor's rules (name, url) by id; nullptr if unknown.
std::string NoticeToJson(const model::Notice& notice,
                         const std::function<const MonitorRules*(model::MonitorId)>& rules_of);

}  // namespace tocsin::alert
