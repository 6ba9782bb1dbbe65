// `tocsin serve` end to end: a real process with a YAML config, checking
// the target server on schedule into a real SQLite file; reloads, bad
// input, and kill -9.
#include <signal.h>
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/temp_dir.h"
#include "support/serve_process.h"
#include "support/target_server.h"

namespace tocsin::testing {
namespace {

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::seconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

int64_t QueryInt(const std::string& db_path, const char* sql) {
  sqlite3* db = nullptr;
  int64_t value = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return value;
}

std::string IntegrityCheck(const std::string& db_path) {
  sqlite3* db = nullptr;
  std::string out;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

// Reads one sample of a metric (exact line prefix) from /metrics.
double Metric(const std::string& address, const std::string& name) {
  const std::string text = HttpGet(address, "/metrics");
  const size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

class ServeTest : public ::testing::Test {
 protected:
  // The server part of every config: the target server's address allowed,
  // its DNS used.
  std::string ServerYaml() const {
    const TargetServer& t = TargetServer::Get();
    return "server:\n  allow_cidrs: [" + t.host + "/32]\n  dns_servers: [\"" + t.DnsServer() +
           "\"]\n";
  }
  std::string Monitor(const std::string& name, const std::string& path) const {
    return "  - name: " + name + "\n    url: " + TargetServer::Get().HttpUrl(path) +
           "\n    interval: 10s\n    timeout: 2s\n";
  }
  std::string db() const { return dir_ + "/data/tocsin.db"; }

  nlohmann::json Monitors(ServeProcess& serve) {
    const std::string body = serve.ApiGet("/api/v1/monitors");
    return body.empty() ? nlohmann::json::array() : nlohmann::json::parse(body);
  }

  TempDir tmp_{"tocsin-serve-test"};
  const std::string dir_ = tmp_.path();
};

TEST_F(ServeTest, ChecksMonitorsOnScheduleAndKeepsTheirResults) {
  ServeProcess serve(dir_);
  serve.WriteConfig(ServerYaml() + "monitors:\n" + Monitor("up", "/ok") +
                    Monitor("down", "/status/503"));
  ASSERT_TRUE(serve.Start(FreePort())) << serve.Log();
  EXPECT_NE(serve.Log().find("2 monitors"), std::string::npos) << serve.Log();
  ASSERT_TRUE(WaitFor([&] {
    auto list = Monitors(serve);
    return list.size() == 2 && list[0].contains("latest") && list[1].contains("latest");
  })) << serve.Log();
  auto list = Monitors(serve);
  EXPECT_EQ(list[0]["name"], "up");
  EXPECT_EQ(list[0]["latest"]["outcome"], "ok");
  EXPECT_EQ(list[1]["latest"]["outcome"], "http_status");
  EXPECT_EQ(list[1]["latest"]["detail"], "status 503, expected 200-299");
  ASSERT_TRUE(WaitFor([&] { return Metric(serve.address(), "tocsin_results_committed") >= 2; }));
  EXPECT_GE(Metric(serve.address(), "tocsin_checks_total{outcome=\"ok\"}"), 1);
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0);
  EXPECT_GE(QueryInt(db(), "SELECT count(*) FROM results"), 2);
  EXPECT_EQ(QueryInt(db(), "SELECT count(*) FROM result_details"),
            QueryInt(db(), "SELECT count(*) FROM results WHERE outcome != 0"));
  EXPECT_GE(QueryInt(db(), "SELECT count(*) FROM rollups WHERE level = 2"), 2);
}

TEST_F(ServeTest, BadConfigIsRefusedWithItsLine) {
  ServeProcess serve(dir_);
  serve.WriteConfig(ServerYaml() + "monitors:\n  - name: x\n    url: ftp://example.com/\n");
  EXPECT_EQ(serve.RunToExit(FreePort()), 2);
  EXPECT_NE(serve.Log().find("tocsin.yaml:6"), std::string::npos) << serve.Log();
  EXPECT_NE(serve.Log().find("only http and https"), std::string::npos) << serve.Log();
}

TEST_F(ServeTest, MalformedListenFlagIsBadUsageNamingTheFlag) {
  ServeProcess serve(dir_);
  serve.WriteConfig(ServerYaml());
  EXPECT_EQ(serve.RunToExit(std::string("myhost:8080")), 2);
  EXPECT_NE(serve.Log().find("--listen: invalid listen address 'myhost:8080'"), std::string::npos)
      << serve.Log();
}

TEST_F(ServeTest, BusyListenAddressFailsStartUp) {
  ServeProcess first(dir_ + "/a");
  std::filesystem::create_directories(dir_ + "/a");
  first.WriteConfig(ServerYaml());
  const int port = FreePort();
  ASSERT_TRUE(first.Start(port)) << first.Log();
  ServeProcess second(dir_ + "/b");
  std::filesystem::create_directories(dir_ + "/b");
  second.WriteConfig(ServerYaml());
  EXPECT_EQ(second.RunToExit(port), 1);
  EXPECT_NE(second.Log().find("Address already in use"), std::string::npos) << second.Log();
}

TEST_F(ServeTest, ReloadAppliesAGoodConfigAndKeepsTheRunningSetOnABadOne) {
  ServeProcess serve(dir_);
  serve.WriteConfig(ServerYaml() + "monitors:\n" + Monitor("one", "/ok"));
  ASSERT_TRUE(serve.Start(FreePort())) << serve.Log();
  ASSERT_EQ(Monitors(serve).size(), 1u);

  serve.WriteConfig(ServerYaml() + "monitors:\n" + Monitor("one", "/ok") +
                    "  - name: two\n    url: http://x/\n    interval: 1s\n");
  serve.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] {
    return serve.Log().find("config reload failed") != std::string::npos;
  })) << serve.Log();
  EXPECT_NE(serve.Log().find("tocsin.yaml:11"), std::string::npos) << serve.Log();
  EXPECT_EQ(Monitors(serve).size(), 1u);

  serve.WriteConfig(ServerYaml() + "monitors:\n" + Monitor("one", "/ok") + Monitor("two", "/json"));
  serve.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return Monitors(serve).size() == 2; })) << serve.Log();
  EXPECT_EQ(Monitors(serve)[1]["name"], "two");
  ASSERT_TRUE(WaitFor([&] { return Metric(serve.address(), "tocsin_monitors") == 2; }));
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0);
}

TEST_F(ServeTest, KillNineLosesNoCommittedResultAndRestartsCleanly) {
  ServeProcess serve(dir_);
  std::string monitors = "monitors:\n";
  for (int i = 0; i < 20; ++i) monitors += Monitor("m" + std::to_string(i), "/ok");
  serve.WriteConfig(ServerYaml() + monitors);
  ASSERT_TRUE(serve.Start(FreePort())) << serve.Log();
  ASSERT_TRUE(WaitFor([&] { return Metric(serve.address(), "tocsin_results_committed") >= 5; }))
      << serve.Log();
  const double committed = Metric(serve.address(), "tocsin_results_committed");
  serve.Signal(SIGKILL);
  EXPECT_EQ(serve.Wait(), -SIGKILL);
  EXPECT_GE(QueryInt(db(), "SELECT count(*) FROM results"), static_cast<int64_t>(committed));
  EXPECT_EQ(IntegrityCheck(db()), "ok");

  ServeProcess again(dir_);
  ASSERT_TRUE(again.Start(FreePort())) << again.Log();
  // The same monitors keep their ids, so their history continues.
  auto list = Monitors(again);
  ASSERT_EQ(list.size(), 20u);
  EXPECT_EQ(list[0]["id"], 1);
  // Latest states come back from the store.
  const int64_t states = QueryInt(db(), "SELECT count(*) FROM monitor_state");
  EXPECT_GE(states, 1);
  int with_latest = 0;
  for (const auto& m : list) with_latest += m.contains("latest") ? 1 : 0;
  EXPECT_GE(with_latest, states);
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(), 0);
}

}  // namespace
}  // namespace tocsin::testing
