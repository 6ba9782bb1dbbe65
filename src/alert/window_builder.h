// A maintenance window read key by key, the same from the YAML file's
// `maintenance:` list and from the API's JSON: name, time_zone, start
// ("YYYY-MM-DD HH:MM", once), weekly ([mon, ...]) or monthly ([1, 15]) with
// at ("HH:MM"), and duration. Which monitors it covers is the caller's
// business (names in the file, ids in the API).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/alerting.h"

namespace tocsin::alert {

class WindowBuilder {
 public:
  // A key with one value: name, time_zone, start, at, duration. The error
  // says what is wrong with the value (the caller names the key and place);
  // an unknown key is InvalidField(key) listing the known ones.
  Status Set(std::string_view key, std::string_view text);
  // weekly (day names) or monthly (days of the month).
  Status SetDays(std::string_view key, const std::vector<std::string>& items);
  static bool IsDaysKey(std::string_view key) { return key == "weekly" || key == "monthly"; }

  // The checks across keys (a duration; start for once, or days with at),
  // and the window as the evaluator will compile it (a known time zone).
  Result<model::MaintenanceWindow> Finish() const;

  model::MaintenanceWindow& window() { return w_; }

 private:
  model::MaintenanceWindow w_;
  bool start_ = false;
  bool at_ = false;
  bool days_ = false;
  bool duration_ = false;
};

}  // namespace tocsin::alert
