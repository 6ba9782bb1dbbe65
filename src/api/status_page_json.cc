#include "api/status_page_json.h"

namespace tocsin::api {

bool IsPostState(std::string_view state) {
  for (const char* s : kPostStates) {
    if (state == s) return true;
  }
  return false;
}

report::StatusPageSettings SettingsOf(const store::StatusPageRecord& page) {
  report::StatusPageSettings s;
  const nlohmann::json j = nlohmann::json::parse(page.settings_json, nullptr, false);
  if (!j.is_object()) return s;
  s.title = j.value("title", "");
  s.description = j.value("description", "");
  s.show_urls = j.value("show_urls", false);
  s.hide_blips_under_s = j.value("hide_blips_under_s", int64_t{0});
  if (const auto it = j.find("monitors"); it != j.end() && it->is_array()) {
    for (const auto& id : *it) {
      if (id.is_number_integer()) s.monitors.push_back(id.get<model::MonitorId>());
    }
  }
  return s;
}

nlohmann::json PageJson(const store::StatusPageRecord& page) {
  const report::StatusPageSettings s = SettingsOf(page);
  return {{"id", page.id},
          {"workspace_id", page.workspace},
          {"slug", page.slug},
          {"host", page.host.empty() ? nlohmann::json() : nlohmann::json(page.host)},
          {"title", s.title},
          {"description", s.description},
          {"monitors", s.monitors},
          {"show_urls", s.show_urls},
          {"hide_blips_under_s", s.hide_blips_under_s},
          {"path", "/status/" + page.slug},
          {"created_ms", page.created_ms}};
}

nlohmann::json PostJson(const store::StatusPostRecord& post) {
  nlohmann::json updates = nlohmann::json::array();
  for (const auto& u : post.updates) {
    updates.push_back(
        {{"id", u.id}, {"state", u.state}, {"message", u.message}, {"created_ms", u.created_ms}});
  }
  return {{"id", post.id},
          {"title", post.title},
          {"created_ms", post.created_ms},
          {"state", post.updates.empty() ? "investigating" : post.updates.back().state},
          {"updates", std::move(updates)}};
}

Result<std::vector<store::MonitorRecord>> PageMonitors(store::MonitorStore& monitors,
                                                       const store::StatusPageRecord& page,
                                                       const report::StatusPageSettings& settings) {
  std::vector<store::MonitorRecord> out;
  for (model::MonitorId id : settings.monitors) {
    auto m = monitors.GetMonitor(id);
    if (!m.ok()) return m.error();
    if (*m && (*m)->workspace == page.workspace) out.push_back(**m);
  }
  return out;
}

}  // namespace tocsin::api
