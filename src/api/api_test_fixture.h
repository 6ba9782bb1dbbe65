// For the API's tests: a Router over the real account rules and a real
// SQLite store, with mail captured and a monitor catalog without a
// scheduler; callers log in through the routes themselves.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/account_routes.h"
#include "api/admin_routes.h"
#include "api/alert_settings.h"
#include "api/console.h"
#include "api/export.h"
#include "api/json.h"
#include "api/monitor_stats.h"
#include "api/monitors.h"
#include "api/notice_routes.h"
#include "api/security_routes.h"
#include "api/status_pages.h"
#include "api/status_public.h"
#include "api/stored_catalog_for_tests.h"
#include "api/summary_routes.h"
#include "api/team_routes.h"
#include "core/temp_dir.h"
#include "store/store.h"

namespace tocsin::api {

inline constexpr const char* kPassword = "vellum orbit quasar tundra 47";

struct Reply {
  int status = 0;
  nlohmann::json json;
  Response raw;
  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : raw.headers) {
      if (k == name) return v;
    }
    return "";
  }
};

// A logged-in caller: the cookie and its CSRF token, or a bearer token.
struct Caller {
  std::string cookie;
  std::string csrf;
  std::string bearer;
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::OpenSqliteStore({.path = dir_.path() + "/tocsin.db"});
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    accounts_ = std::make_unique<account::Accounts>(
        *store_,
        [this](const std::string& to, const std::string&, const std::string& text,
               const std::string&) {
          mail_[to] = text;
          return Status();
        },
        account::AccountOptions{});
    catalog_ = std::make_unique<StoredCatalog>(*store_);
    context_ = ApiContext{accounts_.get(), store_.get(), false};
    context_.addresses_changed = [this] { ++addresses_changed_; };
    context_.accounts_changed = [this] { ++accounts_changed_; };
    router_.Add(AccountRoutes(context_));
    router_.Add(MonitorRoutes(context_, *catalog_, latest_));
    router_.Add(MonitorStatsRoutes(context_, *catalog_));
    router_.Add(AlertSettingsRoutes(context_, *catalog_));
    router_.Add(SecurityRoutes(context_));
    router_.Add(TeamRoutes(context_));
    router_.Add(NoticeRoutes(context_));
    router_.Add(AdminRoutes(context_, *catalog_, traffic_));
    router_.SetTraffic(traffic_);
    router_.Add(ExportRoutes(context_, *catalog_));
    weekly_ = std::make_unique<report::WeeklyJob>(
        *store_, report::WeeklyJobOptions{.public_url = "https://tocsin.test",
                                          .unsubscribe_key = "weekly-key"});
    router_.Add(SummaryRoutes(context_, *weekly_));
    router_.Add(StatusPageRoutes(context_));
    // No page cache: a test sees each change at once.
    router_.Add(StatusPublicRoutes(context_, latest_, page_cache_));
    router_.SetFallback([this](const Request& r) {
      if (auto page = StatusPageOfHost(context_, latest_, *page_cache_, r)) return std::move(*page);
      return Response::Text(404, "not found\n");
    });
  }

  Reply Call(const std::string& method, const std::string& target, const Caller& who = {},
             const std::string& body = "", const std::string& content_type = "application/json") {
    Request r;
    r.method = method;
    r.target = target;
    const size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.remote_address = "127.0.0.1:40000";
    if (!body.empty()) r.headers.emplace_back("Content-Type", content_type);
    if (!who.cookie.empty()) r.headers.emplace_back("Cookie", "tocsin_session=" + who.cookie);
    if (!who.csrf.empty()) r.headers.emplace_back("X-CSRF-Token", who.csrf);
    if (!who.bearer.empty()) r.headers.emplace_back("Authorization", "Bearer " + who.bearer);
    r.body = body;
    Reply reply;
    reply.raw = router_.Dispatch(r);
    reply.status = reply.raw.status;
    reply.json = nlohmann::json::parse(reply.raw.body, nullptr, false);
    return reply;
  }

  // Registers, confirms through the mailed link, logs in.
  Caller User(const std::string& email) {
    nlohmann::json reg = {{"name", "N"},
                          {"email", email},
                          {"password", kPassword},
                          {"age_confirmed", true},
                          {"policy_accepted", true}};
    EXPECT_EQ(Call("POST", "/api/v1/account", {}, reg.dump()).status, 202);
    const std::string& text = mail_[email];
    const size_t at = text.find("/confirm/");
    EXPECT_NE(at, std::string::npos);
    const std::string token = text.substr(at + 9, text.find('\n', at) - at - 9);
    EXPECT_EQ(Call("POST", "/confirm/" + token, {}, "", "").status, 200);
    Reply login = Call("POST", "/api/v1/session", {},
                       nlohmann::json{{"email", email}, {"password", kPassword}}.dump());
    EXPECT_EQ(login.status, 200) << login.raw.body;
    const std::string set_cookie = login.Header("Set-Cookie");
    Caller c;
    c.cookie = set_cookie.substr(15, set_cookie.find(';') - 15);
    c.csrf = login.json.value("csrf_token", "");
    return c;
  }

  // The first column of the first row `sql` reads from the test's database
  // file (a connection of its own), or -1.
  int64_t CountRows(const std::string& sql) {
    sqlite3* db = nullptr;
    int64_t n = -1;
    if (sqlite3_open_v2((dir_.path() + "/tocsin.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
        SQLITE_OK) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
  }

  int64_t CreateMonitor(const Caller& who, const std::string& name = "shop") {
    Reply r = Call("POST", "/api/v1/monitors", who,
                   nlohmann::json{{"name", name}, {"url", "https://shop.example/"}}.dump());
    EXPECT_EQ(r.status, 201) << r.raw.body;
    return r.json.value("id", 0);
  }

  TempDir dir_{"tocsin-api-test"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<account::Accounts> accounts_;
  std::unique_ptr<StoredCatalog> catalog_;
  std::unique_ptr<report::WeeklyJob> weekly_;  // never started: tests call it
  std::shared_ptr<StatusPageCache> page_cache_ = std::make_shared<StatusPageCache>(0);
  pipeline::LatestStates latest_;
  ApiContext context_;
  Router router_;
  std::shared_ptr<Traffic> traffic_ = std::make_shared<Traffic>(0);
  std::map<std::string, std::string> mail_;
  int addresses_changed_ = 0;  // times the app was told to rebuild alert channels
  int accounts_changed_ = 0;   // times the app was told to reload its monitors
};

}  // namespace tocsin::api
