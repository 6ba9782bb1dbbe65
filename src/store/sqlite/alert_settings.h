// AlertSettingsStore over the SQLite database (channels, workspace_policies,
// maintenance_windows tables).
#pragma once

#include "store/alert_settings.h"
#include "store/sqlite/database.h"

namespace tocsin::store::sqlite {

class SqliteAlertSettings final : public AlertSettingsStore {
 public:
  explicit SqliteAlertSettings(Database& db) : db_(db) {}

  Result<std::vector<ChannelRecord>> Channels(model::WorkspaceId workspace) override;
  Result<std::optional<ChannelRecord>> GetChannel(int64_t id) override;
  Result<ChannelRecord> CreateChannel(ChannelRecord record) override;
  Status UpdateChannel(const ChannelRecord& record) override;
  Status DeleteChannel(int64_t id) override;

  Result<std::string> Policy(model::WorkspaceId workspace) override;
  Result<std::vector<std::pair<model::WorkspaceId, std::string>>> Policies() override;
  Status SetPolicy(model::WorkspaceId workspace, const std::string& policy_json) override;

  Result<std::vector<WindowRecord>> Windows(model::WorkspaceId workspace) override;
  Result<WindowRecord> CreateWindow(WindowRecord record) override;
  Status DeleteWindow(int64_t id, model::WorkspaceId workspace) override;

 private:
  Database& db_;
};

}  // namespace tocsin::store::sqlite
