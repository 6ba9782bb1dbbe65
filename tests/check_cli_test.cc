// `tocsin check` as a user runs it: exit statuses, text and JSON output.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "support/target_server.h"

namespace tocsin::testing {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

CliRun RunTocsin(const std::string& args) {
  const TargetServer& server = TargetServer::Get();
  const std::string command =
      std::string(TOCSIN_BINARY) + " " + args + " --dns-server " + server.DnsServer() + " 2>&1";
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) run.out.append(buf, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST(CheckCliTest, PassingCheckExitsZeroAndPrintsPhases) {
  const TargetServer& server = TargetServer::Get();
  CliRun run = RunTocsin("check --allow-cidr 127.0.0.2/32 " + server.HttpUrl("/ok"));
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("HTTP/1.1 200"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("first byte"), std::string::npos);
  EXPECT_NE(run.out.find("outcome     ok"), std::string::npos);
}

TEST(CheckCliTest, JsonOutputCarriesResultAndOptions) {
  const TargetServer& server = TargetServer::Get();
  CliRun run = RunTocsin(
      "check --json --allow-cidr 127.0.0.2/32 --timeout 3s --keyword tocsin "
      "https://www.tocsin.test:" +
      std::to_string(server.tls_valid) + "/ok --ca-file " + server.ca_file);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["outcome"], "ok");
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["ip"], "127.0.0.2");
  EXPECT_EQ(j["host"], "www.tocsin.test");
  EXPECT_EQ(j["certificate"]["subject"], "CN=valid.tocsin.test");
  EXPECT_GT(j["timings_us"]["tls"].get<int64_t>(), 0);
  EXPECT_EQ(j["check"]["timeout"], "3s");
  EXPECT_EQ(j["check"]["keyword"], "tocsin");
}

TEST(CheckCliTest, FailingCheckExitsOne) {
  const TargetServer& server = TargetServer::Get();
  CliRun run = RunTocsin("check --json --allow-cidr 127.0.0.2/32 " + server.HttpUrl("/status/500"));
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_EQ(nlohmann::json::parse(run.out)["outcome"], "http_status");
}

TEST(CheckCliTest, LoopbackIsBlockedWithoutAllowPrivate) {
  const TargetServer& server = TargetServer::Get();
  CliRun run = RunTocsin("check " + server.HttpUrl("/ok"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("blocked_address"), std::string::npos) << run.out;
}

TEST(CheckCliTest, MalformedUrlIsBadUsage) {
  CliRun run = RunTocsin("check 'http://exa mple.com/'");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.out.find("malformed URL"), std::string::npos) << run.out;
}

TEST(CheckCliTest, UnsupportedSchemeIsBadUsage) {
  CliRun run = RunTocsin("check ftp://example.com/");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.out.find("only http and https"), std::string::npos) << run.out;
}

TEST(CheckCliTest, BadOptionValuesAreBadUsage) {
  EXPECT_EQ(RunTocsin("check --timeout soon http://example.com/").exit_code, 2);
  EXPECT_EQ(RunTocsin("check --expect-status 2xx http://example.com/").exit_code, 2);
  EXPECT_EQ(RunTocsin("check --regex '(' http://example.com/").exit_code, 2);
  EXPECT_EQ(RunTocsin("check -H 'no colon' http://example.com/").exit_code, 2);
  EXPECT_EQ(RunTocsin("check --allow-cidr 10.0.0.0/40 http://example.com/").exit_code, 2);
  EXPECT_EQ(RunTocsin("check --no-such-flag http://example.com/").exit_code, 2);
  EXPECT_EQ(RunTocsin("check --dns-server dns.example.com http://example.com/").exit_code, 2);
  EXPECT_EQ(RunTocsin("check --max-redirects lots http://example.com/").exit_code, 2);
  EXPECT_EQ(RunTocsin("check --ip-version 5 http://example.com/").exit_code, 2);
  EXPECT_EQ(RunTocsin("check").exit_code, 2);
}

}  // namespace
}  // namespace tocsin::testing
