// When each user's weekly summary is due, in their time zone, and which week
// it covers. Pure: given a user's settings and an instant, the latest slot
// at or before it. A slot is named by its ISO week ("2026-W49"): the key of
// the outbox row that sends it, so a week has one summary whatever the
// clock, the time zone's daylight-saving changes, restarts or replicas do.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace tocsin::report {

struct WeeklySlot {
  int64_t at_ms = 0;  // when it is due (Unix ms)
  std::string week;   // ISO week of the due day, local: "2026-W49"
  // The seven whole local days before the due day: [from_ms, to_ms).
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

// iso_day: 1 = Monday .. 7 = Sunday; hour: 0..23 local. A due time that a
// spring-forward skips is the instant after the gap; one a fall-back
// repeats, the first. InvalidArgument for an unknown zone or a day or hour
// out of range.
Result<WeeklySlot> LatestSlot(const std::string& time_zone, int iso_day, int hour, int64_t now_ms);

// A day as people read it in their zone: "Mon 23 Nov 2026". The zone is
// one LatestSlot accepted (UTC otherwise).
std::string LocalDay(const std::string& time_zone, int64_t unix_ms);

// "monday".."sunday" <-> 1..7; 0 for an unknown name.
int IsoDayFromName(std::string_view name);
std::string_view IsoDayName(int iso_day);

}  // namespace tocsin::report
