#include "api/auth.h"

#include "api/json.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/text.h"

namespace tocsin::api {

std::optional<std::string> CookieValue(const Request& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (!AsciiIEquals(key, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      const std::string_view pair = TrimBlanks(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      const size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
        return std::string(pair.substr(eq + 1));
      }
    }
  }
  return std::nullopt;
}

Result<account::Principal> Authenticate(account::Accounts& accounts, const Request& request,
                                        int64_t now_ms) {
  const bool changes = request.method != "GET" && request.method != "HEAD";
  if (auto auth = request.header("Authorization")) {
    if (!auth->starts_with("Bearer ")) {
      return Unauthenticated("use 'Authorization: Bearer <token>'");
    }
    auto p = accounts.FromBearer(TrimBlanks(auth->substr(7)), now_ms);
    if (!p.ok()) return p;
    if (changes && p->read_only()) {
      return PermissionDenied("this token is read-only");
    }
    return p;
  }
  auto cookie = CookieValue(request, kSessionCookie);
  if (!cookie) return Unauthenticated("log in, or send an API token");
  auto p = accounts.FromCookie(*cookie, now_ms);
  if (!p.ok()) return p;
  if (changes) {
    const auto csrf = request.header(kCsrfHeader);
    if (!csrf || !ConstantTimeEquals(*csrf, p->csrf)) {
      return PermissionDenied("missing or wrong X-CSRF-Token header");
    }
  }
  return p;
}

std::string SessionCookie(std::string_view value, int64_t max_age_s, bool secure) {
  return std::string(kSessionCookie) + "=" + std::string(value) +
         "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age_s) +
         (secure ? "; Secure" : "");
}

std::string ClientAddress(const Request& request) {
  const std::string& peer = request.remote_address;
  if (peer.starts_with('[')) return peer.substr(1, peer.find(']') - 1);
  return peer.substr(0, peer.rfind(':'));
}

Result<model::Role> WorkspaceRole(const ApiContext& context, const account::Principal& p,
                                  model::WorkspaceId workspace) {
  if (workspace == model::kFileWorkspace) {
    if (p.user.admin) return model::Role::kViewer;
    return PermissionDenied("the config file's monitors are shown to administrators only");
  }
  return context.accounts->RoleIn(p, workspace);
}

Result<std::vector<model::WorkspaceId>> VisibleWorkspaces(const ApiContext& context,
                                                          const account::Principal& p) {
  std::vector<model::WorkspaceId> out;
  if (p.user.admin) out.push_back(model::kFileWorkspace);
  if (p.token) {
    out.push_back(p.token->workspace);
    return out;
  }
  auto list = context.store->accounts().WorkspacesOf(p.user.id);
  if (!list.ok()) return list.error();
  for (const auto& [w, role] : *list) out.push_back(w.id);
  return out;
}

int64_t NowMs() {
  return UnixMicros() / 1000;
}

namespace {

// What a user the server requires a second factor of may do before setting
// one up: see who they are, set it up, log out.
bool AllowedWithoutSecondFactor(const Request& r) {
  if (r.path == "/api/v1/session") return true;
  if (r.path == "/api/v1/account") return r.method == "GET";
  return r.path == "/api/v1/account/totp" || r.path == "/api/v1/account/totp/confirm";
}

}  // namespace

Handler Authed(const ApiContext& context, AuthedHandler handler) {
  return [context, handler = std::move(handler)](const Request& request) {
    auto principal = Authenticate(*context.accounts, request, NowMs());
    if (!principal.ok()) return ErrorResponse(principal.error());
    if (principal->needs_second_factor && !AllowedWithoutSecondFactor(request)) {
      return ErrorResponse(PermissionDenied(
          "this server requires a second factor: set one up first (POST /api/v1/account/totp)"));
    }
    return handler(request, *principal);
  };
}

bool MailGoesToTheDrop(const ApiContext& c) {
  if (c.file_smtp) return false;
  auto stored = c.store->accounts().GetSetting(kSmtpSetting, "");
  return !stored.ok() || stored->empty();
}

}  // namespace tocsin::api
