// Users' alert settings end to end through `tocsin serve`: a channel made
// over the API carries a test notification and, once the workspace's policy
// names it, the alert of an API monitor going down; the owner's address is
// left out when the policy says so, and a maintenance window holds alerts.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/temp_dir.h"
#include "support/notify_sinks.h"
#include "support/serve_process.h"

namespace tocsin::testing {
namespace {

using std::chrono::seconds;

class AlertSettingsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sinks_ = std::make_unique<NotifySinks>(dir_ + "/sinks", SinkOptions{.tls = false});
    serve_.WriteConfig(
        "server:\n  allow_cidrs: [127.0.0.2/32]\n"
        "  smtp: {host: 127.0.0.2, port: " +
        std::to_string(sinks_->smtp) +
        ", tls: none, from: \"Tocsin <alerts@tocsin.test>\"}\n"
        "alerts:\n  group_window: 0s\n");
    ASSERT_TRUE(serve_.Start(FreePort())) << serve_.Log();
  }

  nlohmann::json Call(const std::string& method, const std::string& path,
                      const nlohmann::json& body = nullptr, long expect = 0) {
    HttpReply r = HttpCall(
        serve_.address(), method, path, body.is_null() ? "" : body.dump(),
        {"Authorization: Bearer " + serve_.AdminToken(), "Content-Type: application/json"});
    if (expect != 0) {
      EXPECT_EQ(r.status, expect) << method << " " << path << ": " << r.body;
    }
    return r.Json();
  }

  TempDir tmp_{"tocsin-alert-settings-e2e"};
  const std::string dir_ = tmp_.path();
  std::unique_ptr<NotifySinks> sinks_;
  ServeProcess serve_{dir_ + "/serve"};
};

TEST_F(AlertSettingsE2eTest, AChannelMadeOverTheApiCarriesTheTestAndTheAlert) {
  const nlohmann::json channel =
      Call("POST", "/api/v1/channels",
           {{"name", "pager"}, {"type", "webhook"}, {"url", sinks_->HttpUrl("/ok/pager")}}, 201);
  const std::string path = "/api/v1/channels/" + std::to_string(channel["id"].get<int64_t>());
  const nlohmann::json test = Call("POST", path + "/test", nullptr, 202);
  ASSERT_TRUE(NotifySinks::WaitFor(
      [&] {
        return Call("GET", path + "/tests/" + test["test_id"].get<std::string>())["state"] ==
               "delivered";
      },
      seconds(20)))
      << serve_.Log();
  auto hooks = sinks_->RequestsTo("/ok/pager");
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(hooks[0]["body"].get<std::string>())["type"],
            "tocsin.notice.test");

  const int64_t ws = Call("GET", "/api/v1/account")["personal_workspace_id"];
  Call("PUT", "/api/v1/workspaces/" + std::to_string(ws) + "/alert-policy",
       {{"notify", {"pager"}}, {"email_owner", false}, {"recheck_after", "1s"}}, 200);
  Call("POST", "/api/v1/monitors",
       {{"name", "gone"},
        {"url", sinks_->HttpUrl("/fail/gone")},
        {"interval_s", 10},
        {"check", {{"timeout", "2s"}}}},
       201);
  ASSERT_TRUE(NotifySinks::WaitFor([&] { return sinks_->RequestsTo("/ok/pager").size() >= 2; },
                                   seconds(40)))
      << serve_.Log();
  hooks = sinks_->RequestsTo("/ok/pager");
  const auto notice = nlohmann::json::parse(hooks[1]["body"].get<std::string>());
  EXPECT_EQ(notice["type"], "tocsin.notice.opened");
  EXPECT_NE(hooks[1]["body"].get<std::string>().find("gone"), std::string::npos);
  // The policy left the owner's address out: no mail.
  EXPECT_TRUE(sinks_->Mails().empty());
}

TEST_F(AlertSettingsE2eTest, AMaintenanceWindowHoldsTheAlertsOfItsMonitors) {
  Call("POST", "/api/v1/channels",
       {{"name", "pager"}, {"type", "webhook"}, {"url", sinks_->HttpUrl("/ok/held")}}, 201);
  const int64_t ws = Call("GET", "/api/v1/account")["personal_workspace_id"];
  Call("PUT", "/api/v1/workspaces/" + std::to_string(ws) + "/alert-policy",
       {{"notify", {"pager"}}, {"email_owner", false}, {"recheck_after", "1s"}}, 200);
  // Open now, for a day: every monitor of the workspace.
  const auto now = std::chrono::system_clock::now() - std::chrono::hours(1);
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  char start[32];
  std::strftime(start, sizeof(start), "%Y-%m-%d %H:%M", std::gmtime(&t));
  Call("POST", "/api/v1/maintenance", {{"name", "all day"}, {"start", start}, {"duration", "1d"}},
       201);
  Call("POST", "/api/v1/monitors",
       {{"name", "held"},
        {"url", sinks_->HttpUrl("/fail/held")},
        {"interval_s", 10},
        {"check", {{"timeout", "2s"}}}},
       201);
  // The incident opens (held) and nothing is sent.
  ASSERT_TRUE(NotifySinks::WaitFor(
      [&] {
        const auto page = Call("GET", "/api/v1/incidents");
        return page.contains("incidents") && !page["incidents"].empty();
      },
      seconds(40)))
      << serve_.Log();
  EXPECT_EQ(Call("GET", "/api/v1/incidents")["incidents"][0]["held"], true);
  EXPECT_TRUE(sinks_->RequestsTo("/ok/held").empty());
}

}  // namespace
// A monitor that depends on another, both down: the parent alerts, the
// dependent's incident is held (its alert waits for the parent to be up).
TEST_F(AlertSettingsE2eTest, ADependentMonitorsAlertIsHeldWhileItsParentIsDown) {
  Call("POST", "/api/v1/channels",
       {{"name", "pager"}, {"type", "webhook"}, {"url", sinks_->HttpUrl("/ok/deps")}}, 201);
  const int64_t ws = Call("GET", "/api/v1/account")["personal_workspace_id"];
  Call("PUT", "/api/v1/workspaces/" + std::to_string(ws) + "/alert-policy",
       {{"notify", {"pager"}}, {"email_owner", false}, {"recheck_after", "1s"}}, 200);
  const nlohmann::json network = Call("POST", "/api/v1/monitors",
                                      {{"name", "network"},
                                       {"url", sinks_->HttpUrl("/fail/network")},
                                       {"interval_s", 10},
                                       {"check", {{"timeout", "2s"}}}},
                                      201);
  // The parent is down first (the hold covers a dependent that fails while
  // its parent is down, not one that failed before).
  ASSERT_TRUE(NotifySinks::WaitFor(
      [&] { return !Call("GET", "/api/v1/incidents")["incidents"].empty(); }, seconds(40)))
      << serve_.Log();
  const nlohmann::json site = Call("POST", "/api/v1/monitors",
                                   {{"name", "site"},
                                    {"url", sinks_->HttpUrl("/fail/site")},
                                    {"interval_s", 10},
                                    {"depends_on", network["id"]},
                                    {"check", {{"timeout", "2s"}}}},
                                   201);
  EXPECT_EQ(site["depends_on"], network["id"]);
  // Both incidents open; the site's is held.
  nlohmann::json held;
  ASSERT_TRUE(NotifySinks::WaitFor(
      [&] {
        const nlohmann::json list = Call("GET", "/api/v1/incidents");
        bool parent_open = false;
        held = nullptr;
        for (const auto& i : list["incidents"]) {
          parent_open = parent_open || i["monitor_id"] == network["id"];
          if (i["monitor_id"] == site["id"] && i["held"].get<bool>()) held = i;
        }
        return parent_open && !held.is_null() && !sinks_->RequestsTo("/ok/deps").empty();
      },
      seconds(60)))
      << serve_.Log();
  for (const auto& hook : sinks_->RequestsTo("/ok/deps")) {
    const std::string body = hook["body"].get<std::string>();
    EXPECT_NE(body.find("network"), std::string::npos) << body;
    EXPECT_EQ(body.find("\"site\""), std::string::npos) << "the held alert went out: " << body;
  }
}

}  // namespace tocsin::testing
