// A monitor's health as the alert evaluator judges it from its results, and
// the transitions between health states that open, update and close
// incidents. Location-aware from the start: a verdict may rest on several
// probe locations agreeing.
#pragma once

#include <cstdint>
#include <string_view>

#include "model/ids.h"
#include "model/outcome.h"

namespace tocsin::model {

// Stored: append only.
enum class Health : uint8_t {
  kUnknown = 0,      // no verdict yet (just added, or too few checks)
  kUp = 1,           // checks pass
  kDegraded = 2,     // checks pass, but slowly, or the certificate expires soon
  kDown = 3,         // checks fail, confirmed
  kPaused = 4,       // not checked, by the user's choice
  kMaintenance = 5,  // checked, but alerts are held
};

constexpr std::string_view HealthName(Health h) {
  switch (h) {
    case Health::kUnknown:
      return "unknown";
    case Health::kUp:
      return "up";
    case Health::kDegraded:
      return "degraded";
    case Health::kDown:
      return "down";
    case Health::kPaused:
      return "paused";
    case Health::kMaintenance:
      return "maintenance";
  }
  return "unknown";
}

// One change of a monitor's health, with the check that decided it.
struct Transition {
  MonitorId monitor = 0;
  Health from = Health::kUnknown;
  Health to = Health::kUnknown;
  int64_t at_ms = 0;               // Unix milliseconds of the deciding check
  LocationId location = 0;         // where the deciding check ran
  Outcome outcome = Outcome::kOk;  // the deciding check's outcome
};

}  // namespace tocsin::model
