#include "alert/maintenance.h"

#include <gtest/gtest.h>

namespace tocsin::alert {
namespace {

int64_t Ms(int64_t unix_s) {
  return unix_s * 1000;
}

model::MaintenanceWindow Weekly(std::string tz, uint8_t days, std::string_view at, int minutes) {
  model::MaintenanceWindow w;
  w.name = "weekly";
  w.repeat = model::MaintenanceWindow::Repeat::kWeekly;
  w.time_zone = std::move(tz);
  w.weekdays = days;
  w.start_local_s = *ParseTimeOfDay(at);
  w.duration = minutes * 60'000'000LL;
  return w;
}

TEST(MaintenanceTest, OneOffWindowInItsTimeZone) {
  model::MaintenanceWindow w;
  w.name = "migration";
  w.time_zone = "America/New_York";
  w.start_local_s = *ParseLocalDateTime("2026-12-24 22:00");  // EST, UTC-5
  w.duration = 2 * 3'600'000'000LL;
  auto s = MaintenanceSchedule::Build({w});
  ASSERT_TRUE(s.ok()) << s.error().message;
  const int64_t start = 1'798'167'600;  // 2026-12-25 03:00 UTC
  EXPECT_FALSE((*s)->Covers(1, Ms(start - 1)));
  EXPECT_TRUE((*s)->Covers(1, Ms(start)));
  EXPECT_TRUE((*s)->Covers(7, Ms(start + 7'199)));
  EXPECT_FALSE((*s)->Covers(1, Ms(start + 7'200)));
}

TEST(MaintenanceTest, WeeklyWindowKeepsItsLocalTimeAcrossDaylightSaving) {
  // Mondays 02:00-02:30 in Paris: 01:00 UTC in winter, 00:00 UTC in summer.
  auto s = MaintenanceSchedule::Build({Weekly("Europe/Paris", 1, "02:00", 30)});
  ASSERT_TRUE(s.ok());
  const int64_t winter = 1'797'210'000;  // Monday 2026-12-14 01:00 UTC
  const int64_t summer = 1'783'900'800;  // Monday 2026-07-13 00:00 UTC
  EXPECT_TRUE((*s)->Covers(1, Ms(winter + 60)));
  EXPECT_FALSE((*s)->Covers(1, Ms(winter - 60)));
  EXPECT_TRUE((*s)->Covers(1, Ms(summer + 60)));
  EXPECT_FALSE((*s)->Covers(1, Ms(summer + 1'800)));
  EXPECT_FALSE((*s)->Covers(1, Ms(winter + 86'400)));  // Tuesday
}

// What a status page lists: each opening in the range, in its local time,
// of the windows that cover one of the page's monitors.
TEST(MaintenanceTest, OccurrencesInARangeForChosenMonitors) {
  model::MaintenanceWindow paris = Weekly("Europe/Paris", 1, "02:00", 30);
  paris.name = "paris";
  model::MaintenanceWindow other = Weekly("UTC", 0x7f, "12:00", 10);
  other.name = "other";
  other.monitors = {9};
  auto s = MaintenanceSchedule::Build({paris, other});
  ASSERT_TRUE(s.ok());
  const int64_t winter = 1'797'210'000;  // Monday 2026-12-14 01:00 UTC
  // Two weeks from the Saturday before: two Mondays; the other window
  // covers only monitor 9.
  const auto got = (*s)->Occurrences({1, 2}, Ms(winter - 2 * 86'400), Ms(winter + 12 * 86'400));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].name, "paris");
  EXPECT_EQ(got[0].start_ms, Ms(winter));
  EXPECT_EQ(got[0].end_ms, Ms(winter + 1'800));
  EXPECT_EQ(got[1].start_ms, Ms(winter + 7 * 86'400));
  // One in progress counts; monitor 9 sees the daily window too.
  EXPECT_EQ((*s)->Occurrences({1}, Ms(winter + 60), Ms(winter + 120)).size(), 1u);
  EXPECT_EQ((*s)->Occurrences({9}, Ms(winter), Ms(winter + 86'400)).size(), 2u);
  EXPECT_TRUE((*s)->Occurrences({1}, Ms(winter + 1'800), Ms(winter + 86'400)).empty());
}

TEST(MaintenanceTest, WindowCrossingMidnightCoversTheNextDay) {
  // Sundays 23:30 for an hour, UTC.
  auto s = MaintenanceSchedule::Build({Weekly("UTC", 1 << 6, "23:30", 60)});
  ASSERT_TRUE(s.ok());
  const int64_t sunday_2330 = 1'797'809'400;                // 2026-12-20 23:30 UTC
  EXPECT_TRUE((*s)->Covers(1, Ms(sunday_2330 + 45 * 60)));  // Monday 00:15
  EXPECT_FALSE((*s)->Covers(1, Ms(sunday_2330 + 61 * 60)));
}

TEST(MaintenanceTest, MonthlyWindowOnChosenDays) {
  model::MaintenanceWindow w;
  w.name = "patch";
  w.repeat = model::MaintenanceWindow::Repeat::kMonthly;
  w.month_days = 1u << 15;
  w.start_local_s = *ParseTimeOfDay("04:00");
  w.duration = 3'600'000'000LL;
  auto s = MaintenanceSchedule::Build({w});
  ASSERT_TRUE(s.ok());
  const int64_t dec15 = 1'797'307'200;  // 2026-12-15 04:00 UTC
  EXPECT_TRUE((*s)->Covers(1, Ms(dec15 + 10)));
  EXPECT_FALSE((*s)->Covers(1, Ms(dec15 + 86'400 + 10)));
}

TEST(MaintenanceTest, OnlyTheNamedMonitors) {
  model::MaintenanceWindow w = Weekly("UTC", 0x7f, "00:00", 24 * 60 - 1);
  w.monitors = {3, 1};
  auto s = MaintenanceSchedule::Build({w});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE((*s)->Covers(1, Ms(1'797'000'000)));
  EXPECT_FALSE((*s)->Covers(2, Ms(1'797'000'000)));
}

TEST(MaintenanceTest, BadWindowsAreErrorsNamingThem) {
  auto bad_zone = MaintenanceSchedule::Build({Weekly("Mars/Olympus", 1, "02:00", 30)});
  ASSERT_FALSE(bad_zone.ok());
  EXPECT_EQ(bad_zone.error().message,
            "maintenance window 'weekly': unknown time zone 'Mars/Olympus' (an IANA name such as "
            "Europe/Paris or UTC)");
  EXPECT_FALSE(MaintenanceSchedule::Build({Weekly("UTC", 0, "02:00", 30)}).ok());
  EXPECT_FALSE(MaintenanceSchedule::Build({Weekly("UTC", 1, "02:00", 0)}).ok());
  EXPECT_FALSE(ParseTimeOfDay("24:00").ok());
  EXPECT_FALSE(ParseLocalDateTime("2026-02-30 10:00").ok());
  EXPECT_FALSE(ParseLocalDateTime("2026-12-24T22:00").ok());
}

}  // namespace
}  // namespace tocsin::alert
