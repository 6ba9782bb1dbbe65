#include "probe/check_options.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace tocsin::probe {
namespace {

TEST(CheckOptionsTest, EveryOptionIsNamedOnceAndItsFlagFollowsItsName) {
  std::set<std::string_view> names;
  for (const CheckOption& o : CheckOptions()) {
    EXPECT_TRUE(names.insert(o.name).second) << o.name;
    if (o.name == "url") continue;  // positional on the command line
    // The long flag is the name with dashes, or its singular for a list.
    std::string flag = "--" + std::string(o.name);
    for (char& c : flag) c = c == '_' ? '-' : c;
    if (o.kind == OptionKind::kList) flag.pop_back();  // --header for headers
    EXPECT_NE(o.flags.find(flag), std::string_view::npos) << o.name << " vs " << o.flags;
  }
}

TEST(CheckOptionsTest, JsonRoundTripsEveryOption) {
  const nlohmann::json in = {{"url", "https://example.com/"},
                             {"method", "POST"},
                             {"headers", {"Accept: text/html", "X-A: b"}},
                             {"body", "{}"},
                             {"expect_status", "200,301"},
                             {"keyword", "a"},
                             {"not_keyword", "b"},
                             {"regex", "c+"},
                             {"not_regex", "d+"},
                             {"timeout", "3s"},
                             {"max_body_bytes", 1000},
                             {"max_header_bytes", 2048},
                             {"max_redirects", 2},
                             {"ip_version", "6"},
                             {"ca_file", "/etc/ca.pem"},
                             {"insecure", true}};
  auto spec = SpecFromJson(in);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(SpecToJson(*spec), in);
  // Every option appears in the table and in that round trip.
  EXPECT_EQ(in.size() + 1, CheckOptions().size());  // + basic_auth, redacted on output
}

TEST(CheckOptionsTest, SecretsAreRedactedInJson) {
  CheckSpec spec;
  spec.url = "https://example.com/";
  spec.basic_auth = "user:hunter2";
  spec.headers = {"Authorization: Bearer abc", "cookie: s=1", "Accept: */*"};
  const nlohmann::json j = SpecToJson(spec);
  EXPECT_EQ(j["basic_auth"], "user:<redacted>");
  EXPECT_EQ(j["headers"],
            nlohmann::json({"Authorization: <redacted>", "cookie: <redacted>", "Accept: */*"}));
  EXPECT_EQ(j.dump().find("hunter2"), std::string::npos);
}

TEST(CheckOptionsTest, SecretsSentBackRedactedKeepTheirStoredValues) {
  const nlohmann::json stored = {{"headers", {"authorization: Bearer s3cret", "X-Trace: 1"}},
                                 {"basic_auth", "bob:hunter22"}};
  // What an edit form read (SpecToJson), sent back with one change.
  nlohmann::json given = {{"headers", {"Authorization: <redacted>", "X-Trace: 2"}},
                          {"basic_auth", "bob:<redacted>"},
                          {"timeout", "5s"}};
  RestoreRedacted(given, stored);
  EXPECT_EQ(given["headers"][0], "authorization: Bearer s3cret");
  EXPECT_EQ(given["headers"][1], "X-Trace: 2");
  EXPECT_EQ(given["basic_auth"], "bob:hunter22");
  EXPECT_EQ(given["timeout"], "5s");
  // A new value replaces the secret; another user's redacted form restores
  // nothing of bob's; a header the store never had stays as sent.
  nlohmann::json typed = {{"headers", {"Authorization: Bearer n3w", "Cookie: <redacted>"}},
                          {"basic_auth", "alice:<redacted>"}};
  RestoreRedacted(typed, stored);
  EXPECT_EQ(typed["headers"][0], "Authorization: Bearer n3w");
  EXPECT_EQ(typed["headers"][1], "Cookie: <redacted>");
  EXPECT_EQ(typed["basic_auth"], "alice:<redacted>");
}

TEST(CheckOptionsTest, JsonTypesAreStrict) {
  const auto error = [](const nlohmann::json& j) {
    auto spec = SpecFromJson(j);
    return spec.ok() ? std::string("ok") : spec.error().message;
  };
  EXPECT_EQ(error({{"max_redirects", "3"}}), "'max_redirects' must be a whole number up to 20");
  EXPECT_EQ(error({{"max_redirects", -1}}), "'max_redirects' must be a whole number up to 20");
  EXPECT_EQ(error({{"max_redirects", 21}}), "'max_redirects' must be a whole number up to 20");
  EXPECT_EQ(error({{"keyword", 2024}}), "'keyword' must be a string");
  EXPECT_EQ(error({{"timeout", 10}}), "'timeout' must be a string such as \"10s\"");
  EXPECT_EQ(error({{"insecure", "yes"}}), "'insecure' must be true or false");
  EXPECT_EQ(error({{"headers", "Accept: x"}}), "'headers' must be a list of strings");
  EXPECT_EQ(error({{"keyword", {"a"}}}), "'keyword' must be a single value");
  EXPECT_EQ(error({{"keywrod", "a"}}), "unknown check option 'keywrod'");
  EXPECT_EQ(error({{"ip_version", 4}}), "ok");
  EXPECT_EQ(error(nlohmann::json::array()), "check options must be an object");
}

TEST(CheckOptionsTest, ErrorsNameTheirField) {
  auto spec = SpecFromJson({{"timeout", "soon"}});
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.error().field, "timeout");
  CheckSpec bad;
  bad.url = "https://example.com/";
  bad.regex = "(";
  auto check = PreparedCheck::Prepare(bad);
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.error().field, "regex");
}

TEST(CheckOptionsTest, PlainTextIsReadByKind) {
  // What a command-line argument or an unquoted YAML scalar gives.
  CheckSpec spec;
  const auto set = [&](std::string_view name, std::string_view text) {
    const CheckOption* o = FindCheckOption(name);
    return o->set(*o, spec, {ValueForm::kPlain, text});
  };
  EXPECT_TRUE(set("max_redirects", "3").ok());
  EXPECT_EQ(spec.max_redirects, 3u);
  EXPECT_TRUE(set("keyword", "2024").ok());
  EXPECT_EQ(spec.keyword, "2024");
  EXPECT_TRUE(set("timeout", "10").ok());  // a bare number is seconds
  EXPECT_EQ(spec.timeout, 10'000'000);
  EXPECT_TRUE(set("headers", "A: 1").ok());
  EXPECT_TRUE(set("headers", "B: 2").ok());
  EXPECT_EQ(spec.headers, (std::vector<std::string>{"A: 1", "B: 2"}));
  EXPECT_FALSE(set("max_redirects", "3.5").ok());
}

TEST(CheckOptionsTest, MethodIsUppercasedWithoutTouchingOtherBytes) {
  CheckSpec spec;
  spec.url = "https://example.com/";
  spec.method = "get";
  auto check = PreparedCheck::Prepare(spec);
  ASSERT_TRUE(check.ok());
  EXPECT_EQ((*check)->spec().method, "GET");
  spec.method = "g\xe9t";  // not a token: refused, not mangled by a locale
  auto bad = PreparedCheck::Prepare(spec);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "method");
}

}  // namespace
}  // namespace tocsin::probe
