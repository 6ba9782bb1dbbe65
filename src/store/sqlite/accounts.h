// The accounts aggregate on SQLite.
#pragma once

#include "store/accounts.h"
#include "store/sqlite/database.h"

namespace tocsin::store::sqlite {

class SqliteAccounts final : public AccountStore {
 public:
  explicit SqliteAccounts(Database& db) : db_(db) {}

  Result<model::User> CreateUser(model::User user) override;
  Result<std::optional<model::User>> GetUser(model::UserId id) override;
  Result<std::optional<model::User>> FindUserByEmail(const std::string& email) override;
  Result<std::vector<model::User>> ListUsers() override;
  Result<uint64_t> CountUsers() override;
  Status UpdateUser(const model::User& user) override;
  Status PurgeUser(model::UserId id) override;

  Result<model::Workspace> CreateWorkspace(const std::string& name, model::UserId owner) override;
  Result<std::optional<model::Workspace>> GetWorkspace(model::WorkspaceId id) override;
  Status DeleteWorkspace(model::WorkspaceId id) override;
  Result<std::vector<std::pair<model::Workspace, model::Role>>> WorkspacesOf(
      model::UserId user) override;
  Result<std::optional<model::Role>> RoleOf(model::UserId user,
                                            model::WorkspaceId workspace) override;
  Status SetMember(model::WorkspaceId workspace, model::UserId user, model::Role role) override;
  Status RemoveMember(model::WorkspaceId workspace, model::UserId user) override;
  Result<std::vector<Member>> Members(model::WorkspaceId workspace) override;

  Status CreateSession(const model::Session& session) override;
  Result<std::optional<model::Session>> GetSession(const std::string& id_hash) override;
  Status TouchSession(const std::string& id_hash, int64_t now_ms, int64_t expires_ms) override;
  Status DeleteSession(const std::string& id_hash) override;
  Status DeleteSessionsOf(model::UserId user, const std::string& keep) override;
  Status DeleteExpired(int64_t now_ms) override;
  Result<std::vector<model::Session>> SessionsOf(model::UserId user) override;

  Result<model::ApiToken> CreateToken(model::ApiToken token) override;
  Result<std::optional<model::ApiToken>> FindToken(const std::string& hash) override;
  Result<std::vector<model::ApiToken>> TokensOf(model::WorkspaceId workspace) override;
  Status RevokeToken(int64_t id, model::WorkspaceId workspace, int64_t now_ms) override;
  Status TouchToken(int64_t id, int64_t now_ms) override;

  Status PutLink(const model::OneTimeLink& link) override;
  Result<model::OneTimeLink> UseLink(const std::string& hash, model::LinkKind kind,
                                     int64_t now_ms) override;
  Result<model::OneTimeLink> PeekLink(const std::string& hash, model::LinkKind kind,
                                      int64_t now_ms) override;

  Result<std::string> GetSetting(const std::string& key, const std::string& fallback) override;
  Status SetSetting(const std::string& key, const std::string& value) override;

 private:
  Result<std::vector<model::User>> QueryUsers(const char* where, const std::string& text,
                                              int64_t number);
  Database& db_;
};

}  // namespace tocsin::store::sqlite
