#include "account/accounts.h"

#include <algorithm>

#include "account/password.h"
#include "account/totp.h"
#include "core/crypto.h"
#include "core/text.h"

namespace tocsin::account {
namespace {

constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxTokenNameBytes = 100;
constexpr size_t kSessionBytes = 32;
constexpr size_t kTokenBytes = 32;
constexpr int64_t kTouchEveryMs = 60'000;  // a session's last use is written at most this often
constexpr std::string_view kTokenPrefix = "tcn_";
constexpr const char* kWrongLogin = "wrong email or password";

std::string NewSecret(size_t bytes) {
  return Base64UrlEncode(RandomBytes(bytes));
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

Status CheckName(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameBytes || HasControl(name)) {
    return InvalidField("name", "the name must be 1 to 200 characters, without control characters");
  }
  return {};
}

// The words a password must not lean on: the name's words, the address's
// local part.
std::vector<std::string> Context(const std::string& name, const std::string& email) {
  std::vector<std::string> words = SplitList(name, ' ');
  words.push_back(email.substr(0, email.find('@')));
  words.push_back(email);
  return words;
}

}  // namespace

Accounts::Accounts(store::Store& store, Mailer mailer, AccountOptions options)
    : store_(store),
      mailer_(std::move(mailer)),
      options_(std::move(options)),
      by_account_(options_.max_login_failures_per_account, options_.login_window / 1000),
      by_address_(options_.max_login_failures_per_address, options_.login_window / 1000) {}

std::string Accounts::HashSecret(std::string_view secret) {
  return Hex(Sha256(secret));
}

Status Accounts::SecurityChanged(const model::User& u, const Principal& p,
                                 const std::string& subject, const std::string& what,
                                 const std::string& key, int64_t now_ms) {
  if (Status s = store_.accounts().UpdateUser(u); !s.ok()) return s;
  // A stolen session dies with the change.
  if (Status s = store_.accounts().DeleteSessionsOf(u.id, p.session_hash); !s.ok()) return s;
  return Mail(u.email, subject,
              what +
                  " Every other session has been logged out.\n\nIf this was not you, reset your "
                  "password at once from the login page of " +
                  options_.public_url + ".\n",
              key + "-" + std::to_string(u.id) + "-" + std::to_string(now_ms));
}

std::string Accounts::NormalizeEmail(std::string_view email) {
  std::string out(TrimBlanks(email));
  for (char& c : out) c = AsciiLower(c);
  return out;
}

Status Accounts::Mail(const std::string& to, const std::string& subject, const std::string& text,
                      const std::string& key) {
  if (!mailer_) return {};
  return mailer_(to, subject, text, key);
}

std::string Accounts::NewLink(model::LinkKind kind, model::UserId user, std::string email,
                              int64_t expires_ms, int64_t now_ms, Status* status) {
  const std::string token = NewSecret(kTokenBytes);
  model::OneTimeLink link;
  link.hash = HashSecret(token);
  link.kind = kind;
  link.user = user;
  link.email = std::move(email);
  link.created_ms = now_ms;
  link.expires_ms = expires_ms;
  *status = store_.accounts().PutLink(link);
  return token;
}

Status Accounts::Register(const Registration& r, int64_t now_ms) {
  if (Status s = CheckName(r.name); !s.ok()) return s;
  const std::string email = NormalizeEmail(r.email);
  if (!IsEmailAddress(email)) return InvalidField("email", "this is not an email address");
  if (!r.age_confirmed) {
    return InvalidField("age_confirmed",
                        "Tocsin is for people at least 13 years old: please confirm your age");
  }
  if (!r.policy_accepted) {
    return InvalidField("policy_accepted", "please read and accept the privacy policy");
  }
  if (Status s = CheckNewPassword(r.password, false, Context(r.name, email)); !s.ok()) return s;
  auto count = store_.accounts().CountUsers();
  if (!count.ok()) return count.error();
  if (*count > 0) {
    auto mode = store_.accounts().GetSetting("registration", "open");
    if (!mode.ok()) return mode.error();
    if (*mode != "open" && !Invited(r.invitation, email, now_ms)) {
      return PermissionDenied("registration is by invitation on this server");
    }
  }
  // Hashed before anything else, so a taken address answers as late as a
  // new one.
  auto hash = HashPassword(r.password);
  if (!hash.ok()) return hash.error();
  auto existing = store_.accounts().FindUserByEmail(email);
  if (!existing.ok()) return existing.error();
  if (*existing) {
    return Mail(email, "Someone tried to register with your address",
                "Someone (you, perhaps) tried to create a Tocsin account with this address at " +
                    options_.public_url +
                    ".\n\nYou already have an account. If you have lost its password, reset it "
                    "from the login page.\nIf this was not you, you can ignore this message.\n",
                "register-again-" + std::to_string((*existing)->id) + "-" +
                    std::to_string(now_ms / 3'600'000));
  }
  model::User user;
  user.email = email;
  user.name = r.name;
  user.password_hash = *hash;
  user.password_changed_ms = now_ms;
  user.admin = *count == 0;  // the first user administers the server
  auto created = store_.accounts().CreateUser(user);
  if (!created.ok()) {
    // Lost a race with another registration of the same address: the same
    // answer as a taken address.
    if (created.error().field == "email") return {};
    return created.error();
  }
  Status s;
  const std::string token = NewLink(model::LinkKind::kConfirmEmail, created->id, email,
                                    now_ms + options_.confirm_link / 1000, now_ms, &s);
  if (!s.ok()) return s;
  return Mail(email, "Confirm your Tocsin account",
              "Hello " + r.name + ",\n\nConfirm your address to start monitoring with Tocsin:\n\n" +
                  options_.public_url + "/confirm/" + token +
                  "\n\nThe link works once, within 48 hours. If you did not register, ignore this "
                  "message and nothing happens.\n",
              "confirm-" + std::to_string(created->id));
}

bool Accounts::Invited(std::string_view invitation, const std::string& email, int64_t now_ms) {
  if (invitation.empty()) return false;
  auto link =
      store_.accounts().PeekLink(HashSecret(invitation), model::LinkKind::kInvitation, now_ms);
  return link.ok() && link->email == email;
}

Result<model::User> Accounts::ConfirmEmail(std::string_view token, int64_t now_ms) {
  auto link = store_.accounts().UseLink(HashSecret(token), model::LinkKind::kConfirmEmail, now_ms);
  if (!link.ok()) return link.error();
  auto user = store_.accounts().GetUser(link->user);
  if (!user.ok()) return user.error();
  if (!*user) return NotFound("this account no longer exists");
  model::User u = **user;
  if (u.email_confirmed_ms == 0) {
    u.email_confirmed_ms = now_ms;
    if (Status s = store_.accounts().UpdateUser(u); !s.ok()) return s.error();
  }
  return u;
}

Result<Accounts::NewSession> Accounts::LogIn(const LoginRequest& r, int64_t now_ms) {
  const std::string email = NormalizeEmail(r.email);
  const std::string account_key = "account:" + email;
  const std::string address_key = "address:" + r.address;
  const int64_t wait =
      std::max(by_account_.WaitMs(account_key, now_ms), by_address_.WaitMs(address_key, now_ms));
  if (wait > 0) {
    return Error{ErrorCode::kResourceExhausted, "too many failed logins; try again in " +
                                                    std::to_string((wait + 59'999) / 60'000) +
                                                    " minute(s)"};
  }
  auto found = store_.accounts().FindUserByEmail(email);
  if (!found.ok()) return found.error();
  const bool known = found->has_value() && !(*found)->disabled;
  // The same Argon2id cost whether or not the account exists.
  auto matches = VerifyPassword(known ? (*found)->password_hash : DummyHash(), r.password);
  if (!matches.ok()) return matches.error();  // busy: not a failed attempt
  if (!*matches || !known) {
    by_account_.Failed(account_key, now_ms);
    by_address_.Failed(address_key, now_ms);
    return Unauthenticated(kWrongLogin);
  }
  model::User user = **found;
  if (user.email_confirmed_ms == 0) {
    return PermissionDenied("confirm your email address first: the link is in the mail we sent");
  }
  if (user.totp_enabled) {
    if (r.totp.empty()) return InvalidField("totp", "enter the code of your authenticator app");
    if (!UseSecondFactor(&user, r.totp, now_ms)) {
      by_account_.Failed(account_key, now_ms);
      by_address_.Failed(address_key, now_ms);
      return InvalidField("totp", "this code is not valid (or was used already)");
    }
  }
  by_account_.Succeeded(account_key);
  if (NeedsRehash(user.password_hash)) {
    if (auto h = HashPassword(r.password); h.ok()) {
      user.password_hash = *h;
      (void)store_.accounts().UpdateUser(user);  // best effort: the old hash still works
    }
  }
  NewSession out;
  out.cookie_value = NewSecret(kSessionBytes);
  out.csrf = NewSecret(kSessionBytes);
  out.expires_ms = now_ms + options_.session_idle / 1000;
  model::Session session;
  session.id_hash = HashSecret(out.cookie_value);
  session.user = user.id;
  session.created_ms = now_ms;
  session.last_seen_ms = now_ms;
  session.expires_ms = out.expires_ms;
  session.csrf = out.csrf;
  session.user_agent = std::string(Utf8Prefix(r.user_agent, 200));
  if (Status s = store_.accounts().CreateSession(session); !s.ok()) return s.error();
  // Logins are rare: each clears what has expired meanwhile.
  (void)store_.accounts().DeleteExpired(now_ms);
  out.user = std::move(user);
  return out;
}

Status Accounts::LogOut(const Principal& p) {
  if (!p.by_cookie()) return {};
  return store_.accounts().DeleteSession(p.session_hash);
}

Result<Principal> Accounts::FromCookie(std::string_view cookie_value, int64_t now_ms) {
  if (cookie_value.empty() || cookie_value.size() > 100) return Unauthenticated("not logged in");
  const std::string hash = HashSecret(cookie_value);
  auto session = store_.accounts().GetSession(hash);
  if (!session.ok()) return session.error();
  if (!*session) return Unauthenticated("not logged in");
  if ((*session)->expires_ms <= now_ms) {
    (void)store_.accounts().DeleteSession(hash);
    return Unauthenticated("the session has ended; log in again");
  }
  auto user = store_.accounts().GetUser((*session)->user);
  if (!user.ok()) return user.error();
  if (!*user || (*user)->disabled) return Unauthenticated("not logged in");
  if (now_ms - (*session)->last_seen_ms >= kTouchEveryMs) {
    (void)store_.accounts().TouchSession(hash, now_ms, now_ms + options_.session_idle / 1000);
  }
  Principal p;
  p.user = std::move(**user);
  p.session_hash = hash;
  p.csrf = (*session)->csrf;
  if (Status s = MarkNeedsSecondFactor(&p); !s.ok()) return s.error();
  return p;
}

Result<Principal> Accounts::FromBearer(std::string_view token, int64_t now_ms) {
  if (!token.starts_with(kTokenPrefix) || token.size() > 100) {
    return Unauthenticated("this is not a Tocsin API token");
  }
  auto found = store_.accounts().FindToken(HashSecret(token));
  if (!found.ok()) return found.error();
  if (!*found || (*found)->revoked_ms != 0) return Unauthenticated("this token is not valid");
  if ((*found)->expires_ms != 0 && (*found)->expires_ms <= now_ms) {
    return Unauthenticated("this token has expired");
  }
  auto user = store_.accounts().GetUser((*found)->user);
  if (!user.ok()) return user.error();
  if (!*user || (*user)->disabled) return Unauthenticated("this token is not valid");
  // A token whose user left the workspace no longer works there.
  auto role = store_.accounts().RoleOf((*user)->id, (*found)->workspace);
  if (!role.ok()) return role.error();
  if (!*role) return Unauthenticated("this token is not valid");
  if (now_ms - (*found)->last_used_ms >= kTouchEveryMs) {
    (void)store_.accounts().TouchToken((*found)->id, now_ms);
  }
  Principal p;
  p.user = std::move(**user);
  p.token = std::move(**found);
  if (Status s = MarkNeedsSecondFactor(&p); !s.ok()) return s.error();
  return p;
}

Result<Accounts::NewToken> Accounts::CreateToken(const Principal& p, model::WorkspaceId workspace,
                                                 std::string name, bool read_only,
                                                 int64_t expires_ms, int64_t now_ms) {
  if (name.empty() || name.size() > kMaxTokenNameBytes || HasControl(name)) {
    return InvalidField("name", "a token's name must be 1 to 100 characters");
  }
  if (expires_ms != 0 && expires_ms <= now_ms) {
    return InvalidField("expires_ms", "the expiry must be in the future");
  }
  auto role = RoleIn(p, workspace);
  if (!role.ok()) return role.error();
  if (!read_only && *role == model::Role::kViewer) {
    return PermissionDenied("a viewer can only make read-only tokens");
  }
  NewToken out;
  out.secret = std::string(kTokenPrefix) + NewSecret(kTokenBytes);
  model::ApiToken t;
  t.workspace = workspace;
  t.user = p.user.id;
  t.name = std::move(name);
  t.hash = HashSecret(out.secret);
  t.read_only = read_only;
  t.created_ms = now_ms;
  t.expires_ms = expires_ms;
  auto created = store_.accounts().CreateToken(t);
  if (!created.ok()) return created.error();
  out.token = std::move(*created);
  return out;
}

Status Accounts::ChangePassword(const Principal& p, std::string_view current, std::string_view next,
                                int64_t now_ms) {
  if (Status s = CheckPassword(p.user.password_hash, current, "current_password"); !s.ok())
    return s;
  if (Status s = CheckNewPassword(next, p.user.totp_enabled, Context(p.user.name, p.user.email));
      !s.ok()) {
    return s;
  }
  auto hash = HashPassword(next);
  if (!hash.ok()) return hash.error();
  model::User u = p.user;
  u.password_hash = *hash;
  u.password_changed_ms = now_ms;
  return SecurityChanged(u, p, "Your Tocsin password was changed",
                         "The password of your Tocsin account was changed.", "password-changed",
                         now_ms);
}

Status Accounts::RequestPasswordReset(std::string_view raw_email, int64_t now_ms) {
  const std::string email = NormalizeEmail(raw_email);
  auto user = store_.accounts().FindUserByEmail(email);
  if (!user.ok()) return user.error();
  if (!*user || (*user)->disabled) return {};  // the same answer
  Status s;
  const std::string token = NewLink(model::LinkKind::kResetPassword, (*user)->id, email,
                                    now_ms + options_.reset_link / 1000, now_ms, &s);
  if (!s.ok()) return s;
  return Mail(email, "Reset your Tocsin password",
              "Someone (you, we hope) asked to reset the password of your Tocsin account.\n\n"
              "Choose a new password here:\n\n" +
                  options_.public_url + "/reset/" + token +
                  "\n\nThe link works once, within an hour. If you did not ask, ignore this "
                  "message: your password stays as it is.\n",
              "reset-" + std::to_string((*user)->id) + "-" + std::to_string(now_ms));
}

Status Accounts::ResetPassword(std::string_view token, std::string_view password, int64_t now_ms) {
  const std::string hash_of_token = HashSecret(token);
  // Looked at first, so a refused password does not spend the link.
  auto link = store_.accounts().PeekLink(hash_of_token, model::LinkKind::kResetPassword, now_ms);
  if (!link.ok()) return link.error();
  auto user = store_.accounts().GetUser(link->user);
  if (!user.ok()) return user.error();
  if (!*user) return NotFound("this account no longer exists");
  model::User u = **user;
  if (Status s = CheckNewPassword(password, u.totp_enabled, Context(u.name, u.email)); !s.ok()) {
    return s;
  }
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.error();
  if (auto used = store_.accounts().UseLink(hash_of_token, model::LinkKind::kResetPassword, now_ms);
      !used.ok()) {
    return used.error();  // used meanwhile
  }
  u.password_hash = *hash;
  u.password_changed_ms = now_ms;
  if (u.email_confirmed_ms == 0) u.email_confirmed_ms = now_ms;  // the link proved the address
  if (Status s = store_.accounts().UpdateUser(u); !s.ok()) return s;
  return store_.accounts().DeleteSessionsOf(u.id, "");
}

Status Accounts::Terminate(const Principal& p, std::string_view password, int64_t now_ms) {
  if (Status s = CheckPassword(p.user.password_hash, password, "password"); !s.ok()) return s;
  const std::string email = p.user.email;
  const std::string name = p.user.name;
  if (Status s = store_.accounts().PurgeUser(p.user.id); !s.ok()) return s;
  return Mail(email, "Your Tocsin account is closed",
              "Hello " + name +
                  ",\n\nYour Tocsin account has been terminated as you asked. Its monitors, "
                  "their results and incidents, its channels, tokens and sessions have been "
                  "deleted from " +
                  options_.public_url + ".\n\nThis is the last message you get from us.\n",
              "terminated-" + std::to_string(p.user.id) + "-" + std::to_string(now_ms));
}

Result<model::Role> Accounts::RoleIn(const Principal& p, model::WorkspaceId workspace) {
  if (p.token && p.token->workspace != workspace) {
    return PermissionDenied("this token is for another workspace");
  }
  auto role = store_.accounts().RoleOf(p.user.id, workspace);
  if (!role.ok()) return role.error();
  if (!*role) return PermissionDenied("not a member of this workspace");
  return **role;
}

}  // namespace tocsin::account
