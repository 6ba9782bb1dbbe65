#include "config/alerts_section.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "alert/maintenance.h"
#include "alert/policy_keys.h"
#include "alert/window_builder.h"
#include "core/duration.h"
#include "core/scalars.h"
#include "notify/provider.h"

namespace tocsin::config {
namespace {

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

}  // namespace

bool IsAlertKey(std::string_view key) {
  return alert::FindPolicyKey(key) != nullptr;
}

Status SetAlertKey(const YamlReader& reader, const YamlEntry& e, const std::string& context,
                   model::AlertPolicy& policy, AlertReferences& refs) {
  const alert::PolicyKey* k = alert::FindPolicyKey(e.name());
  if (k == nullptr) return reader.ErrorAt(e.key, context + "unknown key " + Quote(e.name()));
  Status s;
  if (!k->is_list()) {
    auto text = reader.ScalarText(e, context);
    if (!text.ok()) return text.error();
    s = k->set(policy, *text);
  } else {
    auto items = TextList(reader, e, context);
    if (!items.ok()) return items.error();
    if (k->value == alert::PolicyValue::kNames) {
      for (const auto& name : *items) {
        refs.channels.push_back({name, e.value.line, context + e.name()});
      }
    }
    s = k->set_list(policy, *items);
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
        if (name->starts_with(model::kUserChannelPrefix) ||
            name->starts_with(model::kWorkspaceChannelPrefix)) {
          return reader.ErrorAt(e.value, numbered + "names starting with '" +
                                             std::string(model::kUserChannelPrefix) + "' or '" +
                                             std::string(model::kWorkspaceChannelPrefix) +
                                             "' are reserved for users' own channels");
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
        if (Status s = notify::SetChannelKey(c, e.name(), *text); !s.ok()) {
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
    alert::WindowBuilder b;
    b.window().name = "#" + std::to_string(index);
    for (const YamlEntry& e : *entries) {
      const std::string context = numbered;
      if (e.name() == "monitors") {
        auto names = TextList(reader, e, context);
        if (!names.ok()) return names.error();
        for (const auto& n : *names) refs.monitors.push_back({n, e.value.line, "maintenance"});
        m.monitors = *names;
        continue;
      }
      if (alert::WindowBuilder::IsDaysKey(e.name())) {
        auto items = TextList(reader, e, context);
        if (!items.ok()) return items.error();
        if (Status s = b.SetDays(e.name(), *items); !s.ok()) {
          return reader.ErrorAt(e.value, context + s.error().message);
        }
        continue;
      }
      auto text = reader.ScalarText(e, context);
      if (!text.ok()) return text.error();
      if (Status s = b.Set(e.name(), *text); !s.ok()) {
        if (s.error().field == e.name()) return reader.ErrorAt(e.key, context + s.error().message);
        return reader.ErrorAt(e.value, context + e.name() + ": " + s.error().message);
      }
    }
    const std::string context = "maintenance window " + Quote(b.window().name) + ": ";
    auto window = b.Finish();
    if (!window.ok()) {
      if (window.error().field.empty()) return reader.ErrorAt(*item, window.error().message);
      return reader.ErrorAt(*item, context + window.error().message);
    }
    m.window = std::move(*window);
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
