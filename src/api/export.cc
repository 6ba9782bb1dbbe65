#include "api/export.h"

#include "api/alert_settings_json.h"
#include "api/json.h"
#include "api/status_page_json.h"
#include "api/views.h"

namespace tocsin::api {
namespace {

constexpr size_t kResultsChunk = 10'000;
constexpr size_t kIncidentsPerMonitor = 100'000;
constexpr size_t kExportedPosts = 100'000;

Result<nlohmann::json> MonitorExport(const ApiContext& c, MonitorCatalog& catalog,
                                     const store::MonitorRecord& m) {
  nlohmann::json j = {{"id", m.id},
                      {"name", m.name},
                      {"url", m.url},
                      {"interval_s", m.interval / 1'000'000},
                      {"enabled", m.enabled},
                      {"check", catalog.DisplayOptions(m)},
                      {"created_ms", m.created_ms},
                      {"updated_ms", m.updated_ms}};
  auto incidents = c.store->alerts().ListIncidents(m.id, kIncidentsPerMonitor);
  if (!incidents.ok()) return incidents.error();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& inc : *incidents) {
    auto sent = c.store->alerts().NotificationsOf(inc.id);
    if (!sent.ok()) return sent.error();
    list.push_back(IncidentJson(inc, *sent));
  }
  j["incidents"] = std::move(list);
  nlohmann::json results = nlohmann::json::array();
  int64_t from_ms = 0;
  while (true) {
    auto page = c.store->results().QueryResults(m.id, from_ms, INT64_MAX / 2, kResultsChunk);
    if (!page.ok()) return page.error();
    for (const auto& r : *page) results.push_back(ResultJson(r));
    if (page->size() < kResultsChunk) break;
    from_ms = page->back().ts_ms + 1;
  }
  j["results"] = std::move(results);
  return j;
}

}  // namespace

std::vector<Route> ExportRoutes(const ApiContext& c, MonitorCatalog& catalog) {
  MonitorCatalog* cat = &catalog;
  std::vector<Route> routes;
  routes.push_back(
      {"GET", "/api/v1/account/export",
       Authed(c, [c, cat](const Request&, const account::Principal& p) {
         if (p.token) {
           return ErrorResponse(
               PermissionDenied("the export is made from a logged-in session, not a token"));
         }
         const model::User& u = p.user;
         nlohmann::json out = {{"format", "tocsin-export-1"},
                               {"exported_ms", NowMs()},
                               {"profile",
                                {{"id", u.id},
                                 {"name", u.name},
                                 {"email", u.email},
                                 {"email_confirmed_ms", u.email_confirmed_ms},
                                 {"created_ms", u.created_ms},
                                 {"admin", u.admin},
                                 {"time_zone", u.time_zone},
                                 {"weekly_summary", u.weekly_summary},
                                 {"totp_enabled", u.totp_enabled},
                                 {"password_changed_ms", u.password_changed_ms}}}};
         TOCSIN_TRY(sessions, c.store->accounts().SessionsOf(u.id));
         nlohmann::json session_list = nlohmann::json::array();
         for (const auto& s : *sessions) {
           session_list.push_back({{"created_ms", s.created_ms},
                                   {"last_seen_ms", s.last_seen_ms},
                                   {"expires_ms", s.expires_ms},
                                   {"user_agent", s.user_agent}});
         }
         out["sessions"] = std::move(session_list);
         TOCSIN_TRY(workspaces, c.store->accounts().WorkspacesOf(u.id));
         TOCSIN_TRY(all, c.store->monitors().ListMonitors());
         nlohmann::json list = nlohmann::json::array();
         for (const auto& [w, role] : *workspaces) {
           nlohmann::json wj = {{"id", w.id},
                                {"name", w.name},
                                {"personal", w.personal_of != 0},
                                {"role", model::RoleName(role)}};
           TOCSIN_TRY(members, c.store->accounts().Members(w.id));
           nlohmann::json member_list = nlohmann::json::array();
           for (const auto& m : *members) {
             member_list.push_back(
                 {{"name", m.name}, {"email", m.email}, {"role", model::RoleName(m.role)}});
           }
           wj["members"] = std::move(member_list);
           TOCSIN_TRY(tokens, c.store->accounts().TokensOf(w.id));
           nlohmann::json token_list = nlohmann::json::array();
           for (const auto& t : *tokens) {
             if (t.user != u.id) continue;
             token_list.push_back({{"id", t.id},
                                   {"name", t.name},
                                   {"read_only", t.read_only},
                                   {"created_ms", t.created_ms},
                                   {"expires_ms", t.expires_ms},
                                   {"last_used_ms", t.last_used_ms},
                                   {"revoked_ms", t.revoked_ms}});
           }
           wj["your_tokens"] = std::move(token_list);
           // The monitors' data is the workspace's: exported by its owners.
           nlohmann::json monitors = nlohmann::json::array();
           if (role == model::Role::kOwner) {
             for (const auto& m : *all) {
               if (m.workspace != w.id) continue;
               TOCSIN_TRY(mj, MonitorExport(c, *cat, m));
               monitors.push_back(std::move(*mj));
             }
           }
           wj["monitors"] = std::move(monitors);
           // Its alert settings; channels' secrets (signing keys, tokens)
           // are credentials, not data about the user: named, not copied.
           nlohmann::json channels = nlohmann::json::array();
           TOCSIN_TRY(stored_channels, c.store->alert_settings().Channels(w.id));
           for (const auto& ch : *stored_channels) {
             model::Channel channel;
             channel.name = ch.name;
             const nlohmann::json settings =
                 nlohmann::json::parse(ch.settings_json, nullptr, false);
             if (settings.is_object() && ApplyChannelJson(settings, channel).ok()) {
               nlohmann::json view = ChannelViewJson(channel);
               view["id"] = ch.id;
               channels.push_back(std::move(view));
             }
           }
           wj["channels"] = std::move(channels);
           TOCSIN_TRY(policy, c.store->alert_settings().Policy(w.id));
           wj["alert_policy"] =
               nlohmann::json::parse(policy->empty() ? "{}" : *policy, nullptr, false);
           TOCSIN_TRY(windows, c.store->alert_settings().Windows(w.id));
           nlohmann::json window_list = nlohmann::json::array();
           for (const auto& win : *windows) {
             nlohmann::json wjson = nlohmann::json::parse(win.window_json, nullptr, false);
             if (!wjson.is_object()) continue;
             wjson["id"] = win.id;
             window_list.push_back(std::move(wjson));
           }
           wj["maintenance"] = std::move(window_list);
           // Status pages with what was posted on them (subscribers' addresses
           // are theirs, not this account's).
           TOCSIN_TRY(pages, c.store->status_pages().Pages({w.id}));
           nlohmann::json page_list = nlohmann::json::array();
           for (const auto& page : *pages) {
             nlohmann::json pj = PageJson(page);
             TOCSIN_TRY(posts, c.store->status_pages().Posts(page.id, 0, kExportedPosts));
             pj["posts"] = nlohmann::json::array();
             for (const auto& post : *posts) pj["posts"].push_back(PostJson(post));
             page_list.push_back(std::move(pj));
           }
           wj["status_pages"] = std::move(page_list);
           list.push_back(std::move(wj));
         }
         out["workspaces"] = std::move(list);
         Response r = JsonResponse(200, out);
         r.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"tocsin-export.json\"");
         return r;
       })});
  return routes;
}

}  // namespace tocsin::api
