// The keys of an alert policy (failure_threshold, level, remind_every, ...),
// written once: the YAML file's `alerts:` section and a monitor's override,
// and the API's policies (workspace defaults, per-monitor overrides), all
// read and show them through this table, so a key means the same thing,
// with the same bounds and messages, wherever it is written.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/alerting.h"

namespace tocsin::alert {

// How a key's value is written.
enum class PolicyValue : uint8_t {
  kCount,     // a whole number
  kBool,      // true or false
  kWord,      // one of some words (level: down, degraded, all)
  kDuration,  // "90s", "15m", ...; "never" where the key allows it
  kNames,     // a list of channel names
  kDays,      // a list of whole numbers
};

struct PolicyKey {
  std::string_view key;
  PolicyValue value;
  // kNames and kDays read a list; every other kind one text.
  Status (*set)(model::AlertPolicy& policy, std::string_view text);
  Status (*set_list)(model::AlertPolicy& policy, const std::vector<std::string>& items);
  // The value as it would be written: one text, or the list's items.
  std::string (*text)(const model::AlertPolicy& policy);
  std::vector<std::string> (*items)(const model::AlertPolicy& policy);

  bool is_list() const { return value == PolicyValue::kNames || value == PolicyValue::kDays; }
};

std::span<const PolicyKey> PolicyKeys();
// nullptr when `key` is not a policy key.
const PolicyKey* FindPolicyKey(std::string_view key);

}  // namespace tocsin::alert
