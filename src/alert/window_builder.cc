#include "alert/window_builder.h"

#include <algorithm>
#include <iterator>

#include "alert/maintenance.h"
#include "core/scalars.h"

namespace tocsin::alert {
namespace {

constexpr Micros kMinDuration = 60'000'000;             // a minute
constexpr Micros kMaxDuration = 31 * 86'400'000'000LL;  // a month
constexpr std::string_view kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

}  // namespace

Status WindowBuilder::Set(std::string_view key, std::string_view text) {
  if (key == "name") {
    if (text.empty() || text.size() > 200 || std::any_of(text.begin(), text.end(), [](char c) {
          return static_cast<unsigned char>(c) < 0x20;
        })) {
      return InvalidArgument("must be 1 to 200 characters, without control characters");
    }
    w_.name = std::string(text);
  } else if (key == "time_zone") {
    w_.time_zone = std::string(text);
  } else if (key == "start") {
    auto v = ParseLocalDateTime(text);
    if (!v.ok()) return v.error();
    w_.start_local_s = *v;
    start_ = true;
  } else if (key == "at") {
    auto v = ParseTimeOfDay(text);
    if (!v.ok()) return v.error();
    w_.start_local_s = *v;
    at_ = true;
  } else if (key == "duration") {
    auto v = ParseDurationIn(text, kMinDuration, kMaxDuration);
    if (!v.ok()) return v.error();
    w_.duration = *v;
    duration_ = true;
  } else {
    return InvalidField(std::string(key),
                        "unknown key '" + std::string(key) +
                            "' (known: name, monitors, time_zone, start, weekly, monthly, at, "
                            "duration)");
  }
  return {};
}

Status WindowBuilder::SetDays(std::string_view key, const std::vector<std::string>& items) {
  if (days_) return InvalidArgument("weekly and monthly exclude each other");
  days_ = true;
  for (const std::string& item : items) {
    if (key == "weekly") {
      const auto it = std::find(std::begin(kDays), std::end(kDays), item);
      if (it == std::end(kDays)) {
        return InvalidArgument("'" + item + "' is not a day (mon, tue, wed, thu, fri, sat, sun)");
      }
      w_.weekdays |= static_cast<uint8_t>(1u << (it - std::begin(kDays)));
    } else {
      auto day = ParseUnsignedIn(item, 1, 31);
      if (!day.ok()) return InvalidArgument("monthly: " + day.error().message);
      w_.month_days |= 1u << *day;
    }
  }
  w_.repeat = key == "weekly" ? model::MaintenanceWindow::Repeat::kWeekly
                              : model::MaintenanceWindow::Repeat::kMonthly;
  return {};
}

Result<model::MaintenanceWindow> WindowBuilder::Finish() const {
  if (!duration_) return InvalidField("duration", "has no 'duration'");
  if (!days_ && !start_) {
    return InvalidField("start", "needs 'start' (once) or 'weekly'/'monthly' with 'at'");
  }
  if (days_ && (start_ || !at_)) {
    return InvalidField("at", "a repeating window takes 'at' (HH:MM), not 'start'");
  }
  if (!days_ && at_) return InvalidField("at", "'at' goes with weekly or monthly");
  // The time zone and the rest, as the evaluator will use them.
  if (auto check = MaintenanceSchedule::Build({w_}); !check.ok()) return check.error();
  return w_;
}

}  // namespace tocsin::alert
