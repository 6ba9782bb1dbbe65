#include "config/monitors_section.h"

#include <algorithm>
#include <unordered_map>

#include "core/duration.h"
#include "core/scalars.h"
#include "probe/check_options.h"

namespace tocsin::config {
namespace {

// Keys a monitor has besides the check options.
constexpr std::string_view kNameKey = "name";
constexpr std::string_view kIntervalKey = "interval";
constexpr std::string_view kSlowThresholdKey = "slow_threshold";
constexpr std::string_view kEnabledKey = "enabled";
constexpr std::string_view kOwnerKey = "owner";
constexpr std::string_view kUrlKey = "url";
constexpr std::string_view kTimeoutKey = "timeout";
constexpr std::string_view kDependsOnKey = "depends_on";
constexpr std::string_view kTagsKey = "tags";

// `message` about option `key`, naming the key when the message does not.
std::string AboutKey(const std::string& key, const std::string& message) {
  if (message.find(key) != std::string::npos) return message;
  return key + ": " + message;
}

probe::OptionValue ValueOf(const YamlNode& scalar) {
  return {scalar.plain ? probe::ValueForm::kPlain : probe::ValueForm::kString, scalar.Scalar()};
}

// Reads one check option's entry into `spec`.
Status SetOption(const YamlReader& reader, const probe::CheckOption& option, const YamlEntry& e,
                 const std::string& context, probe::CheckSpec& spec) {
  const std::string& key = e.name();
  if (e.value.IsNull()) return reader.ErrorAt(e.key, context + Quote(key) + " has no value");
  if (e.value.IsMap()) {
    return reader.ErrorAt(e.key, context + Quote(key) + " must be a value or a list, not a map");
  }
  const auto fail = [&](const Status& s) {
    return reader.ErrorAt(e.key, context + AboutKey(key, s.error().message));
  };
  if (option.kind == probe::OptionKind::kList) {
    if (!e.value.IsSequence()) {
      return reader.ErrorAt(e.key, context + Quote(key) + " must be a list, e.g. [\"a\", \"b\"]");
    }
    for (const YamlNode* item : e.value.children) {
      if (!item->IsScalar()) {
        return reader.ErrorAt(*item, context + Quote(key) + " must be a list of single values");
      }
      if (Status s = option.set(option, spec, ValueOf(*item)); !s.ok()) return fail(s);
    }
    return {};
  }
  if (!e.value.IsScalar()) {
    return reader.ErrorAt(e.key, context + Quote(key) + " must be a single value, not a list");
  }
  if (Status s = option.set(option, spec, ValueOf(e.value)); !s.ok()) return fail(s);
  return {};
}

Result<MonitorConfig> ParseMonitor(const YamlReader& reader, const YamlNode& item, size_t index,
                                   const model::AlertPolicy& defaults, AlertReferences& refs) {
  const std::string numbered = "monitor #" + std::to_string(index) + ": ";
  if (!item.IsMap()) {
    return reader.ErrorAt(item, numbered + "must be a map of settings starting with 'name: ...'");
  }
  auto entries = reader.Entries(item, numbered);
  if (!entries.ok()) return entries.error();
  const auto entry = [&](std::string_view key) -> const YamlEntry* {
    const auto it = std::find_if(entries->begin(), entries->end(),
                                 [&](const YamlEntry& e) { return e.name() == key; });
    return it == entries->end() ? nullptr : &*it;
  };

  MonitorConfig m;
  m.line = item.line;
  m.alerts = defaults;
  const YamlEntry* name_entry = entry(kNameKey);
  if (name_entry == nullptr) return reader.ErrorAt(item, numbered + "has no 'name'");
  auto name = reader.ScalarText(*name_entry, numbered);
  if (!name.ok()) return name.error();
  m.name = std::move(*name);
  if (m.name.empty() || m.name.size() > kMaxMonitorNameBytes) {
    return reader.ErrorAt(name_entry->value, numbered + "'name' must be 1 to 200 characters");
  }
  if (std::any_of(m.name.begin(), m.name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return reader.ErrorAt(name_entry->value, numbered + "'name' contains a control character");
  }
  const std::string context = "monitor " + Quote(m.name) + ": ";

  probe::CheckSpec spec;
  for (const YamlEntry& e : *entries) {
    const std::string& key = e.name();
    if (key == kNameKey) continue;
    if (key == kIntervalKey || key == kSlowThresholdKey || key == kEnabledKey || key == kOwnerKey) {
      auto text = reader.ScalarText(e, context);
      if (!text.ok()) return text.error();
      Status s;
      if (key == kIntervalKey) {
        auto v = ParseDurationIn(*text, kMinInterval, kMaxInterval);
        if (v.ok()) m.interval = *v;
        s = v.ok() ? Status() : Status(v.error());
      } else if (key == kSlowThresholdKey) {
        auto v = ParseDuration(*text);
        if (v.ok()) m.slow_threshold = *v;
        s = v.ok() ? Status() : Status(v.error());
      } else if (key == kEnabledKey) {
        auto v = ParseBool(*text);
        if (v.ok()) m.enabled = *v;
        s = v.ok() ? Status() : Status(v.error());
      } else {
        auto v = ParseUnsigned(*text);
        if (v.ok()) m.owner = *v;
        s = v.ok() ? Status() : Status(InvalidArgument("must be a user id (a whole number)"));
      }
      if (!s.ok()) return reader.ErrorAt(e.value, context + key + ": " + s.error().message);
      continue;
    }
    if (key == kTagsKey) {
      if (!e.value.IsSequence()) {
        return reader.ErrorAt(e.key, context + "tags must be a list, e.g. [web, eu]");
      }
      for (const YamlNode* tag : e.value.children) {
        if (!tag->IsScalar()) return reader.ErrorAt(*tag, context + "tags must be a list of words");
        m.tags.push_back(tag->Scalar());
      }
      if (Status s = model::NormalizeTags(m.tags); !s.ok()) {
        return reader.ErrorAt(e.key, context + s.error().message);
      }
      continue;
    }
    if (key == kDependsOnKey) {
      auto text = reader.ScalarText(e, context);
      if (!text.ok()) return text.error();
      m.depends_on = *text;
      continue;
    }
    if (IsAlertKey(key)) {
      if (Status s = SetAlertKey(reader, e, context, m.alerts, refs); !s.ok()) return s.error();
      continue;
    }
    const probe::CheckOption* option = probe::FindCheckOption(key);
    if (option == nullptr) {
      return reader.ErrorAt(e.key, context + "unknown key " + Quote(key) +
                                       " (neither a monitor setting, a check option nor an "
                                       "alerts setting; see docs/configuration.md)");
    }
    if (Status s = SetOption(reader, *option, e, context, spec); !s.ok()) return s.error();
  }
  if (entry(kUrlKey) == nullptr) return reader.ErrorAt(item, context + "has no 'url'");

  auto check = probe::PreparedCheck::Prepare(std::move(spec));
  if (!check.ok()) {
    const Error& error = check.error();
    const YamlEntry* culprit = entry(error.field);
    return reader.ErrorAt(
        culprit != nullptr ? culprit->key : item,
        context + (error.field.empty() ? error.message : AboutKey(error.field, error.message)));
  }
  m.check = std::move(*check);

  const Micros timeout = m.check->spec().timeout;
  if (timeout > m.interval) {
    const YamlEntry* where = entry(kTimeoutKey);
    if (where == nullptr) where = entry(kIntervalKey);
    return reader.ErrorAt(where != nullptr ? where->key : item,
                          context + "timeout (" + FormatDuration(timeout) +
                              ") must not exceed interval (" + FormatDuration(m.interval) + ")");
  }
  if (m.slow_threshold > timeout) {
    return reader.ErrorAt(entry(kSlowThresholdKey)->key,
                          context + "slow_threshold (" + FormatDuration(m.slow_threshold) +
                              ") exceeds timeout (" + FormatDuration(timeout) +
                              "), so it could never trigger");
  }
  return m;
}

}  // namespace

Result<std::vector<MonitorConfig>> ParseMonitorsSection(const YamlReader& reader,
                                                        const YamlNode& node,
                                                        const model::AlertPolicy& defaults,
                                                        AlertReferences& refs) {
  std::vector<MonitorConfig> monitors;
  if (node.IsNull()) return monitors;
  if (!node.IsSequence()) {
    return reader.ErrorAt(node, "'monitors' must be a list, each item starting with '- name: ...'");
  }
  monitors.reserve(node.children.size());
  std::unordered_map<std::string, int> lines_by_name;
  lines_by_name.reserve(node.children.size());
  size_t index = 0;
  for (const YamlNode* item : node.children) {
    auto monitor = ParseMonitor(reader, *item, ++index, defaults, refs);
    if (!monitor.ok()) return monitor.error();
    auto [it, inserted] = lines_by_name.emplace(monitor->name, monitor->line);
    if (!inserted) {
      return reader.ErrorAt(*item, "duplicate monitor name " + Quote(monitor->name) +
                                       " (first defined at line " + std::to_string(it->second) +
                                       "); names must be unique");
    }
    monitors.push_back(std::move(*monitor));
  }
  return monitors;
}

}  // namespace tocsin::config
