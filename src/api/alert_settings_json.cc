#include "api/alert_settings_json.h"

#include "alert/policy_keys.h"
#include "alert/window_builder.h"
#include "notify/provider.h"

namespace tocsin::api {
namespace {

// A JSON scalar as the text the tables read: numbers and booleans as they
// would be written in YAML.
Result<std::string> ScalarText(const nlohmann::json& v, const std::string& field) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  return InvalidField(field, "'" + field + "' must be a string, a whole number or true/false");
}

Result<std::vector<std::string>> ListText(const nlohmann::json& v, const std::string& field) {
  if (!v.is_array()) return InvalidField(field, "'" + field + "' must be a list");
  if (v.size() > 100) return InvalidField(field, "'" + field + "' holds too many items");
  std::vector<std::string> items;
  for (const auto& item : v) {
    if (item.is_array() || item.is_object()) {
      return InvalidField(field, "'" + field + "' must be a list of names or numbers");
    }
    auto text = ScalarText(item, field);
    if (!text.ok()) return text.error();
    items.push_back(std::move(*text));
  }
  return items;
}

}  // namespace

Status ApplyChannelJson(const nlohmann::json& settings, model::Channel& c) {
  for (const auto& [key, value] : settings.items()) {
    if (key == "type") {
      if (!value.is_string() || !model::ChannelTypeFromName(value.get<std::string>(), &c.type)) {
        return InvalidField("type",
                            "type must be email, webhook, slack, discord, teams, pagerduty, ntfy "
                            "or telegram");
      }
    } else if (key == "to") {
      auto items = ListText(value, "to");
      if (!items.ok()) return items.error();
      c.to = std::move(*items);
    } else {
      if (!value.is_string()) return InvalidField(key, "'" + key + "' must be a string");
      if (value.get<std::string>().size() > 2048) {
        return InvalidField(key, "'" + key + "' is too long");
      }
      if (Status s = notify::SetChannelKey(c, key, value.get<std::string>()); !s.ok()) {
        return InvalidField(key, s.error().message);
      }
    }
  }
  return {};
}

nlohmann::json ChannelSettingsJson(const model::Channel& c) {
  nlohmann::json j = {{"type", model::ChannelTypeName(c.type)}};
  if (!c.to.empty()) j["to"] = c.to;
  for (const notify::ChannelKey& k : notify::ChannelKeys()) {
    const std::string& v = c.*k.field;
    if (!v.empty()) j[std::string(k.key)] = v;
  }
  return j;
}

nlohmann::json ChannelViewJson(const model::Channel& c) {
  nlohmann::json j = {{"name", c.name}, {"type", model::ChannelTypeName(c.type)}};
  if (c.type == model::ChannelType::kEmail) j["to"] = c.to;
  nlohmann::json secrets = nlohmann::json::array();
  for (const notify::ChannelKey& k : notify::ChannelKeys()) {
    const std::string& v = c.*k.field;
    if (k.secret) {
      if (!v.empty()) secrets.push_back(k.key);
    } else if (!v.empty()) {
      j[std::string(k.key)] = v;
    }
  }
  j["secrets_set"] = std::move(secrets);
  return j;
}

Status ApplyPolicyJson(const nlohmann::json& object, model::AlertPolicy& policy,
                       const std::string& prefix, const std::set<std::string>& allowed_extra) {
  if (!object.is_object()) {
    return InvalidField(prefix.empty() ? "alerts" : prefix.substr(0, prefix.size() - 1),
                        "the alert policy must be an object of settings");
  }
  for (const auto& [key, value] : object.items()) {
    const std::string field = prefix + key;
    if (allowed_extra.contains(key)) continue;
    const alert::PolicyKey* k = alert::FindPolicyKey(key);
    if (k == nullptr) return InvalidField(field, "unknown alert setting '" + key + "'");
    Status s;
    if (k->is_list()) {
      auto items = ListText(value, field);
      if (!items.ok()) return items.error();
      s = k->set_list(policy, *items);
    } else {
      auto text = ScalarText(value, field);
      if (!text.ok()) return text.error();
      s = k->set(policy, *text);
    }
    if (!s.ok()) return InvalidField(field, field + ": " + s.error().message);
  }
  return {};
}

nlohmann::json PolicyJson(const model::AlertPolicy& policy, const nlohmann::json& object) {
  nlohmann::json out = nlohmann::json::object();
  for (const alert::PolicyKey& k : alert::PolicyKeys()) {
    const std::string key(k.key);
    if (!object.is_null() && !object.contains(key)) continue;
    switch (k.value) {
      case alert::PolicyValue::kCount:
        out[key] = std::stoll(k.text(policy));
        break;
      case alert::PolicyValue::kBool:
        out[key] = k.text(policy) == "true";
        break;
      case alert::PolicyValue::kWord:
      case alert::PolicyValue::kDuration:
        out[key] = k.text(policy);
        break;
      case alert::PolicyValue::kNames:
        out[key] = k.items(policy);
        break;
      case alert::PolicyValue::kDays: {
        nlohmann::json days = nlohmann::json::array();
        for (const auto& d : k.items(policy)) days.push_back(std::stoll(d));
        out[key] = std::move(days);
        break;
      }
    }
  }
  return out;
}

Result<model::MaintenanceWindow> WindowFromJson(const nlohmann::json& object) {
  alert::WindowBuilder b;
  bool named = false;
  for (const auto& [key, value] : object.items()) {
    if (key == "monitors" || key == "workspace_id") continue;  // the caller's
    Status s;
    if (alert::WindowBuilder::IsDaysKey(key)) {
      auto items = ListText(value, key);
      if (!items.ok()) return items.error();
      s = b.SetDays(key, *items);
    } else {
      if (!value.is_string()) return InvalidField(key, "'" + key + "' must be a string");
      s = b.Set(key, value.get<std::string>());
      named = named || key == "name";
    }
    if (!s.ok()) {
      return InvalidField(
          key, s.error().field == key ? s.error().message : key + ": " + s.error().message);
    }
  }
  if (!named) return InvalidField("name", "'name' is required");
  auto w = b.Finish();
  if (!w.ok()) {
    return InvalidField(w.error().field.empty() ? "time_zone" : w.error().field, w.error().message);
  }
  return w;
}

}  // namespace tocsin::api
