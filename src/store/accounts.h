// The accounts aggregate: users, workspaces and their members, sessions, API
// tokens, one-time links, server settings, and the purge that removes a
// user's data entirely.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "model/account.h"

namespace tocsin::store {

struct Member {
  model::UserId user = 0;
  std::string email;
  std::string name;
  model::Role role = model::Role::kViewer;
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Creates the user and their personal workspace (owner), in one
  // transaction; returns the user with its ids. kInvalidArgument when the
  // email is taken.
  virtual Result<model::User> CreateUser(model::User user) = 0;
  virtual Result<std::optional<model::User>> GetUser(model::UserId id) = 0;
  virtual Result<std::optional<model::User>> FindUserByEmail(const std::string& email) = 0;
  virtual Result<std::vector<model::User>> ListUsers() = 0;
  virtual Result<uint64_t> CountUsers() = 0;
  // Writes every field but id and created_ms.
  virtual Status UpdateUser(const model::User& user) = 0;
  // Removes the user and everything that is theirs alone, in one
  // transaction: sessions, tokens, links, memberships, the personal
  // workspace and the teams they solely own, with those workspaces'
  // monitors, results, rollups, incidents, notifications and channels.
  virtual Status PurgeUser(model::UserId id) = 0;

  virtual Result<model::Workspace> CreateWorkspace(const std::string& name,
                                                   model::UserId owner) = 0;
  virtual Result<std::optional<model::Workspace>> GetWorkspace(model::WorkspaceId id) = 0;
  // Removes a team and everything in it, in one transaction: its monitors
  // with their results, rollups, incidents and notifications, its channels,
  // maintenance windows, policy, tokens, members and invitations.
  virtual Status DeleteWorkspace(model::WorkspaceId id) = 0;
  // The workspaces a user belongs to, with their role in each.
  virtual Result<std::vector<std::pair<model::Workspace, model::Role>>> WorkspacesOf(
      model::UserId user) = 0;
  virtual Result<std::optional<model::Role>> RoleOf(model::UserId user,
                                                    model::WorkspaceId workspace) = 0;
  virtual Status SetMember(model::WorkspaceId workspace, model::UserId user, model::Role role) = 0;
  virtual Status RemoveMember(model::WorkspaceId workspace, model::UserId user) = 0;
  virtual Result<std::vector<Member>> Members(model::WorkspaceId workspace) = 0;

  virtual Status CreateSession(const model::Session& session) = 0;
  virtual Result<std::optional<model::Session>> GetSession(const std::string& id_hash) = 0;
  virtual Status TouchSession(const std::string& id_hash, int64_t now_ms, int64_t expires_ms) = 0;
  virtual Status DeleteSession(const std::string& id_hash) = 0;
  // Every session of the user but `keep` ("" for none).
  virtual Status DeleteSessionsOf(model::UserId user, const std::string& keep) = 0;
  virtual Result<std::vector<model::Session>> SessionsOf(model::UserId user) = 0;
  // Removes sessions past their expiry and links expired or used before
  // `now_ms` minus a day: what is over is not kept.
  virtual Status DeleteExpired(int64_t now_ms) = 0;

  virtual Result<model::ApiToken> CreateToken(model::ApiToken token) = 0;
  virtual Result<std::optional<model::ApiToken>> FindToken(const std::string& hash) = 0;
  virtual Result<std::vector<model::ApiToken>> TokensOf(model::WorkspaceId workspace) = 0;
  // NotFound unless the token belongs to the workspace.
  virtual Status RevokeToken(int64_t id, model::WorkspaceId workspace, int64_t now_ms) = 0;
  virtual Status TouchToken(int64_t id, int64_t now_ms) = 0;

  virtual Status PutLink(const model::OneTimeLink& link) = 0;
  // Marks the link used and returns it, atomically: NotFound when unknown,
  // of another kind, used or expired (one answer for all, on purpose).
  virtual Result<model::OneTimeLink> UseLink(const std::string& hash, model::LinkKind kind,
                                             int64_t now_ms) = 0;
  // The same, without using it.
  virtual Result<model::OneTimeLink> PeekLink(const std::string& hash, model::LinkKind kind,
                                              int64_t now_ms) = 0;

  virtual Result<std::string> GetSetting(const std::string& key, const std::string& fallback) = 0;
  virtual Status SetSetting(const std::string& key, const std::string& value) = 0;
};

}  // namespace tocsin::store
