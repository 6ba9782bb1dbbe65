#include "api/status_pages.h"

#include <algorithm>

#include "alert/maintenance.h"
#include "api/json.h"
#include "api/status_page_json.h"
#include "core/text.h"

namespace tocsin::api {
namespace {

constexpr size_t kMaxPagesPerWorkspace = 50;
constexpr size_t kMaxMonitorsPerPage = 200;
constexpr size_t kPostsListed = 100;
constexpr int64_t kNoticeLifetimeMs = 86'400'000;
// A new maintenance window is announced when it next opens within this.
constexpr int64_t kMaintenanceNoticeMs = 31 * 86'400'000LL;

// Lower-case letters, digits and dashes, 3 to 64, not starting or ending
// with a dash: safe in a path and in mail.
bool IsSlug(std::string_view s) {
  if (s.size() < 3 || s.size() > 64 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// A host name as the Host header carries it, lower case, without a port.
bool IsHostName(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.' ||
      s.find('.') == std::string_view::npos) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

std::string Lower(std::string s) {
  for (char& ch : s) ch = AsciiLower(ch);
  return s;
}

bool ContainsControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; });
}

Status CanEdit(const ApiContext& c, const account::Principal& p, model::WorkspaceId workspace) {
  auto role = c.accounts->RoleIn(p, workspace);
  if (!role.ok()) return role.error();
  if (*role == model::Role::kViewer) return PermissionDenied("a viewer cannot change status pages");
  return {};
}

// The page of the path, if the caller may see it (NotFound otherwise: no
// page of another workspace is confirmed to exist).
Result<store::StatusPageRecord> PathPage(const ApiContext& c, const Request& r,
                                         const account::Principal& p) {
  int64_t id = 0;
  if (!ParseId(r.param("id"), &id)) return NotFound("no such status page");
  auto page = c.store->status_pages().GetPage(id);
  if (!page.ok()) return page.error();
  if (!*page) return NotFound("no such status page");
  auto visible = VisibleWorkspaces(c, p);
  if (!visible.ok()) return visible.error();
  if (std::find(visible->begin(), visible->end(), (*page)->workspace) == visible->end()) {
    return NotFound("no such status page");
  }
  return **page;
}

// Applies the body's fields to `page` (a new page when `creating`).
Status ApplyPage(const ApiContext& c, const nlohmann::json& body, store::StatusPageRecord& page,
                 bool creating) {
  Fields f(body);
  auto slug = f.String("slug", 64);
  auto host = f.Raw("host");
  auto title = f.String("title", 200);
  auto description = f.String("description", 2000);
  auto show_urls = f.Bool("show_urls");
  auto blips = f.Int("hide_blips_under_s", 0, 86'400);
  const nlohmann::json* monitors = f.Raw("monitors");
  f.Raw("workspace_id");  // read by the caller
  if (!slug.ok()) return slug.error();
  if (!title.ok()) return title.error();
  if (!description.ok()) return description.error();
  if (!show_urls.ok()) return show_urls.error();
  if (!blips.ok()) return blips.error();
  if (Status s = f.Finish(); !s.ok()) return s;
  nlohmann::json settings = nlohmann::json::parse(page.settings_json, nullptr, false);
  if (!settings.is_object()) settings = nlohmann::json::object();
  if (*slug) {
    if (!IsSlug(**slug)) {
      return InvalidField("slug", "3 to 64 lower-case letters, digits and dashes");
    }
    page.slug = **slug;
  } else if (creating) {
    return InvalidField("slug", "'slug' is required: the page's address is /status/{slug}");
  }
  if (host != nullptr) {
    if (host->is_null() || (host->is_string() && host->get<std::string>().empty())) {
      page.host.clear();
    } else if (!host->is_string() || !IsHostName(Lower(host->get<std::string>()))) {
      return InvalidField("host", "a host name such as status.example.com, or null");
    } else {
      page.host = Lower(host->get<std::string>());
    }
  }
  if (*title) {
    if (ContainsControl(**title)) return InvalidField("title", "no control characters");
    settings["title"] = **title;
  }
  if (*description) settings["description"] = **description;
  if (*show_urls) settings["show_urls"] = **show_urls;
  if (*blips) settings["hide_blips_under_s"] = **blips;
  if (monitors != nullptr) {
    if (!monitors->is_array() || monitors->size() > kMaxMonitorsPerPage) {
      return InvalidField("monitors", "a list of at most 200 monitor ids");
    }
    std::vector<model::MonitorId> ids;
    for (const auto& id : *monitors) {
      if (!id.is_number_integer()) return InvalidField("monitors", "monitor ids are numbers");
      auto m = c.store->monitors().GetMonitor(id.get<model::MonitorId>());
      if (!m.ok()) return m.error();
      if (!*m || (*m)->workspace != page.workspace) {
        return InvalidField("monitors", "monitor " + std::to_string(id.get<int64_t>()) +
                                            " is not in this page's workspace");
      }
      if (std::find(ids.begin(), ids.end(), (*m)->id) == ids.end()) ids.push_back((*m)->id);
    }
    settings["monitors"] = ids;
  } else if (creating) {
    settings["monitors"] = nlohmann::json::array();
  }
  page.settings_json = settings.dump();
  return {};
}

Response CreatePage(const ApiContext& c, const Request& r, const account::Principal& p) {
  TOCSIN_TRY(body, ParseJsonObject(r));
  store::StatusPageRecord page;
  page.workspace = p.token ? p.token->workspace : p.user.personal_workspace;
  if (const auto it = body->find("workspace_id"); it != body->end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1) {
      return ErrorResponse(InvalidField("workspace_id", "'workspace_id' must be a workspace's id"));
    }
    page.workspace = it->get<model::WorkspaceId>();
  }
  TOCSIN_CHECK(CanEdit(c, p, page.workspace));
  TOCSIN_TRY(existing, c.store->status_pages().Pages({page.workspace}));
  if (existing->size() >= kMaxPagesPerWorkspace) {
    return ErrorResponse(Conflict("a workspace holds at most 50 status pages"));
  }
  TOCSIN_CHECK(ApplyPage(c, *body, page, true));
  page.created_ms = NowMs();
  TOCSIN_TRY(created, c.store->status_pages().CreatePage(page));
  return JsonResponse(201, PageJson(*created));
}

Result<store::StatusUpdateRecord> ReadUpdate(Fields& f) {
  auto state = f.RequiredString("state", 20);
  if (!state.ok()) return state.error();
  if (!IsPostState(*state)) {
    return InvalidField("state", "investigating, identified, monitoring or resolved");
  }
  auto message = f.RequiredString("message", 5000);
  if (!message.ok()) return message.error();
  store::StatusUpdateRecord u;
  u.state = *state;
  u.message = *message;
  u.created_ms = NowMs();
  return u;
}

}  // namespace

namespace {

// One mail per confirmed subscriber of the page, through the outbox, each
// with its one-click unsubscribe; `key` makes the rows of one notice
// unique (a retry adds nothing).
Status MailSubscribers(const ApiContext& c, const store::StatusPageRecord& page,
                       const std::string& key, const std::string& subject, const std::string& what,
                       int64_t now_ms) {
  auto subscribers = c.store->status_pages().Subscribers(page.id);
  if (!subscribers.ok()) return subscribers.error();
  if (subscribers->empty()) return {};
  const std::string title = SettingsOf(page).title.empty() ? page.slug : SettingsOf(page).title;
  const std::string page_url = c.public_url + "/status/" + page.slug;
  std::vector<store::OutboxRow> rows;
  for (const auto& s : *subscribers) {
    // The unsubscribe link names the subscriber by its token's hash: the
    // confirmation link's token stays secret (a link with the hash cannot
    // confirm), and the hash alone can only unsubscribe.
    const std::string unsubscribe = page_url + "/unsubscribe/" + s.token_hash;
    store::OutboxRow row;
    row.dedup_key = key + ":" + std::to_string(s.id);
    row.recipient = s.email;
    row.event = model::NoticeEvent::kAccountMail;
    row.payload =
        nlohmann::json{
            {"subject", "[" + title + "] " + subject},
            {"text", what + "\n\nThe status page: " + page_url + "\n\nYou subscribed to " + title +
                         ". Stop these mails with one click: " + unsubscribe + "\n"},
            {"headers",
             {{"List-Unsubscribe", "<" + unsubscribe + ">"},
              {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}}}}
            .dump();
    row.created_ms = now_ms;
    row.next_attempt_ms = now_ms;
    row.expires_ms = now_ms + kNoticeLifetimeMs;
    rows.push_back(std::move(row));
  }
  if (Status s = c.store->alerts().Apply({}, rows); !s.ok()) return s;
  if (c.outbox_changed) c.outbox_changed();
  return {};
}

std::string Utc(int64_t ms) {
  const time_t t = ms / 1000;
  tm u{};
  gmtime_r(&t, &u);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &u);
  return buf;
}

}  // namespace

Status NotifySubscribers(const ApiContext& c, const store::StatusPageRecord& page,
                         const store::StatusPostRecord& post) {
  if (post.updates.empty()) return {};
  const store::StatusUpdateRecord& u = post.updates.back();
  return MailSubscribers(c, page, "status:" + std::to_string(u.id), post.title + ": " + u.state,
                         post.title + "\n\n" + u.state + ": " + u.message, u.created_ms);
}

Status NotifyMaintenance(const ApiContext& c, model::WorkspaceId workspace,
                         const model::MaintenanceWindow& window, int64_t window_id,
                         int64_t now_ms) {
  auto schedule = alert::MaintenanceSchedule::Build({window});
  if (!schedule.ok()) return {};
  auto pages = c.store->status_pages().Pages({workspace});
  if (!pages.ok()) return pages.error();
  for (const auto& page : *pages) {
    const auto next =
        (*schedule)->Occurrences(SettingsOf(page).monitors, now_ms, now_ms + kMaintenanceNoticeMs);
    if (next.empty()) continue;
    const std::string when = Utc(next.front().start_ms) + " to " + Utc(next.front().end_ms);
    if (Status s =
            MailSubscribers(c, page, "status-maintenance:" + std::to_string(window_id),
                            "Scheduled maintenance: " + window.name,
                            "Scheduled maintenance: " + window.name + ", " + when + ".", now_ms);
        !s.ok()) {
      return s;
    }
  }
  return {};
}

std::vector<Route> StatusPageRoutes(const ApiContext& c) {
  std::vector<Route> routes;
  routes.push_back(
      {"GET", "/api/v1/status-pages", Authed(c, [c](const Request&, const account::Principal& p) {
         TOCSIN_TRY(visible, VisibleWorkspaces(c, p));
         TOCSIN_TRY(pages, c.store->status_pages().Pages(*visible));
         nlohmann::json list = nlohmann::json::array();
         for (const auto& page : *pages) list.push_back(PageJson(page));
         return JsonResponse(200, {{"status_pages", std::move(list)}});
       })});
  routes.push_back({"POST", "/api/v1/status-pages",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      return CreatePage(c, r, p);
                    })});
  routes.push_back({"GET", "/api/v1/status-pages/{id}",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(page, PathPage(c, r, p));
                      return JsonResponse(200, PageJson(*page));
                    })});
  routes.push_back({"PATCH", "/api/v1/status-pages/{id}",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(page, PathPage(c, r, p));
                      TOCSIN_CHECK(CanEdit(c, p, page->workspace));
                      TOCSIN_TRY(body, ParseJsonObject(r));
                      if (body->contains("workspace_id")) {
                        return ErrorResponse(
                            InvalidField("workspace_id", "a page stays in its workspace"));
                      }
                      store::StatusPageRecord changed = *page;
                      TOCSIN_CHECK(ApplyPage(c, *body, changed, false));
                      TOCSIN_CHECK(c.store->status_pages().UpdatePage(changed));
                      return JsonResponse(200, PageJson(changed));
                    })});
  routes.push_back({"DELETE", "/api/v1/status-pages/{id}",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(page, PathPage(c, r, p));
                      TOCSIN_CHECK(CanEdit(c, p, page->workspace));
                      TOCSIN_CHECK(c.store->status_pages().DeletePage(page->id));
                      return NoContent();
                    })});
  routes.push_back({"GET", "/api/v1/status-pages/{id}/posts",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(page, PathPage(c, r, p));
                      TOCSIN_TRY(posts, c.store->status_pages().Posts(page->id, 0, kPostsListed));
                      nlohmann::json list = nlohmann::json::array();
                      for (const auto& post : *posts) list.push_back(PostJson(post));
                      return JsonResponse(200, {{"posts", std::move(list)}});
                    })});
  routes.push_back({"POST", "/api/v1/status-pages/{id}/posts",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(page, PathPage(c, r, p));
                      TOCSIN_CHECK(CanEdit(c, p, page->workspace));
                      TOCSIN_TRY(body, ParseJsonObject(r));
                      Fields f(*body);
                      TOCSIN_TRY(title, f.RequiredString("title", 200));
                      TOCSIN_TRY(update, ReadUpdate(f));
                      TOCSIN_CHECK(f.Finish());
                      if (title->empty() || ContainsControl(*title)) {
                        return ErrorResponse(InvalidField("title", "1 to 200 characters"));
                      }
                      store::StatusPostRecord post;
                      post.page = page->id;
                      post.title = *title;
                      post.created_ms = update->created_ms;
                      post.updates.push_back(*update);
                      TOCSIN_TRY(created, c.store->status_pages().CreatePost(post));
                      TOCSIN_CHECK(NotifySubscribers(c, *page, *created));
                      return JsonResponse(201, PostJson(*created));
                    })});
  routes.push_back({"POST", "/api/v1/status-pages/{id}/posts/{post_id}/updates",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(page, PathPage(c, r, p));
                      TOCSIN_CHECK(CanEdit(c, p, page->workspace));
                      int64_t post_id = 0;
                      if (!ParseId(r.param("post_id"), &post_id)) {
                        return ErrorResponse(NotFound("no such post"));
                      }
                      TOCSIN_TRY(posts, c.store->status_pages().Posts(page->id, 0, kPostsListed));
                      auto post = std::find_if(posts->begin(), posts->end(),
                                               [&](const auto& x) { return x.id == post_id; });
                      if (post == posts->end()) return ErrorResponse(NotFound("no such post"));
                      TOCSIN_TRY(body, ParseJsonObject(r));
                      Fields f(*body);
                      TOCSIN_TRY(update, ReadUpdate(f));
                      TOCSIN_CHECK(f.Finish());
                      update->post = post_id;
                      TOCSIN_TRY(added, c.store->status_pages().AddUpdate(*update));
                      post->updates.push_back(*added);
                      TOCSIN_CHECK(NotifySubscribers(c, *page, *post));
                      return JsonResponse(201, PostJson(*post));
                    })});
  return routes;
}

}  // namespace tocsin::api
