#include "report/summary_mail.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "core/text.h"

namespace tocsin::report {
namespace {

constexpr std::array<const char*, store::kPhaseCount> kPhaseNames = {"DNS", "connect", "TLS",
                                                                     "first byte", "download"};
constexpr std::array<const char*, store::kPhaseCount> kPhaseColors = {
    "#7c3aed", "#2563eb", "#0891b2", "#16a34a", "#ca8a04"};

std::string Ms(double us) {
  return us >= 10'000'000 ? fmt::format("{:.1f} s", us / 1e6) : fmt::format("{:.1f} ms", us / 1e3);
}

std::string Percent(double p) {
  return fmt::format("{:.2f} %", p);
}

std::string Duration(int64_t ms) {
  const int64_t s = ms / 1000;
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min {} s", s / 60, s % 60);
  if (s < 86'400) return fmt::format("{} h {} min", s / 3600, s % 3600 / 60);
  return fmt::format("{} d {} h", s / 86'400, s % 86'400 / 3600);
}

// "+4.6 %" against `before`; "" when either is missing.
std::string Change(double now, double before) {
  if (before <= 0 || now <= 0) return "";
  const double change = 100.0 * (now - before) / before;
  if (std::fabs(change) < 0.05) return "no change";
  return fmt::format("{:+.1f} %", change);
}

bool HasChecks(const store::RangeSummary& s) {
  return s.count > s.failures;
}

// The lines of one URL, as label and value: the text and the HTML show the
// same figures from here.
std::vector<std::pair<std::string, std::string>> Rows(const UrlWeek& u) {
  std::vector<std::pair<std::string, std::string>> rows;
  if (u.week.count == 0) {
    rows.emplace_back("Checks", "none in this week");
    return rows;
  }
  std::string uptime = Percent(Availability(u.week));
  if (u.previous.count > 0) uptime += ", previous week " + Percent(Availability(u.previous));
  rows.emplace_back("Uptime", uptime);
  rows.emplace_back("Incidents", u.incidents == 0 ? "none"
                                                  : fmt::format("{}, down {} in all", u.incidents,
                                                                Duration(u.downtime_ms)));
  if (!HasChecks(u.week)) {
    rows.emplace_back("Response time", "no successful check");
    return rows;
  }
  if (auto r = u.MeanResponseUs(u.week)) {
    std::string line = "mean " + Ms(*r);
    if (u.week.response_checks > 0) {
      line += fmt::format(", median {}, p95 {}", Ms(u.week.response_p50_us),
                          Ms(u.week.response_p95_us));
    }
    if (u.week.response_checks > 0 && u.previous.response_checks > 0) {
      line += fmt::format(" (median previous week {}, {})", Ms(u.previous.response_p50_us),
                          Change(u.week.response_p50_us, u.previous.response_p50_us));
    } else if (auto p = u.MeanResponseUs(u.previous)) {
      line += fmt::format(" (previous week {}, {})", Ms(*p), Change(*r, *p));
    }
    rows.emplace_back("Response time", line);
  }
  std::string full = fmt::format("mean {}, median {}, p95 {}", Ms(u.week.mean_us),
                                 Ms(u.week.p50_us), Ms(u.week.p95_us));
  if (HasChecks(u.previous)) {
    full += fmt::format(" (median previous week {}, {})", Ms(u.previous.p50_us),
                        Change(u.week.p50_us, u.previous.p50_us));
  }
  rows.emplace_back("Full download", full);
  if (auto slowest = u.SlowestPhase()) {
    rows.emplace_back("Slowest phase", fmt::format("{}, {} on average",
                                                   kPhaseNames[static_cast<size_t>(slowest->first)],
                                                   Ms(slowest->second)));
  }
  if (u.faster_than || u.more_available_than) {
    std::string rank;
    if (u.faster_than) rank = fmt::format("faster than {:.0f} %", *u.faster_than);
    if (u.more_available_than) {
      rank += fmt::format("{}more available than {:.0f} %", rank.empty() ? "" : "; ",
                          *u.more_available_than);
    }
    rows.emplace_back("On this server", fmt::format("{} of its {} URLs", rank, u.ranked_among));
  } else {
    rows.emplace_back("On this server",
                      fmt::format("too few URLs to rank against ({} needed)", kMinUrlsToRank));
  }
  if (HasChecks(u.four_before)) {
    rows.emplace_back("Your history",
                      fmt::format("median {} and uptime {} over the four weeks before ({})",
                                  Ms(u.four_before.p50_us), Percent(Availability(u.four_before)),
                                  Change(u.week.p50_us, u.four_before.p50_us)));
  }
  return rows;
}

struct Totals {
  uint64_t count = 0;
  uint64_t failures = 0;
  size_t incidents = 0;
  int64_t downtime_ms = 0;
};

Totals Sum(const WeeklySummary& s) {
  Totals t;
  for (const UrlWeek& u : s.urls) {
    t.count += u.week.count;
    t.failures += u.week.failures;
    t.incidents += u.incidents;
    t.downtime_ms += u.downtime_ms;
  }
  return t;
}

std::string Overall(const WeeklySummary& s, const Totals& t) {
  std::string line = fmt::format("{} URL{}", s.urls.size(), s.urls.size() == 1 ? "" : "s");
  if (t.count > 0) {
    line += fmt::format(", {} up", Percent(100.0 * static_cast<double>(t.count - t.failures) /
                                           static_cast<double>(t.count)));
  }
  line += t.incidents == 0 ? ", no incident"
                           : fmt::format(", {} incident{}, {} down", t.incidents,
                                         t.incidents == 1 ? "" : "s", Duration(t.downtime_ms));
  return line;
}

// A bar of `percent` green over red, in table cells (mail clients keep
// tables and inline styles; many drop <style> and flexbox).
std::string UptimeBar(double percent) {
  const int green = static_cast<int>(std::lround(std::clamp(percent, 0.0, 100.0) * 2));
  std::string html =
      "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" "
      "style=\"width:200px;height:8px;border-collapse:collapse\"><tr>";
  if (green > 0) html += fmt::format("<td style=\"width:{}px;background:#16a34a\"></td>", green);
  if (green < 200)
    html += fmt::format("<td style=\"width:{}px;background:#dc2626\"></td>", 200 - green);
  return html + "</tr></table>";
}

// The week's mean phases as one stacked bar, 300 px for the slowest URL.
std::string PhaseBar(const store::RangeSummary& s, double scale_us) {
  if (s.phased == 0 || scale_us <= 0) return "";
  std::string html =
      "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" "
      "style=\"height:10px;border-collapse:collapse\"><tr>";
  for (size_t i = 0; i < store::kPhaseCount; ++i) {
    const int px = static_cast<int>(std::lround(300.0 * s.phase_mean_us[i] / scale_us));
    if (px <= 0) continue;
    html += fmt::format("<td title=\"{}\" style=\"width:{}px;background:{}\"></td>", kPhaseNames[i],
                        px, kPhaseColors[i]);
  }
  return html + "</tr></table>";
}

}  // namespace

SummaryMail RenderSummaryMail(const WeeklySummary& s, const MailLinks& links, int iso_day,
                              int hour) {
  SummaryMail mail;
  const Totals totals = Sum(s);
  const std::string period = LocalDay(s.time_zone, s.slot.from_ms) + " to " +
                             LocalDay(s.time_zone, s.slot.to_ms - 1) + " (" + s.time_zone + ")";
  const std::string overall = Overall(s, totals);
  mail.subject = "Your week on Tocsin: " + overall;
  const std::string when =
      fmt::format("every {} at {:02}:00 ({})", IsoDayName(iso_day), hour, s.time_zone);

  std::string& t = mail.text;
  t = fmt::format("Hello {},\n\nyour URLs from {}:\n{}.\n", s.name, period, overall);
  for (const UrlWeek& u : s.urls) {
    t += fmt::format("\n{}  {}\n", u.name, u.url);
    for (const auto& [label, value] : Rows(u)) t += fmt::format("  {:<15} {}\n", label, value);
    t += fmt::format("  {:<15} {}/monitors/{}\n", "Report", links.console, u.monitor);
  }
  t += fmt::format(
      "\nResponse time: to the first byte. Full download: to the last byte. Ranks compare "
      "median response times and uptimes of all URLs on this server, and never show "
      "another one.\n\n"
      "You get this summary {}. Change the day or the hour: {}/account\n"
      "Stop it with one click (no login): {}\n",
      when, links.console, links.unsubscribe);

  double slowest_us = 0;
  for (const UrlWeek& u : s.urls) {
    if (u.week.phased > 0) {
      double sum = 0;
      for (double m : u.week.phase_mean_us) sum += m;
      slowest_us = std::max(slowest_us, sum);
    }
  }
  std::string& h = mail.html;
  h = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + HtmlEscape(mail.subject) +
      "</title></head><body style=\"font-family:Arial,Helvetica,sans-serif;color:#111;"
      "max-width:640px\">";
  h += fmt::format("<p>Hello {},</p><p>your URLs from {}:<br><strong>{}</strong>.</p>",
                   HtmlEscape(s.name), HtmlEscape(period), HtmlEscape(overall));
  for (const UrlWeek& u : s.urls) {
    h += fmt::format(
        "<h2 style=\"font-size:16px;margin:24px 0 4px\">{}</h2><p style=\"margin:0 0 8px;"
        "color:#555;font-size:13px\">{}</p>",
        HtmlEscape(u.name), HtmlEscape(u.url));
    if (u.week.count > 0) h += UptimeBar(Availability(u.week));
    h += PhaseBar(u.week, slowest_us);
    h += "<table style=\"font-size:14px;border-collapse:collapse;margin-top:6px\">";
    for (const auto& [label, value] : Rows(u)) {
      h += fmt::format(
          "<tr><th scope=\"row\" style=\"text-align:left;padding:2px 12px 2px 0;"
          "font-weight:normal;color:#555;vertical-align:top\">{}</th><td>{}</td></tr>",
          HtmlEscape(label), HtmlEscape(value));
    }
    h += fmt::format("</table><p><a href=\"{}/monitors/{}\">The report of this URL</a></p>",
                     HtmlEscape(links.console), u.monitor);
  }
  h += "<p style=\"font-size:13px;color:#555\">Bars: uptime (green up, red down); mean phases";
  for (size_t i = 0; i < store::kPhaseCount; ++i) {
    h += fmt::format("{} <span style=\"color:{}\">&#9632;</span> {}", i == 0 ? ":" : ",",
                     kPhaseColors[i], kPhaseNames[i]);
  }
  h += ". Response time: to the first byte; full download: to the last byte. Ranks compare "
       "median response times and uptimes of all URLs on this server, and never show another "
       "one.</p>";
  h += fmt::format(
      "<p style=\"font-size:13px;color:#555\">You get this summary {}. <a href=\"{}/account\">"
      "Change the day or the hour</a> or <a href=\"{}\">stop it with one click</a> (no login)."
      "</p></body></html>",
      HtmlEscape(when), HtmlEscape(links.console), HtmlEscape(links.unsubscribe));

  mail.headers = {{"List-Unsubscribe", "<" + links.unsubscribe + ">"},
                  {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
  return mail;
}

}  // namespace tocsin::report
