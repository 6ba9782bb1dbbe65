#include "config/alerts_section.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "alert/maintenance.h"
#include "config/scalars.h"
#include "core/duration.h"
#include "notify/provider.h"

namespace tocsin::config {
namespace {

constexpr int kMaxThreshold = 100;
constexpr Micros kMinReminder = 10'000'000;  // 10s: faster would be a storm

Result<std::vector<std::string>> TextList(const YamlReader& reader, const YamlEntry& e,
                                          const std::string& context) {
  if (!e.value.IsSequence()) {
    return reader.ErrorAt(e.key, context + Quote(e.name()) + " must be a list, e.g. [a, b]");
  }
  std::vector<std::string> items;
  for (const YamlNode* item : e.value.children) {
    if (!item->IsScalar()) {
      return reader.ErrorAt(*item, context + Quote(e.name()) + " must be a list of names");
    }
    items.push_back(item->Scalar());
  }
  return items;
}

// "never" (or 0) is 0; else a duration of at least `min`.
Result<Micros> OptionalDuration(std::string_view text, Micros min) {
  if (text == "never" || text == "0") return Micros{0};
  auto d = ParseDurationIn(text, min, kMaxRetention);
  if (!d.ok()) return InvalidArgument(d.error().message + ", or never");
  return d;
}

struct AlertKey {
  std::string_view key;
  // Exactly one is set: a scalar key or a list key.
  Status (*scalar)(model::AlertPolicy& p, std::string_view text);
  Status (*list)(model::AlertPolicy& p, const std::vector<std::string>& items);
  bool channels = false;  // the list names channels
};

constexpr AlertKey kAlertKeys[] = {
    {"failure_threshold",
     [](model::AlertPolicy& p, std::string_view t) -> Status {
       auto v = ParseUnsignedIn(t, 1, kMaxThreshold);
       if (!v.ok()) return v.error();
       p.failure_threshold = static_cast<int>(*v);
       return {};
     },
     nullptr},
    {"success_threshold",
     [](model::AlertPolicy& p, std::string_view t) -> Status {
       auto v = ParseUnsignedIn(t, 1, kMaxThreshold);
       if (!v.ok()) return v.error();
       p.success_threshold = static_cast<int>(*v);
       return {};
     },
     nullptr},
    {"level",
     [](model::AlertPolicy& p, std::string_view t) -> Status {
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
     nullptr},
    {"remind_every",
     [](model::AlertPolicy& p, std::string_view t) -> Status {
       auto v = OptionalDuration(t, kMinReminder);
       if (!v.ok()) return v.error();
       p.remind_every = *v;
       return {};
     },
     nullptr},
    {"recovery",
     [](model::AlertPolicy& p, std::string_view t) -> Status {
       auto v = ParseBool(t);
       if (!v.ok()) return v.error();
       p.recovery = *v;
       return {};
     },
     nullptr},
    {"notify", nullptr,
     [](model::AlertPolicy& p, const std::vector<std::string>& items) -> Status {
       p.notify = items;
       return {};
     },
     true},
    {"escalate_after",
     [](model::AlertPolicy& p, std::string_view t) -> Status {
       auto v = OptionalDuration(t, kMinReminder);
       if (!v.ok()) return v.error();
       p.escalate_after = *v;
       return {};
     },
     nullptr},
    {"escalate_to", nullptr,
     [](model::AlertPolicy& p, const std::vector<std::string>& items) -> Status {
       p.escalate_to = items;
       return {};
     },
     true},
    {"flap_threshold",
     [](model::AlertPolicy& p, std::string_view t) -> Status {
       auto v = ParseUnsignedIn(t, 2, 1'000);
       if (!v.ok()) return v.error();
       p.flap_changes = static_cast<int>(*v);
       return {};
     },
     nullptr},
    {"flap_window",
     [](model::AlertPolicy& p, std::string_view t) -> Status {
       auto v = ParseDurationIn(t, 60'000'000, 86'400'000'000);
       if (!v.ok()) return v.error();
       p.flap_window = *v;
       return {};
     },
     nullptr},
    {"cert_warning_days", nullptr,
     [](model::AlertPolicy& p, const std::vector<std::string>& items) -> Status {
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
     }},
    {"quorum",
     [](model::AlertPolicy& p, std::string_view t) -> Status {
       auto v = ParseUnsignedIn(t, 0, 255);
       if (!v.ok()) return v.error();
       p.quorum = static_cast<int>(*v);
       return {};
     },
     nullptr},
    {"recheck_after",
     [](model::AlertPolicy& p, std::string_view t) -> Status {
       auto v = ParseDurationIn(t, 1'000'000, 300'000'000);
       if (!v.ok()) return v.error();
       p.recheck_after = *v;
       return {};
     },
     nullptr},
};

const AlertKey* FindAlertKey(std::string_view key) {
  for (const auto& k : kAlertKeys) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

// Channel settings by key, each read as text.
Status SetChannelKey(model::Channel& c, std::string_view key, std::string_view text) {
  if (key == "url") {
    c.url = std::string(text);
  } else if (key == "secret") {
    c.secret = std::string(text);
  } else if (key == "routing_key") {
    c.routing_key = std::string(text);
  } else if (key == "token") {
    c.token = std::string(text);
  } else if (key == "chat_id") {
    c.chat_id = std::string(text);
  } else {
    return InvalidArgument("unknown channel setting '" + std::string(key) +
                           "' (known: name, type, to, url, secret, routing_key, token, chat_id)");
  }
  return {};
}

Result<model::MaintenanceWindow::Repeat> ParseDays(const YamlReader& reader, const YamlEntry& e,
                                                   const std::string& context,
                                                   model::MaintenanceWindow& w) {
  auto items = TextList(reader, e, context);
  if (!items.ok()) return items.error();
  static constexpr std::string_view kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  for (const std::string& item : *items) {
    if (e.name() == "weekly") {
      const auto it = std::find(std::begin(kDays), std::end(kDays), item);
      if (it == std::end(kDays)) {
        return reader.ErrorAt(
            e.value, context + "'" + item + "' is not a day (mon, tue, wed, thu, fri, sat, sun)");
      }
      w.weekdays |= static_cast<uint8_t>(1u << (it - std::begin(kDays)));
    } else {
      auto day = ParseUnsignedIn(item, 1, 31);
      if (!day.ok()) return reader.ErrorAt(e.value, context + "monthly: " + day.error().message);
      w.month_days |= 1u << *day;
    }
  }
  return e.name() == "weekly" ? model::MaintenanceWindow::Repeat::kWeekly
                              : model::MaintenanceWindow::Repeat::kMonthly;
}

}  // namespace

bool IsAlertKey(std::string_view key) {
  return FindAlertKey(key) != nullptr;
}

Status SetAlertKey(const YamlReader& reader, const YamlEntry& e, const std::string& context,
                   model::AlertPolicy& policy, AlertReferences& refs) {
  const AlertKey* k = FindAlertKey(e.name());
  if (k == nullptr) return reader.ErrorAt(e.key, context + "unknown key " + Quote(e.name()));
  Status s;
  if (k->scalar != nullptr) {
    auto text = reader.ScalarText(e, context);
    if (!text.ok()) return text.error();
    s = k->scalar(policy, *text);
  } else {
    auto items = TextList(reader, e, context);
    if (!items.ok()) return items.error();
    if (k->channels) {
      for (const auto& name : *items) {
        refs.channels.push_back({name, e.value.line, context + e.name()});
      }
    }
    s = k->list(policy, *items);
  }
  if (!s.ok()) return reader.ErrorAt(e.value, context + e.name() + ": " + s.error().message);
  return {};
}

Status ParseNotificationsSection(const YamlReader& reader, const YamlNode& node,
                                 std::vector<model::Channel>& channels) {
  if (node.IsNull()) return {};
  if (!node.IsSequence()) {
    return reader.ErrorAt(node,
                          "'notifications' must be a list of channels, each starting "
                          "with '- name: ...'");
  }
  std::unordered_map<std::string, int> lines;
  size_t index = 0;
  for (const YamlNode* item : node.children) {
    const std::string numbered = "notification #" + std::to_string(++index) + ": ";
    if (!item->IsMap()) return reader.ErrorAt(*item, numbered + "must be a map");
    auto entries = reader.Entries(*item, numbered);
    if (!entries.ok()) return entries.error();
    model::Channel c;
    const YamlEntry* type_entry = nullptr;
    std::string context = numbered;
    for (const YamlEntry& e : *entries) {
      if (e.name() == "name") {
        auto name = reader.ScalarText(e, numbered);
        if (!name.ok()) return name.error();
        if (name->empty() || name->size() > kMaxMonitorNameBytes ||
            name->find_first_of("\r\n\t") != std::string::npos) {
          return reader.ErrorAt(e.value, numbered + "'name' must be 1 to 200 characters");
        }
        if (name->starts_with(model::kUserChannelPrefix)) {
          return reader.ErrorAt(e.value, numbered + "names starting with '" +
                                             std::string(model::kUserChannelPrefix) +
                                             "' are reserved for users' own alert email");
        }
        c.name = *name;
        context = "notification " + Quote(c.name) + ": ";
      }
    }
    if (c.name.empty()) return reader.ErrorAt(*item, numbered + "has no 'name'");
    for (const YamlEntry& e : *entries) {
      if (e.name() == "name") continue;
      if (e.name() == "type") {
        auto text = reader.ScalarText(e, context);
        if (!text.ok()) return text.error();
        if (!model::ChannelTypeFromName(*text, &c.type)) {
          return reader.ErrorAt(e.value, context +
                                             "type must be email, webhook, slack, discord, "
                                             "teams, pagerduty, ntfy or telegram, not '" +
                                             *text + "'");
        }
        type_entry = &e;
      } else if (e.name() == "to") {
        auto items = TextList(reader, e, context);
        if (!items.ok()) return items.error();
        c.to = *items;
      } else {
        auto text = reader.ScalarText(e, context);
        if (!text.ok()) return text.error();
        if (Status s = SetChannelKey(c, e.name(), *text); !s.ok()) {
          return reader.ErrorAt(e.key, context + s.error().message);
        }
      }
    }
    if (type_entry == nullptr) return reader.ErrorAt(*item, context + "has no 'type'");
    if (Status s = notify::ValidateChannel(c); !s.ok()) {
      const auto culprit = std::find_if(entries->begin(), entries->end(), [&](const YamlEntry& e) {
        return e.name() == s.error().field;
      });
      return reader.ErrorAt(culprit != entries->end() ? culprit->key : *item,
                            context + s.error().message);
    }
    auto [it, inserted] = lines.emplace(c.name, item->line);
    if (!inserted) {
      return reader.ErrorAt(*item, "duplicate notification name " + Quote(c.name) +
                                       " (first defined at line " + std::to_string(it->second) +
                                       ")");
    }
    channels.push_back(std::move(c));
  }
  return {};
}

Status ParseAlertsSection(const YamlReader& reader, const YamlNode& node, Config& config,
                          AlertReferences& refs) {
  if (node.IsNull()) return {};
  if (!node.IsMap()) return reader.ErrorAt(node, "'alerts' must be a map of settings");
  auto entries = reader.Entries(node, "alerts: ");
  if (!entries.ok()) return entries.error();
  for (const YamlEntry& e : *entries) {
    if (e.name() == "group_window") {
      auto text = reader.ScalarText(e, "alerts: ");
      if (!text.ok()) return text.error();
      auto v = ParseDurationIn(*text, 0, 3'600'000'000);
      if (!v.ok()) return reader.ErrorAt(e.value, "alerts.group_window: " + v.error().message);
      config.group_window = *v;
      continue;
    }
    if (!IsAlertKey(e.name())) {
      return reader.ErrorAt(e.key, "unknown alerts setting " + Quote(e.name()) +
                                       " (see docs/configuration.md, Alerts)");
    }
    if (Status s = SetAlertKey(reader, e, "alerts.", config.alerts, refs); !s.ok()) return s;
  }
  return {};
}

Status ParseMaintenanceSection(const YamlReader& reader, const YamlNode& node,
                               std::vector<MaintenanceConfig>& windows, AlertReferences& refs) {
  if (node.IsNull()) return {};
  if (!node.IsSequence()) {
    return reader.ErrorAt(node,
                          "'maintenance' must be a list of windows, each starting with "
                          "'- name: ...'");
  }
  size_t index = 0;
  for (const YamlNode* item : node.children) {
    const std::string numbered = "maintenance window #" + std::to_string(++index) + ": ";
    if (!item->IsMap()) return reader.ErrorAt(*item, numbered + "must be a map");
    auto entries = reader.Entries(*item, numbered);
    if (!entries.ok()) return entries.error();
    MaintenanceConfig m;
    model::MaintenanceWindow& w = m.window;
    w.name = "#" + std::to_string(index);
    const YamlEntry* start = nullptr;
    const YamlEntry* at = nullptr;
    const YamlEntry* days = nullptr;
    const YamlEntry* duration = nullptr;
    for (const YamlEntry& e : *entries) {
      const std::string context = numbered;
      if (e.name() == "monitors") {
        auto names = TextList(reader, e, context);
        if (!names.ok()) return names.error();
        for (const auto& n : *names) refs.monitors.push_back({n, e.value.line, "maintenance"});
        m.monitors = *names;
        continue;
      }
      if (e.name() == "weekly" || e.name() == "monthly") {
        if (days != nullptr) {
          return reader.ErrorAt(e.key, context + "weekly and monthly exclude each other");
        }
        days = &e;
        auto repeat = ParseDays(reader, e, context, w);
        if (!repeat.ok()) return repeat.error();
        w.repeat = *repeat;
        continue;
      }
      auto text = reader.ScalarText(e, context);
      if (!text.ok()) return text.error();
      Status s;
      if (e.name() == "name") {
        w.name = *text;
      } else if (e.name() == "time_zone") {
        w.time_zone = *text;
      } else if (e.name() == "start") {
        start = &e;
        auto v = alert::ParseLocalDateTime(*text);
        if (v.ok()) w.start_local_s = *v;
        s = v.ok() ? Status() : Status(v.error());
      } else if (e.name() == "at") {
        at = &e;
        auto v = alert::ParseTimeOfDay(*text);
        if (v.ok()) w.start_local_s = *v;
        s = v.ok() ? Status() : Status(v.error());
      } else if (e.name() == "duration") {
        duration = &e;
        auto v = ParseDurationIn(*text, 60'000'000, 31 * 86'400'000'000LL);
        if (v.ok()) w.duration = *v;
        s = v.ok() ? Status() : Status(v.error());
      } else {
        return reader.ErrorAt(e.key, context + "unknown key " + Quote(e.name()) +
                                         " (known: name, monitors, time_zone, start, weekly, "
                                         "monthly, at, duration)");
      }
      if (!s.ok()) return reader.ErrorAt(e.value, context + e.name() + ": " + s.error().message);
    }
    const std::string context = "maintenance window " + Quote(w.name) + ": ";
    if (duration == nullptr) return reader.ErrorAt(*item, context + "has no 'duration'");
    if (days == nullptr && start == nullptr) {
      return reader.ErrorAt(*item,
                            context + "needs 'start' (once) or 'weekly'/'monthly' with 'at'");
    }
    if (days != nullptr && (start != nullptr || at == nullptr)) {
      return reader.ErrorAt(*item, context + "a repeating window takes 'at' (HH:MM), not 'start'");
    }
    if (days == nullptr && at != nullptr) {
      return reader.ErrorAt(at->key, context + "'at' goes with weekly or monthly");
    }
    // The time zone and the rest, as the evaluator will use them.
    if (auto check = alert::MaintenanceSchedule::Build({w}); !check.ok()) {
      return reader.ErrorAt(*item, check.error().message);
    }
    windows.push_back(std::move(m));
  }
  return {};
}

Status CheckReferences(const YamlReader& reader, const Config& config,
                       const AlertReferences& refs) {
  std::set<std::string> channels;
  for (const auto& c : config.notifications) channels.insert(c.name);
  for (const Reference& r : refs.channels) {
    if (!channels.contains(r.name)) {
      YamlNode where;
      where.line = r.line;
      return reader.ErrorAt(where, r.where + ": no notification channel named " + Quote(r.name) +
                                       " (define it under 'notifications')");
    }
  }
  std::unordered_map<std::string, const MonitorConfig*> monitors;
  for (const auto& m : config.monitors) monitors.emplace(m.name, &m);
  for (const Reference& r : refs.monitors) {
    if (!monitors.contains(r.name)) {
      YamlNode where;
      where.line = r.line;
      return reader.ErrorAt(where, r.where + ": no monitor named " + Quote(r.name));
    }
  }
  // depends_on: names a monitor, and following it never comes back.
  for (const auto& m : config.monitors) {
    std::set<std::string> seen{m.name};
    const MonitorConfig* at = &m;
    while (!at->depends_on.empty()) {
      auto parent = monitors.find(at->depends_on);
      YamlNode where;
      where.line = m.line;
      if (parent == monitors.end()) {
        return reader.ErrorAt(where, "monitor " + Quote(m.name) + ": depends_on names no monitor " +
                                         Quote(at->depends_on));
      }
      if (!seen.insert(parent->second->name).second) {
        return reader.ErrorAt(where, "monitor " + Quote(m.name) +
                                         ": depends_on goes round in a circle through " +
                                         Quote(parent->second->name));
      }
      at = parent->second;
    }
  }
  return {};
}

}  // namespace tocsin::config
