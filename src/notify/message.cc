#include "notify/message.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <kainjow/mustache.hpp>

#include "core/duration.h"

namespace tocsin::notify {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::list;
using kainjow::mustache::mustache;
using kainjow::mustache::object;

// Text templates use triple braces (no escaping); HTML ones double braces
// (escaped). Logic-less: every value is prepared below.
constexpr const char* kTextTemplate =
    "{{{title}}}\n"
    "\n"
    "{{#items}}"
    "{{{headline}}}\n"
    "{{#detail}}  What failed: {{{detail}}}\n{{/detail}}"
    "{{#since}}  Since:       {{{since}}}\n{{/since}}"
    "{{#lasted}}  Lasted:      {{{lasted}}}\n{{/lasted}}"
    "{{#checked}}  Checked:     {{{checked}}}\n{{/checked}}"
    "{{#ip}}  Address:     {{{ip}}}\n{{/ip}}"
    "{{#timings}}  Timings:     {{{timings}}}\n{{/timings}}"
    "{{#affected}}  Also affected: {{{affected}}}\n{{/affected}}"
    "{{#acked_by}}  Acknowledged by {{{acked_by}}}\n{{/acked_by}}"
    "{{#link}}  Monitor:     {{{link}}}\n{{/link}}"
    "{{#ack_link}}  Acknowledge: {{{ack_link}}}\n{{/ack_link}}"
    "\n"
    "{{/items}}"
    "-- \nTocsin, {{{server}}}\n";

constexpr const char* kHtmlTemplate =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{{title}}</title></head>"
    "<body style=\"font-family:sans-serif;color:#1a1a1a\">"
    "<h2 style=\"margin:0 0 12px 0;color:{{color}}\">{{title}}</h2>"
    "{{#items}}"
    "<div style=\"border-left:4px solid {{item_color}};padding:4px 12px;margin:0 0 12px 0\">"
    "<p style=\"margin:0 0 6px 0\"><b>{{headline}}</b></p>"
    "<table style=\"border-collapse:collapse;font-size:14px\">"
    "{{#detail}}<tr><td style=\"padding-right:12px\">What failed</td><td>{{detail}}</td></tr>"
    "{{/detail}}"
    "{{#since}}<tr><td style=\"padding-right:12px\">Since</td><td>{{since}}</td></tr>{{/since}}"
    "{{#lasted}}<tr><td style=\"padding-right:12px\">Lasted</td><td>{{lasted}}</td></tr>"
    "{{/lasted}}"
    "{{#checked}}<tr><td style=\"padding-right:12px\">Checked</td><td>{{checked}}</td></tr>"
    "{{/checked}}"
    "{{#ip}}<tr><td style=\"padding-right:12px\">Address</td><td>{{ip}}</td></tr>{{/ip}}"
    "{{#timings}}<tr><td style=\"padding-right:12px\">Timings</td><td>{{timings}}</td></tr>"
    "{{/timings}}"
    "{{#affected}}<tr><td style=\"padding-right:12px\">Also affected</td><td>{{affected}}</td>"
    "</tr>{{/affected}}"
    "{{#acked_by}}<tr><td style=\"padding-right:12px\">Acknowledged by</td><td>{{acked_by}}</td>"
    "</tr>{{/acked_by}}"
    "</table>"
    "{{#link}}<p style=\"margin:6px 0 0 0\"><a href=\"{{link}}\">Monitor</a>"
    "{{#ack_link}} &middot; <a href=\"{{ack_link}}\">Acknowledge</a>{{/ack_link}}</p>{{/link}}"
    "</div>"
    "{{/items}}"
    "<p style=\"color:#777;font-size:12px\">Tocsin, {{server}}</p></body></html>";

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
int64_t Int(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : 0;
}

std::string UtcTime(int64_t ms) {
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", fmt::gmtime(static_cast<std::time_t>(ms / 1000)));
}

// "2h 5m", "45s": how long a problem has lasted.
std::string Lasted(int64_t from_ms, int64_t to_ms) {
  int64_t s = std::max<int64_t>(0, (to_ms - from_ms) / 1000);
  const int64_t d = s / 86'400;
  const int64_t h = s % 86'400 / 3'600;
  const int64_t m = s % 3'600 / 60;
  s %= 60;
  if (d > 0) return fmt::format("{}d {}h", d, h);
  if (h > 0) return fmt::format("{}h {}m", h, m);
  if (m > 0) return fmt::format("{}m {}s", m, s);
  return fmt::format("{}s", s);
}

std::string Location(int64_t id) {
  return id == 0 ? "the server's own probe" : fmt::format("probe location {}", id);
}

std::string Timings(const nlohmann::json& check) {
  const nlohmann::json t = check.value("timings_us", nlohmann::json::object());
  if (Int(t, "total") == 0) return "";
  std::string out;
  for (const auto& [key, label] : {std::pair{"dns", "DNS"},
                                   {"connect", "connect"},
                                   {"tls", "TLS"},
                                   {"ttfb", "first byte"},
                                   {"download", "download"},
                                   {"total", "total"}}) {
    const int64_t us = Int(t, key);
    if (us == 0 && std::string_view(key) != "total") continue;
    if (!out.empty()) out += ", ";
    out += std::string(label) + " " + FormatMillis(us);
  }
  return out;
}

std::string MonitorName(const nlohmann::json& n) {
  return Str(n.value("monitor", nlohmann::json::object()), "name");
}

bool IsProblem(const nlohmann::json& n) {
  const std::string e = Str(n, "event");
  return e == "opened" || e == "reminder" || e == "escalated";
}

Severity SeverityOf(const nlohmann::json& n) {
  const std::string e = Str(n, "event");
  const std::string kind = Str(n.value("incident", nlohmann::json::object()), "kind");
  if (IsProblem(n)) return kind == "degraded" ? Severity::kWarning : Severity::kCritical;
  if (e == "certificate" || e == "flapping") return Severity::kWarning;
  return Severity::kInfo;
}

const char* Color(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "#c62828";
    case Severity::kWarning:
      return "#b26a00";
    case Severity::kInfo:
      break;
  }
  return "#2e7d32";
}

}  // namespace

std::string NoticeTitle(const nlohmann::json& n) {
  const std::string event = Str(n, "event");
  const std::string name = MonitorName(n);
  const nlohmann::json incident = n.value("incident", nlohmann::json::object());
  const std::string problem = Str(incident, "kind") == "degraded" ? "DEGRADED" : "DOWN";
  if (event == "opened") return problem + ": " + name;
  if (event == "reminder") return "Still " + problem + ": " + name;
  if (event == "escalated") return "ESCALATED, " + problem + ": " + name;
  if (event == "resolved") {
    return "RECOVERED: " + name + (Str(n, "health") == "degraded" ? " (now degraded)" : "");
  }
  if (event == "acknowledged") return "Acknowledged: " + name;
  if (event == "test") return "Test notification from Tocsin";
  if (event == "flapping") return "FLAPPING: " + name;
  if (event == "settled") return "Settled: " + name + " is " + Str(n, "health");
  if (event == "certificate") {
    const int64_t days = std::max<int64_t>(
        0, (Int(n.value("check", nlohmann::json::object()), "cert_not_after") * 1000 -
            Int(n, "at_ms")) /
               86'400'000);
    return fmt::format("Certificate of {} expires in {} day{}", name, days, days == 1 ? "" : "s");
  }
  return event + ": " + name;
}

std::string NoticeSummary(const nlohmann::json& n) {
  const nlohmann::json check = n.value("check", nlohmann::json::object());
  const nlohmann::json incident = n.value("incident", nlohmann::json::object());
  const std::string event = Str(n, "event");
  std::string s = NoticeTitle(n);
  if (IsProblem(n)) {
    s += " (" + Str(check, "outcome");
    if (!Str(check, "detail").empty()) s += ": " + Str(check, "detail");
    s += "), since " + UtcTime(Int(incident, "since_ms")) + ", " +
         Lasted(Int(incident, "since_ms"), Int(n, "at_ms"));
  } else if (event == "resolved") {
    s += ", after " + Lasted(Int(incident, "since_ms"), Int(n, "at_ms"));
  } else if (event == "flapping") {
    s += fmt::format(", {} changes of state; notifications paused until it settles",
                     Int(n, "sequence"));
  }
  return s;
}

Message Compose(const Delivery& d, const Links& links) {
  Message m;
  list items;
  Severity worst = Severity::kInfo;
  for (const nlohmann::json& n : d.notices) {
    if (Str(n, "event") == "more") {  // the tail of a very large group, by title only
      std::string titles;
      for (const auto& t : n.value("titles", nlohmann::json::array())) {
        titles += (titles.empty() ? "" : "; ") + (t.is_string() ? t.get<std::string>() : "");
      }
      items.push_back(
          object{{"headline", fmt::format("... and {} more: {}", Int(n, "count"), titles)},
                 {"item_color", Color(Severity::kInfo)}});
      continue;
    }
    if (Str(n, "event") == "test") {  // no monitor: says where it came from and why
      items.push_back(
          object{{"headline", "This is a test of the channel '" + Str(n, "channel") +
                                  "', sent by " + Str(n, "requested_by") + " at " +
                                  UtcTime(Int(n, "at_ms")) + ". Alerts will reach you here."},
                 {"item_color", Color(Severity::kInfo)}});
      if (d.notices.size() == 1) m.link = links.public_url;
      continue;
    }
    const nlohmann::json check = n.value("check", nlohmann::json::object());
    const nlohmann::json monitor = n.value("monitor", nlohmann::json::object());
    const nlohmann::json incident = n.value("incident", nlohmann::json::object());
    const Severity sev = SeverityOf(n);
    worst = std::min(worst, sev);
    object item{{"headline", NoticeTitle(n)},
                {"item_color", Color(sev)},
                {"checked", Str(monitor, "url") + " from " + Location(Int(check, "location")) +
                                " at " + UtcTime(Int(check, "ts_ms"))},
                // The console's page of the monitor.
                {"link", links.public_url + "/monitors/" + std::to_string(Int(monitor, "id"))}};
    if (check.value("outcome", "ok") != "ok") {
      std::string detail = Str(check, "outcome");
      if (!Str(check, "detail").empty()) detail += ": " + Str(check, "detail");
      item["detail"] = detail;
    }
    if (IsProblem(n) || Str(n, "event") == "resolved") {
      item["since"] = UtcTime(Int(incident, "since_ms"));
      item["lasted"] = Lasted(Int(incident, "since_ms"), Int(n, "at_ms"));
    }
    if (!Str(check, "ip").empty()) item["ip"] = Str(check, "ip");
    if (const std::string t = Timings(check); !t.empty()) item["timings"] = t;
    std::string affected;
    for (const auto& a : n.value("also_affected", nlohmann::json::array())) {
      affected += (affected.empty() ? "" : ", ") + Str(a, "name");
    }
    if (!affected.empty()) item["affected"] = affected;
    if (!Str(incident, "acked_by").empty()) item["acked_by"] = Str(incident, "acked_by");
    const int64_t incident_id = Int(incident, "id");
    if (IsProblem(n) && incident_id != 0 && Str(incident, "acked_by").empty() && links.ack) {
      const std::string ack = links.ack(incident_id);
      if (!ack.empty()) {
        item["ack_link"] = ack;
        if (d.notices.size() == 1) m.ack_link = ack;
      }
    }
    if (d.notices.size() == 1) m.link = item["link"].string_value();
    items.push_back(item);
  }
  if (d.notices.size() == 1) {
    m.title = NoticeTitle(d.notices[0]);
  } else {
    size_t total = 0;
    size_t problems = 0;
    bool counted = true;  // false when a tail is listed by title only
    for (const auto& n : d.notices) {
      if (Str(n, "event") == "more") {
        total += static_cast<size_t>(Int(n, "count"));
        counted = false;
        continue;
      }
      ++total;
      problems += IsProblem(n) ? 1 : 0;
    }
    m.title = counted ? fmt::format("{} notifications: {} problem{}, {} other{}", total, problems,
                                    problems == 1 ? "" : "s", total - problems,
                                    total - problems == 1 ? "" : "s")
                      : fmt::format("{} notifications", total);
    m.link = links.public_url + "/api/v1/monitors";
  }
  m.severity = worst;
  object data{
      {"title", m.title}, {"items", items}, {"color", Color(worst)}, {"server", links.public_url}};
  m.text = mustache(kTextTemplate).render(data);
  m.html = mustache(kHtmlTemplate).render(data);
  return m;
}

}  // namespace tocsin::notify
