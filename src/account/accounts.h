// Accounts: the rules of registering, confirming, logging in, sessions and
// their CSRF tokens, API tokens, passwords (change, reset), and terminating
// an account. No HTTP here: the API calls these and maps their errors.
//
// Enumeration: registration, login and password reset answer the same,
// taking the same time (an Argon2id check either way), whether or not an
// account exists; only a correct password reveals more (an unconfirmed
// address, a second factor to enter).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "account/throttle.h"
#include "core/clock.h"
#include "core/result.h"
#include "model/account.h"
#include "store/store.h"

namespace tocsin::account {

struct AccountOptions {
  std::string public_url = "http://127.0.0.1:8080";  // links in mail
  Micros session_idle = 14LL * 86'400'000'000;       // a session unused this long ends
  Micros confirm_link = 48LL * 3'600'000'000;
  Micros reset_link = 3'600'000'000;
  Micros invitation_link = 7LL * 86'400'000'000;
  int max_login_failures_per_account = 10;
  int max_login_failures_per_address = 50;
  Micros login_window = 15LL * 60'000'000;
};

// Who is making a request, and how.
struct Principal {
  model::User user;
  std::string session_hash;              // cookie requests
  std::string csrf;                      // cookie requests: state changes must echo it
  std::optional<model::ApiToken> token;  // token requests
  // The server requires a second factor and this user has none yet: only
  // setting one up (and logging out) is allowed.
  bool needs_second_factor = false;
  bool read_only() const { return token && token->read_only; }
  bool by_cookie() const { return !session_hash.empty(); }
};

// Sends mail about accounts (through the outbox, so it survives a crash).
using Mailer = std::function<Status(const std::string& to, const std::string& subject,
                                    const std::string& text, const std::string& dedup_key)>;

class Accounts {
 public:
  Accounts(store::Store& store, Mailer mailer, AccountOptions options);

  struct Registration {
    std::string name;
    std::string email;
    std::string password;
    bool age_confirmed = false;
    bool policy_accepted = false;
    // An invitation's token: lets its address register when registration
    // is by invitation only.
    std::string invitation;
  };
  // Creates the account (unconfirmed) and mails a confirmation link. If the
  // address is taken, that address gets a mail saying so instead, and the
  // answer is the same. Errors name the field.
  Status Register(const Registration& r, int64_t now_ms);
  // Confirms the address of a confirmation link (single use, expiring).
  Result<model::User> ConfirmEmail(std::string_view token, int64_t now_ms);

  struct LoginRequest {
    std::string email;
    std::string password;
    std::string totp;  // or a recovery code
    std::string address;
    std::string user_agent;
  };
  struct NewSession {
    std::string cookie_value;  // shown once: only its hash is kept
    std::string csrf;
    model::User user;
    int64_t expires_ms = 0;
  };
  // kUnauthenticated "wrong email or password" for every failure that could
  // reveal an account; kResourceExhausted when throttled; InvalidField
  // ("totp") when the second factor is missing or wrong.
  Result<NewSession> LogIn(const LoginRequest& r, int64_t now_ms);
  Status LogOut(const Principal& p);
  Result<Principal> FromCookie(std::string_view cookie_value, int64_t now_ms);
  Result<Principal> FromBearer(std::string_view token, int64_t now_ms);

  struct NewToken {
    model::ApiToken token;
    std::string secret;  // shown once
  };
  Result<NewToken> CreateToken(const Principal& p, model::WorkspaceId workspace, std::string name,
                               bool read_only, int64_t expires_ms, int64_t now_ms);

  // Needs the current password; ends every other session.
  Status ChangePassword(const Principal& p, std::string_view current, std::string_view next,
                        int64_t now_ms);
  // Mails a reset link if the address has an account; the same answer
  // either way.
  Status RequestPasswordReset(std::string_view email, int64_t now_ms);
  // Sets the password of a reset link's account and ends all its sessions.
  Status ResetPassword(std::string_view token, std::string_view password, int64_t now_ms);

  // Needs the password; removes everything of the user's and mails a
  // confirmation to the address the account had.
  Status Terminate(const Principal& p, std::string_view password, int64_t now_ms);

  // --- sessions (security.cc)
  struct SessionView {
    std::string id;  // the first 16 hex digits of its hash: names it, cannot act as it
    bool current = false;
    int64_t created_ms = 0;
    int64_t last_seen_ms = 0;
    int64_t expires_ms = 0;
    std::string user_agent;
  };
  Result<std::vector<SessionView>> Sessions(const Principal& p, int64_t now_ms);
  // NotFound unless `id` names one of the user's sessions.
  Status EndSession(const Principal& p, std::string_view id);
  Status EndOtherSessions(const Principal& p);

  // --- second factor (security.cc). Each step needs the password (or a
  // code) again: a stolen session cannot take over the second factor.
  struct TotpEnrollment {
    std::string secret;  // base32, for typing into an authenticator app
    std::string uri;     // otpauth://..., for a QR code
  };
  // Starts (or restarts) setting up TOTP; it is not required at login until
  // confirmed with a code.
  Result<TotpEnrollment> BeginTotp(const Principal& p, std::string_view password, int64_t now_ms);
  // Confirms with a code from the app: TOTP is on, every other session
  // ends, and the ten recovery codes come back, shown this once.
  Result<std::vector<std::string>> ConfirmTotp(const Principal& p, std::string_view code,
                                               int64_t now_ms);
  // Needs the password and a code (or a recovery code); refused while the
  // server requires a second factor. Ends every other session.
  Status DisableTotp(const Principal& p, std::string_view password, std::string_view code,
                     int64_t now_ms);
  // Replaces the recovery codes (the old ones stop working).
  Result<std::vector<std::string>> RenewRecoveryCodes(const Principal& p,
                                                      std::string_view password);
  // Whether the administrator requires a second factor of everyone.
  Result<bool> SecondFactorRequired();

  // --- the contact address (teams.cc)
  // Needs the password. The new address gets a confirmation link and takes
  // effect only when it is followed; the old one is told. A taken address
  // answers the same (its owner is told instead): no enumeration.
  Status RequestEmailChange(const Principal& p, std::string_view password,
                            std::string_view new_email, int64_t now_ms);
  Result<model::User> ConfirmEmailChange(std::string_view token, int64_t now_ms);

  // --- teams (teams.cc): workspaces beside the personal one, with members
  // in roles. Owners invite and set roles; a team keeps at least one owner.
  Result<model::Workspace> CreateTeam(const Principal& p, std::string name);
  Result<std::vector<store::Member>> Members(const Principal& p, model::WorkspaceId team);
  // Mails an invitation link for `role` to `email`.
  Status Invite(const Principal& p, model::WorkspaceId team, std::string_view email,
                model::Role role, int64_t now_ms);
  // The invitation of a link, for the caller whose confirmed address it was
  // sent to: they join the team in its role.
  Result<model::Workspace> AcceptInvitation(const Principal& p, std::string_view token,
                                            int64_t now_ms);
  Status SetRole(const Principal& p, model::WorkspaceId team, model::UserId member,
                 model::Role role);
  // An owner removes a member, or a member leaves.
  Status RemoveMember(const Principal& p, model::WorkspaceId team, model::UserId member);
  // Deletes a team with everything in it (its monitors and their history,
  // channels, windows, tokens, invitations); an owner's password proves it.
  // The other members are told by mail.
  Status DeleteTeam(const Principal& p, model::WorkspaceId team, std::string_view password,
                    int64_t now_ms);

  // --- notices to every user (teams.cc): an administrator's service
  // announcement, policy change or security notice, mailed to every user
  // with a confirmed address (disabled ones included: it may concern
  // them). Returns how many were queued.
  enum class NoticeKind { kAnnouncement, kPolicyChange, kSecurity };
  Result<size_t> NoticeToAll(const Principal& admin, NoticeKind kind, std::string_view subject,
                             std::string_view text, int64_t now_ms);

  // The user's role in a workspace; PermissionDenied if not a member.
  Result<model::Role> RoleIn(const Principal& p, model::WorkspaceId workspace);

  static std::string NormalizeEmail(std::string_view email);
  // SHA-256 hex: how session ids, tokens, links and recovery codes are kept.
  static std::string HashSecret(std::string_view secret);

 private:
  std::string NewLink(model::LinkKind kind, model::UserId user, std::string email,
                      int64_t expires_ms, int64_t now_ms, Status* status);
  Status Mail(const std::string& to, const std::string& subject, const std::string& text,
              const std::string& key);
  // After a change to how the user logs in (password, second factor): the
  // user stored, every other session ended, and a mail saying what changed
  // ("Your Tocsin password was changed") and what to do if it was not them.
  Status SecurityChanged(const model::User& user, const Principal& p, const std::string& subject,
                         const std::string& what, const std::string& key, int64_t now_ms);
  // Whether `code` is the user's TOTP code (recorded as used) or one of
  // their recovery codes (spent); updates *user and the store.
  bool UseSecondFactor(model::User* user, std::string_view code, int64_t now_ms);
  Status MarkNeedsSecondFactor(Principal* p);
  // Whether `invitation` is a live invitation sent to `email`.
  bool Invited(std::string_view invitation, const std::string& email, int64_t now_ms);
  // A team (not a personal workspace) where the caller is an owner.
  Result<model::Workspace> OwnedTeam(const Principal& p, model::WorkspaceId team);
  // Whether removing or demoting `member` would leave the team no owner.
  Result<bool> LastOwner(model::WorkspaceId team, model::UserId member);

  store::Store& store_;
  Mailer mailer_;
  const AccountOptions options_;
  Throttle by_account_;
  Throttle by_address_;
};

}  // namespace tocsin::account
