// Teams and the contact address through the Router: invitations go to one
// address and only its owner can use them, roles decide who changes what, a
// team keeps an owner, and an address changes only once the new one is
// confirmed.
#include "api/api_test_fixture.h"

namespace tocsin::api {
namespace {

// The token after `path` in the last mail to `to`.
std::string MailedToken(const std::map<std::string, std::string>& mail, const std::string& to,
                        const std::string& path) {
  const auto it = mail.find(to);
  if (it == mail.end()) return "";
  const size_t at = it->second.find(path);
  if (at == std::string::npos) return "";
  const size_t start = at + path.size();
  return it->second.substr(start, it->second.find_first_of(" \n", start) - start);
}

TEST_F(ApiTest, AnInvitationLetsItsAddressJoinInItsRole) {
  const Caller ada = User("ada@example.com");
  const Caller bob = User("bob@example.com");
  const Caller eve = User("eve@example.com");
  Reply team = Call("POST", "/api/v1/teams", ada, R"({"name": "Ops"})");
  ASSERT_EQ(team.status, 201) << team.raw.body;
  const std::string id = std::to_string(team.json["id"].get<int64_t>());
  // Only owners invite.
  EXPECT_EQ(Call("POST", "/api/v1/teams/" + id + "/invitations", bob,
                 R"({"email": "bob@example.com", "role": "owner"})")
                .status,
            404);
  ASSERT_EQ(Call("POST", "/api/v1/teams/" + id + "/invitations", ada,
                 R"({"email": "bob@example.com", "role": "editor"})")
                .status,
            202);
  const std::string token = MailedToken(mail_, "bob@example.com", "/invite/");
  ASSERT_FALSE(token.empty());
  // A forwarded invitation does not let someone else in.
  EXPECT_EQ(Call("POST", "/api/v1/invitations/accept", eve, nlohmann::json{{"token", token}}.dump())
                .status,
            403);
  Reply joined =
      Call("POST", "/api/v1/invitations/accept", bob, nlohmann::json{{"token", token}}.dump());
  ASSERT_EQ(joined.status, 200) << joined.raw.body;
  EXPECT_EQ(Call("POST", "/api/v1/invitations/accept", bob, nlohmann::json{{"token", token}}.dump())
                .status,
            404)
      << "an invitation works once";
  Reply members = Call("GET", "/api/v1/teams/" + id + "/members", bob);
  ASSERT_EQ(members.json["members"].size(), 2u);
  // An editor adds the team's monitors; a stranger does not see them.
  Reply made = Call("POST", "/api/v1/monitors", bob,
                    nlohmann::json{{"name", "team site"},
                                   {"url", "https://team.example/"},
                                   {"workspace_id", team.json["id"]}}
                        .dump());
  ASSERT_EQ(made.status, 201) << made.raw.body;
  const std::string monitor = "/api/v1/monitors/" + std::to_string(made.json["id"].get<int64_t>());
  EXPECT_EQ(Call("GET", monitor, ada).status, 200);
  EXPECT_EQ(Call("GET", monitor, eve).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/teams/" + id + "/members", eve).status, 404);
  // Roles: an editor cannot change them; the last owner cannot step down.
  const std::string bob_id = std::to_string(members.json["members"][1]["user_id"].get<int64_t>());
  const std::string ada_id = std::to_string(members.json["members"][0]["user_id"].get<int64_t>());
  EXPECT_EQ(
      Call("PATCH", "/api/v1/teams/" + id + "/members/" + ada_id, bob, R"({"role": "viewer"})")
          .status,
      403);
  EXPECT_EQ(
      Call("PATCH", "/api/v1/teams/" + id + "/members/" + ada_id, ada, R"({"role": "viewer"})")
          .status,
      409);
  Reply viewer =
      Call("PATCH", "/api/v1/teams/" + id + "/members/" + bob_id, ada, R"({"role": "viewer"})");
  ASSERT_EQ(viewer.status, 200) << viewer.raw.body;
  EXPECT_EQ(viewer.json["role"], "viewer");
  EXPECT_EQ(Call("PATCH", monitor, bob, R"({"name": "renamed"})").status, 403);
  EXPECT_EQ(Call("DELETE", "/api/v1/teams/" + id + "/members/" + ada_id, ada).status, 409);
  // Leaving: the team's monitors are gone from view.
  EXPECT_EQ(Call("DELETE", "/api/v1/teams/" + id + "/members/" + bob_id, bob).status, 204);
  EXPECT_EQ(Call("GET", monitor, bob).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/teams", bob).json["teams"].size(), 0u);
}

TEST_F(ApiTest, AnOwnerDeletesATeamWithEverythingInIt) {
  const Caller ada = User("ada@example.com");
  const Caller bob = User("bob@example.com");
  Reply team = Call("POST", "/api/v1/teams", ada, R"({"name": "Ops"})");
  ASSERT_EQ(team.status, 201);
  const int64_t team_id = team.json["id"].get<int64_t>();
  const std::string id = std::to_string(team_id);
  ASSERT_EQ(Call("POST", "/api/v1/teams/" + id + "/invitations", ada,
                 R"({"email": "bob@example.com", "role": "editor"})")
                .status,
            202);
  ASSERT_EQ(
      Call("POST", "/api/v1/invitations/accept", bob,
           nlohmann::json{{"token", MailedToken(mail_, "bob@example.com", "/invite/")}}.dump())
          .status,
      200);
  Reply made =
      Call("POST", "/api/v1/monitors", bob,
           nlohmann::json{
               {"name", "team site"}, {"url", "https://team.example/"}, {"workspace_id", team_id}}
               .dump());
  ASSERT_EQ(made.status, 201);
  const std::string monitor = "/api/v1/monitors/" + std::to_string(made.json["id"].get<int64_t>());
  ASSERT_EQ(Call("POST", "/api/v1/channels", ada,
                 nlohmann::json{{"workspace_id", team_id},
                                {"name", "pager"},
                                {"type", "webhook"},
                                {"url", "https://hooks.example/x"}}
                     .dump())
                .status,
            201);
  Reply token = Call("POST", "/api/v1/tokens", ada,
                     nlohmann::json{{"name", "ci"}, {"workspace_id", team_id}}.dump());
  ASSERT_EQ(token.status, 201) << token.raw.body;
  const std::string ada_monitor = std::to_string(CreateMonitor(ada, "personal"));

  const std::string body = nlohmann::json{{"password", kPassword}}.dump();
  // Only an owner, with the password, from a session.
  EXPECT_EQ(Call("DELETE", "/api/v1/teams/" + id, bob, body).status, 403);
  EXPECT_EQ(
      Call("DELETE", "/api/v1/teams/" + id, ada, R"({"password": "not it at all, no"})").status,
      400);
  EXPECT_EQ(Call("DELETE", "/api/v1/teams/" + id, {.bearer = token.json["token"]}, body).status,
            403);
  EXPECT_EQ(Call("DELETE", "/api/v1/teams/999999", ada, body).status, 404);
  EXPECT_EQ(accounts_changed_, 0) << "nothing was removed yet";
  EXPECT_EQ(Call("GET", monitor, bob).status, 200);

  ASSERT_EQ(Call("DELETE", "/api/v1/teams/" + id, ada, body).status, 204);
  EXPECT_EQ(accounts_changed_, 1) << "the app reloads its monitors";
  EXPECT_EQ(Call("GET", monitor, ada).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/teams/" + id + "/members", ada).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/channels?workspace_id=" + id, ada).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/account", {.bearer = token.json["token"]}).status, 401)
      << "the team's tokens went with it";
  EXPECT_NE(mail_["bob@example.com"].find("deleted the team 'Ops'"), std::string::npos)
      << mail_["bob@example.com"];
  // The rest stays: Ada's own monitor, Bob's account.
  EXPECT_EQ(Call("GET", "/api/v1/monitors/" + ada_monitor, ada).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/account", bob).status, 200);
  for (const char* table : {"channels", "api_tokens", "members", "monitors"}) {
    EXPECT_EQ(
        CountRows(std::string("SELECT count(*) FROM ") + table + " WHERE workspace_id = " + id), 0)
        << table;
  }
  // A personal workspace is not a team.
  Reply me = Call("GET", "/api/v1/account", ada);
  const std::string own = std::to_string(me.json["personal_workspace_id"].get<int64_t>());
  EXPECT_EQ(Call("DELETE", "/api/v1/teams/" + own, ada, body).status, 403);
}

TEST_F(ApiTest, InviteOnlyRegistrationAdmitsTheInvited) {
  const Caller admin = User("admin@example.com");
  ASSERT_EQ(Call("PATCH", "/api/v1/admin/settings", admin, R"({"registration": "invite"})").status,
            200);
  Reply team = Call("POST", "/api/v1/teams", admin, R"({"name": "Ops"})");
  ASSERT_EQ(Call("POST",
                 "/api/v1/teams/" + std::to_string(team.json["id"].get<int64_t>()) + "/invitations",
                 admin, R"({"email": "new@example.com", "role": "viewer"})")
                .status,
            202);
  const std::string token = MailedToken(mail_, "new@example.com", "/invite/");
  nlohmann::json reg = {{"name", "New"},
                        {"email", "new@example.com"},
                        {"password", kPassword},
                        {"age_confirmed", true},
                        {"policy_accepted", true}};
  EXPECT_EQ(Call("POST", "/api/v1/account", {}, reg.dump()).status, 403);
  reg["invitation"] = token;
  reg["email"] = "other@example.com";
  EXPECT_EQ(Call("POST", "/api/v1/account", {}, reg.dump()).status, 403)
      << "the invitation is for one address";
  reg["email"] = "new@example.com";
  EXPECT_EQ(Call("POST", "/api/v1/account", {}, reg.dump()).status, 202);
}

TEST_F(ApiTest, AnAddressChangesOnlyWhenTheNewOneIsConfirmed) {
  Caller ada = User("ada@example.com");
  EXPECT_EQ(Call("POST", "/api/v1/account/email", ada,
                 R"({"password": "wrong", "email": "ada@new.example"})")
                .json["error"]["field"],
            "password");
  ASSERT_EQ(Call("POST", "/api/v1/account/email", ada,
                 nlohmann::json{{"password", kPassword}, {"email", "ada@new.example"}}.dump())
                .status,
            202);
  EXPECT_NE(mail_["ada@example.com"].find("asked to change the address"), std::string::npos)
      << mail_["ada@example.com"];
  EXPECT_EQ(Call("GET", "/api/v1/account", ada).json["email"], "ada@example.com");
  const std::string token = MailedToken(mail_, "ada@new.example", "/email/");
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(addresses_changed_, 0);
  Reply done = Call("POST", "/email/" + token, {}, "", "");
  EXPECT_EQ(done.status, 200);
  EXPECT_EQ(addresses_changed_, 1) << "alert mail must follow the new address";
  EXPECT_EQ(Call("GET", "/api/v1/account", ada).json["email"], "ada@new.example");
  EXPECT_NE(mail_["ada@example.com"].find("is now ada@new.example"), std::string::npos);
  EXPECT_EQ(Call("POST", "/email/" + token, {}, "", "").status, 404) << "the link works once";
  // A taken address answers the same, and changes nothing.
  User("bob@example.com");
  EXPECT_EQ(Call("POST", "/api/v1/account/email", ada,
                 nlohmann::json{{"password", kPassword}, {"email", "bob@example.com"}}.dump())
                .status,
            202);
  EXPECT_TRUE(MailedToken(mail_, "bob@example.com", "/email/").empty());
}

TEST_F(ApiTest, AnAdministratorsNoticeReachesEveryUserAndShowsAsABanner) {
  const Caller admin = User("admin@example.com");
  const Caller ada = User("ada@example.com");
  const Caller bob = User("bob@example.com");
  const std::string notice =
      R"({"kind": "policy_change", "subject": "New retention", "banner": true,
          "text": "From 1 January raw results are kept 60 days."})";
  EXPECT_EQ(Call("POST", "/api/v1/admin/notices", ada, notice).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/banner").json["banner"], nullptr);
  Reply sent = Call("POST", "/api/v1/admin/notices", admin, notice);
  ASSERT_EQ(sent.status, 202) << sent.raw.body;
  EXPECT_EQ(sent.json["recipients"], 3);
  for (const char* who : {"admin@example.com", "ada@example.com", "bob@example.com"}) {
    EXPECT_NE(mail_[who].find("raw results are kept 60 days"), std::string::npos) << who;
  }
  // The banner: for anyone, without a cookie; until the administrator ends it.
  Reply banner = Call("GET", "/api/v1/banner");
  EXPECT_EQ(banner.json["banner"]["kind"], "policy_change");
  EXPECT_EQ(banner.Header("Set-Cookie"), "");
  EXPECT_EQ(Call("DELETE", "/api/v1/admin/banner", bob).status, 403);
  EXPECT_EQ(Call("DELETE", "/api/v1/admin/banner", admin).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/banner").json["banner"], nullptr);
  EXPECT_EQ(Call("POST", "/api/v1/admin/notices", admin,
                 R"({"kind": "gossip", "subject": "x", "text": "y"})")
                .json["error"]["field"],
            "kind");
  EXPECT_EQ(Call("POST", "/api/v1/admin/notices", admin,
                 "{\"kind\": \"security\", \"subject\": \"a\\r\\nBcc: x@evil\", \"text\": \"y\"}")
                .json["error"]["field"],
            "subject");
}

TEST_F(ApiTest, AnAdministratorListsDisablesAndEnablesUsers) {
  const Caller ada = User("ada@example.com");  // the first user: an administrator
  const Caller bob = User("bob@example.com");
  EXPECT_EQ(Call("GET", "/api/v1/admin/users", bob).status, 403);
  Reply users = Call("GET", "/api/v1/admin/users", ada);
  ASSERT_EQ(users.status, 200) << users.raw.body;
  ASSERT_EQ(users.json["users"].size(), 2u);
  EXPECT_EQ(users.json["users"][1]["email"], "bob@example.com");
  EXPECT_TRUE(users.json["users"][1]["email_confirmed"].get<bool>());
  EXPECT_FALSE(users.json["users"][1].contains("password_hash"));
  const std::string bob_path =
      "/api/v1/admin/users/" + std::to_string(users.json["users"][1]["id"].get<int64_t>());
  const std::string ada_path =
      "/api/v1/admin/users/" + std::to_string(users.json["users"][0]["id"].get<int64_t>());

  EXPECT_EQ(Call("PATCH", bob_path, bob, R"({"disabled": true})").status, 403);
  EXPECT_EQ(Call("PATCH", ada_path, ada, R"({"disabled": true})").status, 400);
  EXPECT_EQ(Call("PATCH", "/api/v1/admin/users/999", ada, R"({"disabled": true})").status, 404);
  Reply off = Call("PATCH", bob_path, ada, R"({"disabled": true})");
  ASSERT_EQ(off.status, 200) << off.raw.body;
  EXPECT_TRUE(off.json["disabled"].get<bool>());
  EXPECT_EQ(accounts_changed_, 1) << "the app is told, so Bob's monitors stop at once";
  EXPECT_EQ(Call("GET", "/api/v1/account", bob).status, 401) << "his sessions ended";
  const std::string login =
      nlohmann::json{{"email", "bob@example.com"}, {"password", kPassword}}.dump();
  EXPECT_EQ(Call("POST", "/api/v1/session", {}, login).status, 401);
  ASSERT_EQ(Call("PATCH", bob_path, ada, R"({"disabled": false})").status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/session", {}, login).status, 200);
}

TEST_F(ApiTest, TheOperatorPublishesTheirPrivacyPolicyAsText) {
  const Caller ada = User("ada@example.com");
  const Caller bob = User("bob@example.com");
  EXPECT_TRUE(Call("GET", "/api/v1/privacy-policy").json["text"].is_null()) << "the shipped one";
  const std::string text = "We keep <b>nothing</b> we do not need.\n\nAsk: dpo@example.com";
  EXPECT_EQ(Call("PUT", "/api/v1/admin/privacy-policy", bob, nlohmann::json{{"text", text}}.dump())
                .status,
            403);
  Reply put =
      Call("PUT", "/api/v1/admin/privacy-policy", ada, nlohmann::json{{"text", text}}.dump());
  ASSERT_EQ(put.status, 200) << put.raw.body;
  // Public, no cookie; stored and returned as data.
  Reply got = Call("GET", "/api/v1/privacy-policy");
  EXPECT_EQ(got.json["text"], text);
  EXPECT_TRUE(got.Header("Set-Cookie").empty());
  EXPECT_EQ(Call("PUT", "/api/v1/admin/privacy-policy", ada,
                 nlohmann::json{{"text", std::string(100'001, 'x')}}.dump())
                .status,
            400);
  ASSERT_EQ(Call("PUT", "/api/v1/admin/privacy-policy", ada, R"({"text": ""})").status, 200);
  EXPECT_TRUE(Call("GET", "/api/v1/privacy-policy").json["text"].is_null())
      << "back to the default";
}

TEST_F(ApiTest, AnAdministratorSetsTheSmtpServerWhenTheFileSetsNone) {
  int mail_changes = 0;
  context_.mail_changed = [&] { ++mail_changes; };
  router_ = Router();
  router_.Add(AccountRoutes(context_));
  router_.Add(AdminRoutes(context_, *catalog_, traffic_));
  router_.Add(ConsoleRoutes(context_));
  const Caller ada = User("ada@example.com");
  const Caller bob = User("bob@example.com");
  EXPECT_EQ(Call("GET", "/api/v1/admin/smtp", ada).json["source"], "none");
  EXPECT_EQ(Call("GET", "/api/v1/server").json["mail"], "drop");
  const std::string smtp =
      R"({"host": "mail.example", "port": 2525, "tls": "starttls", "username": "u", "password": "pw"})";
  EXPECT_EQ(Call("PUT", "/api/v1/admin/smtp", bob, smtp).status, 403);
  EXPECT_EQ(Call("PUT", "/api/v1/admin/smtp", ada, R"({"host": "m", "tls": "ssl3"})")
                .json["error"]["field"],
            "tls");
  EXPECT_EQ(Call("PUT", "/api/v1/admin/smtp", ada, R"({"host": "a b"})").json["error"]["field"],
            "host");
  EXPECT_EQ(mail_changes, 0) << "nothing refused reached the app";
  Reply set = Call("PUT", "/api/v1/admin/smtp", ada, smtp);
  ASSERT_EQ(set.status, 200) << set.raw.body;
  EXPECT_EQ(set.json["port"], 2525);
  EXPECT_TRUE(set.json["password_set"].get<bool>());
  EXPECT_FALSE(set.json.contains("password"));
  EXPECT_EQ(mail_changes, 1);
  EXPECT_EQ(Call("GET", "/api/v1/server").json["mail"], "smtp");
  // Saved again without a password: the stored one stays.
  ASSERT_EQ(
      Call("PUT", "/api/v1/admin/smtp", ada, R"({"host": "mail.example", "port": 2526})").status,
      200);
  EXPECT_TRUE(Call("GET", "/api/v1/admin/smtp", ada).json["password_set"].get<bool>());
  EXPECT_EQ(Call("POST", "/api/v1/admin/smtp/test", ada).status, 202);
  EXPECT_EQ(Call("POST", "/api/v1/admin/smtp/test", bob).status, 403);
  EXPECT_EQ(Call("DELETE", "/api/v1/admin/smtp", ada).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/server").json["mail"], "drop");
  EXPECT_EQ(mail_changes, 3);
}

TEST_F(ApiTest, TrafficIsCountedByRouteAndStatusClassAndNothingAboutWho) {
  const Caller ada = User("ada@example.com");
  const Caller bob = User("bob@example.com");
  for (int i = 0; i < 3; ++i) Call("GET", "/api/v1/account", ada);
  Call("GET", "/api/v1/account");              // 401
  Call("GET", "/api/v1/monitors/12345", ada);  // 404 on a pattern
  Call("GET", "/api/v1/nothing-here", ada);    // no route
  EXPECT_EQ(Call("GET", "/api/v1/admin/traffic", bob).status, 403);
  Reply t = Call("GET", "/api/v1/admin/traffic", ada);
  ASSERT_EQ(t.status, 200) << t.raw.body;
  std::map<std::string, nlohmann::json> by_route;
  for (const auto& r : t.json["routes"]) by_route[r["route"]] = r;
  EXPECT_EQ(by_route["GET /api/v1/account"]["2xx"], 3);
  EXPECT_EQ(by_route["GET /api/v1/account"]["4xx"], 1);
  EXPECT_EQ(by_route["POST /api/v1/account"]["2xx"], 2) << "the two registrations";
  EXPECT_EQ(by_route["GET /api/v1/monitors/{id}"]["4xx"], 1) << "the pattern, never the id";
  EXPECT_EQ(by_route["GET (none)"]["4xx"], 1);
  EXPECT_GT(t.json["total"].get<int64_t>(), 6);
  for (const char* secret : {"ada@example.com", "12345", "127.0.0.1", "nothing-here"}) {
    EXPECT_EQ(t.raw.body.find(secret), std::string::npos) << secret;
  }
}

TEST_F(ApiTest, TheExportHoldsEverythingOfTheUsers) {
  const Caller ada = User("ada@example.com");
  const int64_t monitor = CreateMonitor(ada, "shop");
  const std::string m = std::to_string(monitor);
  ASSERT_EQ(Call("POST", "/api/v1/channels", ada,
                 R"({"name": "ops", "type": "webhook", "url": "https://hooks.example/x",
                     "secret": "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"})")
                .status,
            201);
  const int64_t ws = Call("GET", "/api/v1/account", ada).json["personal_workspace_id"];
  ASSERT_EQ(Call("PUT", "/api/v1/workspaces/" + std::to_string(ws) + "/alert-policy", ada,
                 R"({"notify": ["ops"], "remind_every": "30m"})")
                .status,
            200);
  ASSERT_EQ(Call("POST", "/api/v1/maintenance", ada,
                 R"({"name": "nightly", "weekly": ["sun"], "at": "02:00", "duration": "1h"})")
                .status,
            201);
  ASSERT_EQ(Call("POST", "/api/v1/tokens", ada, R"({"name": "ci"})").status, 201);
  ASSERT_EQ(Call("POST", "/api/v1/teams", ada, R"({"name": "Ops team"})").status, 201);
  // Two results and an incident of the monitor, as the engine would store them.
  model::CheckRecord r;
  r.monitor = static_cast<model::MonitorId>(monitor);
  r.ts_ms = 1'780'000'000'000;
  r.status = 200;
  r.ip = "192.0.2.10";
  r.total_us = 42'000;
  model::CheckRecord later = r;
  later.ts_ms += 60'000;
  ASSERT_TRUE(store_->results().WriteBatch(std::vector{r, later}).ok());
  model::Incident inc;
  inc.id = 1;
  inc.monitor = r.monitor;
  inc.started_ms = r.ts_ms;
  inc.confirmed_ms = r.ts_ms;
  inc.cause = r;
  ASSERT_TRUE(store_->alerts().Apply(std::vector{inc}, {}).ok());

  Reply out = Call("GET", "/api/v1/account/export", ada);
  ASSERT_EQ(out.status, 200) << out.raw.body;
  EXPECT_NE(out.Header("Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(out.json["profile"]["email"], "ada@example.com");
  EXPECT_EQ(out.json["sessions"].size(), 1u);
  ASSERT_EQ(out.json["workspaces"].size(), 2u);  // personal, and the team
  const auto& mine = out.json["workspaces"][0];
  ASSERT_EQ(mine["monitors"].size(), 1u);
  EXPECT_EQ(mine["monitors"][0]["name"], "shop");
  EXPECT_EQ(mine["monitors"][0]["results"].size(), 2u);
  EXPECT_EQ(mine["monitors"][0]["incidents"].size(), 1u);
  EXPECT_EQ(mine["channels"][0]["name"], "ops");
  EXPECT_EQ(mine["alert_policy"]["remind_every"], "30m");
  EXPECT_EQ(mine["maintenance"][0]["name"], "nightly");
  EXPECT_EQ(mine["your_tokens"][0]["name"], "ci");
  EXPECT_EQ(out.json["workspaces"][1]["name"], "Ops team");
  // Secrets are named, not copied; no hash of anything.
  EXPECT_EQ(out.raw.body.find("whsec_"), std::string::npos);
  EXPECT_EQ(out.raw.body.find("password_hash"), std::string::npos);
  EXPECT_EQ(out.raw.body.find("$argon2id$"), std::string::npos);
}

}  // namespace
}  // namespace tocsin::api
