// Who is calling: the session cookie (the console) or a bearer token
// (scripts), and the checks every route applies: a state-changing request
// made with the cookie must carry its CSRF token; a read-only token cannot
// change anything.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "account/accounts.h"
#include "api/http.h"

namespace tocsin::api {

inline constexpr std::string_view kSessionCookie = "tocsin_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// The value of cookie `name`, if the request carries it.
std::optional<std::string> CookieValue(const Request& request, std::string_view name);

// Authenticates the request; for methods other than GET and HEAD also
// checks the CSRF token (cookie) or the token's scope (bearer).
Result<account::Principal> Authenticate(account::Accounts& accounts, const Request& request,
                                        int64_t now_ms);

// The Set-Cookie value that sets (or, with an empty value, clears) the
// session cookie. `secure` adds Secure (over TLS).
std::string SessionCookie(std::string_view value, int64_t max_age_s, bool secure);

// The client address for throttling and logs: the peer, without its port.
std::string ClientAddress(const Request& request);

// What the account and data routes share.
struct ApiContext {
  account::Accounts* accounts = nullptr;
  store::Store* store = nullptr;
  bool secure_cookies = false;  // served over TLS: the cookie gets Secure
  bool file_smtp = false;       // the config file sets the SMTP server (server.smtp)
  // A user's address changed: the channel that mails their alerts must
  // follow (the app rebuilds its channels). May be empty.
  std::function<void()> addresses_changed;
  // Accounts changed in the store in a way that changes what runs (an
  // account terminated or disabled, a team deleted): the app reloads its
  // monitors and stops those that must not run. May be empty.
  std::function<void()> accounts_changed;
  // An administrator changed the SMTP settings in the store: the app
  // sends mail the new way from now on. May be empty.
  std::function<void()> mail_changed;
  // Rows went into the outbox (status page notices): the notifier looks
  // now rather than at its next pass. May be empty.
  std::function<void()> outbox_changed;
  // The server's public address, for links in mail ("https://tocsin.example").
  std::string public_url = "http://127.0.0.1:8080";
};

// The store's setting holding the SMTP server an administrator set in the
// console (JSON: host, port, tls, username, password, from), and whether
// mail goes to the local mail drop: neither the file nor the store sets one.
inline constexpr const char* kSmtpSetting = "smtp";
bool MailGoesToTheDrop(const ApiContext& context);

// A handler for a request whose caller is known.
using AuthedHandler = std::function<Response(const Request&, const account::Principal&)>;

// Authenticates, then calls `handler`; answers 401/403 itself.
Handler Authed(const ApiContext& context, AuthedHandler handler);

// The caller's role in a workspace. The config file's (kFileWorkspace):
// viewer for administrators (the file, not the API, changes it). Another
// workspace: PermissionDenied.
Result<model::Role> WorkspaceRole(const ApiContext& context, const account::Principal& p,
                                  model::WorkspaceId workspace);
// The workspaces the caller sees: a token's one, or every one the user
// belongs to; with the file's for administrators.
Result<std::vector<model::WorkspaceId>> VisibleWorkspaces(const ApiContext& context,
                                                          const account::Principal& p);

// Milliseconds since the epoch, for the account rules.
int64_t NowMs();

}  // namespace tocsin::api
