#include "api/monitors.h"

#include <algorithm>
#include <unordered_set>

#include "api/alert_settings.h"
#include "api/alert_settings_json.h"
#include "api/json.h"
#include "api/views.h"
#include "store/rollup.h"

namespace tocsin::api {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kMaxResultsPage = 10'000;
constexpr int64_t kDefaultResultsPage = 1'000;
constexpr int64_t kMaxMonitorsPage = 1'000;
constexpr int64_t kDefaultMonitorsPage = 100;
constexpr size_t kRecentIncidents = 20;      // shown with a monitor
constexpr int64_t kMaxSeriesPoints = 2'000;  // the default step keeps a series under this

const model::Monitor* FindMonitor(const MonitorList& list, model::MonitorId id) {
  const auto it = std::find_if(list->begin(), list->end(),
                               [id](const model::Monitor& m) { return m.id == id; });
  return it == list->end() ? nullptr : &*it;
}

// The monitor a path names, with the caller's role in its workspace; 404
// for one the caller may not see.
struct Target {
  model::Monitor monitor;
  model::Role role = model::Role::kViewer;
};

Result<Target> TargetOf(const ApiContext& c, MonitorCatalog& catalog, const Request& r,
                        const account::Principal& p) {
  int64_t id = 0;
  const MonitorList list = catalog.Snapshot();
  const model::Monitor* m = nullptr;
  if (ParseId(r.param("id"), &id) && id <= UINT32_MAX) {
    m = FindMonitor(list, static_cast<model::MonitorId>(id));
  }
  if (m == nullptr) return NotFound("no such monitor");
  auto role = WorkspaceRole(c, p, m->workspace);
  if (!role.ok()) {
    if (role.error().code == ErrorCode::kPermissionDenied) return NotFound("no such monitor");
    return role.error();
  }
  return Target{*m, *role};
}

Status CanChange(const Target& t) {
  if (t.monitor.workspace == model::kFileWorkspace) {
    return PermissionDenied(
        "this monitor is managed by the config file: change it there, then reload");
  }
  if (t.role == model::Role::kViewer) return PermissionDenied("a viewer cannot change monitors");
  return {};
}

// The fields a create or an update may carry, read into `record`. Create
// requires name and url; an update changes what it names.
// A monitor's tags, as model::NormalizeTags takes them.
Result<std::vector<std::string>> ReadTags(const nlohmann::json& given) {
  std::vector<std::string> tags;
  if (given.is_array()) {
    for (const auto& t : given) {
      if (!t.is_string()) return InvalidField("tags", "'tags' is a list of words");
      tags.push_back(t.get<std::string>());
    }
  } else {
    return InvalidField("tags", "'tags' is a list of words");
  }
  if (Status s = model::NormalizeTags(tags); !s.ok()) return s.error();
  return tags;
}

Status ReadMonitorFields(Fields& f, bool create, store::MonitorRecord& record) {
  auto name = f.String("name", model::kMaxMonitorNameBytes);
  if (!name.ok()) return name.error();
  if (create && !*name) return InvalidField("name", "'name' is required");
  auto url = f.String("url", 8192);
  if (!url.ok()) return url.error();
  if (create && !*url) return InvalidField("url", "'url' is required");
  auto interval =
      f.Int("interval_s", model::kMinInterval / 1'000'000, model::kMaxInterval / 1'000'000);
  if (!interval.ok()) return interval.error();
  auto enabled = f.Bool("enabled");
  if (!enabled.ok()) return enabled.error();
  auto slow = f.Int("slow_threshold_ms", 0, model::kMaxInterval / 1000);
  if (!slow.ok()) return slow.error();
  const nlohmann::json* alerts = f.Raw("alerts");
  const nlohmann::json* tags = f.Raw("tags");
  const nlohmann::json* depends = f.Raw("depends_on");
  const nlohmann::json* check = f.Raw("check");
  if (check != nullptr && !check->is_null() && !check->is_object()) {
    return InvalidField("check", "'check' must be an object of check options");
  }
  if (check != nullptr && check->is_object() && check->contains("url")) {
    return InvalidField("check", "give 'url' beside 'check', not in it");
  }
  if (*name) record.name = **name;
  if (record.name.empty()) return InvalidField("name", "'name' must not be empty");
  for (unsigned char ch : record.name) {
    if (ch < 0x20 || ch == 0x7f) {
      return InvalidField("name", "a monitor's name must not hold control characters");
    }
  }
  nlohmann::json options = create || record.options_json.empty()
                               ? nlohmann::json::object()
                               : nlohmann::json::parse(record.options_json, nullptr, false);
  if (!options.is_object()) options = nlohmann::json::object();
  if (check != nullptr && check->is_object()) {
    const std::string kept_url = options.value("url", "");
    options = *check;
    options["url"] = kept_url;
  }
  if (*url) {
    record.url = **url;
    options["url"] = **url;
  }
  record.options_json = options.dump();
  if (*interval) record.interval = **interval * 1'000'000;
  if (create && record.interval == 0) record.interval = model::kDefaultInterval;
  if (*enabled) record.enabled = **enabled;
  // What is not a check option: the slow threshold and the alert policy's
  // overrides (over the workspace's defaults), kept in canonical form.
  nlohmann::json settings = nlohmann::json::parse(record.settings_json, nullptr, false);
  if (!settings.is_object()) settings = nlohmann::json::object();
  if (*slow) settings["slow_threshold_ms"] = **slow;
  if (tags != nullptr) {
    auto read = ReadTags(*tags);
    if (!read.ok()) return read.error();
    settings["tags"] = std::move(*read);
  }
  if (depends != nullptr) {
    if (depends->is_null()) {
      settings.erase("depends_on");
    } else if (depends->is_number_integer() && depends->get<int64_t>() > 0) {
      settings["depends_on"] = depends->get<int64_t>();
    } else {
      return InvalidField("depends_on", "'depends_on' is a monitor's id, or null");
    }
  }
  if (alerts != nullptr) {
    model::AlertPolicy policy;
    if (Status s = ApplyPolicyJson(*alerts, policy, "alerts."); !s.ok()) return s;
    settings["alerts"] = PolicyJson(policy, *alerts);
  }
  record.settings_json = settings.dump();
  return {};
}

// The channels a monitor's overrides name are its workspace's.
Status CheckMonitorAlerts(const ApiContext& c, const store::MonitorRecord& record) {
  const nlohmann::json settings = nlohmann::json::parse(record.settings_json, nullptr, false);
  if (!settings.is_object() || !settings.contains("alerts")) return {};
  model::AlertPolicy policy;
  if (Status s = ApplyPolicyJson(settings["alerts"], policy, "alerts."); !s.ok()) return s;
  if (Status s = CheckChannelNames(c, record.workspace, policy); !s.ok()) {
    return InvalidField("alerts." + s.error().field, "alerts." + s.error().message);
  }
  return {};
}

nlohmann::json FullMonitorJson(const store::MonitorRecord& r, MonitorCatalog& catalog,
                               const pipeline::LatestStates& latest) {
  model::Monitor m;
  m.id = r.id;
  m.workspace = r.workspace;
  m.name = r.name;
  m.url = r.url;
  m.interval = r.interval;
  m.enabled = r.enabled;
  const nlohmann::json settings = nlohmann::json::parse(r.settings_json, nullptr, false);
  if (settings.is_object()) m.tags = TagsOf(settings);
  nlohmann::json j = MonitorJson(m, latest);
  j["check"] = catalog.DisplayOptions(r);
  const model::MonitorId parent = DependsOn(settings);
  j["depends_on"] = parent == 0 ? nlohmann::json() : nlohmann::json(parent);
  j["alerts"] = settings.is_object() ? settings.value("alerts", nlohmann::json::object())
                                     : nlohmann::json::object();
  j["slow_threshold_ms"] =
      settings.is_object() ? settings.value("slow_threshold_ms", int64_t{0}) : int64_t{0};
  j["created_ms"] = r.created_ms;
  j["updated_ms"] = r.updated_ms;
  return j;
}

// GET /api/v1/monitors?workspace_id=&after_id=&limit=: by id, a page at a
// time (a list of 10,000 monitors is megabytes); when the page is full, a
// Link header (RFC 8288, rel="next") names the next one.
Response ListMonitors(const ApiContext& c, MonitorCatalog& catalog,
                      const pipeline::LatestStates& latest, const Request& r,
                      const account::Principal& p) {
  TOCSIN_TRY(visible, VisibleWorkspaces(c, p));
  TOCSIN_TRY(only, QueryInt(r, "workspace_id", 0, INT64_MAX));
  TOCSIN_TRY(after, QueryInt(r, "after_id", 0, INT64_MAX));
  TOCSIN_TRY(limit, QueryInt(r, "limit", 1, kMaxMonitorsPage));
  std::unordered_set<model::WorkspaceId> shown(visible->begin(), visible->end());
  if (*only) {
    if (!shown.contains(**only)) {
      return ErrorResponse(PermissionDenied("not a member of this workspace"));
    }
    shown = {**only};
  }
  const int64_t after_id = after->value_or(0);
  const auto page = static_cast<size_t>(limit->value_or(kDefaultMonitorsPage));
  const MonitorList snapshot = catalog.Snapshot();
  std::vector<const model::Monitor*> rows;
  for (const model::Monitor& m : *snapshot) {
    if (m.id > after_id && shown.contains(m.workspace)) rows.push_back(&m);
  }
  const auto by_id = [](const model::Monitor* a, const model::Monitor* b) { return a->id < b->id; };
  const size_t n = std::min(page, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n), rows.end(), by_id);
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < n; ++i) list.push_back(MonitorJson(*rows[i], latest));
  Response out = JsonResponse(200, list);
  if (rows.size() > page) {
    std::string next = "</api/v1/monitors?after_id=" + std::to_string(rows[n - 1]->id) +
                       "&limit=" + std::to_string(page);
    if (*only) next += "&workspace_id=" + std::to_string(**only);
    out.headers.emplace_back("Link", next + ">; rel=\"next\"");
  }
  return out;
}

// A dependency names another monitor of the same workspace, and following
// the chain never comes back to this one (the alert evaluator holds a
// monitor's alerts while the one it depends on is down).
Status CheckDependency(const MonitorCatalog& catalog, const store::MonitorRecord& record) {
  const model::MonitorId parent =
      DependsOn(nlohmann::json::parse(record.settings_json, nullptr, false));
  if (parent == 0) return {};
  const MonitorList snapshot = catalog.Snapshot();
  std::unordered_map<model::MonitorId, const model::Monitor*> by_id;
  for (const model::Monitor& m : *snapshot) by_id[m.id] = &m;
  const auto it = by_id.find(parent);
  if (parent == record.id || it == by_id.end() || it->second->workspace != record.workspace) {
    return InvalidField("depends_on", "'depends_on' names another monitor of this workspace");
  }
  model::MonitorId at = it->second->depends_on;
  for (size_t steps = 0; at != 0 && steps <= by_id.size(); ++steps) {
    if (at == record.id) {
      return InvalidField("depends_on", "this dependency would go round in a circle");
    }
    const auto next = by_id.find(at);
    at = next == by_id.end() ? 0 : next->second->depends_on;
  }
  return {};
}

Response CreateMonitor(const ApiContext& c, MonitorCatalog& catalog,
                       const pipeline::LatestStates& latest, const Request& r,
                       const account::Principal& p) {
  TOCSIN_TRY(body, ParseJsonObject(r));
  Fields f(*body);
  TOCSIN_TRY(workspace, f.Int("workspace_id", 0, INT64_MAX));
  store::MonitorRecord record;
  record.workspace = workspace->value_or(p.user.personal_workspace);
  TOCSIN_CHECK(ReadMonitorFields(f, true, record));
  TOCSIN_CHECK(f.Finish());
  if (record.workspace == model::kFileWorkspace) {
    return ErrorResponse(PermissionDenied(
        "the config file's monitors are added in the file; create this one in a workspace"));
  }
  TOCSIN_TRY(role, c.accounts->RoleIn(p, record.workspace));
  if (*role == model::Role::kViewer) {
    return ErrorResponse(PermissionDenied("a viewer cannot add monitors"));
  }
  TOCSIN_CHECK(CheckMonitorAlerts(c, record));
  TOCSIN_CHECK(CheckDependency(catalog, record));
  record.owner = static_cast<uint64_t>(p.user.id);
  TOCSIN_TRY(created, catalog.Create(std::move(record)));
  return JsonResponse(201, FullMonitorJson(*created, catalog, latest));
}

Response GetMonitor(const ApiContext& c, MonitorCatalog& catalog,
                    const pipeline::LatestStates& latest, const Request& r,
                    const account::Principal& p) {
  TOCSIN_TRY(target, TargetOf(c, catalog, r, p));
  TOCSIN_TRY(record, c.store->monitors().GetMonitor(target->monitor.id));
  if (!*record) return ErrorResponse(NotFound("no such monitor"));
  nlohmann::json j = FullMonitorJson(**record, catalog, latest);
  j["slow_threshold_ms"] = target->monitor.slow_threshold / 1000;  // the file's too
  TOCSIN_TRY(incidents, c.store->alerts().ListIncidents(target->monitor.id, kRecentIncidents));
  nlohmann::json list = nlohmann::json::array();
  for (const auto& inc : *incidents) {
    auto sent = c.store->alerts().NotificationsOf(inc.id);
    list.push_back(IncidentJson(inc, sent.ok() ? *sent : std::vector<store::OutboxRow>{}));
  }
  j["incidents"] = std::move(list);
  return JsonResponse(200, j);
}

Response ChangeMonitor(const ApiContext& c, MonitorCatalog& catalog,
                       const pipeline::LatestStates& latest, const Request& r,
                       const account::Principal& p, std::optional<bool> set_enabled) {
  TOCSIN_TRY(target, TargetOf(c, catalog, r, p));
  TOCSIN_CHECK(CanChange(*target));
  TOCSIN_TRY(stored, c.store->monitors().GetMonitor(target->monitor.id));
  if (!*stored) return ErrorResponse(NotFound("no such monitor"));
  store::MonitorRecord record = **stored;
  if (set_enabled) {
    record.enabled = *set_enabled;
  } else {
    TOCSIN_TRY(body, ParseJsonObject(r));
    Fields f(*body);
    TOCSIN_CHECK(ReadMonitorFields(f, false, record));
    TOCSIN_CHECK(f.Finish());
    TOCSIN_CHECK(CheckMonitorAlerts(c, record));
    TOCSIN_CHECK(CheckDependency(catalog, record));
  }
  TOCSIN_TRY(updated, catalog.Update(std::move(record)));
  return JsonResponse(200, FullMonitorJson(*updated, catalog, latest));
}

Response DeleteMonitor(const ApiContext& c, MonitorCatalog& catalog, const Request& r,
                       const account::Principal& p) {
  TOCSIN_TRY(target, TargetOf(c, catalog, r, p));
  TOCSIN_CHECK(CanChange(*target));
  TOCSIN_CHECK(catalog.Delete(target->monitor.id));
  return NoContent();
}

// The range a query names (?from_ms=&to_ms=, Unix ms): to_ms defaults to
// `default_to`, from_ms to `default_span` before it.
Result<std::pair<int64_t, int64_t>> ReadRange(const Request& r, int64_t default_to,
                                              int64_t default_span) {
  auto to = QueryInt(r, "to_ms", 0, INT64_MAX / 2);
  if (!to.ok()) return to.error();
  auto from = QueryInt(r, "from_ms", 0, INT64_MAX / 2);
  if (!from.ok()) return from.error();
  const int64_t to_ms = to->value_or(default_to);
  const int64_t from_ms = from->value_or(to_ms - default_span);
  if (from_ms >= to_ms) return InvalidField("from_ms", "from_ms must be before to_ms");
  return std::pair{from_ms, to_ms};
}

// GET .../results?from_ms=&to_ms=&limit=: oldest first; when the page is
// full, next_from_ms starts the next one.
Response Results(const ApiContext& c, MonitorCatalog& catalog, const Request& r,
                 const account::Principal& p) {
  TOCSIN_TRY(target, TargetOf(c, catalog, r, p));
  TOCSIN_TRY(range, ReadRange(r, NowMs() + 1, kDayMs));
  const auto [from_ms, to_ms] = *range;
  TOCSIN_TRY(limit, QueryInt(r, "limit", 1, kMaxResultsPage));
  const auto page = static_cast<size_t>(limit->value_or(kDefaultResultsPage));
  TOCSIN_TRY(records, c.store->results().QueryResults(target->monitor.id, from_ms, to_ms, page));
  nlohmann::json list = nlohmann::json::array();
  for (const model::CheckRecord& record : *records) list.push_back(ResultJson(record));
  nlohmann::json j = {{"monitor_id", target->monitor.id},
                      {"from_ms", from_ms},
                      {"to_ms", to_ms},
                      {"results", std::move(list)},
                      {"next_from_ms", nullptr}};
  if (records->size() == page) j["next_from_ms"] = records->back().ts_ms + 1;
  return JsonResponse(200, j);
}

// GET .../summary?from_ms=&to_ms=: count, failures, availability and
// latency percentiles of the range (30 days by default), from the rollups.
Response Summary(const ApiContext& c, MonitorCatalog& catalog, const Request& r,
                 const account::Principal& p) {
  TOCSIN_TRY(target, TargetOf(c, catalog, r, p));
  TOCSIN_TRY(range, ReadRange(r, NowMs(), 30 * kDayMs));
  const auto [from_ms, to_ms] = *range;
  TOCSIN_TRY(
      s, c.store->results().Summarize(target->monitor.id, from_ms / 1000, (to_ms + 999) / 1000));
  nlohmann::json j = SummaryJson(*s);
  j["monitor_id"] = target->monitor.id;
  j["from_ms"] = from_ms;
  j["to_ms"] = to_ms;
  return JsonResponse(200, j);
}

// POST /api/v1/monitors/check: the fields of a new monitor (the name may
// be left out), checked once, now, without saving anything: the result as
// the history would hold it, or the field that is wrong.
Response CheckNow(const ApiContext& c, MonitorCatalog& catalog, const Request& r,
                  const account::Principal& p) {
  TOCSIN_TRY(body, ParseJsonObject(r));
  nlohmann::json fields = *body;
  if (!fields.contains("name")) fields["name"] = "check now";
  Fields f(fields);
  TOCSIN_TRY(workspace, f.Int("workspace_id", 0, INT64_MAX));
  store::MonitorRecord record;
  record.workspace = workspace->value_or(p.user.personal_workspace);
  TOCSIN_CHECK(ReadMonitorFields(f, true, record));
  TOCSIN_CHECK(f.Finish());
  TOCSIN_TRY(role, c.accounts->RoleIn(p, record.workspace));
  if (*role == model::Role::kViewer) {
    return ErrorResponse(PermissionDenied("a viewer cannot run checks"));
  }
  TOCSIN_TRY(result, catalog.CheckNow(record));
  return JsonResponse(200, {{"result", ResultJson(*result)}});
}

// GET .../series?from_ms=&to_ms=&step=: one point per rollup bucket
// (minute, hour or day; by default the finest that keeps a range under
// about 2,000 points), each with its count, failures, availability and
// latency percentiles: a chart of any range, a year included, without
// reading raw results.
Response Series(const ApiContext& c, MonitorCatalog& catalog, const Request& r,
                const account::Principal& p) {
  TOCSIN_TRY(target, TargetOf(c, catalog, r, p));
  TOCSIN_TRY(range, ReadRange(r, NowMs(), kDayMs));
  const auto [from_ms, to_ms] = *range;
  const int64_t span_s = (to_ms - from_ms) / 1000;
  static constexpr std::pair<const char*, store::RollupLevel> kSteps[] = {
      {"minute", store::RollupLevel::kMinute},
      {"hour", store::RollupLevel::kHour},
      {"day", store::RollupLevel::kDay}};
  store::RollupLevel level = store::RollupLevel::kDay;
  const auto asked = QueryParam(r, "step");
  if (asked) {
    bool known = false;
    for (const auto& [name, l] : kSteps) {
      if (*asked == name) {
        level = l;
        known = true;
      }
    }
    if (!known) return ErrorResponse(InvalidField("step", "'step' is minute, hour or day"));
  } else {
    for (auto it = std::rbegin(kSteps); it != std::rend(kSteps); ++it) {
      if (span_s / store::kLevelSeconds[static_cast<int>(it->second)] <= kMaxSeriesPoints) {
        level = it->second;
      }
    }
  }
  const int64_t width = store::kLevelSeconds[static_cast<int>(level)];
  if (span_s / width > kMaxSeriesPoints * 5) {
    return ErrorResponse(
        InvalidField("step", "too many points for this range: take a coarser step"));
  }
  const int64_t from_s = store::BucketStart(level, from_ms / 1000);
  TOCSIN_TRY(points,
             c.store->results().Series(target->monitor.id, level, from_s, (to_ms + 999) / 1000));
  nlohmann::json list = nlohmann::json::array();
  for (const store::BucketSummary& b : *points) {
    nlohmann::json j = SummaryJson(b.summary);
    j["ts_ms"] = b.bucket_s * 1000;
    list.push_back(std::move(j));
  }
  const char* step_name = kSteps[static_cast<int>(level)].first;
  return JsonResponse(200, {{"monitor_id", target->monitor.id},
                            {"from_ms", from_ms},
                            {"to_ms", to_ms},
                            {"step", step_name},
                            {"step_s", width},
                            {"points", std::move(list)}});
}

}  // namespace

std::vector<Route> MonitorRoutes(const ApiContext& c, MonitorCatalog& catalog,
                                 const pipeline::LatestStates& latest) {
  MonitorCatalog* cat = &catalog;
  const pipeline::LatestStates* last = &latest;
  std::vector<Route> routes;
  routes.push_back({"GET", "/api/v1/monitors",
                    Authed(c, [c, cat, last](const Request& r, const account::Principal& p) {
                      return ListMonitors(c, *cat, *last, r, p);
                    })});
  routes.push_back({"POST", "/api/v1/monitors",
                    Authed(c, [c, cat, last](const Request& r, const account::Principal& p) {
                      return CreateMonitor(c, *cat, *last, r, p);
                    })});
  routes.push_back({"POST", "/api/v1/monitors/check",
                    Authed(c, [c, cat](const Request& r, const account::Principal& p) {
                      return CheckNow(c, *cat, r, p);
                    })});
  routes.push_back({"GET", "/api/v1/monitors/{id}",
                    Authed(c, [c, cat, last](const Request& r, const account::Principal& p) {
                      return GetMonitor(c, *cat, *last, r, p);
                    })});
  routes.push_back({"PATCH", "/api/v1/monitors/{id}",
                    Authed(c, [c, cat, last](const Request& r, const account::Principal& p) {
                      return ChangeMonitor(c, *cat, *last, r, p, std::nullopt);
                    })});
  routes.push_back({"POST", "/api/v1/monitors/{id}/pause",
                    Authed(c, [c, cat, last](const Request& r, const account::Principal& p) {
                      return ChangeMonitor(c, *cat, *last, r, p, false);
                    })});
  routes.push_back({"POST", "/api/v1/monitors/{id}/resume",
                    Authed(c, [c, cat, last](const Request& r, const account::Principal& p) {
                      return ChangeMonitor(c, *cat, *last, r, p, true);
                    })});
  routes.push_back({"DELETE", "/api/v1/monitors/{id}",
                    Authed(c, [c, cat](const Request& r, const account::Principal& p) {
                      return DeleteMonitor(c, *cat, r, p);
                    })});
  routes.push_back({"GET", "/api/v1/monitors/{id}/results",
                    Authed(c, [c, cat](const Request& r, const account::Principal& p) {
                      return Results(c, *cat, r, p);
                    })});
  routes.push_back({"GET", "/api/v1/monitors/{id}/series",
                    Authed(c, [c, cat](const Request& r, const account::Principal& p) {
                      return Series(c, *cat, r, p);
                    })});
  routes.push_back({"GET", "/api/v1/monitors/{id}/summary",
                    Authed(c, [c, cat](const Request& r, const account::Principal& p) {
                      return Summary(c, *cat, r, p);
                    })});
  return routes;
}

}  // namespace tocsin::api
