// The account's security settings: its sessions (see them, end them) and
// its second factor (TOTP with recovery codes). Part of Accounts.
#include <algorithm>

#include "account/accounts.h"
#include "account/password.h"
#include "account/totp.h"
#include "core/crypto.h"
#include "core/text.h"

namespace tocsin::account {
namespace {

constexpr size_t kSessionIdDigits = 16;

// "ABCDE-fghij" and "abcdefghij" are the same code.
std::string NormalizeRecoveryCode(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    out += AsciiLower(c);
  }
  if (out.size() != 10) return "";
  return out.substr(0, 5) + "-" + out.substr(5);
}

std::string JoinHashes(const std::vector<std::string>& codes) {
  std::string out;
  for (const auto& code : codes) out += (out.empty() ? "" : ",") + Accounts::HashSecret(code);
  return out;
}

}  // namespace

Result<bool> Accounts::SecondFactorRequired() {
  auto v = store_.accounts().GetSetting("require_totp", "false");
  if (!v.ok()) return v.error();
  return *v == "true";
}

Status Accounts::MarkNeedsSecondFactor(Principal* p) {
  if (p->user.totp_enabled) return {};
  auto required = SecondFactorRequired();
  if (!required.ok()) return required.error();
  p->needs_second_factor = *required;
  return {};
}

bool Accounts::UseSecondFactor(model::User* user, std::string_view code, int64_t now_ms) {
  int64_t step = 0;
  if (VerifyTotp(user->totp_secret, code, now_ms / 1000, user->totp_last_step, &step)) {
    user->totp_last_step = step;
    return store_.accounts().UpdateUser(*user).ok();
  }
  const std::string normalized = NormalizeRecoveryCode(code);
  if (normalized.empty()) return false;
  std::vector<std::string> hashes = SplitList(user->recovery_codes, ',');
  const auto it = std::find(hashes.begin(), hashes.end(), Accounts::HashSecret(normalized));
  if (it == hashes.end()) return false;
  hashes.erase(it);  // each works once
  std::string rest;
  for (const auto& h : hashes) rest += (rest.empty() ? "" : ",") + h;
  user->recovery_codes = rest;
  return store_.accounts().UpdateUser(*user).ok();
}

Result<std::vector<Accounts::SessionView>> Accounts::Sessions(const Principal& p, int64_t now_ms) {
  auto sessions = store_.accounts().SessionsOf(p.user.id);
  if (!sessions.ok()) return sessions.error();
  std::vector<SessionView> out;
  for (const auto& s : *sessions) {
    if (s.expires_ms <= now_ms) continue;
    out.push_back({s.id_hash.substr(0, kSessionIdDigits), s.id_hash == p.session_hash, s.created_ms,
                   s.last_seen_ms, s.expires_ms, s.user_agent});
  }
  std::sort(out.begin(), out.end(), [](const SessionView& a, const SessionView& b) {
    return a.last_seen_ms > b.last_seen_ms;
  });
  return out;
}

Status Accounts::EndSession(const Principal& p, std::string_view id) {
  if (id.size() != kSessionIdDigits) return NotFound("no such session");
  auto sessions = store_.accounts().SessionsOf(p.user.id);
  if (!sessions.ok()) return sessions.error();
  for (const auto& s : *sessions) {
    if (s.id_hash.starts_with(id)) return store_.accounts().DeleteSession(s.id_hash);
  }
  return NotFound("no such session");
}

Status Accounts::EndOtherSessions(const Principal& p) {
  return store_.accounts().DeleteSessionsOf(p.user.id, p.session_hash);
}

Result<Accounts::TotpEnrollment> Accounts::BeginTotp(const Principal& p, std::string_view password,
                                                     int64_t) {
  if (Status s = CheckPassword(p.user.password_hash, password, "password"); !s.ok())
    return s.error();
  if (p.user.totp_enabled) {
    return Error{ErrorCode::kConflict, "a second factor is on already: turn it off first"};
  }
  model::User u = p.user;
  u.totp_secret = NewTotpSecret();
  if (Status s = store_.accounts().UpdateUser(u); !s.ok()) return s.error();
  return TotpEnrollment{Base32(u.totp_secret), TotpUri(u.totp_secret, u.email)};
}

Result<std::vector<std::string>> Accounts::ConfirmTotp(const Principal& p, std::string_view code,
                                                       int64_t now_ms) {
  model::User u = p.user;
  if (u.totp_enabled) {
    return Error{ErrorCode::kConflict, "a second factor is on already"};
  }
  if (u.totp_secret.empty()) {
    return Error{ErrorCode::kConflict, "start setting up the second factor first"};
  }
  int64_t step = 0;
  if (!VerifyTotp(u.totp_secret, code, now_ms / 1000, 0, &step)) {
    return InvalidField("code", "this code is not the app's current one: check the phone's clock");
  }
  const std::vector<std::string> codes = NewRecoveryCodes();
  u.totp_enabled = true;
  u.totp_last_step = step;
  u.recovery_codes = JoinHashes(codes);
  if (Status s = SecurityChanged(u, p, "Two-step login is on for your Tocsin account",
                                 "Logging in to your Tocsin account now also takes a code from "
                                 "your authenticator app (or one of your recovery codes).",
                                 "totp-on", now_ms);
      !s.ok()) {
    return s.error();
  }
  return codes;
}

Status Accounts::DisableTotp(const Principal& p, std::string_view password, std::string_view code,
                             int64_t now_ms) {
  if (Status s = CheckPassword(p.user.password_hash, password, "password"); !s.ok()) return s;
  if (!p.user.totp_enabled) return Error{ErrorCode::kConflict, "no second factor is on"};
  auto required = SecondFactorRequired();
  if (!required.ok()) return required.error();
  if (*required) {
    return PermissionDenied("this server requires a second factor: it cannot be turned off");
  }
  // A password that was long enough with a second factor may not be
  // without one.
  if (Status s = CheckNewPassword(password, false, {p.user.email}); !s.ok()) {
    return InvalidField("password",
                        "without a second factor the password must meet the stronger rule (" +
                            s.error().message + "): change it first");
  }
  model::User u = p.user;
  if (!UseSecondFactor(&u, code, now_ms)) {
    return InvalidField("code", "this code is not valid (or was used already)");
  }
  u.totp_enabled = false;
  u.totp_secret.clear();
  u.totp_last_step = 0;
  u.recovery_codes.clear();
  return SecurityChanged(u, p, "Two-step login is off for your Tocsin account",
                         "Logging in to your Tocsin account no longer takes a code.", "totp-off",
                         now_ms);
}

Result<std::vector<std::string>> Accounts::RenewRecoveryCodes(const Principal& p,
                                                              std::string_view password) {
  if (Status s = CheckPassword(p.user.password_hash, password, "password"); !s.ok())
    return s.error();
  if (!p.user.totp_enabled) return Error{ErrorCode::kConflict, "no second factor is on"};
  const std::vector<std::string> codes = NewRecoveryCodes();
  model::User u = p.user;
  u.recovery_codes = JoinHashes(codes);
  if (Status s = store_.accounts().UpdateUser(u); !s.ok()) return s.error();
  return codes;
}

}  // namespace tocsin::account
