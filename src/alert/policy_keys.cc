#include "alert/policy_keys.h"

#include <algorithm>

#include "core/duration.h"
#include "core/scalars.h"

namespace tocsin::alert {
namespace {

using model::AlertPolicy;

constexpr int kMaxThreshold = 100;
constexpr Micros kMinReminder = 10'000'000;              // 10s: faster would be a storm
constexpr Micros kMaxReminder = 365LL * 86'400'000'000;  // a year

// "never" (or 0) is 0; else a duration from `min` to a year.
Result<Micros> OptionalDuration(std::string_view text, Micros min) {
  if (text == "never" || text == "0") return Micros{0};
  auto d = ParseDurationIn(text, min, kMaxReminder);
  if (!d.ok()) return InvalidArgument(d.error().message + ", or never");
  return d;
}

std::string OptionalText(Micros d) {
  return d == 0 ? "never" : FormatDuration(d);
}

Status SetCount(int* out, std::string_view text, uint64_t lo, uint64_t hi) {
  auto v = ParseUnsignedIn(text, lo, hi);
  if (!v.ok()) return v.error();
  *out = static_cast<int>(*v);
  return {};
}

constexpr PolicyKey kKeys[] = {
    {"failure_threshold", PolicyValue::kCount,
     [](AlertPolicy& p, std::string_view t) {
       return SetCount(&p.failure_threshold, t, 1, kMaxThreshold);
     },
     nullptr, [](const AlertPolicy& p) { return std::to_string(p.failure_threshold); }, nullptr},
    {"success_threshold", PolicyValue::kCount,
     [](AlertPolicy& p, std::string_view t) {
       return SetCount(&p.success_threshold, t, 1, kMaxThreshold);
     },
     nullptr, [](const AlertPolicy& p) { return std::to_string(p.success_threshold); }, nullptr},
    {"level", PolicyValue::kWord,
     [](AlertPolicy& p, std::string_view t) -> Status {
       if (t == "down") {
         p.level = model::AlertLevel::kDown;
       } else if (t == "degraded") {
         p.level = model::AlertLevel::kDegraded;
       } else if (t == "all") {
         p.level = model::AlertLevel::kAll;
       } else {
         return InvalidArgument("must be down, degraded or all, not '" + std::string(t) + "'");
       }
       return {};
     },
     nullptr, [](const AlertPolicy& p) { return std::string(model::AlertLevelName(p.level)); },
     nullptr},
    {"remind_every", PolicyValue::kDuration,
     [](AlertPolicy& p, std::string_view t) -> Status {
       auto v = OptionalDuration(t, kMinReminder);
       if (!v.ok()) return v.error();
       p.remind_every = *v;
       return {};
     },
     nullptr, [](const AlertPolicy& p) { return OptionalText(p.remind_every); }, nullptr},
    {"recovery", PolicyValue::kBool,
     [](AlertPolicy& p, std::string_view t) -> Status {
       auto v = ParseBool(t);
       if (!v.ok()) return v.error();
       p.recovery = *v;
       return {};
     },
     nullptr, [](const AlertPolicy& p) { return std::string(p.recovery ? "true" : "false"); },
     nullptr},
    {"notify", PolicyValue::kNames, nullptr,
     [](AlertPolicy& p, const std::vector<std::string>& items) -> Status {
       p.notify = items;
       return {};
     },
     nullptr, [](const AlertPolicy& p) { return p.notify; }},
    {"escalate_after", PolicyValue::kDuration,
     [](AlertPolicy& p, std::string_view t) -> Status {
       auto v = OptionalDuration(t, kMinReminder);
       if (!v.ok()) return v.error();
       p.escalate_after = *v;
       return {};
     },
     nullptr, [](const AlertPolicy& p) { return OptionalText(p.escalate_after); }, nullptr},
    {"escalate_to", PolicyValue::kNames, nullptr,
     [](AlertPolicy& p, const std::vector<std::string>& items) -> Status {
       p.escalate_to = items;
       return {};
     },
     nullptr, [](const AlertPolicy& p) { return p.escalate_to; }},
    {"flap_threshold", PolicyValue::kCount,
     [](AlertPolicy& p, std::string_view t) { return SetCount(&p.flap_changes, t, 2, 1'000); },
     nullptr, [](const AlertPolicy& p) { return std::to_string(p.flap_changes); }, nullptr},
    {"flap_window", PolicyValue::kDuration,
     [](AlertPolicy& p, std::string_view t) -> Status {
       auto v = ParseDurationIn(t, 60'000'000, 86'400'000'000);
       if (!v.ok()) return v.error();
       p.flap_window = *v;
       return {};
     },
     nullptr, [](const AlertPolicy& p) { return FormatDuration(p.flap_window); }, nullptr},
    {"cert_warning_days", PolicyValue::kDays, nullptr,
     [](AlertPolicy& p, const std::vector<std::string>& items) -> Status {
       std::vector<int> days;
       for (const auto& item : items) {
         auto v = ParseUnsignedIn(item, 1, 365);
         if (!v.ok()) return v.error();
         days.push_back(static_cast<int>(*v));
       }
       std::sort(days.rbegin(), days.rend());
       days.erase(std::unique(days.begin(), days.end()), days.end());
       p.cert_warning_days = std::move(days);
       return {};
     },
     nullptr,
     [](const AlertPolicy& p) {
       std::vector<std::string> out;
       for (int d : p.cert_warning_days) out.push_back(std::to_string(d));
       return out;
     }},
    {"quorum", PolicyValue::kCount,
     [](AlertPolicy& p, std::string_view t) { return SetCount(&p.quorum, t, 0, 255); }, nullptr,
     [](const AlertPolicy& p) { return std::to_string(p.quorum); }, nullptr},
    {"recheck_after", PolicyValue::kDuration,
     [](AlertPolicy& p, std::string_view t) -> Status {
       auto v = ParseDurationIn(t, 1'000'000, 300'000'000);
       if (!v.ok()) return v.error();
       p.recheck_after = *v;
       return {};
     },
     nullptr, [](const AlertPolicy& p) { return FormatDuration(p.recheck_after); }, nullptr},
};

}  // namespace

std::span<const PolicyKey> PolicyKeys() {
  return kKeys;
}

const PolicyKey* FindPolicyKey(std::string_view key) {
  for (const auto& k : kKeys) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

}  // namespace tocsin::alert
