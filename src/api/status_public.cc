#include "api/status_public.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>

#include "account/accounts.h"
#include "alert/maintenance.h"
#include "api/alert_settings_json.h"
#include "api/html.h"
#include "api/json.h"
#include "api/status_page_json.h"
#include "core/crypto.h"
#include "notify/email/mime.h"
#include "report/status_page.h"

namespace tocsin::api {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kConfirmEveryMs = 600'000;  // one confirmation mail per address per 10 min
constexpr int64_t kMailLifetimeMs = 86'400'000;
constexpr size_t kMaxCachedPages = 1'000;
constexpr int64_t kMaintenanceAheadMs = 14 * kDayMs;  // scheduled maintenance shown this far ahead
constexpr const char* kPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

const char* kPageStyle =
    "body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em;"
    "color:#1a1a1a}h1{margin-bottom:.2em}.overall{padding:.8em 1em;border-radius:6px;"
    "color:#fff;font-weight:600}.ok{background:#15803d}.bad{background:#b91c1c}"
    ".part{background:#b45309}.monitor{border-top:1px solid #ddd;padding:.8em 0}"
    ".row{display:flex;justify-content:space-between;gap:1em;flex-wrap:wrap}"
    ".url{color:#555;font-size:.85em;word-break:break-all}"
    ".bars{display:flex;gap:1px;height:28px;margin:.4em 0}.bars span{flex:1;border-radius:1px}"
    ".d-full{background:#16a34a}.d-most{background:#84cc16}.d-some{background:#f59e0b}"
    ".d-low{background:#dc2626}.d-none{background:#d1d5db}.legend{display:flex;"
    "justify-content:space-between;color:#666;font-size:.8em}.state-up{color:#15803d}"
    ".state-down{color:#b91c1c}.state-other{color:#666}.post{border-left:3px solid #b45309;"
    "padding:.2em .8em;margin:1em 0}.post.resolved{border-color:#15803d}"
    ".update{margin:.4em 0}.when{color:#666;font-size:.85em}footer{margin:3em 0 1em;"
    "color:#666;font-size:.85em}@media (prefers-color-scheme:dark){body{background:#111;"
    "color:#eee}.url,.when,.legend,footer{color:#aaa}.d-none{background:#444}"
    ".monitor{border-color:#333}}";

Response Page(int status, const std::string& title, const std::string& body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta "
      "name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
      HtmlEscape(title) + "</title><style>" + kPageStyle + "</style></head><body>" + body +
      "<footer>Status page by Tocsin. No cookies, no tracking.</footer></body></html>";
  r.headers = {{"Content-Security-Policy", kPolicy},
               {"Referrer-Policy", "no-referrer"},
               {"X-Content-Type-Options", "nosniff"},
               {"Cache-Control", "no-cache"}};
  return r;
}

std::string Date(int64_t ms) {
  const time_t t = ms / 1000;
  tm u{};
  gmtime_r(&t, &u);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &u);
  return buf;
}

std::string DayName(int64_t ms) {
  return Date(ms).substr(0, 10);
}

std::string Duration(int64_t ms) {
  const int64_t s = ms / 1000;
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min", s / 60);
  if (s < 86'400) return fmt::format("{} h {} min", s / 3600, s % 3600 / 60);
  return fmt::format("{} d {} h", s / 86'400, s % 86'400 / 3600);
}

const char* DayClass(const std::optional<double>& a) {
  if (!a) return "d-none";
  if (*a >= 99.9) return "d-full";
  if (*a >= 99) return "d-most";
  if (*a >= 90) return "d-some";
  return "d-low";
}

std::string RenderPost(const store::StatusPostRecord& post) {
  const bool resolved = !post.updates.empty() && post.updates.back().state == "resolved";
  std::string h = std::string("<div class=\"post") + (resolved ? " resolved" : "") + "\"><h3>" +
                  HtmlEscape(post.title) + "</h3>";
  for (auto it = post.updates.rbegin(); it != post.updates.rend(); ++it) {
    h += "<p class=\"update\"><strong>" + HtmlEscape(it->state) + "</strong> " +
         HtmlEscape(it->message) + " <span class=\"when\">" + Date(it->created_ms) + "</span></p>";
  }
  return h + "</div>";
}

// The maintenance of the page's monitors from now to two weeks ahead.
std::vector<alert::MaintenanceSchedule::Occurrence> Scheduled(const ApiContext& c,
                                                              const store::StatusPageRecord& page,
                                                              const report::StatusPageView& v,
                                                              int64_t now_ms) {
  auto records = c.store->alert_settings().Windows(page.workspace);
  if (!records.ok()) return {};
  std::vector<model::MaintenanceWindow> windows;
  for (const auto& r : *records) {
    auto w = WindowFromJson(nlohmann::json::parse(r.window_json, nullptr, false));
    if (w.ok()) windows.push_back(std::move(*w));
  }
  auto schedule = alert::MaintenanceSchedule::Build(std::move(windows));
  if (!schedule.ok()) return {};
  std::vector<model::MonitorId> ids;
  for (const auto& m : v.monitors) ids.push_back(m.id);
  return (*schedule)->Occurrences(ids, now_ms, now_ms + kMaintenanceAheadMs);
}

std::string Render(const store::StatusPageRecord& page, const report::StatusPageView& v,
                   const std::vector<alert::MaintenanceSchedule::Occurrence>& maintenance,
                   int64_t now_ms) {
  const std::string overall = report::OverallWords(v);
  const char* overall_class = v.down == 0 ? "ok" : v.down == v.monitors.size() ? "bad" : "part";
  std::string h = "<h1>" + HtmlEscape(v.title) + "</h1>";
  if (!v.description.empty()) h += "<p>" + HtmlEscape(v.description) + "</p>";
  h +=
      std::string("<p class=\"overall ") + overall_class + "\" role=\"status\">" + overall + "</p>";
  std::string open;
  std::string past;
  for (const auto& post : v.posts) {
    const bool resolved = !post.updates.empty() && post.updates.back().state == "resolved";
    (resolved ? past : open) += RenderPost(post);
  }
  if (!open.empty())
    h += "<section aria-labelledby=\"now\"><h2 id=\"now\">Now</h2>" + open + "</section>";
  if (!maintenance.empty()) {
    h += "<section aria-labelledby=\"maintenance\"><h2 id=\"maintenance\">Scheduled "
         "maintenance</h2><ul>";
    for (const auto& m : maintenance) {
      h += "<li>" + HtmlEscape(m.name) + ": " + Date(m.start_ms) + " to " + Date(m.end_ms) +
           (m.start_ms <= now_ms ? " (in progress)" : "") + "</li>";
    }
    h += "</ul></section>";
  }

  h += "<section aria-labelledby=\"systems\"><h2 id=\"systems\">Systems</h2>";
  if (v.monitors.empty()) h += "<p>Nothing is shown on this page yet.</p>";
  for (const auto& m : v.monitors) {
    const char* word = m.health == report::PageHealth::kUp       ? "Operational"
                       : m.health == report::PageHealth::kDown   ? "Down"
                       : m.health == report::PageHealth::kPaused ? "Paused"
                                                                 : "No data yet";
    const char* cls = m.health == report::PageHealth::kUp     ? "state-up"
                      : m.health == report::PageHealth::kDown ? "state-down"
                                                              : "state-other";
    h += "<div class=\"monitor\"><div class=\"row\"><strong>" + HtmlEscape(m.name) +
         "</strong><span class=\"" + cls + "\">" + word + "</span></div>";
    if (!m.url.empty()) h += "<div class=\"url\">" + HtmlEscape(m.url) + "</div>";
    h += "<div class=\"bars\" role=\"img\" aria-label=\"Uptime per day over " +
         std::to_string(report::kStatusDays) + " days\">";
    for (size_t i = 0; i < m.days.size(); ++i) {
      const auto& a = m.days[i];
      const std::string title = DayName(v.first_day_ms + static_cast<int64_t>(i) * kDayMs) + ": " +
                                (a ? fmt::format("{:.2f} % up", *a) : std::string("no data"));
      h += std::string("<span class=\"") + DayClass(a) + "\" title=\"" + title + "\"></span>";
    }
    h += "</div><div class=\"legend\"><span>" + std::to_string(report::kStatusDays) +
         " days ago</span><span>" +
         (m.uptime ? fmt::format("{:.2f} % uptime", *m.uptime) : std::string("no data")) +
         "</span><span>today</span></div></div>";
  }
  h += "</section>";

  h += "<section aria-labelledby=\"history\"><h2 id=\"history\">Incident history</h2>";
  if (past.empty() && v.outages.empty()) h += "<p>No incident in the last 90 days.</p>";
  h += past;
  if (!v.outages.empty()) {
    h += "<ul>";
    for (const auto& o : v.outages) {
      const int64_t end = o.ended_ms == 0 ? now_ms : o.ended_ms;
      h += "<li>" + HtmlEscape(o.monitor) + " was down " + Date(o.started_ms) + ", " +
           (o.ended_ms == 0 ? "still down (" + Duration(end - o.started_ms) + " so far)"
                            : "for " + Duration(end - o.started_ms)) +
           "</li>";
    }
    h += "</ul>";
  }
  h += "</section>";
  h += "<section aria-labelledby=\"subscribe\"><h2 id=\"subscribe\">Get notified</h2>"
       "<form method=\"post\" action=\"/status/" +
       HtmlEscape(page.slug) +
       "/subscribe\"><label>Email <input type=\"email\" name=\"email\" required "
       "autocomplete=\"email\"></label> <button type=\"submit\">Subscribe</button></form>"
       "<p class=\"when\">A link to confirm comes by mail; every notice has a one-click "
       "unsubscribe.</p></section>";
  return h;
}

Result<store::StatusPageRecord> PageOfSlug(const ApiContext& c, const Request& r) {
  auto page = c.store->status_pages().FindBySlug(std::string(r.param("slug")));
  if (!page.ok()) return page.error();
  if (!*page) return NotFound("no such status page");
  return **page;
}

Response RenderPage(const ApiContext& c, const pipeline::LatestStates& latest,
                    const store::StatusPageRecord& page) {
  const report::StatusPageSettings settings = SettingsOf(page);
  auto monitors = PageMonitors(c.store->monitors(), page, settings);
  if (!monitors.ok()) return Page(503, "Unavailable", "<p>Try again in a moment.</p>");
  const int64_t now = NowMs();
  auto view = report::BuildStatusPage(
      *c.store, page, settings, *monitors, [&](model::MonitorId id) { return latest.Find(id); },
      now);
  if (!view.ok()) return Page(503, "Unavailable", "<p>Try again in a moment.</p>");
  return Page(200, view->title, Render(page, *view, Scheduled(c, page, *view, now), now));
}

Response ShowPage(const ApiContext& c, const pipeline::LatestStates& latest, StatusPageCache& cache,
                  const store::StatusPageRecord& page) {
  return cache.Get(page.id, NowMs(), [&] { return RenderPage(c, latest, page); });
}

// --- badges

std::string Badge(const std::string& label, const std::string& value, const char* color) {
  const auto width = [](const std::string& s) { return static_cast<int>(s.size()) * 7 + 10; };
  const int lw = width(label);
  const int vw = width(value);
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"20\" role=\"img\" "
      "aria-label=\"{1}: {2}\"><title>{1}: {2}</title><rect width=\"{3}\" height=\"20\" "
      "fill=\"#555\"/><rect x=\"{3}\" width=\"{4}\" height=\"20\" fill=\"{5}\"/><g "
      "fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\"><text "
      "x=\"{6}\" y=\"14\" text-anchor=\"middle\">{1}</text><text x=\"{7}\" y=\"14\" "
      "text-anchor=\"middle\">{2}</text></g></svg>",
      lw + vw, HtmlEscape(label), HtmlEscape(value), lw, vw, color, lw / 2, lw + vw / 2);
}

Response SvgResponse(const std::string& svg) {
  Response r;
  r.content_type = "image/svg+xml";
  r.body = svg;
  r.headers = {{"Cache-Control", "public, max-age=60"},
               {"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"},
               {"X-Content-Type-Options", "nosniff"}};
  return r;
}

Response ShowBadge(const ApiContext& c, const pipeline::LatestStates& latest, const Request& r) {
  auto page = PageOfSlug(c, r);
  if (!page.ok()) return Response::Text(404, "no such badge\n");
  int64_t id = 0;
  if (!ParseId(r.param("monitor"), &id)) return Response::Text(404, "no such badge\n");
  const report::StatusPageSettings settings = SettingsOf(*page);
  TOCSIN_TRY(monitors, PageMonitors(c.store->monitors(), *page, settings));
  const store::MonitorRecord* m = nullptr;
  for (const auto& x : *monitors) {
    if (x.id == static_cast<model::MonitorId>(id)) m = &x;
  }
  if (m == nullptr) return Response::Text(404, "no such badge\n");
  const std::string_view kind = r.param("kind");
  if (kind == "status.svg") {
    const auto state = latest.Find(m->id);
    if (!m->enabled) return SvgResponse(Badge("status", "paused", "#6b7280"));
    if (!state) return SvgResponse(Badge("status", "no data", "#6b7280"));
    const bool up = state->outcome == model::Outcome::kOk;
    return SvgResponse(Badge("status", up ? "up" : "down", up ? "#15803d" : "#b91c1c"));
  }
  if (kind != "uptime.svg" && kind != "response.svg") return Response::Text(404, "no such badge\n");
  const bool uptime = kind == "uptime.svg";
  TOCSIN_TRY(days, QueryInt(r, "days", 1, report::kStatusDays));
  const int64_t n = days->value_or(uptime ? 30 : 1);
  const int64_t now_s = NowMs() / 1000;
  TOCSIN_TRY(s, c.store->results().Summarize(m->id, now_s - n * 86'400, now_s + 1));
  const std::string label = (uptime ? "uptime " : "p50 ") + std::to_string(n) + "d";
  if (s->count == 0 || (!uptime && s->count == s->failures)) {
    return SvgResponse(Badge(label, "no data", "#6b7280"));
  }
  if (uptime) {
    const double a = 100.0 * static_cast<double>(s->count - s->failures) / s->count;
    const char* color = a >= 99.9 ? "#15803d"
                        : a >= 99 ? "#65a30d"
                        : a >= 95 ? "#b45309"
                                  : "#b91c1c";
    return SvgResponse(Badge(label, fmt::format("{:.2f}%", std::floor(a * 100) / 100), color));
  }
  const double ms = s->p50_us / 1000.0;
  const char* color = ms < 300 ? "#15803d" : ms < 1000 ? "#b45309" : "#b91c1c";
  return SvgResponse(Badge(label, fmt::format("{:.0f} ms", ms), color));
}

// --- subscriptions

Response Subscribe(const ApiContext& c, const Request& r) {
  auto page = PageOfSlug(c, r);
  if (!page.ok()) return Page(404, "Not found", "<h1>Not found</h1><p>No status page here.</p>");
  auto form = ParseForm(r.body);
  std::string email = form["email"];
  for (char& ch : email) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (email.size() > 254 || !notify::mime::IsPlainAddress(email)) {
    return Page(400, "Not subscribed",
                "<h1>Not subscribed</h1><p>That is not an email "
                "address. <a href=\"/status/" +
                    HtmlEscape(page->slug) + "\">Back</a></p>");
  }
  const std::string token = Base64UrlEncode(RandomBytes(32));
  store::SubscriberRecord sub;
  sub.page = page->id;
  sub.email = email;
  sub.token_hash = Hex(Sha256(token));
  sub.created_ms = NowMs();
  TOCSIN_TRY(stored, c.store->status_pages().PutSubscriber(sub));
  const std::string title = SettingsOf(*page).title.empty() ? page->slug : SettingsOf(*page).title;
  // The same answer whether or not the address was there: nothing about
  // who subscribes is revealed.
  if (stored->confirmed_ms == 0) {
    store::OutboxRow row;
    row.dedup_key = "status-confirm:" + std::to_string(page->id) + ":" + email + ":" +
                    std::to_string(sub.created_ms / kConfirmEveryMs);
    row.recipient = email;
    row.event = model::NoticeEvent::kAccountMail;
    row.payload =
        nlohmann::json{{"subject", "Confirm your subscription to " + title},
                       {"text", "Someone (you, we hope) asked for notices of " + title +
                                    " at this address. Confirm here:\n\n" + c.public_url +
                                    "/status/" + page->slug + "/confirm/" + token +
                                    "\n\nIf it was not you, ignore this mail: nothing more "
                                    "comes without the confirmation.\n"}}
            .dump();
    row.created_ms = sub.created_ms;
    row.next_attempt_ms = sub.created_ms;
    row.expires_ms = sub.created_ms + kMailLifetimeMs;
    TOCSIN_CHECK(c.store->alerts().Apply({}, std::span(&row, 1)));
    if (c.outbox_changed) c.outbox_changed();
  }
  return Page(202, "Check your mail",
              "<h1>Check your mail</h1><p>If " + HtmlEscape(email) +
                  " is not subscribed yet, a link to confirm is on its way.</p><p><a "
                  "href=\"/status/" +
                  HtmlEscape(page->slug) + "\">Back to " + HtmlEscape(title) + "</a></p>");
}

std::string ButtonForm(const std::string& button) {
  return "<form method=\"post\"><button type=\"submit\">" + HtmlEscape(button) + "</button></form>";
}

}  // namespace

Response StatusPageCache::Get(int64_t page_id, int64_t now_ms,
                              const std::function<Response()>& render) {
  if (keep_ms_ <= 0) return render();
  {
    std::lock_guard lock(mu_);
    const auto it = entries_.find(page_id);
    if (it != entries_.end() && it->second.expires_ms > now_ms) return it->second.response;
  }
  Response fresh = render();
  if (fresh.status != 200) return fresh;
  std::lock_guard lock(mu_);
  if (entries_.size() > kMaxCachedPages)
    std::erase_if(entries_, [&](const auto& e) { return e.second.expires_ms <= now_ms; });
  if (entries_.size() <= kMaxCachedPages) entries_[page_id] = {now_ms + keep_ms_, fresh};
  return fresh;
}

std::optional<Response> StatusPageOfHost(const ApiContext& c, const pipeline::LatestStates& latest,
                                         StatusPageCache& cache, const Request& r) {
  if (r.method != "GET" || r.path != "/") return std::nullopt;
  const auto host_header = r.header("Host");
  if (!host_header) return std::nullopt;
  // "status.example.com:8443" -> "status.example.com"; a bracketed IPv6
  // literal is never a page's host name.
  std::string_view name = *host_header;
  if (name.empty() || name.front() == '[') return std::nullopt;
  if (const size_t colon = name.rfind(':'); colon != std::string_view::npos) {
    name = name.substr(0, colon);
  }
  std::string host(name);
  for (char& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto page = c.store->status_pages().FindByHost(host);
  if (!page.ok() || !*page) return std::nullopt;
  return ShowPage(c, latest, cache, **page);
}

std::vector<Route> StatusPublicRoutes(const ApiContext& c, const pipeline::LatestStates& latest,
                                      std::shared_ptr<StatusPageCache> cache) {
  std::vector<Route> routes;
  const pipeline::LatestStates* states = &latest;
  routes.push_back({"GET", "/status/{slug}", [c, states, cache](const Request& r) {
                      auto page = PageOfSlug(c, r);
                      if (!page.ok()) {
                        return Page(404, "Not found",
                                    "<h1>Not found</h1><p>No status page here.</p>");
                      }
                      return ShowPage(c, *states, *cache, *page);
                    }});
  routes.push_back({"GET", "/status/{slug}/badge/{monitor}/{kind}",
                    [c, states](const Request& r) { return ShowBadge(c, *states, r); }});
  routes.push_back(
      {"POST", "/status/{slug}/subscribe", [c](const Request& r) { return Subscribe(c, r); }});
  routes.push_back({"GET", "/status/{slug}/confirm/{token}", [](const Request&) {
                      return Page(200, "Confirm the subscription",
                                  "<h1>Confirm the subscription</h1>" +
                                      ButtonForm("Yes, send me this page's notices"));
                    }});
  routes.push_back({"POST", "/status/{slug}/confirm/{token}", [c](const Request& r) {
                      auto sub =
                          c.store->status_pages().FindSubscriber(Hex(Sha256(r.param("token"))));
                      if (!sub.ok() || !*sub) {
                        return Page(404, "Not confirmed",
                                    "<h1>Not confirmed</h1><p>This link is not valid (any "
                                    "more). Subscribe again from the page.</p>");
                      }
                      (void)c.store->status_pages().ConfirmSubscriber((*sub)->id, NowMs());
                      return Page(200, "Subscribed",
                                  "<h1>Subscribed</h1><p>" + HtmlEscape((*sub)->email) +
                                      " gets this page's notices now; each has a one-click "
                                      "unsubscribe.</p>");
                    }});
  routes.push_back({"GET", "/status/{slug}/unsubscribe/{token}", [](const Request&) {
                      return Page(200, "Unsubscribe",
                                  "<h1>Unsubscribe</h1>" + ButtonForm("Stop these notices"));
                    }});
  // The page's button and the mail client's one-click POST alike.
  routes.push_back({"POST", "/status/{slug}/unsubscribe/{token}", [c](const Request& r) {
                      auto sub =
                          c.store->status_pages().FindSubscriber(std::string(r.param("token")));
                      if (!sub.ok() || !*sub) {
                        return Page(404, "Not found",
                                    "<h1>Not found</h1><p>This address is not subscribed "
                                    "(any more).</p>");
                      }
                      (void)c.store->status_pages().DeleteSubscriber((*sub)->id);
                      return Page(200, "Unsubscribed",
                                  "<h1>Unsubscribed</h1><p>No more notices go to " +
                                      HtmlEscape((*sub)->email) + ".</p>");
                    }});
  return routes;
}

}  // namespace tocsin::api
