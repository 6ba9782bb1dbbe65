#include "report/weekly_schedule.h"

#include <date/date.h>
#include <date/iso_week.h>
#include <date/tz.h>

#include <array>
#include <chrono>
#include <exception>

#include <fmt/format.h>

namespace tocsin::report {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"monday", "tuesday",  "wednesday", "thursday",
                                                   "friday", "saturday", "sunday"};

// The instant of a local time (see the header for gaps and repeats).
int64_t ToUnixMs(const date::time_zone* zone, date::local_seconds local) {
  const auto info = zone->get_info(local);
  date::sys_seconds sys;
  if (info.result == date::local_info::nonexistent) {
    sys = info.second.begin;
  } else {
    sys = date::sys_seconds{local.time_since_epoch() - info.first.offset};
  }
  return sys.time_since_epoch().count() * 1000;
}

const date::time_zone* ZoneOrUtc(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return date::locate_zone("UTC");
  }
}

}  // namespace

std::string LocalDay(const std::string& time_zone, int64_t unix_ms) {
  const auto local =
      ZoneOrUtc(time_zone)->to_local(date::sys_seconds{std::chrono::seconds(unix_ms / 1000)});
  return date::format("%a %d %b %Y", date::floor<date::days>(local));
}

int IsoDayFromName(std::string_view name) {
  for (size_t i = 0; i < kDays.size(); ++i) {
    if (kDays[i] == name) return static_cast<int>(i) + 1;
  }
  return 0;
}

std::string_view IsoDayName(int iso_day) {
  return iso_day >= 1 && iso_day <= 7 ? kDays[static_cast<size_t>(iso_day - 1)] : "";
}

Result<WeeklySlot> LatestSlot(const std::string& time_zone, int iso_day, int hour, int64_t now_ms) {
  if (iso_day < 1 || iso_day > 7) return InvalidArgument("the day is not 1 (Monday) to 7 (Sunday)");
  if (hour < 0 || hour > 23) return InvalidArgument("the hour is not 0 to 23");
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(time_zone);
  } catch (const std::exception&) {
    return InvalidArgument("unknown time zone '" + time_zone + "'");
  }
  using std::chrono::hours;
  using std::chrono::milliseconds;
  const date::sys_time<milliseconds> now{milliseconds(now_ms)};
  const date::local_days today =
      date::floor<date::days>(zone->to_local(date::floor<std::chrono::seconds>(now)));
  // The due day of this local week, then a week back if it is still ahead.
  const unsigned today_iso = date::weekday{today}.iso_encoding();
  date::local_days day = today - date::days{static_cast<int>(today_iso) - iso_day};
  if (ToUnixMs(zone, day + hours(hour)) > now_ms) day -= date::days{7};

  WeeklySlot slot;
  slot.at_ms = ToUnixMs(zone, day + hours(hour));
  const iso_week::year_weeknum_weekday iso{date::sys_days{day.time_since_epoch()}};
  slot.week =
      fmt::format("{}-W{:02}", static_cast<int>(iso.year()), static_cast<unsigned>(iso.weeknum()));
  slot.from_ms = ToUnixMs(zone, date::local_seconds{day - date::days{7}});
  slot.to_ms = ToUnixMs(zone, date::local_seconds{day});
  return slot;
}

}  // namespace tocsin::report
