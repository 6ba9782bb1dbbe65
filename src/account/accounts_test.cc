// The account rules against a real SQLite store, with the mail they send
// captured: registration without enumeration, confirmation links used
// once, login (unconfirmed, throttled, wrong password), sessions ended by a
// password change, reset links, tokens, termination leaving nothing.
#include "account/accounts.h"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <regex>

#include "account/totp.h"
#include "core/temp_dir.h"
#include "store/store.h"

namespace tocsin::account {
namespace {

constexpr int64_t kNow = 1'780'000'000'000;
constexpr const char* kPassword = "vellum orbit quasar tundra 47";
constexpr const char* kOther = "lantern staple grumpy orchid 9";

struct SentMail {
  std::string to, subject, text, key;
};

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::OpenSqliteStore({.path = dir_.path() + "/tocsin.db"});
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    AccountOptions options;
    options.public_url = "https://tocsin.test";
    options.max_login_failures_per_account = 3;
    accounts_ = std::make_unique<Accounts>(
        *store_,
        [this](const std::string& to, const std::string& subject, const std::string& text,
               const std::string& key) {
          mail_.push_back({to, subject, text, key});
          return Status();
        },
        options);
  }

  // The token of the last link to `path` ("/confirm/") mailed to `to`.
  std::string LinkToken(const std::string& to, const std::string& path) const {
    for (auto it = mail_.rbegin(); it != mail_.rend(); ++it) {
      if (it->to != to) continue;
      const size_t at = it->text.find("https://tocsin.test" + path);
      if (at == std::string::npos) continue;
      const size_t start = at + std::string("https://tocsin.test").size() + path.size();
      return it->text.substr(start, it->text.find_first_of(" \n", start) - start);
    }
    return "";
  }

  Accounts::Registration Reg(const std::string& email, const std::string& name = "Ada") {
    return {name, email, kPassword, true, true};
  }

  // Registers and confirms; returns the user.
  model::User Confirmed(const std::string& email) {
    EXPECT_TRUE(accounts_->Register(Reg(email), kNow).ok());
    auto user = accounts_->ConfirmEmail(LinkToken(email, "/confirm/"), kNow);
    EXPECT_TRUE(user.ok());
    return user.ok() ? *user : model::User{};
  }

  Principal LoggedIn(const std::string& email, const std::string& password = kPassword) {
    auto s = accounts_->LogIn({email, password, "", "192.0.2.1", "test"}, kNow);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    if (!s.ok()) return {};
    auto p = accounts_->FromCookie(s->cookie_value, kNow);
    EXPECT_TRUE(p.ok());
    return p.ok() ? *p : Principal{};
  }

  int64_t Count(const std::string& sql) const {
    sqlite3* db = nullptr;
    sqlite3_open_v2((dir_.path() + "/tocsin.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      n = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }

  TempDir dir_{"tocsin-accounts-test"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Accounts> accounts_;
  std::vector<SentMail> mail_;
};

TEST_F(AccountsTest, RegisterConfirmAndLogIn) {
  ASSERT_TRUE(accounts_->Register(Reg("Ada@Example.com "), kNow).ok());
  ASSERT_EQ(mail_.size(), 1u);
  EXPECT_EQ(mail_[0].to, "ada@example.com");
  EXPECT_EQ(mail_[0].subject, "Confirm your Tocsin account");
  EXPECT_EQ(mail_[0].text.find(kPassword), std::string::npos) << "never mailed";
  const std::string token = LinkToken("ada@example.com", "/confirm/");
  ASSERT_GE(token.size(), 40u);

  // Not before the address is confirmed.
  auto early = accounts_->LogIn({"ada@example.com", kPassword, "", "192.0.2.1", ""}, kNow);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ErrorCode::kPermissionDenied);

  auto user = accounts_->ConfirmEmail(token, kNow + 1000);
  ASSERT_TRUE(user.ok()) << user.error().message;
  EXPECT_TRUE(user->admin) << "the first user administers the server";
  EXPECT_GT(user->personal_workspace, 0);
  // A link works once.
  EXPECT_EQ(accounts_->ConfirmEmail(token, kNow + 2000).error().code, ErrorCode::kNotFound);

  auto session = accounts_->LogIn({"ADA@example.com", kPassword, "", "192.0.2.1", "ua"}, kNow);
  ASSERT_TRUE(session.ok()) << session.error().message;
  auto p = accounts_->FromCookie(session->cookie_value, kNow + 1);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->user.id, user->id);
  EXPECT_EQ(p->csrf, session->csrf);
  // Only the session's hash is stored.
  EXPECT_EQ(Count("SELECT count(*) FROM sessions WHERE id_hash = '" + session->cookie_value + "'"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM sessions"), 1);

  ASSERT_TRUE(accounts_->LogOut(*p).ok());
  EXPECT_EQ(accounts_->FromCookie(session->cookie_value, kNow + 2).error().code,
            ErrorCode::kUnauthenticated);
}

TEST_F(AccountsTest, RegistrationRefusesBadInputByField) {
  auto reg = Reg("ada@example.com");
  reg.age_confirmed = false;
  EXPECT_EQ(accounts_->Register(reg, kNow).error().field, "age_confirmed");
  reg = Reg("ada@example.com");
  reg.policy_accepted = false;
  EXPECT_EQ(accounts_->Register(reg, kNow).error().field, "policy_accepted");
  EXPECT_EQ(accounts_->Register(Reg("not-an-address"), kNow).error().field, "email");
  EXPECT_EQ(accounts_->Register(Reg("ada@example.com", ""), kNow).error().field, "name");
  EXPECT_EQ(accounts_->Register(Reg("ada@example.com", "Ada\r\nBcc: x"), kNow).error().field,
            "name");
  reg = Reg("ada@example.com");
  reg.password = "password1234567";
  EXPECT_EQ(accounts_->Register(reg, kNow).error().field, "password");
  EXPECT_TRUE(mail_.empty());
  EXPECT_EQ(Count("SELECT count(*) FROM users"), 0);
}

TEST_F(AccountsTest, ATakenAddressAnswersTheSameAndTellsItsOwner) {
  Confirmed("ada@example.com");
  mail_.clear();
  // The same answer as a new registration; the owner learns of it.
  ASSERT_TRUE(accounts_->Register(Reg("ada@example.com", "Mallory"), kNow).ok());
  ASSERT_EQ(mail_.size(), 1u);
  EXPECT_EQ(mail_[0].subject, "Someone tried to register with your address");
  EXPECT_EQ(Count("SELECT count(*) FROM users"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM users WHERE name = 'Ada'"), 1);
}

TEST_F(AccountsTest, InviteOnlyRefusesNewRegistrations) {
  Confirmed("ada@example.com");
  ASSERT_TRUE(store_->accounts().SetSetting("registration", "invite").ok());
  auto refused = accounts_->Register(Reg("bob@example.com"), kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(AccountsTest, LoginFailuresLookAlikeAndAreThrottled) {
  Confirmed("ada@example.com");
  auto wrong = accounts_->LogIn({"ada@example.com", kOther, "", "192.0.2.1", ""}, kNow);
  auto unknown = accounts_->LogIn({"nobody@example.com", kOther, "", "192.0.2.1", ""}, kNow);
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  // Three failures per account (this test's limit): the right password is
  // refused too until the window passes.
  (void)accounts_->LogIn({"ada@example.com", kOther, "", "192.0.2.2", ""}, kNow);
  EXPECT_TRUE(
      accounts_->LogIn({"ada@example.com", kOther, "", "192.0.2.2", ""}, kNow).error().code ==
      ErrorCode::kUnauthenticated)
      << "the third failure is still an ordinary refusal";
  auto throttled = accounts_->LogIn({"ada@example.com", kPassword, "", "192.0.2.3", ""}, kNow);
  ASSERT_FALSE(throttled.ok());
  EXPECT_EQ(throttled.error().code, ErrorCode::kResourceExhausted);
  EXPECT_TRUE(
      accounts_->LogIn({"ada@example.com", kPassword, "", "192.0.2.3", ""}, kNow + 16 * 60'000)
          .ok());
}

TEST_F(AccountsTest, PasswordChangeEndsEveryOtherSession) {
  Confirmed("ada@example.com");
  Principal mine = LoggedIn("ada@example.com");
  auto thief = accounts_->LogIn({"ada@example.com", kPassword, "", "198.51.100.7", ""}, kNow);
  ASSERT_TRUE(thief.ok());
  EXPECT_EQ(accounts_->ChangePassword(mine, kOther, kOther, kNow).error().field,
            "current_password");
  ASSERT_TRUE(accounts_->ChangePassword(mine, kPassword, kOther, kNow).ok());
  EXPECT_FALSE(accounts_->FromCookie(thief->cookie_value, kNow).ok());
  EXPECT_TRUE(accounts_->FromCookie("", kNow).error().code == ErrorCode::kUnauthenticated);
  auto still = accounts_->FromCookie(mine.session_hash, kNow);
  EXPECT_FALSE(still.ok()) << "the hash is not the cookie";
  EXPECT_FALSE(accounts_->LogIn({"ada@example.com", kPassword, "", "192.0.2.1", ""}, kNow).ok());
  EXPECT_TRUE(accounts_->LogIn({"ada@example.com", kOther, "", "192.0.2.1", ""}, kNow).ok());
  EXPECT_EQ(mail_.back().subject, "Your Tocsin password was changed");
}

TEST_F(AccountsTest, ResetLinkSetsThePasswordOnceAndEndsSessions) {
  Confirmed("ada@example.com");
  auto session = accounts_->LogIn({"ada@example.com", kPassword, "", "192.0.2.1", ""}, kNow);
  ASSERT_TRUE(session.ok());
  // Unknown address: the same answer, no mail.
  const size_t before = mail_.size();
  ASSERT_TRUE(accounts_->RequestPasswordReset("nobody@example.com", kNow).ok());
  EXPECT_EQ(mail_.size(), before);
  ASSERT_TRUE(accounts_->RequestPasswordReset("ada@example.com", kNow).ok());
  const std::string token = LinkToken("ada@example.com", "/reset/");
  ASSERT_FALSE(token.empty());
  // A refused password does not spend the link.
  EXPECT_EQ(accounts_->ResetPassword(token, "short", kNow).error().field, "password");
  ASSERT_TRUE(accounts_->ResetPassword(token, kOther, kNow).ok());
  EXPECT_EQ(accounts_->ResetPassword(token, kOther, kNow).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(accounts_->FromCookie(session->cookie_value, kNow).ok());
  EXPECT_TRUE(accounts_->LogIn({"ada@example.com", kOther, "", "192.0.2.1", ""}, kNow).ok());
  // Expired: an hour.
  ASSERT_TRUE(accounts_->RequestPasswordReset("ada@example.com", kNow).ok());
  const std::string late = LinkToken("ada@example.com", "/reset/");
  EXPECT_EQ(accounts_->ResetPassword(late, kPassword, kNow + 3'600'001).error().code,
            ErrorCode::kNotFound);
}

TEST_F(AccountsTest, EndedSessionsAndSpentLinksAreNotKept) {
  Confirmed("ada@example.com");
  ASSERT_TRUE(accounts_->LogIn({"ada@example.com", kPassword, "", "192.0.2.1", ""}, kNow).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM sessions"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM links"), 1);  // the used confirmation link
  // Fifteen days later the first session is over; a login clears it, and
  // the link used more than a day ago.
  const int64_t later = kNow + 15LL * 86'400'000;
  ASSERT_TRUE(accounts_->LogIn({"ada@example.com", kPassword, "", "192.0.2.1", ""}, later).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM sessions"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM sessions WHERE expires_at > " + std::to_string(later)), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM links"), 0);
}

TEST_F(AccountsTest, TokensAreShownOnceScopedAndRevocable) {
  const model::User ada = Confirmed("ada@example.com");
  Principal p = LoggedIn("ada@example.com");
  auto token = accounts_->CreateToken(p, ada.personal_workspace, "ci", true, 0, kNow);
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_TRUE(token->secret.starts_with("tcn_"));
  EXPECT_EQ(Count("SELECT count(*) FROM api_tokens WHERE hash LIKE '%" +
                  token->secret.substr(4, 20) + "%'"),
            0);
  auto by_token = accounts_->FromBearer(token->secret, kNow);
  ASSERT_TRUE(by_token.ok());
  EXPECT_TRUE(by_token->read_only());
  EXPECT_FALSE(by_token->by_cookie());
  EXPECT_FALSE(accounts_->FromBearer("tcn_forged", kNow).ok());
  // Another workspace: refused.
  EXPECT_EQ(
      accounts_->CreateToken(p, ada.personal_workspace + 100, "x", true, 0, kNow).error().code,
      ErrorCode::kPermissionDenied);
  // Expiry.
  auto brief = accounts_->CreateToken(p, ada.personal_workspace, "brief", false, kNow + 1000, kNow);
  ASSERT_TRUE(brief.ok());
  EXPECT_TRUE(accounts_->FromBearer(brief->secret, kNow + 999).ok());
  EXPECT_FALSE(accounts_->FromBearer(brief->secret, kNow + 1000).ok());
  // Revoked.
  ASSERT_TRUE(store_->accounts().RevokeToken(token->token.id, ada.personal_workspace, kNow).ok());
  EXPECT_FALSE(accounts_->FromBearer(token->secret, kNow).ok());
}

TEST_F(AccountsTest, TerminationLeavesNothingOfTheUser) {
  const model::User ada = Confirmed("ada@example.com");
  const model::User bob = Confirmed("bob@example.com");
  Principal p = LoggedIn("ada@example.com");
  ASSERT_TRUE(accounts_->CreateToken(p, ada.personal_workspace, "ci", true, 0, kNow).ok());
  store::MonitorRecord m;
  m.workspace = ada.personal_workspace;
  m.name = "shop";
  m.url = "https://shop.example/";
  m.options_json = R"({"url":"https://shop.example/"})";
  m.interval = 60'000'000;
  m.owner = static_cast<uint64_t>(ada.id);
  auto created = store_->monitors().CreateMonitor(m);
  ASSERT_TRUE(created.ok()) << created.error().message;
  model::CheckRecord r;
  r.monitor = created->id;
  r.ts_ms = kNow;
  r.ip = "192.0.2.10";
  ASSERT_TRUE(store_->results().WriteBatch(std::span(&r, 1)).ok());
  store::MonitorRecord bobs = m;
  bobs.workspace = bob.personal_workspace;
  bobs.owner = static_cast<uint64_t>(bob.id);
  ASSERT_TRUE(store_->monitors().CreateMonitor(bobs).ok());

  EXPECT_EQ(accounts_->Terminate(p, kOther, kNow).error().field, "password");
  ASSERT_TRUE(accounts_->Terminate(p, kPassword, kNow).ok());
  EXPECT_EQ(mail_.back().to, "ada@example.com");
  EXPECT_EQ(mail_.back().subject, "Your Tocsin account is closed");

  const std::string id = std::to_string(ada.id);
  const std::string w = std::to_string(ada.personal_workspace);
  EXPECT_EQ(Count("SELECT count(*) FROM users WHERE id = " + id + " OR email = 'ada@example.com'"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM sessions WHERE user_id = " + id), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM api_tokens WHERE user_id = " + id), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM links WHERE user_id = " + id), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE user_id = " + id), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM workspaces WHERE id = " + w), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM monitors WHERE workspace_id = " + w), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM results WHERE monitor_id = " + std::to_string(created->id)),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM rollups WHERE monitor_id = " + std::to_string(created->id)),
            0);
  EXPECT_EQ(
      Count("SELECT count(*) FROM monitor_state WHERE monitor_id = " + std::to_string(created->id)),
      0);
  // Bob and his monitor are untouched.
  EXPECT_EQ(Count("SELECT count(*) FROM users"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM monitors"), 1);
  EXPECT_FALSE(accounts_->FromCookie(p.session_hash, kNow).ok());
}

TEST_F(AccountsTest, SessionsAreListedAndEndedOneByOne) {
  Confirmed("ada@example.com");
  const Principal laptop = LoggedIn("ada@example.com");
  const std::string phone =
      accounts_->LogIn({"ada@example.com", kPassword, "", "192.0.2.1", "phone"}, kNow)
          ->cookie_value;
  ASSERT_TRUE(accounts_->FromCookie(phone, kNow).ok());
  auto list = accounts_->Sessions(laptop, kNow);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  const auto other =
      std::find_if(list->begin(), list->end(), [](const auto& s) { return !s.current; });
  ASSERT_NE(other, list->end());
  EXPECT_EQ(other->id.size(), 16u);
  EXPECT_FALSE(accounts_->EndSession(laptop, "0123456789abcdef").ok());
  ASSERT_TRUE(accounts_->EndSession(laptop, other->id).ok());
  EXPECT_FALSE(accounts_->FromCookie(phone, kNow).ok());
  EXPECT_EQ(accounts_->Sessions(laptop, kNow)->size(), 1u);
  // Another user's session ids name nothing here.
  Confirmed("bob@example.com");
  const Principal bob = LoggedIn("bob@example.com");
  const std::string bobs = accounts_->Sessions(bob, kNow)->front().id;
  EXPECT_EQ(accounts_->EndSession(laptop, bobs).error().code, ErrorCode::kNotFound);
}

TEST_F(AccountsTest, TotpWithRecoveryCodesGuardsTheLogin) {
  Confirmed("ada@example.com");
  const Principal first = LoggedIn("ada@example.com");
  const std::string second =
      accounts_->LogIn({"ada@example.com", kPassword, "", "192.0.2.1", ""}, kNow)->cookie_value;
  EXPECT_EQ(accounts_->BeginTotp(first, "wrong", kNow).error().field, "password");
  auto setup = accounts_->BeginTotp(first, kPassword, kNow);
  ASSERT_TRUE(setup.ok());
  EXPECT_TRUE(setup->uri.starts_with("otpauth://totp/Tocsin:"));
  // Not required until confirmed with a code.
  EXPECT_TRUE(accounts_->LogIn({"ada@example.com", kPassword, "", "192.0.2.1", ""}, kNow).ok());
  auto user = store_->accounts().GetUser(first.user.id);
  const std::string secret = (*user)->totp_secret;
  const std::string fresh_cookie =
      accounts_->LogIn({"ada@example.com", kPassword, "", "192.0.2.1", ""}, kNow)->cookie_value;
  Principal fresh = *accounts_->FromCookie(fresh_cookie, kNow);
  EXPECT_EQ(accounts_->ConfirmTotp(fresh, "000000", kNow).error().field, "code");
  auto codes = accounts_->ConfirmTotp(fresh, TotpCode(secret, kNow / 1000), kNow);
  ASSERT_TRUE(codes.ok()) << codes.error().message;
  ASSERT_EQ(codes->size(), 10u);
  // Every other session ended with the change.
  EXPECT_FALSE(accounts_->FromCookie(second, kNow).ok());
  EXPECT_TRUE(accounts_->FromCookie(fresh_cookie, kNow).ok()) << "the session that confirmed stays";
  // Now the login takes a code: the app's (once), or a recovery code (once).
  const int64_t later = kNow + 60'000;
  auto without = accounts_->LogIn({"ada@example.com", kPassword, "", "192.0.2.1", ""}, later);
  EXPECT_EQ(without.error().field, "totp");
  EXPECT_TRUE(
      accounts_
          ->LogIn({"ada@example.com", kPassword, TotpCode(secret, later / 1000), "192.0.2.1", ""},
                  later)
          .ok());
  EXPECT_FALSE(
      accounts_
          ->LogIn({"ada@example.com", kPassword, TotpCode(secret, later / 1000), "192.0.2.1", ""},
                  later)
          .ok())
      << "a code works once";
  std::string upper = (*codes)[3];
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_TRUE(accounts_->LogIn({"ada@example.com", kPassword, upper, "192.0.2.1", ""}, later).ok());
  EXPECT_FALSE(
      accounts_->LogIn({"ada@example.com", kPassword, (*codes)[3], "192.0.2.1", ""}, later).ok())
      << "a recovery code works once";
  EXPECT_EQ(Count("SELECT count(*) FROM users WHERE recovery_codes LIKE '%" + (*codes)[0] + "%'"),
            0)
      << "recovery codes are kept hashed";
}

TEST_F(AccountsTest, TurningTheSecondFactorOffNeedsItAndRespectsTheServerRule) {
  Confirmed("ada@example.com");
  const Principal p = LoggedIn("ada@example.com");
  ASSERT_TRUE(accounts_->BeginTotp(p, kPassword, kNow).ok());
  const std::string secret = (*store_->accounts().GetUser(p.user.id))->totp_secret;
  const std::string cookie =
      accounts_->LogIn({"ada@example.com", kPassword, "", "192.0.2.1", ""}, kNow)->cookie_value;
  auto codes = accounts_->ConfirmTotp(*accounts_->FromCookie(cookie, kNow),
                                      TotpCode(secret, kNow / 1000), kNow);
  ASSERT_TRUE(codes.ok());
  Principal on = *accounts_->FromCookie(cookie, kNow);
  // Required by the server: cannot be turned off.
  ASSERT_TRUE(store_->accounts().SetSetting("require_totp", "true").ok());
  EXPECT_EQ(accounts_->DisableTotp(on, kPassword, (*codes)[0], kNow).error().code,
            ErrorCode::kPermissionDenied);
  ASSERT_TRUE(store_->accounts().SetSetting("require_totp", "false").ok());
  EXPECT_EQ(accounts_->DisableTotp(on, kPassword, "nonsense", kNow).error().field, "code");
  ASSERT_TRUE(accounts_->DisableTotp(on, kPassword, (*codes)[0], kNow).ok());
  EXPECT_TRUE(accounts_->LogIn({"ada@example.com", kPassword, "", "192.0.2.1", ""}, kNow).ok());
  // A user without one, on a server that requires one, may only set it up.
  ASSERT_TRUE(store_->accounts().SetSetting("require_totp", "true").ok());
  EXPECT_TRUE(LoggedIn("ada@example.com").needs_second_factor);
}

}  // namespace
}  // namespace tocsin::account
