#include "api/account_routes.h"

#include <string>

#include "alert/maintenance.h"
#include "api/html.h"
#include "api/json.h"
#include "report/weekly_schedule.h"

namespace tocsin::api {
namespace {

constexpr int64_t kMaxTokenLifetimeS = 10LL * 365 * 86'400;

nlohmann::json ProfileJson(const model::User& u, store::AccountStore& accounts) {
  nlohmann::json workspaces = nlohmann::json::array();
  if (auto list = accounts.WorkspacesOf(u.id); list.ok()) {
    for (const auto& [w, role] : *list) {
      workspaces.push_back({{"id", w.id},
                            {"name", w.name},
                            {"personal", w.personal_of != 0},
                            {"role", model::RoleName(role)}});
    }
  }
  return {{"id", u.id},
          {"name", u.name},
          {"email", u.email},
          {"email_confirmed", u.email_confirmed_ms != 0},
          {"admin", u.admin},
          {"created_ms", u.created_ms},
          {"time_zone", u.time_zone},
          {"weekly_summary", u.weekly_summary},
          {"weekly_summary_day", report::IsoDayName(u.weekly_day)},
          {"weekly_summary_hour", u.weekly_hour},
          {"totp_enabled", u.totp_enabled},
          {"personal_workspace_id", u.personal_workspace},
          {"workspaces", std::move(workspaces)}};
}

nlohmann::json TokenJson(const model::ApiToken& t) {
  return {{"id", t.id},
          {"workspace_id", t.workspace},
          {"name", t.name},
          {"read_only", t.read_only},
          {"created_ms", t.created_ms},
          {"expires_ms", t.expires_ms},
          {"last_used_ms", t.last_used_ms},
          {"revoked_ms", t.revoked_ms}};
}

Response ClearCookie(Response r, const ApiContext& c) {
  r.headers.emplace_back("Set-Cookie", SessionCookie("", 0, c.secure_cookies));
  return r;
}

// POST /api/v1/account
Response Register(const ApiContext& c, const Request& r) {
  TOCSIN_TRY(body, ParseJsonObject(r));
  Fields f(*body);
  account::Accounts::Registration reg;
  TOCSIN_TRY(name, f.RequiredString("name", 1000));
  TOCSIN_TRY(email, f.RequiredString("email", 320));
  TOCSIN_TRY(password, f.RequiredString("password", kMaxPasswordField));
  TOCSIN_TRY(age, f.Bool("age_confirmed"));
  TOCSIN_TRY(policy, f.Bool("policy_accepted"));
  TOCSIN_TRY(invitation, f.String("invitation", 200));
  TOCSIN_CHECK(f.Finish());
  reg.invitation = invitation->value_or("");
  reg.name = *name;
  reg.email = *email;
  reg.password = *password;
  reg.age_confirmed = age->value_or(false);
  reg.policy_accepted = policy->value_or(false);
  TOCSIN_CHECK(c.accounts->Register(reg, NowMs()));
  return JsonResponse(202, {{"status", "confirmation_sent"},
                            {"message",
                             "If this address can be registered, a confirmation link is on its "
                             "way to it. Open it to activate the account."}});
}

// POST /api/v1/session
Response LogIn(const ApiContext& c, const Request& r) {
  TOCSIN_TRY(body, ParseJsonObject(r));
  Fields f(*body);
  account::Accounts::LoginRequest login;
  TOCSIN_TRY(email, f.RequiredString("email", 320));
  TOCSIN_TRY(password, f.RequiredString("password", kMaxPasswordField));
  TOCSIN_TRY(totp, f.String("totp", 64));
  TOCSIN_TRY(want_token, f.Bool("token"));
  TOCSIN_TRY(token_name, f.String("token_name", 100));
  TOCSIN_TRY(read_only, f.Bool("read_only"));
  TOCSIN_TRY(lifetime, f.Int("expires_in_s", 60, kMaxTokenLifetimeS));
  TOCSIN_CHECK(f.Finish());
  login.email = *email;
  login.password = *password;
  login.totp = totp->value_or("");
  login.address = ClientAddress(r);
  login.user_agent = std::string(r.header("User-Agent").value_or(""));
  const int64_t now = NowMs();
  TOCSIN_TRY(session, c.accounts->LogIn(login, now));
  if (!want_token->value_or(false)) {
    Response out = JsonResponse(200, {{"user", ProfileJson(session->user, c.store->accounts())},
                                      {"csrf_token", session->csrf},
                                      {"expires_ms", session->expires_ms}});
    out.headers.emplace_back(
        "Set-Cookie",
        SessionCookie(session->cookie_value, (session->expires_ms - now) / 1000, c.secure_cookies));
    return out;
  }
  // A token instead of a cookie: made in the user's personal workspace, and
  // the session the login opened is closed again.
  TOCSIN_TRY(principal, c.accounts->FromCookie(session->cookie_value, now));
  auto token = c.accounts->CreateToken(*principal, session->user.personal_workspace,
                                       token_name->value_or("login"), read_only->value_or(false),
                                       lifetime->has_value() ? now + **lifetime * 1000 : 0, now);
  (void)c.accounts->LogOut(*principal);
  if (!token.ok()) return ErrorResponse(token.error());
  nlohmann::json j = TokenJson(token->token);
  j["token"] = token->secret;
  return JsonResponse(201, j);
}

// GET /confirm/{token}, GET /reset/{token}: the page a mailed link opens.
}  // namespace

std::vector<Route> AccountRoutes(const ApiContext& c) {
  std::vector<Route> routes;
  routes.push_back({"POST", "/api/v1/account", [c](const Request& r) { return Register(c, r); }});
  routes.push_back({"POST", "/api/v1/account/confirm", [c](const Request& r) {
                      TOCSIN_TRY(body, ParseJsonObject(r));
                      Fields f(*body);
                      TOCSIN_TRY(token, f.RequiredString("token", 200));
                      TOCSIN_CHECK(f.Finish());
                      TOCSIN_TRY(user, c.accounts->ConfirmEmail(*token, NowMs()));
                      return JsonResponse(200, ProfileJson(*user, c.store->accounts()));
                    }});
  routes.push_back({"GET", "/confirm/{token}", [](const Request&) {
                      return HtmlPage(200, "Confirm your address",
                                      "<p>Confirm the address of your Tocsin account.</p>" +
                                          TokenForm("Confirm my address", ""));
                    }});
  routes.push_back({"POST", "/confirm/{token}", [c](const Request& r) {
                      auto user = c.accounts->ConfirmEmail(r.param("token"), NowMs());
                      if (!user.ok()) {
                        return HtmlPage(LinkStatus(user.error()), "Not confirmed",
                                        LinkProblem(user.error()));
                      }
                      return HtmlPage(200, "Address confirmed",
                                      "<p>Thank you, " + HtmlEscape(user->name) +
                                          ": your address is confirmed. <a href=\"/\">Log in</a> "
                                          "to add the sites to watch.</p>");
                    }});

  routes.push_back({"POST", "/api/v1/session", [c](const Request& r) { return LogIn(c, r); }});
  routes.push_back(
      {"GET", "/api/v1/session", Authed(c, [c](const Request&, const account::Principal& p) {
         nlohmann::json j = {{"user", ProfileJson(p.user, c.store->accounts())}};
         if (p.by_cookie()) j["csrf_token"] = p.csrf;
         return JsonResponse(200, j);
       })});
  routes.push_back(
      {"DELETE", "/api/v1/session", Authed(c, [c](const Request&, const account::Principal& p) {
         TOCSIN_CHECK(c.accounts->LogOut(p));
         return ClearCookie(NoContent(), c);
       })});

  routes.push_back(
      {"GET", "/api/v1/account", Authed(c, [c](const Request&, const account::Principal& p) {
         return JsonResponse(200, ProfileJson(p.user, c.store->accounts()));
       })});
  routes.push_back(
      {"PATCH", "/api/v1/account", Authed(c, [c](const Request& r, const account::Principal& p) {
         TOCSIN_TRY(body, ParseJsonObject(r));
         Fields f(*body);
         TOCSIN_TRY(name, f.String("name", 1000));
         TOCSIN_TRY(zone, f.String("time_zone", 64));
         TOCSIN_TRY(weekly, f.Bool("weekly_summary"));
         TOCSIN_TRY(day, f.String("weekly_summary_day", 16));
         TOCSIN_TRY(hour, f.Int("weekly_summary_hour", 0, 23));
         TOCSIN_CHECK(f.Finish());
         model::User u = p.user;
         if (*name) {
           if (name->value().empty() || name->value().size() > 200) {
             return ErrorResponse(InvalidField("name", "the name must be 1 to 200 characters"));
           }
           for (unsigned char ch : name->value()) {
             if (ch < 0x20 || ch == 0x7f) {
               return ErrorResponse(
                   InvalidField("name", "the name must not hold control characters"));
             }
           }
           u.name = **name;
         }
         if (*zone) {
           if (!alert::IsTimeZone(**zone)) {
             return ErrorResponse(InvalidField(
                 "time_zone", "unknown time zone (an IANA name such as Europe/Paris or UTC)"));
           }
           u.time_zone = **zone;
         }
         if (*weekly) u.weekly_summary = **weekly;
         if (*day) {
           u.weekly_day = report::IsoDayFromName(**day);
           if (u.weekly_day == 0) {
             return ErrorResponse(
                 InvalidField("weekly_summary_day", "the day must be monday, ..., sunday"));
           }
         }
         if (*hour) u.weekly_hour = static_cast<int>(**hour);
         TOCSIN_CHECK(c.store->accounts().UpdateUser(u));
         return JsonResponse(200, ProfileJson(u, c.store->accounts()));
       })});
  routes.push_back(
      {"DELETE", "/api/v1/account", Authed(c, [c](const Request& r, const account::Principal& p) {
         TOCSIN_TRY(body, ParseJsonObject(r));
         Fields f(*body);
         TOCSIN_TRY(password, f.RequiredString("password", kMaxPasswordField));
         TOCSIN_CHECK(f.Finish());
         if (p.token) {
           return ErrorResponse(
               PermissionDenied("an account is terminated from a logged-in session, not a token"));
         }
         TOCSIN_CHECK(c.accounts->Terminate(p, *password, NowMs()));
         if (c.accounts_changed) c.accounts_changed();
         return ClearCookie(NoContent(), c);
       })});
  routes.push_back({"POST", "/api/v1/account/password",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(body, ParseJsonObject(r));
                      Fields f(*body);
                      TOCSIN_TRY(current, f.RequiredString("current_password", kMaxPasswordField));
                      TOCSIN_TRY(next, f.RequiredString("new_password", kMaxPasswordField));
                      TOCSIN_CHECK(f.Finish());
                      if (p.token) {
                        return ErrorResponse(PermissionDenied(
                            "a password is changed from a logged-in session, not a token"));
                      }
                      TOCSIN_CHECK(c.accounts->ChangePassword(p, *current, *next, NowMs()));
                      return NoContent();
                    })});
  routes.push_back(
      {"POST", "/api/v1/account/password-reset", [c](const Request& r) {
         TOCSIN_TRY(body, ParseJsonObject(r));
         Fields f(*body);
         TOCSIN_TRY(email, f.RequiredString("email", 320));
         TOCSIN_CHECK(f.Finish());
         TOCSIN_CHECK(c.accounts->RequestPasswordReset(*email, NowMs()));
         return JsonResponse(
             202, {{"status", "reset_sent"},
                   {"message", "If this address has an account, a reset link is on its way."}});
       }});
  routes.push_back({"POST", "/api/v1/account/password-reset/confirm", [c](const Request& r) {
                      TOCSIN_TRY(body, ParseJsonObject(r));
                      Fields f(*body);
                      TOCSIN_TRY(token, f.RequiredString("token", 200));
                      TOCSIN_TRY(password, f.RequiredString("password", kMaxPasswordField));
                      TOCSIN_CHECK(f.Finish());
                      TOCSIN_CHECK(c.accounts->ResetPassword(*token, *password, NowMs()));
                      return NoContent();
                    }});
  routes.push_back(
      {"GET", "/reset/{token}", [](const Request&) {
         return HtmlPage(
             200, "Choose a new password",
             TokenForm("Set the new password",
                       "<p><label>New password (at least 15 characters) <input type=\"password\" "
                       "name=\"password\" minlength=\"8\" maxlength=\"1024\" required "
                       "autocomplete=\"new-password\"></label></p>"));
       }});
  routes.push_back({"POST", "/reset/{token}", [c](const Request& r) {
                      const std::string password = ParseForm(r.body)["password"];
                      Status s = c.accounts->ResetPassword(r.param("token"), password, NowMs());
                      if (!s.ok()) {
                        return HtmlPage(LinkStatus(s.error()), "Password not changed",
                                        LinkProblem(s.error()));
                      }
                      return HtmlPage(200, "Password changed",
                                      "<p>Your password is changed and every session was logged "
                                      "out. <a href=\"/\">Log in</a> with the new one.</p>");
                    }});

  // Server settings, for administrators: whether anyone may register, and
  // whether everyone must have a second factor.
  auto settings_json = [c]() -> Result<nlohmann::json> {
    auto registration = c.store->accounts().GetSetting("registration", "open");
    if (!registration.ok()) return registration.error();
    auto require_totp = c.accounts->SecondFactorRequired();
    if (!require_totp.ok()) return require_totp.error();
    return nlohmann::json{{"registration", *registration}, {"require_totp", *require_totp}};
  };
  routes.push_back({"GET", "/api/v1/admin/settings",
                    Authed(c, [settings_json](const Request&, const account::Principal& p) {
                      if (!p.user.admin)
                        return ErrorResponse(PermissionDenied("administrators only"));
                      TOCSIN_TRY(j, settings_json());
                      return JsonResponse(200, *j);
                    })});
  routes.push_back(
      {"PATCH", "/api/v1/admin/settings",
       Authed(c, [c, settings_json](const Request& r, const account::Principal& p) {
         if (!p.user.admin) return ErrorResponse(PermissionDenied("administrators only"));
         TOCSIN_TRY(body, ParseJsonObject(r));
         Fields f(*body);
         TOCSIN_TRY(registration, f.String("registration", 16));
         TOCSIN_TRY(require_totp, f.Bool("require_totp"));
         TOCSIN_CHECK(f.Finish());
         if (*require_totp && **require_totp && !p.user.totp_enabled) {
           return ErrorResponse(InvalidField(
               "require_totp", "set up your own second factor before requiring one of everyone"));
         }
         if (*registration) {
           if (**registration != "open" && **registration != "invite") {
             return ErrorResponse(
                 InvalidField("registration", "'registration' is \"open\" or \"invite\""));
           }
           TOCSIN_CHECK(c.store->accounts().SetSetting("registration", **registration));
         }
         if (*require_totp) {
           TOCSIN_CHECK(
               c.store->accounts().SetSetting("require_totp", **require_totp ? "true" : "false"));
         }
         TOCSIN_TRY(j, settings_json());
         return JsonResponse(200, *j);
       })});

  routes.push_back(
      {"POST", "/api/v1/tokens", Authed(c, [c](const Request& r, const account::Principal& p) {
         TOCSIN_TRY(body, ParseJsonObject(r));
         Fields f(*body);
         TOCSIN_TRY(name, f.RequiredString("name", 100));
         TOCSIN_TRY(read_only, f.Bool("read_only"));
         TOCSIN_TRY(lifetime, f.Int("expires_in_s", 60, kMaxTokenLifetimeS));
         TOCSIN_TRY(workspace, f.Int("workspace_id", 1, INT64_MAX));
         TOCSIN_CHECK(f.Finish());
         const int64_t now = NowMs();
         TOCSIN_TRY(token, c.accounts->CreateToken(
                               p, workspace->value_or(p.user.personal_workspace), *name,
                               read_only->value_or(true),
                               lifetime->has_value() ? now + **lifetime * 1000 : 0, now));
         nlohmann::json j = TokenJson(token->token);
         j["token"] = token->secret;
         return JsonResponse(201, j);
       })});
  routes.push_back(
      {"GET", "/api/v1/tokens", Authed(c, [c](const Request& r, const account::Principal& p) {
         TOCSIN_TRY(workspace, QueryInt(r, "workspace_id", 1, INT64_MAX));
         const model::WorkspaceId w = workspace->value_or(p.user.personal_workspace);
         TOCSIN_TRY(role, c.accounts->RoleIn(p, w));
         TOCSIN_TRY(tokens, c.store->accounts().TokensOf(w));
         nlohmann::json list = nlohmann::json::array();
         for (const auto& t : *tokens) list.push_back(TokenJson(t));
         return JsonResponse(200, list);
       })});
  routes.push_back({"DELETE", "/api/v1/tokens/{id}",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(workspace, QueryInt(r, "workspace_id", 1, INT64_MAX));
                      const model::WorkspaceId w = workspace->value_or(p.user.personal_workspace);
                      TOCSIN_TRY(role, c.accounts->RoleIn(p, w));
                      if (*role == model::Role::kViewer) {
                        return ErrorResponse(PermissionDenied("a viewer cannot revoke tokens"));
                      }
                      int64_t id = 0;
                      if (!ParseId(r.param("id"), &id))
                        return ErrorResponse(NotFound("no such token"));
                      TOCSIN_CHECK(c.store->accounts().RevokeToken(id, w, NowMs()));
                      return NoContent();
                    })});
  return routes;
}

}  // namespace tocsin::api
