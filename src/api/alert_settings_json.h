// Users' alert settings as JSON, the one format the API answers with and
// the store keeps: channels, alert policies (a workspace's defaults, a
// monitor's overrides) and maintenance windows. Every key goes through the
// same tables as the YAML file's (alert/policy_keys.h, notify's channel
// keys, alert/window_builder.h), so the two sources cannot drift apart.
#pragma once

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "model/alerting.h"

namespace tocsin::api {

// --- channels: {"type", "to": [...], "url", "secret", "routing_key", "token", "chat_id"}

// Applies the settings an object names onto `channel` (an update names
// only what changes); unknown keys and wrong types are errors naming the
// field. Does not validate the whole: see notify::ValidateChannel.
Status ApplyChannelJson(const nlohmann::json& settings, model::Channel& channel);
// What the store keeps: every setting but the name.
nlohmann::json ChannelSettingsJson(const model::Channel& channel);
// For people: secrets are never shown back, only whether they are set.
nlohmann::json ChannelViewJson(const model::Channel& channel);

// --- policies: {"level": "degraded", "remind_every": "15m", "notify": ["ops"], ...}

// Applies the keys an object names onto `policy`; errors name the field as
// `prefix` + key ("alerts.level"). `extra` receives keys outside the
// policy table that the caller allows (e.g. "email_owner"), unread.
Status ApplyPolicyJson(const nlohmann::json& object, model::AlertPolicy& policy,
                       const std::string& prefix, const std::set<std::string>& allowed_extra = {});
// The keys `object` names, written back from `policy` in their canonical
// form ("900s" -> "15m"); every key when `object` is null.
nlohmann::json PolicyJson(const model::AlertPolicy& policy, const nlohmann::json& object = nullptr);

// --- maintenance windows: {"name", "time_zone", "start" | "weekly"/"monthly" + "at",
//     "duration"} (the monitors it covers are read by the caller)

Result<model::MaintenanceWindow> WindowFromJson(const nlohmann::json& object);

}  // namespace tocsin::api
