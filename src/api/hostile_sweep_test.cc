// The hostile list, generated over every route the server mounts (the same
// router as the server, AllRoutes), so a route added later is swept
// without anyone remembering to: a stranger guessing another workspace's
// ids, no credentials, a cookie without its CSRF token, a read-only token
// writing, and malformed bodies. Which routes are public and which take a
// JSON body comes from docs/openapi.json (kept equal to the routes by
// OpenApiTest). Afterwards the victim's export must be unchanged: nothing
// was half-applied by any refused request.
#include <set>

#include "api/api_test_fixture.h"
#include "api/openapi.h"
#include "api/routes.h"

namespace tocsin::api {
namespace {

using RouteKey = std::pair<std::string, std::string>;  // method, pattern

class HostileSweepTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    auto alerts = alert::AlertEngine::Start(store_->alerts(), {}, nullptr, nullptr);
    ASSERT_TRUE(alerts.ok());
    alerts_ = std::move(*alerts);
    router_ = AllRoutes(
        {context_, catalog_.get(), &latest_, alerts_.get(), "key", &metrics_, weekly_.get()});
    doc_ = nlohmann::json::parse(OpenApiDocument());
    BuildVictim();
  }

  const nlohmann::json& Operation(const RouteKey& route) const {
    std::string method = route.first;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return doc_["paths"][route.second][method];
  }
  bool Public(const RouteKey& route) const {
    const auto& op = Operation(route);
    return op.contains("security") && op["security"].empty();
  }
  bool TakesJson(const RouteKey& route) const {
    const auto& op = Operation(route);
    return op.contains("requestBody") && op["requestBody"]["content"].contains("application/json");
  }
  static bool Changes(const RouteKey& route) {
    return route.first != "GET" && route.first != "HEAD";
  }

  static std::string Id(const nlohmann::json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
  }

  // Ada owns one of everything an id can name.
  void BuildVictim() {
    ada_ = User("ada@example.com");
    eve_ = User("eve@example.com");
    Reply me = Call("GET", "/api/v1/account", ada_);
    ids_["user_id"] = Id(me.json["id"]);
    ids_["/api/v1/admin/users/"] = Id(me.json["id"]);
    ids_["/api/v1/workspaces/"] = Id(me.json["personal_workspace_id"]);
    const int64_t monitor = CreateMonitor(ada_);
    ids_["/api/v1/monitors/"] = std::to_string(monitor);
    Reply channel =
        Call("POST", "/api/v1/channels", ada_,
             R"({"name": "pager", "type": "webhook", "url": "https://hooks.example/x"})");
    ASSERT_EQ(channel.status, 201) << channel.raw.body;
    ids_["/api/v1/channels/"] = Id(channel.json["id"]);
    Reply test = Call("POST", "/api/v1/channels/" + ids_["/api/v1/channels/"] + "/test", ada_);
    ASSERT_EQ(test.status, 202) << test.raw.body;
    ids_["test_id"] = Id(test.json["test_id"]);
    Reply window = Call("POST", "/api/v1/maintenance", ada_,
                        R"({"name": "nightly", "start": "2030-01-01 00:00", "duration": "1h"})");
    ASSERT_EQ(window.status, 201) << window.raw.body;
    ids_["/api/v1/maintenance/"] = Id(window.json["id"]);
    Reply token = Call("POST", "/api/v1/tokens", ada_, R"({"name": "reader"})");
    ASSERT_EQ(token.status, 201) << token.raw.body;
    ids_["/api/v1/tokens/"] = Id(token.json["id"]);
    reader_.bearer = token.json["token"];
    Reply team = Call("POST", "/api/v1/teams", ada_, R"({"name": "Ops"})");
    ASSERT_EQ(team.status, 201);
    ids_["/api/v1/teams/"] = Id(team.json["id"]);
    Reply sessions = Call("GET", "/api/v1/account/sessions", ada_);
    ASSERT_EQ(sessions.status, 200) << sessions.raw.body;
    ids_["/api/v1/account/sessions/"] = Id(sessions.json["sessions"][0]["id"]);
    model::Incident inc;
    inc.id = 1;
    inc.monitor = static_cast<model::MonitorId>(monitor);
    inc.started_ms = NowMs() - 60'000;
    inc.confirmed_ms = inc.started_ms;
    inc.cause.monitor = inc.monitor;
    inc.cause.ts_ms = inc.started_ms;
    inc.cause.outcome = model::Outcome::kTimeout;
    ASSERT_TRUE(store_->alerts().Apply(std::vector{inc}, {}).ok());
    ids_["/api/v1/incidents/"] = "1";
    Reply page = Call("POST", "/api/v1/status-pages", ada_,
                      nlohmann::json{{"slug", "acme"}, {"monitors", {monitor}}}.dump());
    ASSERT_EQ(page.status, 201) << page.raw.body;
    ids_["/api/v1/status-pages/"] = Id(page.json["id"]);
    Reply post = Call("POST", "/api/v1/status-pages/" + ids_["/api/v1/status-pages/"] + "/posts",
                      ada_, R"({"title": "Slow", "state": "investigating", "message": "m"})");
    ASSERT_EQ(post.status, 201) << post.raw.body;
    ids_["post_id"] = Id(post.json["id"]);
    ids_["monitor"] = std::to_string(monitor);
  }

  // The route's pattern with Ada's ids in place of its placeholders; "" for
  // a route keyed by a mailed secret ({token}), which no one guesses.
  std::string Target(const std::string& pattern) {
    if (pattern.find("{token}") != std::string::npos) return "";
    std::string out = pattern;
    auto put = [&](const std::string& placeholder, const std::string& value) {
      const size_t at = out.find(placeholder);
      if (at != std::string::npos) out.replace(at, placeholder.size(), value);
    };
    put("{user_id}", ids_["user_id"]);
    put("{test_id}", ids_["test_id"]);
    put("{post_id}", ids_["post_id"]);
    put("{slug}", "acme");
    put("{monitor}", ids_["monitor"]);
    put("{kind}", "status.svg");
    for (const auto& [prefix, id] : ids_) {
      if (prefix.starts_with("/") && out.starts_with(prefix + "{id}")) put("{id}", id);
    }
    EXPECT_EQ(out.find('{'), std::string::npos) << "no id of Ada's for " << pattern;
    return out;
  }

  // A body Ada could send to the route (so a refusal is about who asks,
  // not about what was sent).
  static std::string BodyFor(const RouteKey& route) {
    static const std::map<RouteKey, std::string> bodies = {
        {{"PATCH", "/api/v1/monitors/{id}"}, R"({"name": "pwned"})"},
        {{"PATCH", "/api/v1/channels/{id}"}, R"({"url": "https://evil.example/"})"},
        {{"PATCH", "/api/v1/admin/users/{id}"}, R"({"disabled": true})"},
        {{"PUT", "/api/v1/workspaces/{id}/alert-policy"}, R"({"level": "all"})"},
        {{"POST", "/api/v1/teams/{id}/invitations"},
         R"({"email": "eve@example.com", "role": "owner"})"},
        {{"PATCH", "/api/v1/teams/{id}/members/{user_id}"}, R"({"role": "viewer"})"},
        {{"DELETE", "/api/v1/teams/{id}"}, R"({"password": "vellum orbit quasar tundra 47"})"},
    };
    const auto it = bodies.find(route);
    return it == bodies.end() ? "" : it->second;
  }

  nlohmann::json Export() {
    Reply out = Call("GET", "/api/v1/account/export", ada_);
    EXPECT_EQ(out.status, 200);
    nlohmann::json j = out.json;
    j.erase("exported_ms");
    j.erase("sessions");  // last-seen times move with every request
    for (auto& w : j["workspaces"]) {
      for (auto& t : w["your_tokens"]) t.erase("last_used_ms");  // so does a token's
    }
    return j;
  }

  std::unique_ptr<alert::AlertEngine> alerts_;
  core::Registry metrics_;
  nlohmann::json doc_;
  Caller ada_, eve_, reader_;
  std::map<std::string, std::string> ids_;
};

TEST_F(HostileSweepTest, EveryRouteRefusesStrangersAnonymousForgedAndMalformedRequests) {
  const auto routes = router_.Routes();
  ASSERT_GT(routes.size(), 60u);
  const nlohmann::json before = Export();
  int swept_ids = 0;

  for (const RouteKey& route : routes) {
    const auto& [method, pattern] = route;
    SCOPED_TRACE(method + " " + pattern);
    const std::string target = Target(pattern);
    const std::string body = BodyFor(route);

    // A stranger guessing Ada's ids: as if they did not exist (or not
    // allowed), never a success, never a server error.
    if (pattern.find('{') != std::string::npos && !target.empty() && !Public(route)) {
      Reply r = Call(method, target, eve_, body);
      EXPECT_TRUE(r.status == 404 || r.status == 403) << r.status << " " << r.raw.body;
      ++swept_ids;
    }
    if (target.empty() || Public(route)) continue;

    // No credentials.
    Reply anonymous = Call(method, target, {}, body);
    EXPECT_EQ(anonymous.status, 401) << anonymous.raw.body;
    EXPECT_EQ(anonymous.json["error"]["code"], "unauthenticated");

    if (!Changes(route)) continue;
    // The cookie without its CSRF token, or with a wrong one.
    EXPECT_EQ(Call(method, target, {.cookie = ada_.cookie}, body).status, 403);
    EXPECT_EQ(Call(method, target, {.cookie = ada_.cookie, .csrf = "forged"}, body).status, 403);
    // A read-only token writes nothing.
    Reply read_only = Call(method, target, reader_, body);
    EXPECT_EQ(read_only.status, 403) << read_only.raw.body;
  }
  EXPECT_GE(swept_ids, 20) << "the id-guessing sweep reached too few routes";

  // Malformed bodies to every route that reads JSON, public or not, sent
  // with Ada's own rights: a 4xx with a JSON error, never a 5xx.
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  const std::vector<std::pair<std::string, std::string>> malformed = {
      {"{", "application/json"},
      {"[]", "application/json"},
      {"\"text\"", "application/json"},
      {R"({"name": 1e999999})", "application/json"},
      {"{\"a\": \"\xff\xfe\"}", "application/json"},
      {deep, "application/json"},
      {R"({"name": "x"})", "text/plain"},
  };
  for (const RouteKey& route : routes) {
    if (!TakesJson(route)) continue;
    const std::string target = Target(route.second);
    if (target.empty()) continue;
    for (const auto& [bad, type] : malformed) {
      SCOPED_TRACE(route.first + " " + route.second + " " + bad.substr(0, 40) + " as " + type);
      Reply r = Call(route.first, target, ada_, bad, type);
      EXPECT_GE(r.status, 400);
      EXPECT_LT(r.status, 500) << r.raw.body;
      EXPECT_TRUE(r.json.contains("error")) << r.raw.body;
    }
  }

  // Nothing of Ada's changed, and her session still works.
  EXPECT_EQ(Export(), before);
  EXPECT_EQ(Call("GET", "/api/v1/monitors/" + ids_["/api/v1/monitors/"], ada_).status, 200);
}

}  // namespace
}  // namespace tocsin::api
