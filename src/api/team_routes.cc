#include "api/team_routes.h"

#include "api/html.h"
#include "api/json.h"

namespace tocsin::api {
namespace {

nlohmann::json MemberJson(const store::Member& m) {
  return {
      {"user_id", m.user}, {"name", m.name}, {"email", m.email}, {"role", model::RoleName(m.role)}};
}

Result<model::WorkspaceId> PathTeam(const Request& r) {
  int64_t id = 0;
  if (!ParseId(r.param("id"), &id)) return NotFound("no such team");
  return static_cast<model::WorkspaceId>(id);
}

Result<model::UserId> PathMember(const Request& r) {
  int64_t id = 0;
  if (!ParseId(r.param("user_id"), &id)) return NotFound("no such member");
  return static_cast<model::UserId>(id);
}

Result<model::Role> ReadRole(Fields& f) {
  auto name = f.RequiredString("role", 16);
  if (!name.ok()) return name.error();
  model::Role role;
  if (!model::RoleFromName(*name, &role)) {
    return InvalidField("role", "'role' is viewer, editor or owner");
  }
  return role;
}

Response ListTeams(const ApiContext& c, const account::Principal& p) {
  TOCSIN_TRY(all, c.store->accounts().WorkspacesOf(p.user.id));
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [w, role] : *all) {
    if (w.personal_of != 0) continue;
    if (p.token && p.token->workspace != w.id) continue;
    list.push_back({{"id", w.id}, {"name", w.name}, {"role", model::RoleName(role)}});
  }
  return JsonResponse(200, {{"teams", std::move(list)}});
}

// The invitation link's page: the invited person proves who they are with
// their password (and second factor), then joins. No session is left
// behind: this page logs in only to accept.
Response AcceptPage(const ApiContext& c, const Request& r) {
  auto form = ParseForm(r.body);
  auto session = c.accounts->LogIn(
      {form["email"], form["password"], form["totp"], ClientAddress(r), "invitation page"},
      NowMs());
  if (!session.ok()) {
    return HtmlPage(LinkStatus(session.error()), "Not accepted", LinkProblem(session.error()));
  }
  auto principal = c.accounts->FromCookie(session->cookie_value, NowMs());
  if (!principal.ok()) {
    return HtmlPage(LinkStatus(principal.error()), "Not accepted", LinkProblem(principal.error()));
  }
  auto team = c.accounts->AcceptInvitation(*principal, r.param("token"), NowMs());
  (void)c.accounts->LogOut(*principal);
  if (!team.ok()) {
    return HtmlPage(LinkStatus(team.error()), "Not accepted", LinkProblem(team.error()));
  }
  return HtmlPage(200, "Welcome to the team",
                  "<p>You are a member of the team " + HtmlEscape(team->name) + " now.</p>");
}

}  // namespace

std::vector<Route> TeamRoutes(const ApiContext& c) {
  std::vector<Route> routes;
  // --- the contact address
  routes.push_back({"POST", "/api/v1/account/email",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(body, ParseJsonObject(r));
                      Fields f(*body);
                      TOCSIN_TRY(password, f.RequiredString("password", kMaxPasswordField));
                      TOCSIN_TRY(email, f.RequiredString("email", 254));
                      TOCSIN_CHECK(f.Finish());
                      TOCSIN_CHECK(c.accounts->RequestEmailChange(p, *password, *email, NowMs()));
                      return JsonResponse(202, {{"status", "confirmation_sent"},
                                                {"message",
                                                 "Follow the link mailed to the new address; until "
                                                 "then the old one stays."}});
                    })});
  routes.push_back({"POST", "/api/v1/account/email/confirm", [c](const Request& r) {
                      TOCSIN_TRY(body, ParseJsonObject(r));
                      Fields f(*body);
                      TOCSIN_TRY(token, f.RequiredString("token", 200));
                      TOCSIN_CHECK(f.Finish());
                      TOCSIN_TRY(user, c.accounts->ConfirmEmailChange(*token, NowMs()));
                      if (c.addresses_changed) c.addresses_changed();
                      return JsonResponse(200, {{"email", user->email}});
                    }});
  routes.push_back({"GET", "/email/{token}", [](const Request&) {
                      return HtmlPage(200, "Confirm your new address",
                                      TokenForm("Use this address", ""));
                    }});
  routes.push_back({"POST", "/email/{token}", [c](const Request& r) {
                      auto user = c.accounts->ConfirmEmailChange(r.param("token"), NowMs());
                      if (!user.ok()) {
                        return HtmlPage(LinkStatus(user.error()), "Not changed",
                                        LinkProblem(user.error()));
                      }
                      if (c.addresses_changed) c.addresses_changed();
                      return HtmlPage(200, "Address changed",
                                      "<p>Your Tocsin account's address is " +
                                          HtmlEscape(user->email) + " now.</p>");
                    }});

  // --- teams
  routes.push_back(
      {"GET", "/api/v1/teams",
       Authed(c, [c](const Request&, const account::Principal& p) { return ListTeams(c, p); })});
  routes.push_back(
      {"POST", "/api/v1/teams", Authed(c, [c](const Request& r, const account::Principal& p) {
         TOCSIN_TRY(body, ParseJsonObject(r));
         Fields f(*body);
         TOCSIN_TRY(name, f.RequiredString("name", 200));
         TOCSIN_CHECK(f.Finish());
         TOCSIN_TRY(team, c.accounts->CreateTeam(p, *name));
         return JsonResponse(201, {{"id", team->id}, {"name", team->name}, {"role", "owner"}});
       })});
  routes.push_back({"DELETE", "/api/v1/teams/{id}",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(team, PathTeam(r));
                      TOCSIN_TRY(body, ParseJsonObject(r));
                      Fields f(*body);
                      TOCSIN_TRY(password, f.RequiredString("password", kMaxPasswordField));
                      TOCSIN_CHECK(f.Finish());
                      if (p.token) {
                        return ErrorResponse(PermissionDenied(
                            "a team is deleted from a logged-in session, not a token"));
                      }
                      TOCSIN_CHECK(c.accounts->DeleteTeam(p, *team, *password, NowMs()));
                      if (c.accounts_changed) c.accounts_changed();
                      return NoContent();
                    })});
  routes.push_back({"GET", "/api/v1/teams/{id}/members",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(team, PathTeam(r));
                      TOCSIN_TRY(members, c.accounts->Members(p, *team));
                      nlohmann::json list = nlohmann::json::array();
                      for (const auto& m : *members) list.push_back(MemberJson(m));
                      return JsonResponse(200, {{"members", std::move(list)}});
                    })});
  routes.push_back({"POST", "/api/v1/teams/{id}/invitations",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(team, PathTeam(r));
                      TOCSIN_TRY(body, ParseJsonObject(r));
                      Fields f(*body);
                      TOCSIN_TRY(email, f.RequiredString("email", 254));
                      TOCSIN_TRY(role, ReadRole(f));
                      TOCSIN_CHECK(f.Finish());
                      TOCSIN_CHECK(c.accounts->Invite(p, *team, *email, *role, NowMs()));
                      return JsonResponse(202, {{"status", "invitation_sent"},
                                                {"message", "An invitation link is on its way."}});
                    })});
  routes.push_back({"POST", "/api/v1/invitations/accept",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(body, ParseJsonObject(r));
                      Fields f(*body);
                      TOCSIN_TRY(token, f.RequiredString("token", 200));
                      TOCSIN_CHECK(f.Finish());
                      TOCSIN_TRY(team, c.accounts->AcceptInvitation(p, *token, NowMs()));
                      return JsonResponse(200, {{"id", team->id}, {"name", team->name}});
                    })});
  routes.push_back({"GET", "/invite/{token}", [](const Request&) {
                      return HtmlPage(
                          200, "Join a team on Tocsin",
                          TokenForm("Join the team",
                                    "<p>Log in with the invited address to accept.</p>"
                                    "<p><label>Email <input type=\"email\" name=\"email\" "
                                    "required autocomplete=\"username\"></label></p>"
                                    "<p><label>Password <input type=\"password\" "
                                    "name=\"password\" required "
                                    "autocomplete=\"current-password\"></label></p>"
                                    "<p><label>Code of your authenticator app (if you use one) "
                                    "<input name=\"totp\" autocomplete=\"one-time-code\">"
                                    "</label></p>"));
                    }});
  routes.push_back({"POST", "/invite/{token}", [c](const Request& r) { return AcceptPage(c, r); }});
  routes.push_back({"PATCH", "/api/v1/teams/{id}/members/{user_id}",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(team, PathTeam(r));
                      TOCSIN_TRY(member, PathMember(r));
                      TOCSIN_TRY(body, ParseJsonObject(r));
                      Fields f(*body);
                      TOCSIN_TRY(role, ReadRole(f));
                      TOCSIN_CHECK(f.Finish());
                      TOCSIN_CHECK(c.accounts->SetRole(p, *team, *member, *role));
                      TOCSIN_TRY(members, c.accounts->Members(p, *team));
                      for (const auto& m : *members) {
                        if (m.user == *member) return JsonResponse(200, MemberJson(m));
                      }
                      return ErrorResponse(NotFound("no such member"));
                    })});
  routes.push_back({"DELETE", "/api/v1/teams/{id}/members/{user_id}",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(team, PathTeam(r));
                      TOCSIN_TRY(member, PathMember(r));
                      TOCSIN_CHECK(c.accounts->RemoveMember(p, *team, *member));
                      return NoContent();
                    })});
  return routes;
}

}  // namespace tocsin::api
