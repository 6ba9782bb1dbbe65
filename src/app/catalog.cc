#include "app/catalog.h"

#include <spdlog/spdlog.h>

#include <set>
#include <unordered_map>

#include "alert/maintenance.h"
#include "alert/policy_keys.h"
#include "api/alert_settings_json.h"
#include "api/views.h"
#include "probe/check_options.h"

namespace tocsin::app {
namespace {

std::vector<store::MonitorRecord> ToRecords(const config::Config& config) {
  std::vector<store::MonitorRecord> records;
  records.reserve(config.monitors.size());
  for (const auto& m : config.monitors) {
    store::MonitorRecord r;
    r.name = m.name;
    r.owner = m.owner;
    r.url = m.check->spec().url;
    r.options_json = probe::SpecToJson(m.check->spec()).dump();
    r.interval = m.interval;
    r.enabled = m.enabled;
    records.push_back(std::move(r));
  }
  return records;
}

// One shared copy of each distinct policy (most monitors use their
// workspace's or the file's defaults as they are).
class PolicyInterner {
 public:
  model::SharedPolicy Intern(const model::AlertPolicy& policy) {
    std::string key;
    for (const alert::PolicyKey& k : alert::PolicyKeys()) {
      if (k.is_list()) {
        for (const auto& item : k.items(policy)) key += item + '\x1f';
      } else {
        key += k.text(policy);
      }
      key += '\x1e';
    }
    auto [it, added] = seen_.try_emplace(std::move(key));
    if (added) it->second = model::SharedPolicy(policy);
    return it->second;
  }

 private:
  std::unordered_map<std::string, model::SharedPolicy> seen_;
};

std::string UserChannel(uint64_t user) {
  return std::string(model::kUserChannelPrefix) + std::to_string(user);
}

}  // namespace

Catalog::Catalog(store::Store& store, schedule::Scheduler& scheduler, alert::AlertEngine& alerts,
                 notify::Notifier& notifier, AdhocChecks* adhoc)
    : store_(store), scheduler_(scheduler), alerts_(alerts), notifier_(notifier), adhoc_(adhoc) {}

Result<model::CheckRecord> Catalog::CheckNow(const store::MonitorRecord& record) {
  if (adhoc_ == nullptr) return Unavailable("checks on demand are off on this server");
  auto check = Prepare(record);
  if (!check.ok()) return check.error();
  return adhoc_->Run(std::move(*check));
}

Result<std::shared_ptr<const probe::PreparedCheck>> Catalog::Prepare(
    const store::MonitorRecord& record) {
  const nlohmann::json options = nlohmann::json::parse(record.options_json, nullptr, false);
  if (!options.is_object()) return InvalidField("check", "the check options are not an object");
  // A path on the server is the operator's to name, in the config file.
  if (options.contains("ca_file")) {
    return InvalidField("ca_file",
                        "'ca_file' names a file on the server: only the config file's monitors "
                        "may use it");
  }
  auto spec = probe::SpecFromJson(options);
  if (!spec.ok()) return spec.error();
  auto check = probe::PreparedCheck::Prepare(std::move(*spec));
  if (!check.ok()) return check.error();
  if ((*check)->spec().timeout > record.interval) {
    return InvalidField("interval_s", "the interval must not be shorter than the check's timeout");
  }
  return check;
}

Status Catalog::LoadStored() {
  std::lock_guard lock(mu_);
  return LoadStoredLocked();
}

Status Catalog::StoredRemoved() {
  std::lock_guard lock(mu_);
  if (Status s = LoadStoredLocked(); !s.ok()) return s;
  return ApplyLocked();
}

Status Catalog::LoadStoredLocked() {
  auto all = store_.monitors().ListMonitors();
  if (!all.ok()) return all.error();
  std::map<model::MonitorId, ApiMonitor> loaded;
  for (auto& record : *all) {
    if (record.workspace == model::kFileWorkspace) continue;
    auto check = Prepare(record);
    if (!check.ok()) {
      spdlog::warn("monitor {} ('{}') is not scheduled: {}", record.id, record.name,
                   check.error().message);
      continue;
    }
    const model::MonitorId id = record.id;
    loaded[id] = ApiMonitor{std::move(record), std::move(*check)};
  }
  api_ = std::move(loaded);
  return LoadSettingsLocked();
}

Status Catalog::LoadSettingsLocked() {
  auto channels = store_.alert_settings().Channels(0);
  if (!channels.ok()) return channels.error();
  auto policies = store_.alert_settings().Policies();
  if (!policies.ok()) return policies.error();
  auto windows = store_.alert_settings().Windows(0);
  if (!windows.ok()) return windows.error();
  settings_ = WorkspaceSettings{};
  for (const auto& record : *channels) {
    model::Channel c;
    const nlohmann::json j = nlohmann::json::parse(record.settings_json, nullptr, false);
    if (!j.is_object() || !api::ApplyChannelJson(j, c).ok()) {
      spdlog::warn("channel {} ('{}') is not used: its stored settings do not read", record.id,
                   record.name);
      continue;
    }
    c.name = std::string(model::kWorkspaceChannelPrefix) + std::to_string(record.id);
    settings_.channel_names[record.workspace][record.name] = c.name;
    settings_.channels.push_back(std::move(c));
  }
  for (auto& [workspace, json] : *policies) {
    nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
    if (j.is_object()) settings_.policies[workspace] = std::move(j);
  }
  for (const auto& record : *windows) {
    const nlohmann::json j = nlohmann::json::parse(record.window_json, nullptr, false);
    auto w = j.is_object() ? api::WindowFromJson(j)
                           : Result<model::MaintenanceWindow>(InvalidArgument("not JSON"));
    if (!w.ok()) {
      spdlog::warn("maintenance window {} is not used: {}", record.id, w.error().message);
      continue;
    }
    for (const auto& id : j.value("monitors", nlohmann::json::array())) {
      if (id.is_number_unsigned()) w->monitors.push_back(id.get<model::MonitorId>());
    }
    settings_.windows.emplace_back(record.workspace, std::move(*w));
  }
  return {};
}

Status Catalog::SettingsChanged() {
  std::lock_guard lock(mu_);
  if (Status s = LoadSettingsLocked(); !s.ok()) return s;
  return ApplyLocked();
}

Status Catalog::Send(store::OutboxRow row) {
  if (Status s = store_.alerts().Apply({}, std::span<const store::OutboxRow>(&row, 1)); !s.ok()) {
    return s;
  }
  notifier_.Wake();
  return {};
}

model::AlertPolicy Catalog::PolicyOf(const store::MonitorRecord& r, bool owner_reachable) const {
  model::AlertPolicy policy;
  bool email_owner = true;
  // The workspace's defaults, then the monitor's overrides: both were
  // checked when set, so what fails to read here is skipped.
  if (const auto it = settings_.policies.find(r.workspace); it != settings_.policies.end()) {
    (void)api::ApplyPolicyJson(it->second, policy, "", {"email_owner"});
    email_owner = it->second.value("email_owner", true);
  }
  const nlohmann::json settings = nlohmann::json::parse(r.settings_json, nullptr, false);
  if (settings.is_object() && settings.contains("alerts")) {
    (void)api::ApplyPolicyJson(settings["alerts"], policy, "");
  }
  // Channel names are the workspace's: the notifier knows them by id.
  const auto names = settings_.channel_names.find(r.workspace);
  const auto to_ids = [&](std::vector<std::string>& list) {
    std::vector<std::string> out;
    for (const auto& name : list) {
      if (names == settings_.channel_names.end()) break;
      if (const auto it = names->second.find(name); it != names->second.end()) {
        out.push_back(it->second);
      }
    }
    list = std::move(out);
  };
  to_ids(policy.notify);
  to_ids(policy.escalate_to);
  if (email_owner && owner_reachable) policy.notify.push_back(UserChannel(r.owner));
  return policy;
}

Status Catalog::SetFile(const config::Config& config) {
  auto ids = store_.monitors().SyncMonitors(ToRecords(config));
  if (!ids.ok()) return ids.error();
  std::vector<FileMonitor> file;
  file.reserve(config.monitors.size());
  PolicyInterner policies;
  std::unordered_map<std::string, model::MonitorId> id_of;
  for (size_t i = 0; i < config.monitors.size(); ++i) id_of[config.monitors[i].name] = (*ids)[i];
  for (size_t i = 0; i < config.monitors.size(); ++i) {
    const auto& m = config.monitors[i];
    FileMonitor f;
    f.monitor =
        model::Monitor{(*ids)[i],  model::kFileWorkspace, m.name,   m.owner, m.check->spec().url,
                       m.interval, m.slow_threshold,      m.enabled};
    f.check = m.check;
    f.rules.id = (*ids)[i];
    f.rules.name = m.name;
    f.rules.url = m.check->spec().url;
    f.rules.interval = m.interval;
    f.rules.slow_threshold = m.slow_threshold;
    f.rules.enabled = m.enabled;
    f.rules.policy = policies.Intern(m.alerts);
    if (!m.depends_on.empty()) f.rules.depends_on = id_of.at(m.depends_on);
    f.monitor.depends_on = f.rules.depends_on;
    f.monitor.tags = m.tags;
    file.push_back(std::move(f));
  }
  // A window naming no monitor covers the file's monitors, not the users'.
  std::vector<model::MaintenanceWindow> windows;
  for (const auto& w : config.maintenance) {
    model::MaintenanceWindow window = w.window;
    if (w.monitors.empty()) {
      for (const FileMonitor& f : file) window.monitors.push_back(f.monitor.id);
      if (window.monitors.empty()) continue;
    }
    for (const auto& name : w.monitors) window.monitors.push_back(id_of.at(name));
    windows.push_back(std::move(window));
  }
  if (auto check = alert::MaintenanceSchedule::Build(windows); !check.ok()) return check.error();

  std::lock_guard lock(mu_);
  file_ = std::move(file);
  file_channels_ = config.notifications;
  file_windows_ = std::move(windows);
  return ApplyLocked();
}

Status Catalog::ApplyLocked() {
  std::vector<schedule::MonitorPlan> plans;
  std::vector<alert::MonitorRules> rules;
  auto list = std::make_shared<std::vector<model::Monitor>>();
  plans.reserve(file_.size() + api_.size());
  rules.reserve(file_.size() + api_.size());
  list->reserve(file_.size() + api_.size());
  PolicyInterner policies;
  for (const FileMonitor& f : file_) {
    plans.push_back({f.monitor.id, f.check, f.monitor.interval, f.monitor.enabled});
    rules.push_back(f.rules);
    list->push_back(f.monitor);
  }
  // Users' monitors alert to their owner's address (the user's channel);
  // an owner without a confirmed address gets no mail.
  std::vector<model::Channel> channels = file_channels_;
  channels.insert(channels.end(), settings_.channels.begin(), settings_.channels.end());
  std::set<uint64_t> owners;
  for (const auto& [id, a] : api_) owners.insert(a.record.owner);
  std::set<uint64_t> reachable;
  std::set<uint64_t> disabled;  // their monitors stay, and do not run
  for (uint64_t owner : owners) {
    auto user = store_.accounts().GetUser(static_cast<model::UserId>(owner));
    if (!user.ok()) return user.error();
    if (*user && (*user)->disabled) disabled.insert(owner);
    if (!*user || (*user)->disabled || (*user)->email_confirmed_ms == 0) continue;
    model::Channel c;
    c.name = UserChannel(owner);
    c.type = model::ChannelType::kEmail;
    c.to = {(*user)->email};
    channels.push_back(std::move(c));
    reachable.insert(owner);
  }
  for (const auto& [id, a] : api_) {
    const store::MonitorRecord& r = a.record;
    const bool runs = r.enabled && !disabled.contains(r.owner);
    plans.push_back({id, a.check, r.interval, runs});
    const nlohmann::json settings = nlohmann::json::parse(r.settings_json, nullptr, false);
    const Micros slow =
        settings.is_object() ? settings.value("slow_threshold_ms", int64_t{0}) * 1000 : 0;
    alert::MonitorRules rule;
    rule.id = id;
    rule.name = r.name;
    rule.url = r.url;
    rule.interval = r.interval;
    rule.slow_threshold = slow;
    rule.enabled = runs;
    rule.policy = policies.Intern(PolicyOf(r, reachable.contains(r.owner)));
    // A dependency counts only on a monitor of the same workspace that
    // still exists (the API checked it when it was set; it may be gone).
    const model::MonitorId parent = api::DependsOn(settings);
    if (const auto it = api_.find(parent);
        it != api_.end() && parent != id && it->second.record.workspace == r.workspace) {
      rule.depends_on = parent;
    }
    model::Monitor shown{id, r.workspace, r.name, r.owner, r.url, r.interval, slow, r.enabled};
    if (settings.is_object()) shown.tags = api::TagsOf(settings);
    shown.depends_on = rule.depends_on;
    rules.push_back(std::move(rule));
    list->push_back(std::move(shown));
  }
  // The file's windows, then the users': a window naming no monitor covers
  // every monitor of its workspace.
  std::vector<model::MaintenanceWindow> windows = file_windows_;
  for (const auto& [workspace, w] : settings_.windows) {
    model::MaintenanceWindow window = w;
    if (window.monitors.empty()) {
      for (const auto& [id, a] : api_) {
        if (a.record.workspace == workspace) window.monitors.push_back(id);
      }
      if (window.monitors.empty()) continue;
    }
    windows.push_back(std::move(window));
  }
  auto maintenance = alert::MaintenanceSchedule::Build(std::move(windows));
  if (!maintenance.ok()) return maintenance.error();
  scheduler_.Apply(std::move(plans));
  notifier_.SetChannels(std::move(channels));
  alerts_.SetRules(std::move(rules), *maintenance);
  std::lock_guard lock(snapshot_mu_);
  snapshot_ = std::move(list);
  return {};
}

api::MonitorList Catalog::Snapshot() const {
  std::lock_guard lock(snapshot_mu_);
  return snapshot_;
}

Result<store::MonitorRecord> Catalog::Create(store::MonitorRecord record) {
  auto check = Prepare(record);
  if (!check.ok()) return check.error();
  std::lock_guard lock(mu_);
  auto created = store_.monitors().CreateMonitor(std::move(record));
  if (!created.ok()) return created.error();
  api_[created->id] = ApiMonitor{*created, std::move(*check)};
  if (Status s = ApplyLocked(); !s.ok()) return s.error();
  return created;
}

Result<store::MonitorRecord> Catalog::Update(store::MonitorRecord record) {
  // Secrets the API showed redacted and the caller sent back unchanged keep
  // their stored values.
  if (auto before = store_.monitors().GetMonitor(record.id); before.ok() && *before) {
    nlohmann::json given = nlohmann::json::parse(record.options_json, nullptr, false);
    probe::RestoreRedacted(given, nlohmann::json::parse((*before)->options_json, nullptr, false));
    if (given.is_object()) record.options_json = given.dump();
  }
  auto check = Prepare(record);
  if (!check.ok()) return check.error();
  std::lock_guard lock(mu_);
  if (Status s = store_.monitors().UpdateMonitor(record); !s.ok()) return s.error();
  auto stored = store_.monitors().GetMonitor(record.id);
  if (!stored.ok()) return stored.error();
  if (!*stored) return NotFound("no such monitor");
  api_[record.id] = ApiMonitor{**stored, std::move(*check)};
  if (Status s = ApplyLocked(); !s.ok()) return s.error();
  return **stored;
}

Status Catalog::Delete(model::MonitorId id) {
  std::lock_guard lock(mu_);
  // Unscheduled first, so no result of it lands after its history is gone.
  const auto it = api_.find(id);
  if (it == api_.end()) return NotFound("no such monitor");
  ApiMonitor removed = std::move(it->second);
  api_.erase(it);
  if (Status s = ApplyLocked(); !s.ok()) return s;
  return store_.monitors().DeleteMonitor(id);
}

nlohmann::json Catalog::DisplayOptions(const store::MonitorRecord& record) const {
  const nlohmann::json options = nlohmann::json::parse(record.options_json, nullptr, false);
  auto spec = probe::SpecFromJson(options);
  if (!spec.ok()) return nlohmann::json::object();
  nlohmann::json shown = probe::SpecToJson(*spec);
  shown.erase("url");  // beside the options, not among them
  return shown;
}

}  // namespace tocsin::app
