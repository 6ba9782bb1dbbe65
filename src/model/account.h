// Users, workspaces (a personal one per user, and teams), their members'
// roles, sessions, API tokens and the one-time links mailed to users.
// Secrets are kept only as hashes: a session id, an API token, a link's
// token are shown once and stored as SHA-256.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/ids.h"

namespace tocsin::model {

// Stored: append only.
enum class Role : uint8_t { kViewer = 0, kEditor = 1, kOwner = 2 };
std::string_view RoleName(Role role);
bool RoleFromName(std::string_view name, Role* role);

struct User {
  UserId id = 0;
  std::string email;  // lower-cased
  std::string name;
  std::string password_hash;       // Argon2id
  int64_t email_confirmed_ms = 0;  // 0 until the address is confirmed
  int64_t created_ms = 0;
  bool admin = false;
  bool disabled = false;
  std::string totp_secret;  // raw bytes; "" without a second factor
  bool totp_enabled = false;
  int64_t totp_last_step = 0;  // a code works once
  std::string recovery_codes;  // SHA-256 hex of each unused recovery code, comma-separated
  std::string time_zone = "UTC";
  bool weekly_summary = true;
  int weekly_day = 1;   // ISO: 1 = Monday .. 7 = Sunday, in time_zone
  int weekly_hour = 8;  // 0..23, in time_zone
  WorkspaceId personal_workspace = 0;
  int64_t password_changed_ms = 0;
};

struct Workspace {
  WorkspaceId id = 0;
  std::string name;
  UserId personal_of = 0;  // the user whose personal workspace it is; 0 for a team
  int64_t created_ms = 0;
};

struct Session {
  std::string id_hash;  // SHA-256 of the cookie's value, hex
  UserId user = 0;
  int64_t created_ms = 0;
  int64_t last_seen_ms = 0;
  int64_t expires_ms = 0;
  std::string csrf;        // the token state-changing requests must echo
  std::string user_agent;  // as sent, cut short: lets users tell their sessions apart
};

struct ApiToken {
  int64_t id = 0;
  WorkspaceId workspace = 0;
  UserId user = 0;
  std::string name;
  std::string hash;  // SHA-256 of the token, hex
  bool read_only = true;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;  // 0: never
  int64_t last_used_ms = 0;
  int64_t revoked_ms = 0;
};

// Stored: append only.
enum class LinkKind : uint8_t {
  kConfirmEmail = 0,
  kResetPassword = 1,
  kInvitation = 2,
  kChangeEmail = 3,
};

// A single-use, expiring link mailed to someone.
struct OneTimeLink {
  std::string hash;  // SHA-256 of the token, hex
  LinkKind kind = LinkKind::kConfirmEmail;
  UserId user = 0;
  WorkspaceId workspace = 0;  // invitations
  std::string email;          // invitations, email changes: the address it was sent to
  Role role = Role::kViewer;  // invitations
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  int64_t used_ms = 0;
};

}  // namespace tocsin::model
