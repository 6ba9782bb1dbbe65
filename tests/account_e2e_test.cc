// Accounts end to end through `tocsin serve` and a real SMTP server
// (aiosmtpd): register, follow the confirmation link in the mail, log in,
// add a monitor that then runs, reset the password from the mailed link,
// terminate the account, and find nothing of the user in the database.
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/temp_dir.h"
#include "support/notify_sinks.h"
#include "support/serve_process.h"

namespace tocsin::testing {
namespace {

using std::chrono::seconds;

constexpr const char* kPassword = "vellum orbit quasar tundra 47";
constexpr const char* kNewPassword = "lantern staple grumpy orchid 9";
constexpr const char* kJson = "Content-Type: application/json";

int64_t Count(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t value = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return value;
}

// The value of the metric `name` (no labels) the server exports, or -1.
double Metric(ServeProcess& serve, const std::string& name) {
  const std::string text = HttpCall(serve.address(), "GET", "/metrics").body;
  const std::string key = "\n" + name + " ";
  const size_t at = text.find(key);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + key.size()));
}

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The first link to `path` ("/confirm/") in the mails to `to` with this
// subject; "" until one arrives.
std::string MailedLink(const NotifySinks& sinks, const std::string& to, const std::string& subject,
                       const std::string& path) {
  const std::regex link("http://[^\\s]+" + path + "[A-Za-z0-9_-]+");
  for (const ReceivedMail& m : sinks.Mails()) {
    if (m.Header("Subject") != subject || m.rcpt_tos != std::vector<std::string>{to}) continue;
    std::smatch match;
    const std::string text = m.Part("text/plain");
    if (std::regex_search(text, match, link)) return match.str();
  }
  return "";
}

struct Session {
  std::string cookie;
  std::string csrf;
  std::vector<std::string> Headers() const {
    return {kJson, "Cookie: tocsin_session=" + cookie, "X-CSRF-Token: " + csrf};
  }
};

class AccountE2eTest : public ::testing::Test {
 protected:
  std::string Config(const NotifySinks& sinks) const {
    return "server:\n  allow_cidrs: [127.0.0.2/32]\n"
           "  smtp: {host: 127.0.0.2, port: " +
           std::to_string(sinks.smtp) + ", tls: none, from: \"Tocsin <hello@tocsin.test>\"}\n";
  }
  HttpReply Post(ServeProcess& serve, const std::string& path, const nlohmann::json& body,
                 const std::vector<std::string>& headers = {kJson}) {
    return HttpCall(serve.address(), "POST", path, body.dump(), headers);
  }
  Session LogIn(ServeProcess& serve, const std::string& email, const std::string& password) {
    HttpReply r = Post(serve, "/api/v1/session", {{"email", email}, {"password", password}});
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string cookie = r.Header("Set-Cookie");
    return {cookie.substr(15, cookie.find(';') - 15), r.Json().value("csrf_token", "")};
  }
  std::string db() const { return dir_ + "/serve/data/tocsin.db"; }

  TempDir tmp_{"tocsin-account-e2e"};
  const std::string dir_ = tmp_.path();
};

TEST_F(AccountE2eTest, RegisterConfirmMonitorResetAndTerminate) {
  NotifySinks sinks(dir_ + "/sinks", {.tls = false});
  ServeProcess serve(dir_ + "/serve");
  serve.WriteConfig(Config(sinks));
  ASSERT_TRUE(serve.Start(FreePort())) << serve.Log();
  const std::string email = "ada@example.com";

  // Register; the confirmation link comes by mail.
  HttpReply reg = Post(serve, "/api/v1/account",
                       {{"name", "Ada"},
                        {"email", email},
                        {"password", kPassword},
                        {"age_confirmed", true},
                        {"policy_accepted", true}});
  ASSERT_EQ(reg.status, 202) << reg.body;
  std::string confirm;
  ASSERT_TRUE(NotifySinks::WaitFor([&] {
    confirm = MailedLink(sinks, email, "Confirm your Tocsin account", "/confirm/");
    return !confirm.empty();
  })) << serve.Log();
  const std::string confirm_path = confirm.substr(confirm.find("/confirm/"));
  // Opening the link shows a button; a mail scanner's GET confirms nothing.
  HttpReply page = HttpCall(serve.address(), "GET", confirm_path);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<form method=\"post\">"), std::string::npos) << page.body;
  EXPECT_EQ(Post(serve, "/api/v1/session", {{"email", email}, {"password", kPassword}}).status, 403)
      << "nothing until the address is confirmed";
  HttpReply confirmed = HttpCall(serve.address(), "POST", confirm_path);
  EXPECT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(HttpCall(serve.address(), "POST", confirm_path).status, 404) << "single use";

  // Log in and add a monitor: it runs.
  Session ada = LogIn(serve, email, kPassword);
  HttpReply made = Post(serve, "/api/v1/monitors",
                        {{"name", "shop"},
                         {"url", sinks.HttpUrl("/ok/shop")},
                         {"interval_s", 10},
                         {"check", {{"timeout", "2s"}, {"expect_status", "200"}}}},
                        ada.Headers());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string monitor = std::to_string(made.Json()["id"].get<int64_t>());
  nlohmann::json results;
  ASSERT_TRUE(NotifySinks::WaitFor(
      [&] {
        HttpReply r = HttpCall(serve.address(), "GET", "/api/v1/monitors/" + monitor + "/results",
                               "", ada.Headers());
        results = r.Json();
        return r.status == 200 && !results["results"].empty();
      },
      seconds(30)))
      << serve.Log();
  EXPECT_EQ(results["results"][0]["outcome"], "ok") << results.dump();
  EXPECT_EQ(results["results"][0]["status"], 200);
  EXPECT_EQ(results["results"][0]["ip"], "127.0.0.2");
  EXPECT_GT(results["results"][0]["total_us"].get<int64_t>(), 0);
  HttpReply summary = HttpCall(serve.address(), "GET", "/api/v1/monitors/" + monitor + "/summary",
                               "", ada.Headers());
  EXPECT_EQ(summary.status, 200);
  EXPECT_GE(summary.Json()["count"].get<int64_t>(), 1) << summary.body;
  // The administrator sees the file's monitors only, not Ada's.
  EXPECT_EQ(serve.ApiGet("/api/v1/monitors"), "[]");

  // Forgot the password: the reset link comes by mail, and its form sets a
  // new one; every session ends.
  EXPECT_EQ(Post(serve, "/api/v1/account/password-reset", {{"email", email}}).status, 202);
  std::string reset;
  ASSERT_TRUE(NotifySinks::WaitFor([&] {
    reset = MailedLink(sinks, email, "Reset your Tocsin password", "/reset/");
    return !reset.empty();
  }));
  const std::string reset_path = reset.substr(reset.find("/reset/"));
  EXPECT_NE(HttpCall(serve.address(), "GET", reset_path).body.find("type=\"password\""),
            std::string::npos);
  HttpReply changed =
      HttpCall(serve.address(), "POST", reset_path, "password=lantern+staple+grumpy+orchid+9",
               {"Content-Type: application/x-www-form-urlencoded"});
  EXPECT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(HttpCall(serve.address(), "GET", "/api/v1/account", "", ada.Headers()).status, 401);
  ada = LogIn(serve, email, kNewPassword);

  // Terminate: everything of Ada's goes, and a last mail confirms it.
  const double running = Metric(serve, "tocsin_monitors");
  EXPECT_GE(running, 1) << "Ada's monitor runs";
  HttpReply bad = HttpCall(serve.address(), "DELETE", "/api/v1/account",
                           nlohmann::json{{"password", kPassword}}.dump(), ada.Headers());
  EXPECT_EQ(bad.status, 400) << "the password is asked for";
  HttpReply gone = HttpCall(serve.address(), "DELETE", "/api/v1/account",
                            nlohmann::json{{"password", kNewPassword}}.dump(), ada.Headers());
  ASSERT_EQ(gone.status, 204) << gone.body;
  EXPECT_NE(gone.Header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  ASSERT_TRUE(NotifySinks::WaitFor([&] {
    for (const ReceivedMail& m : sinks.Mails()) {
      if (m.Header("Subject") == "Your Tocsin account is closed") return true;
    }
    return false;
  }));
  EXPECT_EQ(HttpCall(serve.address(), "GET", "/api/v1/account", "", ada.Headers()).status, 401);
  EXPECT_TRUE(NotifySinks::WaitFor([&] { return Metric(serve, "tocsin_monitors") == running - 1; },
                                   seconds(5)))
      << "her monitor stops at once, not at the next restart";
  // A check in flight at the deletion may land after it; the store's sweep
  // removes what it left within a retention pass.
  const std::string id = "(SELECT id FROM users WHERE email = '" + email + "')";
  EXPECT_TRUE(NotifySinks::WaitFor(
      [&] {
        return Count(db(), "SELECT count(*) FROM monitors WHERE id = " + monitor) == 0 &&
               Count(db(), "SELECT count(*) FROM results WHERE monitor_id = " + monitor) == 0 &&
               Count(db(), "SELECT count(*) FROM rollups WHERE monitor_id = " + monitor) == 0 &&
               Count(db(), "SELECT count(*) FROM monitor_state WHERE monitor_id = " + monitor) ==
                   0 &&
               Count(db(), "SELECT count(*) FROM outbox WHERE recipient = '" + email +
                               "' OR payload LIKE '%" + email + "%'") == 0;
      },
      seconds(40)))
      << serve.Log();
  EXPECT_EQ(Count(db(), "SELECT count(*) FROM users WHERE email = '" + email + "'"), 0);
  EXPECT_EQ(Count(db(), "SELECT count(*) FROM users"), 1) << "the test's administrator";
  EXPECT_EQ(
      Count(db(), "SELECT count(*) FROM sessions WHERE user_id NOT IN (SELECT id FROM users)"), 0);
  EXPECT_EQ(Count(db(),
                  "SELECT count(*) FROM workspaces WHERE personal_of NOT IN (SELECT id FROM "
                  "users)"),
            0);
  EXPECT_EQ(Count(db(), "SELECT count(*) FROM links"), 0);

  // The password only secures the account (docs/privacy.md, promise 1):
  // not in the log, in any mail, or in the database's files.
  for (const std::string secret : {kPassword, kNewPassword}) {
    EXPECT_EQ(serve.Log().find(secret), std::string::npos) << secret;
    for (const ReceivedMail& m : sinks.Mails()) {
      EXPECT_EQ(m.raw.find(secret), std::string::npos) << m.raw;
    }
    for (const std::string& file : {db(), db() + "-wal"}) {
      EXPECT_EQ(FileText(file).find(secret), std::string::npos) << file;
    }
  }
}

TEST_F(AccountE2eTest, LoginFloodIsThrottledAndOversizedBodiesRefused) {
  NotifySinks sinks(dir_ + "/sinks", {.http = false, .tls = false});
  ServeProcess serve(dir_ + "/serve");
  serve.WriteConfig(Config(sinks));
  ASSERT_TRUE(serve.Start(FreePort())) << serve.Log();
  ASSERT_FALSE(serve.AdminToken().empty()) << serve.Log();
  const nlohmann::json wrong = {{"email", ServeProcess::kAdminEmail}, {"password", kNewPassword}};
  int refused = 0;
  int throttled = 0;
  for (int i = 0; i < 12; ++i) {
    HttpReply r = Post(serve, "/api/v1/session", wrong);
    refused += r.status == 401;
    throttled += r.status == 429;
  }
  EXPECT_EQ(refused, 10);
  EXPECT_EQ(throttled, 2);
  // Throttled: the right password waits too.
  HttpReply right =
      Post(serve, "/api/v1/session",
           {{"email", ServeProcess::kAdminEmail}, {"password", ServeProcess::kAdminPassword}});
  EXPECT_EQ(right.status, 429);
  EXPECT_EQ(right.Json()["error"]["code"], "rate_limited");
  // A body past the limit is refused before it is read whole.
  HttpReply big =
      HttpCall(serve.address(), "POST", "/api/v1/account", std::string(2 << 20, 'x'), {kJson});
  EXPECT_EQ(big.status, 413);
  const nlohmann::json too_large = big.Json();
  ASSERT_TRUE(too_large.is_object()) << big.body;
  EXPECT_EQ(too_large["error"]["code"], "payload_too_large") << big.body;
  long status = 0;
  serve.ApiGet("/api/v1/monitors", &status);
  EXPECT_EQ(status, 200) << "the token made before the flood still works";
}

}  // namespace
// With no SMTP server in the file, mail goes to the drop until an
// administrator sets one in the console; from then on it goes out by SMTP,
// without a restart, and the console says so.
TEST_F(AccountE2eTest, AnSmtpServerSetInTheConsoleCarriesTheMailAtOnce) {
  NotifySinks sinks(dir_ + "/sinks", {.http = false, .tls = false});
  ServeProcess serve(dir_ + "/serve");
  serve.WriteConfig("server:\n  allow_cidrs: [127.0.0.2/32]\n");
  ASSERT_TRUE(serve.Start(FreePort())) << serve.Log();
  const std::vector<std::string> admin = {"Authorization: Bearer " + serve.AdminToken(), kJson};
  EXPECT_EQ(HttpCall(serve.address(), "GET", "/api/v1/server").Json()["mail"], "drop");

  HttpReply set = HttpCall(serve.address(), "PUT", "/api/v1/admin/smtp",
                           nlohmann::json{{"host", "127.0.0.2"},
                                          {"port", sinks.smtp},
                                          {"tls", "none"},
                                          {"password", "s3cret-smtp"},
                                          {"from", "Tocsin <ops@tocsin.test>"}}
                               .dump(),
                           admin);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.Json()["source"], "console");
  EXPECT_TRUE(set.Json()["password_set"].get<bool>());
  EXPECT_EQ(set.body.find("s3cret-smtp"), std::string::npos) << "never shown back";
  EXPECT_EQ(HttpCall(serve.address(), "GET", "/api/v1/server").Json()["mail"], "smtp");

  // The test mail and a registration's confirmation both reach the SMTP
  // server now.
  ASSERT_EQ(HttpCall(serve.address(), "POST", "/api/v1/admin/smtp/test", "", admin).status, 202);
  ASSERT_EQ(Post(serve, "/api/v1/account",
                 {{"name", "Ada"},
                  {"email", "ada@example.com"},
                  {"password", kPassword},
                  {"age_confirmed", true},
                  {"policy_accepted", true}})
                .status,
            202);
  EXPECT_TRUE(NotifySinks::WaitFor([&] {
    bool test = false, confirm = false;
    for (const ReceivedMail& m : sinks.Mails()) {
      test = test || m.Header("Subject") == "Tocsin: a test mail";
      confirm = confirm || m.Header("Subject") == "Confirm your Tocsin account";
    }
    return test && confirm;
  })) << serve.Log();
  for (const ReceivedMail& m : sinks.Mails()) {
    EXPECT_NE(m.Header("From").find("ops@tocsin.test"), std::string::npos) << m.Header("From");
  }

  // Unset: back to the drop.
  EXPECT_EQ(HttpCall(serve.address(), "DELETE", "/api/v1/admin/smtp", "", admin).status, 204);
  EXPECT_EQ(HttpCall(serve.address(), "GET", "/api/v1/server").Json()["mail"], "drop");
}

}  // namespace tocsin::testing
