#include "api/alert_settings.h"

#include <algorithm>
#include <set>

#include "api/alert_settings_json.h"
#include "api/json.h"
#include "api/status_pages.h"
#include "api/views.h"
#include "core/crypto.h"
#include "notify/provider.h"

namespace tocsin::api {
namespace {

constexpr size_t kMaxChannelName = 100;
constexpr size_t kMaxChannelsPerWorkspace = 100;
constexpr size_t kMaxWindowsPerWorkspace = 200;
constexpr int64_t kTestLifetimeMs = 3'600'000;  // a test not delivered within an hour is given up

model::WorkspaceId DefaultWorkspace(const account::Principal& p) {
  return p.token ? p.token->workspace : p.user.personal_workspace;
}

// The workspaces a listing covers: the one asked for, or every one the
// caller belongs to (the config file's has no user settings).
Result<std::vector<model::WorkspaceId>> ListedWorkspaces(const ApiContext& c, const Request& r,
                                                         const account::Principal& p) {
  auto asked = QueryInt(r, "workspace_id", 1, INT64_MAX);
  if (!asked.ok()) return asked.error();
  if (*asked) {
    auto role = c.accounts->RoleIn(p, static_cast<model::WorkspaceId>(**asked));
    if (!role.ok()) return role.error();
    return std::vector<model::WorkspaceId>{static_cast<model::WorkspaceId>(**asked)};
  }
  auto all = VisibleWorkspaces(c, p);
  if (!all.ok()) return all.error();
  std::erase(*all, model::kFileWorkspace);
  return all;
}

// The workspace a change is for, with the right to change it.
Status CanEdit(const ApiContext& c, const account::Principal& p, model::WorkspaceId workspace) {
  if (workspace == model::kFileWorkspace) {
    return PermissionDenied("the config file's alerting is set in the file");
  }
  auto role = c.accounts->RoleIn(p, workspace);
  if (!role.ok()) return role.error();
  if (*role == model::Role::kViewer) {
    return PermissionDenied("a viewer cannot change the alert settings");
  }
  return {};
}

Result<model::Channel> ChannelOf(const store::ChannelRecord& r) {
  model::Channel c;
  c.name = r.name;
  const nlohmann::json settings = nlohmann::json::parse(r.settings_json, nullptr, false);
  if (!settings.is_object()) return Internal("a stored channel's settings are not JSON");
  if (Status s = ApplyChannelJson(settings, c); !s.ok()) return s.error();
  return c;
}

nlohmann::json ChannelJson(const store::ChannelRecord& r, const model::Channel& c) {
  nlohmann::json j = ChannelViewJson(c);
  j["id"] = r.id;
  j["workspace_id"] = r.workspace;
  return j;
}

// The channel a path names, if the caller may see it (404 otherwise, as for
// one that does not exist); `edit` asks for the right to change it too.
Result<store::ChannelRecord> TargetChannel(const ApiContext& c, const Request& r,
                                           const account::Principal& p, bool edit) {
  int64_t id = 0;
  if (!ParseId(r.param("id"), &id)) return NotFound("no such channel");
  auto found = c.store->alert_settings().GetChannel(id);
  if (!found.ok()) return found.error();
  if (!*found) return NotFound("no such channel");
  auto role = c.accounts->RoleIn(p, (*found)->workspace);
  if (!role.ok()) return NotFound("no such channel");
  if (edit && *role == model::Role::kViewer) {
    return PermissionDenied("a viewer cannot change the alert settings");
  }
  return **found;
}

Status CheckChannelName(const std::string& name) {
  if (name.empty() || name.size() > kMaxChannelName ||
      std::any_of(name.begin(), name.end(),
                  [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; })) {
    return InvalidField("name",
                        "a channel's name must be 1 to 100 characters, without control "
                        "characters");
  }
  return {};
}

Response ListChannels(const ApiContext& c, const Request& r, const account::Principal& p) {
  TOCSIN_TRY(workspaces, ListedWorkspaces(c, r, p));
  nlohmann::json list = nlohmann::json::array();
  for (model::WorkspaceId w : *workspaces) {
    TOCSIN_TRY(channels, c.store->alert_settings().Channels(w));
    for (const auto& record : *channels) {
      auto channel = ChannelOf(record);
      if (channel.ok()) list.push_back(ChannelJson(record, *channel));
    }
  }
  return JsonResponse(200, {{"channels", std::move(list)}});
}

Response CreateChannel(const ApiContext& c, MonitorCatalog& catalog, const Request& r,
                       const account::Principal& p) {
  TOCSIN_TRY(body, ParseJsonObject(r));
  nlohmann::json settings = *body;
  store::ChannelRecord record;
  record.workspace = DefaultWorkspace(p);
  if (const auto it = settings.find("workspace_id"); it != settings.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1) {
      return ErrorResponse(InvalidField("workspace_id", "'workspace_id' must be a workspace's id"));
    }
    record.workspace = it->get<model::WorkspaceId>();
    settings.erase(it);
  }
  const auto name = settings.find("name");
  if (name == settings.end() || !name->is_string()) {
    return ErrorResponse(InvalidField("name", "'name' is required, a string"));
  }
  record.name = name->get<std::string>();
  settings.erase(name);
  TOCSIN_CHECK(CheckChannelName(record.name));
  if (!settings.contains("type")) return ErrorResponse(InvalidField("type", "'type' is required"));
  model::Channel channel;
  channel.name = record.name;
  TOCSIN_CHECK(ApplyChannelJson(settings, channel));
  TOCSIN_CHECK(notify::ValidateChannel(channel));
  TOCSIN_CHECK(CanEdit(c, p, record.workspace));
  TOCSIN_TRY(existing, c.store->alert_settings().Channels(record.workspace));
  if (existing->size() >= kMaxChannelsPerWorkspace) {
    return ErrorResponse(Conflict("a workspace holds at most 100 channels"));
  }
  record.settings_json = ChannelSettingsJson(channel).dump();
  TOCSIN_TRY(created, c.store->alert_settings().CreateChannel(record));
  TOCSIN_CHECK(catalog.SettingsChanged());
  return JsonResponse(201, ChannelJson(*created, channel));
}

Response GetChannel(const ApiContext& c, const Request& r, const account::Principal& p) {
  TOCSIN_TRY(record, TargetChannel(c, r, p, false));
  TOCSIN_TRY(channel, ChannelOf(*record));
  return JsonResponse(200, ChannelJson(*record, *channel));
}

Response UpdateChannel(const ApiContext& c, MonitorCatalog& catalog, const Request& r,
                       const account::Principal& p) {
  TOCSIN_TRY(body, ParseJsonObject(r));
  for (const char* fixed : {"name", "type", "workspace_id"}) {
    if (body->contains(fixed)) {
      return ErrorResponse(InvalidField(
          fixed, std::string("a channel's '") + fixed +
                     "' cannot change (policies refer to it): make a new channel instead"));
    }
  }
  TOCSIN_TRY(record, TargetChannel(c, r, p, true));
  TOCSIN_TRY(channel, ChannelOf(*record));
  TOCSIN_CHECK(ApplyChannelJson(*body, *channel));
  TOCSIN_CHECK(notify::ValidateChannel(*channel));
  record->settings_json = ChannelSettingsJson(*channel).dump();
  TOCSIN_CHECK(c.store->alert_settings().UpdateChannel(*record));
  TOCSIN_CHECK(catalog.SettingsChanged());
  return JsonResponse(200, ChannelJson(*record, *channel));
}

bool Names(const model::AlertPolicy& policy, const std::string& channel) {
  const auto has = [&](const std::vector<std::string>& v) {
    return std::find(v.begin(), v.end(), channel) != v.end();
  };
  return has(policy.notify) || has(policy.escalate_to);
}

// Who refers to a channel: the workspace's policy or a monitor's
// override. "" when no one does.
Result<std::string> UserOf(const ApiContext& c, const store::ChannelRecord& record) {
  auto policy_json = c.store->alert_settings().Policy(record.workspace);
  if (!policy_json.ok()) return policy_json.error();
  if (!policy_json->empty()) {
    model::AlertPolicy policy;
    const nlohmann::json j = nlohmann::json::parse(*policy_json, nullptr, false);
    if (j.is_object() && ApplyPolicyJson(j, policy, "", {"email_owner"}).ok() &&
        Names(policy, record.name)) {
      return std::string("the workspace's alert policy");
    }
  }
  auto monitors = c.store->monitors().ListMonitors();
  if (!monitors.ok()) return monitors.error();
  for (const auto& m : *monitors) {
    if (m.workspace != record.workspace) continue;
    const nlohmann::json settings = nlohmann::json::parse(m.settings_json, nullptr, false);
    if (!settings.is_object() || !settings.contains("alerts")) continue;
    model::AlertPolicy policy;
    if (ApplyPolicyJson(settings["alerts"], policy, "").ok() && Names(policy, record.name)) {
      return "monitor '" + m.name + "'";
    }
  }
  return std::string();
}

Response DeleteChannel(const ApiContext& c, MonitorCatalog& catalog, const Request& r,
                       const account::Principal& p) {
  TOCSIN_TRY(record, TargetChannel(c, r, p, true));
  TOCSIN_TRY(user, UserOf(c, *record));
  if (!user->empty()) {
    return ErrorResponse(Conflict("the channel '" + record->name + "' is used by " + *user +
                                  ": take it out of there first"));
  }
  TOCSIN_CHECK(c.store->alert_settings().DeleteChannel(record->id));
  TOCSIN_CHECK(catalog.SettingsChanged());
  return NoContent();
}

Response TestChannel(const ApiContext& c, MonitorCatalog& catalog, const Request& r,
                     const account::Principal& p) {
  TOCSIN_TRY(record, TargetChannel(c, r, p, true));
  const int64_t now = NowMs();
  store::OutboxRow row;
  row.dedup_key = "test-" + std::to_string(record->id) + "-" + Hex(RandomBytes(8));
  row.channel = std::string(model::kWorkspaceChannelPrefix) + std::to_string(record->id);
  row.event = model::NoticeEvent::kTest;
  row.payload = nlohmann::json{
      {"v", 1},
      {"event", "test"},
      {"channel", record->name},
      {"requested_by", p.user.name},
      {"at_ms",
       now}}.dump();
  row.created_ms = now;
  row.next_attempt_ms = now;
  row.expires_ms = now + kTestLifetimeMs;
  TOCSIN_CHECK(catalog.Send(row));
  return JsonResponse(202, {{"test_id", row.dedup_key},
                            {"status", "queued"},
                            {"message",
                             "Sent to the channel's receiver; follow its delivery at "
                             "/api/v1/channels/" +
                                 std::to_string(record->id) + "/tests/" + row.dedup_key}});
}

Response GetTest(const ApiContext& c, const Request& r, const account::Principal& p) {
  TOCSIN_TRY(record, TargetChannel(c, r, p, false));
  const std::string key(r.param("test_id"));
  const std::string prefix = "test-" + std::to_string(record->id) + "-";
  if (!key.starts_with(prefix)) return ErrorResponse(NotFound("no such test"));
  TOCSIN_TRY(row, c.store->alerts().FindNotification(key));
  if (!*row) return ErrorResponse(NotFound("no such test"));
  nlohmann::json j = NotificationJson(**row);
  j["channel"] = record->name;
  return JsonResponse(200, j);
}

// --- the workspace's policy

Result<model::WorkspaceId> PathWorkspace(const ApiContext& c, const Request& r,
                                         const account::Principal& p) {
  int64_t id = 0;
  if (!ParseId(r.param("id"), &id)) return NotFound("no such workspace");
  if (!c.accounts->RoleIn(p, static_cast<model::WorkspaceId>(id)).ok()) {
    return NotFound("no such workspace");
  }
  return static_cast<model::WorkspaceId>(id);
}

nlohmann::json PolicyView(model::WorkspaceId workspace, const std::string& stored) {
  model::AlertPolicy policy;
  bool email_owner = true;
  const nlohmann::json j = nlohmann::json::parse(stored.empty() ? "{}" : stored, nullptr, false);
  if (j.is_object()) {
    (void)ApplyPolicyJson(j, policy, "", {"email_owner"});
    email_owner = j.value("email_owner", true);
  }
  nlohmann::json out = PolicyJson(policy);
  out["email_owner"] = email_owner;
  return {{"workspace_id", workspace}, {"policy", std::move(out)}};
}

Response GetPolicy(const ApiContext& c, const Request& r, const account::Principal& p) {
  TOCSIN_TRY(workspace, PathWorkspace(c, r, p));
  TOCSIN_TRY(stored, c.store->alert_settings().Policy(*workspace));
  return JsonResponse(200, PolicyView(*workspace, *stored));
}

Response PutPolicy(const ApiContext& c, MonitorCatalog& catalog, const Request& r,
                   const account::Principal& p) {
  TOCSIN_TRY(body, ParseJsonObject(r));
  TOCSIN_TRY(workspace, PathWorkspace(c, r, p));
  TOCSIN_CHECK(CanEdit(c, p, *workspace));
  model::AlertPolicy policy;
  TOCSIN_CHECK(ApplyPolicyJson(*body, policy, "", {"email_owner"}));
  if (const auto it = body->find("email_owner"); it != body->end() && !it->is_boolean()) {
    return ErrorResponse(InvalidField("email_owner", "'email_owner' must be true or false"));
  }
  TOCSIN_CHECK(CheckChannelNames(c, *workspace, policy));
  // Kept as given, in canonical form: what it names, not the defaults.
  nlohmann::json stored = PolicyJson(policy, *body);
  if (body->contains("email_owner")) stored["email_owner"] = (*body)["email_owner"];
  TOCSIN_CHECK(c.store->alert_settings().SetPolicy(*workspace, stored.dump()));
  TOCSIN_CHECK(catalog.SettingsChanged());
  return JsonResponse(200, PolicyView(*workspace, stored.dump()));
}

// --- maintenance windows

nlohmann::json WindowJson(const store::WindowRecord& r) {
  nlohmann::json j = nlohmann::json::parse(r.window_json, nullptr, false);
  if (!j.is_object()) j = nlohmann::json::object();
  j["id"] = r.id;
  j["workspace_id"] = r.workspace;
  if (!j.contains("monitors")) j["monitors"] = nlohmann::json::array();
  return j;
}

Response ListWindows(const ApiContext& c, const Request& r, const account::Principal& p) {
  TOCSIN_TRY(workspaces, ListedWorkspaces(c, r, p));
  nlohmann::json list = nlohmann::json::array();
  for (model::WorkspaceId w : *workspaces) {
    TOCSIN_TRY(windows, c.store->alert_settings().Windows(w));
    for (const auto& record : *windows) list.push_back(WindowJson(record));
  }
  return JsonResponse(200, {{"maintenance", std::move(list)}});
}

Response CreateWindow(const ApiContext& c, MonitorCatalog& catalog, const Request& r,
                      const account::Principal& p) {
  TOCSIN_TRY(body, ParseJsonObject(r));
  store::WindowRecord record;
  record.workspace = DefaultWorkspace(p);
  if (const auto it = body->find("workspace_id"); it != body->end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1) {
      return ErrorResponse(InvalidField("workspace_id", "'workspace_id' must be a workspace's id"));
    }
    record.workspace = it->get<model::WorkspaceId>();
  }
  TOCSIN_TRY(window, WindowFromJson(*body));
  TOCSIN_CHECK(CanEdit(c, p, record.workspace));
  nlohmann::json stored = *body;
  stored.erase("workspace_id");
  // The monitors it covers: ids of this workspace's monitors; none named
  // means all of them.
  if (const auto it = stored.find("monitors"); it != stored.end()) {
    if (!it->is_array() || it->size() > 10'000) {
      return ErrorResponse(InvalidField("monitors", "'monitors' must be a list of monitor ids"));
    }
    const MonitorList list = catalog.Snapshot();
    for (const auto& id : *it) {
      const bool known = id.is_number_integer() &&
                         std::any_of(list->begin(), list->end(), [&](const model::Monitor& m) {
                           return static_cast<int64_t>(m.id) == id.get<int64_t>() &&
                                  m.workspace == record.workspace;
                         });
      if (!known) {
        return ErrorResponse(InvalidField(
            "monitors",
            "'monitors' names " + id.dump() + ", which is not a monitor of this workspace"));
      }
    }
  }
  TOCSIN_TRY(existing, c.store->alert_settings().Windows(record.workspace));
  if (existing->size() >= kMaxWindowsPerWorkspace) {
    return ErrorResponse(Conflict("a workspace holds at most 200 maintenance windows"));
  }
  record.window_json = stored.dump();
  TOCSIN_TRY(created, c.store->alert_settings().CreateWindow(record));
  TOCSIN_CHECK(catalog.SettingsChanged());
  // The status pages showing a covered monitor tell their subscribers.
  if (const auto it = stored.find("monitors"); it != stored.end()) {
    for (const auto& id : *it) window->monitors.push_back(id.get<model::MonitorId>());
  }
  TOCSIN_CHECK(NotifyMaintenance(c, record.workspace, *window, created->id, NowMs()));
  return JsonResponse(201, WindowJson(*created));
}

Response DeleteWindow(const ApiContext& c, MonitorCatalog& catalog, const Request& r,
                      const account::Principal& p) {
  int64_t id = 0;
  if (!ParseId(r.param("id"), &id)) return ErrorResponse(NotFound("no such maintenance window"));
  TOCSIN_TRY(all, c.store->alert_settings().Windows(0));
  const auto it = std::find_if(all->begin(), all->end(),
                               [id](const store::WindowRecord& w) { return w.id == id; });
  if (it == all->end() || !c.accounts->RoleIn(p, it->workspace).ok()) {
    return ErrorResponse(NotFound("no such maintenance window"));
  }
  TOCSIN_CHECK(CanEdit(c, p, it->workspace));
  TOCSIN_CHECK(c.store->alert_settings().DeleteWindow(id, it->workspace));
  TOCSIN_CHECK(catalog.SettingsChanged());
  return NoContent();
}

}  // namespace

Status CheckChannelNames(const ApiContext& c, model::WorkspaceId workspace,
                         const model::AlertPolicy& policy) {
  auto channels = c.store->alert_settings().Channels(workspace);
  if (!channels.ok()) return channels.error();
  std::set<std::string> names;
  for (const auto& ch : *channels) names.insert(ch.name);
  for (const auto& [field, list] :
       {std::pair{"notify", &policy.notify}, std::pair{"escalate_to", &policy.escalate_to}}) {
    for (const std::string& name : *list) {
      if (!names.contains(name)) {
        return InvalidField(
            field, std::string(field) + ": this workspace has no channel named '" + name + "'");
      }
    }
  }
  return {};
}

std::vector<Route> AlertSettingsRoutes(const ApiContext& c, MonitorCatalog& catalog) {
  MonitorCatalog* cat = &catalog;
  std::vector<Route> routes;
  routes.push_back(
      {"GET", "/api/v1/channels", Authed(c, [c](const Request& r, const account::Principal& p) {
         return ListChannels(c, r, p);
       })});
  routes.push_back({"POST", "/api/v1/channels",
                    Authed(c, [c, cat](const Request& r, const account::Principal& p) {
                      return CreateChannel(c, *cat, r, p);
                    })});
  routes.push_back({"GET", "/api/v1/channels/{id}",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      return GetChannel(c, r, p);
                    })});
  routes.push_back({"PATCH", "/api/v1/channels/{id}",
                    Authed(c, [c, cat](const Request& r, const account::Principal& p) {
                      return UpdateChannel(c, *cat, r, p);
                    })});
  routes.push_back({"DELETE", "/api/v1/channels/{id}",
                    Authed(c, [c, cat](const Request& r, const account::Principal& p) {
                      return DeleteChannel(c, *cat, r, p);
                    })});
  routes.push_back({"POST", "/api/v1/channels/{id}/test",
                    Authed(c, [c, cat](const Request& r, const account::Principal& p) {
                      return TestChannel(c, *cat, r, p);
                    })});
  routes.push_back(
      {"GET", "/api/v1/channels/{id}/tests/{test_id}",
       Authed(c, [c](const Request& r, const account::Principal& p) { return GetTest(c, r, p); })});
  routes.push_back({"GET", "/api/v1/workspaces/{id}/alert-policy",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      return GetPolicy(c, r, p);
                    })});
  routes.push_back({"PUT", "/api/v1/workspaces/{id}/alert-policy",
                    Authed(c, [c, cat](const Request& r, const account::Principal& p) {
                      return PutPolicy(c, *cat, r, p);
                    })});
  routes.push_back(
      {"GET", "/api/v1/maintenance", Authed(c, [c](const Request& r, const account::Principal& p) {
         return ListWindows(c, r, p);
       })});
  routes.push_back({"POST", "/api/v1/maintenance",
                    Authed(c, [c, cat](const Request& r, const account::Principal& p) {
                      return CreateWindow(c, *cat, r, p);
                    })});
  routes.push_back({"DELETE", "/api/v1/maintenance/{id}",
                    Authed(c, [c, cat](const Request& r, const account::Principal& p) {
                      return DeleteWindow(c, *cat, r, p);
                    })});
  return routes;
}

}  // namespace tocsin::api
