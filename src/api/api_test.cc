// The account and monitor routes through the Router, with a real SQLite
// store and the real account rules: authentication (cookie + CSRF, bearer
// tokens and their scope), strict JSON input, and workspaces that cannot
// reach each other's monitors by guessing ids.
#include "api/api_test_fixture.h"

namespace tocsin::api {
namespace {

TEST_F(ApiTest, TheSessionCookieIsHttpOnlyLaxAndTheOnlyCookie) {
  Caller ada = User("ada@example.com");
  ASSERT_FALSE(ada.cookie.empty());
  ASSERT_FALSE(ada.csrf.empty());
  Reply login = Call("POST", "/api/v1/session", {},
                     R"({"email":"ada@example.com","password":"vellum orbit quasar tundra 47"})");
  const std::string cookie = login.Header("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("Path=/"), std::string::npos) << cookie;
  // Rotated at login: each login a new value.
  EXPECT_EQ(cookie.find(ada.cookie), std::string::npos);
  Reply me = Call("GET", "/api/v1/account", ada);
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.json["email"], "ada@example.com");
  EXPECT_TRUE(me.json["admin"].get<bool>());
  EXPECT_TRUE(me.Header("Set-Cookie").empty()) << "no other cookie anywhere";
}

TEST_F(ApiTest, UnauthenticatedAndForgedSessionsAreRefused) {
  Reply anonymous = Call("GET", "/api/v1/monitors");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.json["error"]["code"], "unauthenticated");
  EXPECT_FALSE(anonymous.Header("WWW-Authenticate").empty());
  // Session fixation: a value the server never issued is no session.
  EXPECT_EQ(Call("GET", "/api/v1/account", {.cookie = "attacker-chosen-value"}).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/account", {.bearer = "tcn_guess"}).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/account", {.bearer = "not-even-ours"}).status, 401);
}

TEST_F(ApiTest, StateChangesWithTheCookieNeedTheCsrfToken) {
  Caller ada = User("ada@example.com");
  const std::string body = R"({"name":"shop","url":"https://shop.example/"})";
  Reply none = Call("POST", "/api/v1/monitors", {.cookie = ada.cookie}, body);
  EXPECT_EQ(none.status, 403);
  EXPECT_EQ(none.json["error"]["code"], "permission_denied");
  EXPECT_EQ(Call("POST", "/api/v1/monitors", {.cookie = ada.cookie, .csrf = "wrong"}, body).status,
            403);
  EXPECT_EQ(Call("POST", "/api/v1/monitors", ada, body).status, 201);
  // Nothing was half-made by the refused requests.
  EXPECT_EQ(Call("GET", "/api/v1/monitors", ada).json.size(), 1u);
  // Logout ends the session and clears the cookie.
  Reply out = Call("DELETE", "/api/v1/session", ada);
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.Header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/account", ada).status, 401);
}

TEST_F(ApiTest, TheMonitorListComesInPagesLinkedByTheirNextPage) {
  Caller ada = User("ada@example.com");
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(CreateMonitor(ada, "site-" + std::to_string(i)));
  Reply first = Call("GET", "/api/v1/monitors?limit=2", ada);
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(first.json.size(), 2u);
  EXPECT_EQ(first.json[0]["id"], ids[0]);
  EXPECT_EQ(first.json[1]["id"], ids[1]);
  const std::string link = first.Header("Link");
  EXPECT_EQ(link,
            "</api/v1/monitors?after_id=" + std::to_string(ids[1]) + "&limit=2>; rel=\"next\"");
  // Following the links visits every monitor once, and the last page says
  // there is no next one.
  std::vector<int64_t> seen;
  std::string next = "/api/v1/monitors?limit=2";
  for (int pages = 0; !next.empty() && pages < 10; ++pages) {
    Reply page = Call("GET", next, ada);
    ASSERT_EQ(page.status, 200);
    for (const auto& m : page.json) seen.push_back(m["id"].get<int64_t>());
    const std::string l = page.Header("Link");
    next = l.empty() ? "" : l.substr(1, l.find('>') - 1);
  }
  EXPECT_EQ(seen, ids);
  EXPECT_TRUE(Call("GET", "/api/v1/monitors?limit=5", ada).Header("Link").empty());
  EXPECT_EQ(Call("GET", "/api/v1/monitors", ada).json.size(), 5u) << "100 by default";
  EXPECT_EQ(Call("GET", "/api/v1/monitors?limit=0", ada).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/monitors?limit=1001", ada).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/monitors?after_id=x", ada).status, 400);
}

TEST_F(ApiTest, TagsAreCheckedSortedAndShownWithTheMonitor) {
  Caller ada = User("ada@example.com");
  const int64_t id = CreateMonitor(ada);
  const std::string path = "/api/v1/monitors/" + std::to_string(id);
  Reply tagged = Call("PATCH", path, ada, R"({"tags": ["web", "eu", "web"]})");
  ASSERT_EQ(tagged.status, 200) << tagged.raw.body;
  EXPECT_EQ(tagged.json["tags"], nlohmann::json({"eu", "web"}));
  EXPECT_EQ(Call("GET", "/api/v1/monitors", ada).json[0]["tags"], nlohmann::json({"eu", "web"}));
  for (const char* bad :
       {R"({"tags": "web"})", R"({"tags": [""]})", R"({"tags": ["a,b"]})", R"({"tags": [1]})",
        R"({"tags": ["a","b","c","d","e","f","g","h","i","j","k"]})"}) {
    Reply r = Call("PATCH", path, ada, bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.json["error"]["field"], "tags") << bad;
  }
  EXPECT_EQ(Call("GET", path, ada).json["tags"], nlohmann::json({"eu", "web"})) << "unchanged";
  EXPECT_EQ(Call("PATCH", path, ada, R"({"tags": []})").json["tags"], nlohmann::json::array());
}

TEST_F(ApiTest, ADependencyNamesAnotherMonitorOfTheWorkspaceAndNeverACircle) {
  Caller ada = User("ada@example.com");
  Caller bob = User("bob@example.com");
  const int64_t site = CreateMonitor(ada, "site");
  const int64_t db = CreateMonitor(ada, "database");
  const int64_t network = CreateMonitor(ada, "network");
  const int64_t bobs = CreateMonitor(bob, "bob's");
  const auto path = [](int64_t id) { return "/api/v1/monitors/" + std::to_string(id); };
  const auto depend = [&](int64_t id, const nlohmann::json& on) {
    return Call("PATCH", path(id), ada, nlohmann::json{{"depends_on", on}}.dump());
  };
  Reply set = depend(site, db);
  ASSERT_EQ(set.status, 200) << set.raw.body;
  EXPECT_EQ(set.json["depends_on"], db);
  ASSERT_EQ(depend(db, network).status, 200);
  // Back round to the site: refused, whichever link closes the circle.
  Reply circle = depend(network, site);
  EXPECT_EQ(circle.status, 400);
  EXPECT_EQ(circle.json["error"]["field"], "depends_on");
  EXPECT_EQ(depend(site, site).status, 400);
  EXPECT_EQ(depend(site, bobs).status, 400) << "another workspace's monitor";
  EXPECT_EQ(depend(site, 999999).status, 400);
  EXPECT_EQ(depend(site, "db").status, 400);
  EXPECT_EQ(Call("GET", path(site), ada).json["depends_on"], db) << "unchanged by the refusals";
  EXPECT_TRUE(depend(site, nullptr).json["depends_on"].is_null());
}

TEST_F(ApiTest, ReadOnlyTokensReadAndCannotWrite) {
  Caller ada = User("ada@example.com");
  const int64_t id = CreateMonitor(ada);
  Reply made = Call("POST", "/api/v1/tokens", ada, R"({"name":"dashboard"})");
  ASSERT_EQ(made.status, 201) << made.raw.body;
  EXPECT_TRUE(made.json["read_only"].get<bool>()) << "read-only unless asked";
  const Caller reader{.bearer = made.json["token"]};
  EXPECT_EQ(Call("GET", "/api/v1/monitors/" + std::to_string(id), reader).status, 200);
  Reply write =
      Call("PATCH", "/api/v1/monitors/" + std::to_string(id), reader, R"({"name":"renamed"})");
  EXPECT_EQ(write.status, 403);
  EXPECT_EQ(Call("DELETE", "/api/v1/monitors/" + std::to_string(id), reader).status, 403);
  // A read-write token needs no cookie and no CSRF token.
  Reply rw = Call("POST", "/api/v1/tokens", ada, R"({"name":"ci","read_only":false})");
  ASSERT_EQ(rw.status, 201);
  const Caller writer{.bearer = rw.json["token"]};
  EXPECT_EQ(Call("PATCH", "/api/v1/monitors/" + std::to_string(id), writer, R"({"name":"renamed"})")
                .status,
            200);
  // Listed without their secrets; revoked, they stop working.
  Reply list = Call("GET", "/api/v1/tokens", ada);
  ASSERT_EQ(list.json.size(), 2u);
  EXPECT_FALSE(list.json[0].contains("token"));
  EXPECT_EQ(
      Call("DELETE", "/api/v1/tokens/" + std::to_string(rw.json["id"].get<int64_t>()), ada).status,
      204);
  EXPECT_EQ(Call("GET", "/api/v1/monitors", writer).status, 401);
  // Login can hand out a token instead of a cookie.
  Reply by_login = Call("POST", "/api/v1/session", {},
                        nlohmann::json{{"email", "ada@example.com"},
                                       {"password", kPassword},
                                       {"token", true},
                                       {"read_only", true}}
                            .dump());
  ASSERT_EQ(by_login.status, 201) << by_login.raw.body;
  EXPECT_TRUE(by_login.Header("Set-Cookie").empty());
  EXPECT_EQ(Call("GET", "/api/v1/monitors", {.bearer = by_login.json["token"]}).status, 200);
}

TEST_F(ApiTest, OneWorkspaceCannotReachAnothersMonitorsByGuessingIds) {
  Caller ada = User("ada@example.com");
  Caller eve = User("eve@example.com");
  const std::string path = "/api/v1/monitors/" + std::to_string(CreateMonitor(ada));
  for (const auto& [method, suffix, body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "", ""},
           {"PATCH", "", R"({"name":"mine"})"},
           {"DELETE", "", ""},
           {"POST", "/pause", ""},
           {"POST", "/resume", ""},
           {"GET", "/results", ""},
           {"GET", "/summary", ""}}) {
    Reply r = Call(method, path + suffix, eve, body);
    EXPECT_EQ(r.status, 404) << method << " " << path << suffix << ": " << r.raw.body;
  }
  EXPECT_TRUE(Call("GET", "/api/v1/monitors", eve).json.empty());
  // Eve cannot create in Ada's workspace, nor list its tokens.
  const int64_t ada_workspace = Call("GET", "/api/v1/account", ada).json["personal_workspace_id"];
  EXPECT_EQ(Call("POST", "/api/v1/monitors", eve,
                 nlohmann::json{
                     {"name", "x"}, {"url", "https://x.example/"}, {"workspace_id", ada_workspace}}
                     .dump())
                .status,
            403);
  EXPECT_EQ(Call("GET", "/api/v1/tokens?workspace_id=" + std::to_string(ada_workspace), eve).status,
            403);
  // Still Ada's, unchanged.
  Reply mine = Call("GET", path, ada);
  EXPECT_EQ(mine.status, 200);
  EXPECT_EQ(mine.json["name"], "shop");
}

TEST_F(ApiTest, TheFilesMonitorsAreShownToAdministratorsAndNeverChanged) {
  Caller admin = User("ada@example.com");  // the first user
  Caller user = User("bob@example.com");
  store::MonitorRecord file;
  file.name = "from-the-file";
  file.url = "https://file.example/";
  file.options_json = R"({"url":"https://file.example/"})";
  file.interval = 60'000'000;
  auto ids = store_->monitors().SyncMonitors({file});
  ASSERT_TRUE(ids.ok());
  const std::string path = "/api/v1/monitors/" + std::to_string((*ids)[0]);
  Reply shown = Call("GET", path, admin);
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(shown.json["managed_by"], "file");
  EXPECT_TRUE(shown.json["workspace_id"].is_null());
  Reply refused = Call("PATCH", path, admin, R"({"name":"x"})");
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.json["error"]["message"].get<std::string>().find("config file"),
            std::string::npos);
  EXPECT_EQ(Call("DELETE", path, admin).status, 403);
  EXPECT_EQ(Call("GET", path, user).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/monitors", user).json.size(), 0u);
  EXPECT_EQ(Call("GET", "/api/v1/monitors", admin).json.size(), 1u);
}

TEST_F(ApiTest, BadInputIsA4xxThatChangesNothing) {
  Caller ada = User("ada@example.com");
  struct Case {
    std::string body;
    std::string content_type;
    int status;
    std::string field;
  };
  const std::vector<Case> cases = {
      {R"({"name":"a","url":"https://a.example/"})", "text/plain", 415, ""},
      {R"({"name":"a","url":)", "application/json", 400, ""},
      {R"(["not","an","object"])", "application/json", 400, ""},
      {std::string(100, '[') + std::string(100, ']'), "application/json", 400, ""},
      {R"({"name":"a","url":"https://a.example/","extra":1})", "application/json", 400, "extra"},
      {R"({"name":7,"url":"https://a.example/"})", "application/json", 400, "name"},
      {R"({"url":"https://a.example/"})", "application/json", 400, "name"},
      {R"({"name":"a"})", "application/json", 400, "url"},
      {R"({"name":"a","url":"ftp://a.example/"})", "application/json", 400, "url"},
      {R"({"name":"a","url":"https://a.example/","interval_s":5})", "application/json", 400,
       "interval_s"},
      {R"({"name":"a","url":"https://a.example/","interval_s":1e3})", "application/json", 400,
       "interval_s"},
      {R"({"name":"a","url":"https://a.example/","check":[]})", "application/json", 400, "check"},
      {R"({"name":"a","url":"https://a.example/","enabled":"yes"})", "application/json", 400,
       "enabled"},
  };
  for (const Case& c : cases) {
    Reply r = Call("POST", "/api/v1/monitors", ada, c.body, c.content_type);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.raw.body;
    ASSERT_TRUE(r.json.is_object()) << r.raw.body;
    EXPECT_TRUE(r.json["error"]["message"].is_string()) << r.raw.body;
    if (!c.field.empty()) {
      EXPECT_EQ(r.json["error"].value("field", ""), c.field) << c.body;
    }
  }
  EXPECT_TRUE(Call("GET", "/api/v1/monitors", ada).json.empty());
  // Ids that are not ids.
  for (const char* id : {"0", "-1", "01", "1e3", "99999999999999999999", "abc"}) {
    EXPECT_EQ(Call("GET", std::string("/api/v1/monitors/") + id, ada).status, 404) << id;
  }
  // Query parameters are read strictly too.
  const std::string path = "/api/v1/monitors/" + std::to_string(CreateMonitor(ada));
  EXPECT_EQ(Call("GET", path + "/results?limit=0", ada).status, 400);
  EXPECT_EQ(Call("GET", path + "/results?limit=x", ada).status, 400);
  EXPECT_EQ(Call("GET", path + "/results?from_ms=10&to_ms=5", ada).status, 400);
  EXPECT_EQ(Call("GET", path + "/results", ada).status, 200);
}

TEST_F(ApiTest, NamesWithMarkupAndLineBreaksAreData) {
  Caller ada = User("ada@example.com");
  const std::string name = "<script>alert(1)</script> & \"quotes\"";
  Reply made = Call("POST", "/api/v1/monitors", ada,
                    nlohmann::json{{"name", name}, {"url", "https://a.example/"}}.dump());
  ASSERT_EQ(made.status, 201) << made.raw.body;
  EXPECT_EQ(made.raw.content_type, "application/json");
  EXPECT_EQ(made.json["name"], name);
  EXPECT_EQ(Call("GET", "/api/v1/monitors", ada).json[0]["name"], name);
  // Line breaks could forge mail headers or log lines: refused by field.
  Reply crlf = Call(
      "POST", "/api/v1/monitors", ada,
      nlohmann::json{{"name", "a\r\nBcc: x@example.com"}, {"url", "https://a.example/"}}.dump());
  EXPECT_EQ(crlf.status, 400);
  EXPECT_EQ(crlf.json["error"]["field"], "name");
}

TEST_F(ApiTest, PasswordChangeNeedsTheCurrentOneAndEndsOtherSessions) {
  Caller ada = User("ada@example.com");
  Reply second = Call("POST", "/api/v1/session", {},
                      nlohmann::json{{"email", "ada@example.com"}, {"password", kPassword}}.dump());
  const std::string stolen = second.Header("Set-Cookie").substr(15, 43);
  Reply wrong = Call("POST", "/api/v1/account/password", ada,
                     R"({"current_password":"nope nope nope nope","new_password":"x"})");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(wrong.json["error"]["field"], "current_password");
  EXPECT_EQ(Call("POST", "/api/v1/account/password", ada,
                 nlohmann::json{{"current_password", kPassword},
                                {"new_password", "lantern staple grumpy orchid 9"}}
                     .dump())
                .status,
            204);
  EXPECT_EQ(Call("GET", "/api/v1/account", {.cookie = stolen}).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/account", ada).status, 200);
}

TEST_F(ApiTest, ProfileChangesAreValidated) {
  Caller ada = User("ada@example.com");
  Reply ok = Call("PATCH", "/api/v1/account", ada,
                  R"({"name":"Ada L.","time_zone":"Europe/Paris","weekly_summary":false})");
  ASSERT_EQ(ok.status, 200) << ok.raw.body;
  EXPECT_EQ(ok.json["time_zone"], "Europe/Paris");
  EXPECT_FALSE(ok.json["weekly_summary"].get<bool>());
  EXPECT_EQ(Call("PATCH", "/api/v1/account", ada, R"({"time_zone":"Mars/Olympus"})")
                .json["error"]["field"],
            "time_zone");
  EXPECT_EQ(Call("PATCH", "/api/v1/account", ada, R"({"admin":true})").status, 400);
  EXPECT_TRUE(Call("GET", "/api/v1/account", ada).json["admin"].get<bool>());
  EXPECT_EQ(Call("GET", "/api/v1/account", ada).json["name"], "Ada L.");
}

TEST_F(ApiTest, AnAdministratorCanCloseRegistration) {
  Caller admin = User("ada@example.com");
  Caller user = User("bob@example.com");
  EXPECT_EQ(Call("PATCH", "/api/v1/admin/settings", user, R"({"registration":"invite"})").status,
            403);
  EXPECT_EQ(Call("PATCH", "/api/v1/admin/settings", admin, R"({"registration":"closed"})").status,
            400);
  Reply set = Call("PATCH", "/api/v1/admin/settings", admin, R"({"registration":"invite"})");
  ASSERT_EQ(set.status, 200) << set.raw.body;
  EXPECT_EQ(set.json["registration"], "invite");
  Reply refused = Call("POST", "/api/v1/account", {},
                       nlohmann::json{{"name", "C"},
                                      {"email", "carol@example.com"},
                                      {"password", kPassword},
                                      {"age_confirmed", true},
                                      {"policy_accepted", true}}
                           .dump());
  EXPECT_EQ(refused.status, 403);
  EXPECT_FALSE(mail_.contains("carol@example.com"));
}

TEST_F(ApiTest, ChannelsPoliciesAndWindowsStayInTheirWorkspace) {
  const Caller ada = User("ada@example.com");
  const Caller bob = User("bob@example.com");
  Reply made = Call("POST", "/api/v1/channels", ada,
                    R"({"name": "pager", "type": "webhook", "url": "https://hooks.example/x",
                        "secret": "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"})");
  ASSERT_EQ(made.status, 201) << made.raw.body;
  EXPECT_FALSE(made.json.contains("secret")) << "a secret is never shown back";
  EXPECT_EQ(made.json["secrets_set"], nlohmann::json::array({"secret"}));
  EXPECT_EQ(catalog_->settings_changes, 1);
  const std::string path = "/api/v1/channels/" + std::to_string(made.json["id"].get<int64_t>());
  // Another workspace sees nothing, changes nothing, tests nothing.
  EXPECT_EQ(Call("GET", path, bob).status, 404);
  EXPECT_EQ(Call("PATCH", path, bob, R"({"url": "https://evil.example/"})").status, 404);
  EXPECT_EQ(Call("DELETE", path, bob).status, 404);
  EXPECT_EQ(Call("POST", path + "/test", bob).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/channels", bob).json["channels"].size(), 0u);
  const int64_t ada_ws = Call("GET", "/api/v1/account", ada).json["personal_workspace_id"];
  const std::string policy = "/api/v1/workspaces/" + std::to_string(ada_ws) + "/alert-policy";
  EXPECT_EQ(Call("GET", policy, bob).status, 404);
  EXPECT_EQ(Call("PUT", policy, bob, R"({"level": "all"})").status, 404);
  // Bob cannot point his policy at Ada's channel by name.
  const int64_t bob_ws = Call("GET", "/api/v1/account", bob).json["personal_workspace_id"];
  Reply theft = Call("PUT", "/api/v1/workspaces/" + std::to_string(bob_ws) + "/alert-policy", bob,
                     R"({"notify": ["pager"]})");
  EXPECT_EQ(theft.status, 400);
  EXPECT_EQ(theft.json["error"]["field"], "notify");
  Reply window = Call("POST", "/api/v1/maintenance", ada,
                      R"({"name": "nightly", "weekly": ["mon"], "at": "03:00",
                          "duration": "1h", "time_zone": "Europe/Paris"})");
  ASSERT_EQ(window.status, 201) << window.raw.body;
  EXPECT_EQ(
      Call("DELETE", "/api/v1/maintenance/" + std::to_string(window.json["id"].get<int64_t>()), bob)
          .status,
      404);
  EXPECT_EQ(Call("GET", "/api/v1/maintenance", ada).json["maintenance"].size(), 1u);
  // A maintenance window may name only its own workspace's monitors.
  const int64_t bobs = CreateMonitor(bob, "bobs");
  Reply foreign = Call(
      "POST", "/api/v1/maintenance", ada,
      nlohmann::json{
          {"name", "x"}, {"start", "2030-01-01 00:00"}, {"duration", "1h"}, {"monitors", {bobs}}}
          .dump());
  EXPECT_EQ(foreign.status, 400);
  EXPECT_EQ(foreign.json["error"]["field"], "monitors");
}

TEST_F(ApiTest, APolicyIsValidatedWholeAndShownInCanonicalForm) {
  const Caller ada = User("ada@example.com");
  const int64_t ws = Call("GET", "/api/v1/account", ada).json["personal_workspace_id"];
  const std::string policy = "/api/v1/workspaces/" + std::to_string(ws) + "/alert-policy";
  // Defaults until set: down only, no reminders, the owner's address.
  Reply shown = Call("GET", policy, ada);
  EXPECT_EQ(shown.json["policy"]["level"], "down");
  EXPECT_EQ(shown.json["policy"]["remind_every"], "never");
  EXPECT_EQ(shown.json["policy"]["email_owner"], true);
  ASSERT_EQ(Call("POST", "/api/v1/channels", ada,
                 R"({"name": "ops", "type": "email", "to": ["ops@example.com"]})")
                .status,
            201);
  Reply set = Call("PUT", policy, ada,
                   R"({"level": "degraded", "remind_every": "900s", "failure_threshold": "3",
                       "notify": ["ops"], "email_owner": false})");
  ASSERT_EQ(set.status, 200) << set.raw.body;
  EXPECT_EQ(set.json["policy"]["remind_every"], "15m");
  EXPECT_EQ(set.json["policy"]["failure_threshold"], 3);
  EXPECT_EQ(set.json["policy"]["email_owner"], false);
  // One bad key refuses the whole, and what was set stays.
  Reply bad = Call("PUT", policy, ada, R"({"level": "all", "remind_every": "1s"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json["error"]["field"], "remind_every");
  EXPECT_EQ(Call("PUT", policy, ada, R"({"loudness": 11})").json["error"]["field"], "loudness");
  EXPECT_EQ(Call("GET", policy, ada).json["policy"]["level"], "degraded");
  // A channel a policy names cannot go.
  const int64_t ops = Call("GET", "/api/v1/channels", ada).json["channels"][0]["id"];
  Reply gone = Call("DELETE", "/api/v1/channels/" + std::to_string(ops), ada);
  EXPECT_EQ(gone.status, 409);
  EXPECT_NE(gone.raw.body.find("the workspace's alert policy"), std::string::npos);
  // A monitor's overrides are checked the same way.
  const int64_t id = CreateMonitor(ada);
  const std::string mon = "/api/v1/monitors/" + std::to_string(id);
  EXPECT_EQ(Call("PATCH", mon, ada, R"({"alerts": {"level": "loud"}})").json["error"]["field"],
            "alerts.level");
  Reply over = Call("PATCH", mon, ada, R"({"alerts": {"remind_every": "3600s"}})");
  ASSERT_EQ(over.status, 200) << over.raw.body;
  EXPECT_EQ(over.json["alerts"], (nlohmann::json{{"remind_every", "1h"}}));
}

TEST_F(ApiTest, ATestNotificationIsQueuedAndFollowed) {
  const Caller ada = User("ada@example.com");
  Reply made = Call("POST", "/api/v1/channels", ada,
                    R"({"name": "me", "type": "email", "to": ["ada@example.com"]})");
  const std::string path = "/api/v1/channels/" + std::to_string(made.json["id"].get<int64_t>());
  Reply queued = Call("POST", path + "/test", ada);
  ASSERT_EQ(queued.status, 202) << queued.raw.body;
  const std::string test_id = queued.json["test_id"];
  Reply row = Call("GET", path + "/tests/" + test_id, ada);
  ASSERT_EQ(row.status, 200) << row.raw.body;
  EXPECT_EQ(row.json["state"], "pending");
  EXPECT_EQ(row.json["event"], "test");
  // Another channel's path does not read it.
  Reply other = Call("POST", "/api/v1/channels", ada,
                     R"({"name": "other", "type": "email", "to": ["x@example.com"]})");
  EXPECT_EQ(Call("GET",
                 "/api/v1/channels/" + std::to_string(other.json["id"].get<int64_t>()) + "/tests/" +
                     test_id,
                 ada)
                .status,
            404);
}

TEST_F(ApiTest, ARequiredSecondFactorLeavesOnlyItsSetUpOpen) {
  const Caller admin = User("admin@example.com");  // the first user administers
  Reply refused = Call("PATCH", "/api/v1/admin/settings", admin, R"({"require_totp": true})");
  EXPECT_EQ(refused.status, 400) << "not before the administrator has one";
  EXPECT_EQ(refused.json["error"]["field"], "require_totp");
  const Caller ada = User("ada@example.com");
  ASSERT_TRUE(store_->accounts().SetSetting("require_totp", "true").ok());
  Reply blocked = Call("GET", "/api/v1/monitors", ada);
  EXPECT_EQ(blocked.status, 403);
  EXPECT_NE(blocked.raw.body.find("second factor"), std::string::npos);
  EXPECT_EQ(
      Call("POST", "/api/v1/monitors", ada, R"({"name": "x", "url": "https://x.example/"})").status,
      403);
  EXPECT_EQ(Call("GET", "/api/v1/account", ada).status, 200);
  Reply setup =
      Call("POST", "/api/v1/account/totp", ada, nlohmann::json{{"password", kPassword}}.dump());
  EXPECT_EQ(setup.status, 200) << setup.raw.body;
  EXPECT_EQ(Call("DELETE", "/api/v1/session", ada).status, 204);
}

}  // namespace
}  // namespace tocsin::api
