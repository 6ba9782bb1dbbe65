// The alert settings aggregate: what users set through the API for their
// workspaces' alerting — notification channels, the workspace's default
// alert policy, maintenance windows. (The config file's equivalents live in
// the file.) Settings are kept as JSON text in the API's own format
// (api/alert_settings_json.h reads and writes it): the store keeps them and
// keeps names unique, and knows nothing of what they mean.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/ids.h"

namespace tocsin::store {

struct ChannelRecord {
  int64_t id = 0;
  model::WorkspaceId workspace = 0;
  std::string name;  // unique in its workspace
  std::string settings_json;
};

struct WindowRecord {
  int64_t id = 0;
  model::WorkspaceId workspace = 0;
  std::string window_json;
};

class AlertSettingsStore {
 public:
  virtual ~AlertSettingsStore() = default;

  // Every workspace's channels (workspace 0: all), by id.
  virtual Result<std::vector<ChannelRecord>> Channels(model::WorkspaceId workspace) = 0;
  virtual Result<std::optional<ChannelRecord>> GetChannel(int64_t id) = 0;
  // InvalidField("name") when the workspace has a channel of that name.
  virtual Result<ChannelRecord> CreateChannel(ChannelRecord record) = 0;
  // Replaces the settings (the name stays); NotFound when gone.
  virtual Status UpdateChannel(const ChannelRecord& record) = 0;
  virtual Status DeleteChannel(int64_t id) = 0;

  // The workspace's default policy; "" when it never set one.
  virtual Result<std::string> Policy(model::WorkspaceId workspace) = 0;
  // Every workspace's policy that was set: (workspace, policy_json).
  virtual Result<std::vector<std::pair<model::WorkspaceId, std::string>>> Policies() = 0;
  virtual Status SetPolicy(model::WorkspaceId workspace, const std::string& policy_json) = 0;

  // Windows of a workspace (0: all), by id.
  virtual Result<std::vector<WindowRecord>> Windows(model::WorkspaceId workspace) = 0;
  virtual Result<WindowRecord> CreateWindow(WindowRecord record) = 0;
  // NotFound unless the window belongs to the workspace.
  virtual Status DeleteWindow(int64_t id, model::WorkspaceId workspace) = 0;
};

}  // namespace tocsin::store
