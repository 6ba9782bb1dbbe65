#include "alert/maintenance.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <exception>

namespace tocsin::alert {
namespace {

using std::chrono::seconds;
constexpr int64_t kDaySeconds = 86'400;

bool ReadInt(std::string_view text, int* out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// The instant a local time in `zone` names. A time that a spring-forward
// skips maps to the instant after the gap; one that a fall-back repeats, to
// the first of the two.
int64_t ToUnixSeconds(const date::time_zone* zone, int64_t local_s) {
  const date::local_seconds local{seconds(local_s)};
  const auto info = zone->get_info(local);
  date::sys_seconds sys;
  if (info.result == date::local_info::nonexistent) {
    sys = info.second.begin;
  } else {
    sys = date::sys_seconds{local.time_since_epoch() - info.first.offset};
  }
  return sys.time_since_epoch().count();
}

}  // namespace

Result<int64_t> ParseTimeOfDay(std::string_view text) {
  int h = 0;
  int m = 0;
  if (text.size() != 5 || text[2] != ':' || !ReadInt(text.substr(0, 2), &h) ||
      !ReadInt(text.substr(3, 2), &m) || h > 23 || m > 59) {
    return InvalidArgument("'" + std::string(text) + "' is not a time of day HH:MM");
  }
  return int64_t{h} * 3600 + m * 60;
}

Result<int64_t> ParseLocalDateTime(std::string_view text) {
  int y = 0;
  int mo = 0;
  int d = 0;
  const auto bad = [&] {
    return InvalidArgument("'" + std::string(text) + "' is not a date and time YYYY-MM-DD HH:MM");
  };
  if (text.size() != 16 || text[4] != '-' || text[7] != '-' || text[10] != ' ' ||
      !ReadInt(text.substr(0, 4), &y) || !ReadInt(text.substr(5, 2), &mo) ||
      !ReadInt(text.substr(8, 2), &d)) {
    return bad();
  }
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return bad();
  auto time = ParseTimeOfDay(text.substr(11));
  if (!time.ok()) return bad();
  return date::local_days{ymd}.time_since_epoch().count() * kDaySeconds + *time;
}

bool IsTimeZone(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  try {
    return date::locate_zone(name) != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

Result<std::shared_ptr<const MaintenanceSchedule>> MaintenanceSchedule::Build(
    std::vector<model::MaintenanceWindow> windows) {
  auto schedule = std::make_shared<MaintenanceSchedule>();
  for (auto& w : windows) {
    const std::string name = "maintenance window '" + w.name + "': ";
    const date::time_zone* zone = nullptr;
    try {
      zone = date::locate_zone(w.time_zone);
    } catch (const std::exception&) {
      return InvalidArgument(name + "unknown time zone '" + w.time_zone +
                             "' (an IANA name such as Europe/Paris or UTC)");
    }
    if (w.duration <= 0) return InvalidArgument(name + "the duration must be positive");
    if (w.repeat == model::MaintenanceWindow::Repeat::kWeekly && w.weekdays == 0) {
      return InvalidArgument(name + "a weekly window needs at least one day");
    }
    if (w.repeat == model::MaintenanceWindow::Repeat::kMonthly && w.month_days == 0) {
      return InvalidArgument(name + "a monthly window needs at least one day of the month");
    }
    std::sort(w.monitors.begin(), w.monitors.end());
    schedule->windows_.push_back({std::move(w), zone});
  }
  return std::shared_ptr<const MaintenanceSchedule>(std::move(schedule));
}

bool MaintenanceSchedule::Covers(model::MonitorId monitor, int64_t unix_ms) const {
  for (const Compiled& c : windows_) {
    const auto& m = c.window.monitors;
    if (!m.empty() && !std::binary_search(m.begin(), m.end(), monitor)) continue;
    if (WindowCovers(c, unix_ms)) return true;
  }
  return false;
}

bool MaintenanceSchedule::WindowCovers(const Compiled& c, int64_t unix_ms) const {
  const model::MaintenanceWindow& w = c.window;
  const int64_t t = unix_ms / 1000;
  const int64_t length = w.duration / 1'000'000;
  if (w.repeat == model::MaintenanceWindow::Repeat::kOnce) {
    const int64_t start = ToUnixSeconds(c.zone, w.start_local_s);
    return t >= start && t < start + length;
  }
  // Each local day that could hold an occurrence still running at t: today
  // and as many days back as the window is long.
  const auto local = c.zone->to_local(date::sys_seconds{seconds(t)});
  const auto today = date::floor<date::days>(local);
  const int64_t days_back = (length + kDaySeconds - 1) / kDaySeconds;
  for (int64_t back = 0; back <= days_back; ++back) {
    const date::local_days day = today - date::days{back};
    bool matches = false;
    if (w.repeat == model::MaintenanceWindow::Repeat::kWeekly) {
      const unsigned iso = date::weekday{day}.iso_encoding();  // 1 = Monday
      matches = (w.weekdays >> (iso - 1)) & 1;
    } else {
      const unsigned dom = static_cast<unsigned>(date::year_month_day{day}.day());
      matches = (w.month_days >> dom) & 1;
    }
    if (!matches) continue;
    const int64_t start =
        ToUnixSeconds(c.zone, day.time_since_epoch().count() * kDaySeconds + w.start_local_s);
    if (t >= start && t < start + length) return true;
  }
  return false;
}

std::vector<MaintenanceSchedule::Occurrence> MaintenanceSchedule::Occurrences(
    const std::vector<model::MonitorId>& monitors, int64_t from_ms, int64_t to_ms) const {
  std::vector<Occurrence> out;
  for (const Compiled& c : windows_) {
    const model::MaintenanceWindow& w = c.window;
    const bool covers =
        w.monitors.empty() || std::any_of(monitors.begin(), monitors.end(), [&](auto id) {
          return std::binary_search(w.monitors.begin(), w.monitors.end(), id);
        });
    if (!covers) continue;
    const int64_t length_ms = w.duration / 1000;
    const auto add = [&](int64_t start_s) {
      const int64_t start_ms = start_s * 1000;
      if (start_ms < to_ms && start_ms + length_ms > from_ms) {
        out.push_back({w.name, start_ms, start_ms + length_ms});
      }
    };
    if (w.repeat == model::MaintenanceWindow::Repeat::kOnce) {
      add(ToUnixSeconds(c.zone, w.start_local_s));
      continue;
    }
    // Every local day from one that could still be running at from_ms to
    // the last that starts before to_ms.
    const auto local_day = [&](int64_t ms) {
      return date::floor<date::days>(c.zone->to_local(date::sys_seconds{seconds(ms / 1000)}));
    };
    const date::local_days first =
        local_day(from_ms) - date::days{(length_ms / 1000 + kDaySeconds - 1) / kDaySeconds};
    const date::local_days last = local_day(to_ms);
    for (date::local_days day = first; day <= last; day += date::days{1}) {
      bool matches = false;
      if (w.repeat == model::MaintenanceWindow::Repeat::kWeekly) {
        matches = (w.weekdays >> (date::weekday{day}.iso_encoding() - 1)) & 1;
      } else {
        matches = (w.month_days >> static_cast<unsigned>(date::year_month_day{day}.day())) & 1;
      }
      if (matches) {
        add(ToUnixSeconds(c.zone, day.time_since_epoch().count() * kDaySeconds + w.start_local_s));
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Occurrence& a, const Occurrence& b) { return a.start_ms < b.start_ms; });
  return out;
}

}  // namespace tocsin::alert
