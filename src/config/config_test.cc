// Config loading: defaults, every setting, environment overrides, and errors
// that name the right line.
#include "config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace tocsin::config {
namespace {

constexpr Micros kSecond = 1'000'000;

const Environment kNoEnv = EnvironmentFromMap({});

Result<Config> Parse(std::string_view yaml, const Environment& env = kNoEnv) {
  return ParseConfig(yaml, "tocsin.yaml", env);
}

// The error message of a parse that must fail.
std::string ErrorOf(std::string_view yaml, const Environment& env = kNoEnv) {
  auto config = Parse(yaml, env);
  EXPECT_FALSE(config.ok());
  return config.ok() ? std::string() : config.error().message;
}

TEST(ConfigTest, DefaultsWithoutFileOrEnvironment) {
  auto config = DefaultConfig(kNoEnv);
  ASSERT_TRUE(config.ok()) << config.error().message;
  const ServerConfig& s = config->server;
  EXPECT_EQ(s.listen, "127.0.0.1:8080");
  EXPECT_EQ(s.data_dir, "./tocsin-data");
  EXPECT_FALSE(s.allow_private);
  EXPECT_TRUE(s.allow_cidrs.empty());
  EXPECT_EQ(s.retention, 30 * 86'400 * kSecond);
  EXPECT_TRUE(s.dns_servers.empty());
  EXPECT_EQ(s.shards, 1);
  EXPECT_EQ(s.per_host_concurrency, 8);
  EXPECT_EQ(s.max_in_flight, 10'000u);
  EXPECT_TRUE(config->monitors.empty());
}

TEST(ConfigTest, MonitorDefaults) {
  auto config = Parse("monitors:\n  - name: a\n    url: https://example.com/\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->monitors.size(), 1u);
  const MonitorConfig& m = config->monitors[0];
  EXPECT_EQ(m.name, "a");
  EXPECT_EQ(m.interval, 60 * kSecond);
  EXPECT_EQ(m.check->spec().timeout, 10 * kSecond);
  EXPECT_EQ(m.slow_threshold, 0);
  EXPECT_TRUE(m.enabled);
  EXPECT_EQ(m.owner, 0u);
  EXPECT_EQ(m.line, 2);
  EXPECT_EQ(m.check->spec().method, "GET");
  EXPECT_EQ(m.check->spec().expect_status, "200-299");
}

constexpr std::string_view kFullExample = R"(server:
  listen: 127.0.0.1:8080
  data_dir: ./tocsin-data
  allow_private: false
  allow_cidrs: [10.20.0.0/16]
  retention: 30d
  dns_servers: ["127.0.0.1:5353"]
  shards: 2
  per_host_concurrency: 4
  max_in_flight: 5000
monitors:
  - name: homepage
    url: https://example.com/
    interval: 60s
    timeout: 10s
    slow_threshold: 2s
    enabled: true
    owner: 7
    method: POST
    headers: ["Accept: text/html"]
    body: "hello"
    basic_auth: "user:pass"
    expect_status: "200-299,301"
    keyword: Welcome
    not_keyword: Error
    regex: "h[ae]llo"
    not_regex: "fatal"
    max_body_bytes: 1048576
    max_header_bytes: 65536
    max_redirects: 3
    ip_version: 4
    ca_file: /path/ca.pem
    insecure: true
  - name: api
    url: http://api.example.com/health
    interval: 5m
    enabled: false
)";

TEST(ConfigTest, FullExampleParsesEverySetting) {
  auto config = Parse(kFullExample);
  ASSERT_TRUE(config.ok()) << config.error().message;
  const ServerConfig& s = config->server;
  EXPECT_EQ(s.listen, "127.0.0.1:8080");
  EXPECT_EQ(s.data_dir, "./tocsin-data");
  EXPECT_FALSE(s.allow_private);
  ASSERT_EQ(s.allow_cidrs.size(), 1u);
  EXPECT_EQ(s.allow_cidrs[0].base.ToString(), "10.20.0.0");
  EXPECT_EQ(s.allow_cidrs[0].length, 16);
  EXPECT_EQ(s.retention, 30 * 86'400 * kSecond);
  EXPECT_EQ(s.dns_servers, std::vector<std::string>{"127.0.0.1:5353"});
  EXPECT_EQ(s.shards, 2);
  EXPECT_EQ(s.per_host_concurrency, 4);
  EXPECT_EQ(s.max_in_flight, 5000u);

  ASSERT_EQ(config->monitors.size(), 2u);
  const MonitorConfig& m = config->monitors[0];
  EXPECT_EQ(m.name, "homepage");
  EXPECT_EQ(m.line, 12);
  EXPECT_EQ(m.interval, 60 * kSecond);
  EXPECT_EQ(m.slow_threshold, 2 * kSecond);
  EXPECT_TRUE(m.enabled);
  EXPECT_EQ(m.owner, 7u);
  const probe::CheckSpec& spec = m.check->spec();
  EXPECT_EQ(spec.url, "https://example.com/");
  EXPECT_EQ(spec.timeout, 10 * kSecond);
  EXPECT_EQ(spec.method, "POST");
  EXPECT_EQ(spec.headers, std::vector<std::string>{"Accept: text/html"});
  EXPECT_EQ(spec.body, "hello");
  EXPECT_EQ(spec.basic_auth, "user:pass");
  EXPECT_EQ(spec.expect_status, "200-299,301");
  EXPECT_EQ(spec.keyword, "Welcome");
  EXPECT_EQ(spec.not_keyword, "Error");
  EXPECT_EQ(spec.regex, "h[ae]llo");
  EXPECT_EQ(spec.not_regex, "fatal");
  EXPECT_EQ(spec.max_body_bytes, 1'048'576u);
  EXPECT_EQ(spec.max_header_bytes, 65'536u);
  EXPECT_EQ(spec.max_redirects, 3u);
  EXPECT_EQ(spec.ip_version, probe::IpVersion::kV4);
  EXPECT_EQ(spec.ca_file, "/path/ca.pem");
  EXPECT_TRUE(spec.insecure);

  const MonitorConfig& api = config->monitors[1];
  EXPECT_EQ(api.name, "api");
  EXPECT_EQ(api.interval, 5 * 60 * kSecond);
  EXPECT_FALSE(api.enabled);
}

TEST(ConfigTest, EnvironmentOverridesFileSettings) {
  const Environment env = EnvironmentFromMap({
      {"TOCSIN_SERVER_LISTEN", "0.0.0.0:9090"},
      {"TOCSIN_SERVER_DATA_DIR", "/var/lib/tocsin"},
      {"TOCSIN_SERVER_ALLOW_PRIVATE", "1"},
      {"TOCSIN_SERVER_ALLOW_CIDRS", "192.168.0.0/16, fd00::/8"},
      {"TOCSIN_SERVER_RETENTION", "7d"},
      {"TOCSIN_SERVER_DNS_SERVERS", "1.1.1.1,[::1]:53"},
      {"TOCSIN_SERVER_SHARDS", "4"},
      {"TOCSIN_SERVER_PER_HOST_CONCURRENCY", "16"},
      {"TOCSIN_SERVER_MAX_IN_FLIGHT", "20000"},
  });
  auto config = Parse(kFullExample, env);
  ASSERT_TRUE(config.ok()) << config.error().message;
  const ServerConfig& s = config->server;
  EXPECT_EQ(s.listen, "0.0.0.0:9090");
  EXPECT_EQ(s.data_dir, "/var/lib/tocsin");
  EXPECT_TRUE(s.allow_private);
  ASSERT_EQ(s.allow_cidrs.size(), 2u);
  EXPECT_EQ(s.allow_cidrs[0].base.ToString(), "192.168.0.0");
  EXPECT_EQ(s.allow_cidrs[1].length, 8);
  EXPECT_EQ(s.retention, 7 * 86'400 * kSecond);
  EXPECT_EQ(s.dns_servers, (std::vector<std::string>{"1.1.1.1", "[::1]:53"}));
  EXPECT_EQ(s.shards, 4);
  EXPECT_EQ(s.per_host_concurrency, 16);
  EXPECT_EQ(s.max_in_flight, 20'000u);
}

TEST(ConfigTest, EnvironmentAppliesWithoutFile) {
  auto config = DefaultConfig(EnvironmentFromMap({{"TOCSIN_SERVER_SHARDS", "3"}}));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.shards, 3);
}

TEST(ConfigTest, EmptyEnvironmentListClearsFileList) {
  auto config = Parse(kFullExample, EnvironmentFromMap({{"TOCSIN_SERVER_ALLOW_CIDRS", ""}}));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->server.allow_cidrs.empty());
}

TEST(ConfigTest, InvalidEnvironmentValueNamesTheVariable) {
  auto config = DefaultConfig(EnvironmentFromMap({{"TOCSIN_SERVER_SHARDS", "many"}}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "environment variable TOCSIN_SERVER_SHARDS: must be a whole number from 1 to 64, not "
            "'many'");
}

TEST(ConfigTest, EnvironmentVariableNamesAreUpperCasedKeys) {
  EXPECT_EQ(EnvironmentVariableFor("per_host_concurrency"), "TOCSIN_SERVER_PER_HOST_CONCURRENCY");
}

TEST(ConfigTest, ProcessEnvironmentSnapshotsVariables) {
  ASSERT_EQ(setenv("TOCSIN_CONFIG_TEST_VARIABLE", "a=b", 1), 0);
  const Environment env = ProcessEnvironment();
  unsetenv("TOCSIN_CONFIG_TEST_VARIABLE");
  EXPECT_EQ(env("TOCSIN_CONFIG_TEST_VARIABLE"), "a=b");
  EXPECT_EQ(env("TOCSIN_CONFIG_TEST_UNSET_VARIABLE"), std::nullopt);
}

TEST(ConfigTest, TlsTakesACertificateAndAKeyTogether) {
  auto config =
      Parse("server:\n  tls_cert: /etc/tocsin/cert.pem\n  tls_key: /etc/tocsin/key.pem\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.tls_cert, "/etc/tocsin/cert.pem");
  EXPECT_EQ(config->server.tls_key, "/etc/tocsin/key.pem");
  EXPECT_EQ(ErrorOf("server:\n  tls_cert: /etc/tocsin/cert.pem\n"),
            "tocsin.yaml:2: server: tls_cert and tls_key go together (HTTPS needs both)");
}

TEST(ConfigTest, EmptyFileIsValid) {
  auto config = Parse("");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->monitors.empty());
  EXPECT_EQ(config->server.shards, 1);
}

TEST(ConfigTest, CommentOnlyFileIsValid) {
  auto config = Parse("# nothing yet\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->monitors.empty());
}

TEST(ConfigTest, ServerOnlyFileHasNoMonitors) {
  auto config = Parse("server:\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->monitors.empty());
}

TEST(ConfigTest, EmptyMonitorListHasNoMonitors) {
  auto config = Parse("server:\n  shards: 2\nmonitors: []\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->monitors.empty());
  EXPECT_EQ(config->server.shards, 2);
}

TEST(ConfigTest, BadIntervalNamesLineAndMonitor) {
  EXPECT_EQ(ErrorOf("monitors:\n"
                    "  - name: home\n"
                    "    url: https://example.com/\n"
                    "    interval: soon\n"),
            "tocsin.yaml:4: monitor 'home': interval: invalid duration 'soon' (expected e.g. "
            "500ms, 10s, 5m)");
}

TEST(ConfigTest, IntervalOutOfRangeNamesLine) {
  EXPECT_EQ(ErrorOf("monitors:\n"
                    "  - name: home\n"
                    "    url: https://example.com/\n"
                    "    interval: 5s\n"),
            "tocsin.yaml:4: monitor 'home': interval: '5s' is out of range (10s to 1d)");
}

TEST(ConfigTest, TimeoutLongerThanIntervalNamesTimeoutLine) {
  EXPECT_EQ(ErrorOf("monitors:\n"
                    "  - name: home\n"
                    "    url: https://example.com/\n"
                    "    interval: 20s\n"
                    "    timeout: 30s\n"),
            "tocsin.yaml:5: monitor 'home': timeout (30s) must not exceed interval (20s)");
}

TEST(ConfigTest, BadUrlNamesUrlLine) {
  const std::string error = ErrorOf(
      "monitors:\n"
      "  - name: home\n"
      "    method: GET\n"
      "    url: ftp://example.com/\n");
  EXPECT_TRUE(error.starts_with("tocsin.yaml:4: monitor 'home': url: ")) << error;
  EXPECT_NE(error.find("only http and https"), std::string::npos) << error;
}

TEST(ConfigTest, BadRegexNamesItsLine) {
  const std::string error = ErrorOf(
      "monitors:\n"
      "  - name: home\n"
      "    url: https://example.com/\n"
      "    not_regex: \"(\"\n");
  EXPECT_TRUE(error.starts_with("tocsin.yaml:4: monitor 'home': not_regex: invalid regex"))
      << error;
}

TEST(ConfigTest, BadOptionTypeNamesItsLine) {
  EXPECT_EQ(ErrorOf("monitors:\n"
                    "  - name: home\n"
                    "    url: https://example.com/\n"
                    "    max_redirects: lots\n"),
            "tocsin.yaml:4: monitor 'home': 'max_redirects' must be a whole number up to 20");
}

TEST(ConfigTest, UnknownMonitorKeyNamesItsLine) {
  EXPECT_EQ(ErrorOf("monitors:\n"
                    "  - name: home\n"
                    "    url: https://example.com/\n"
                    "    interval: 60s\n"
                    "    keywrod: Welcome\n"),
            "tocsin.yaml:5: monitor 'home': unknown key 'keywrod' (neither a monitor setting, a "
            "check option nor an alerts setting; see docs/configuration.md)");
}

TEST(ConfigTest, UnknownServerKeyNamesItsLine) {
  EXPECT_EQ(ErrorOf("server:\n"
                    "  listen: 127.0.0.1:8080\n"
                    "  shard: 2\n"),
            "tocsin.yaml:3: unknown server setting 'shard' (known: listen, data_dir, "
            "allow_private, allow_cidrs, retention, dns_servers, shards, per_host_concurrency, "
            "max_in_flight, public_url, trusted_proxies, access_log, tls_cert, tls_key, "
            "status_page_cache, smtp)");
}

TEST(ConfigTest, UnknownTopLevelKeyIsAnError) {
  EXPECT_EQ(
      ErrorOf("server:\n  shards: 1\nmonitor:\n  - name: a\n"),
      "tocsin.yaml:3: unknown top-level key 'monitor' (expected server, notifications, alerts, "
      "maintenance, monitors)");
}

TEST(ConfigTest, DuplicateMonitorNameNamesBothLines) {
  EXPECT_EQ(ErrorOf("monitors:\n"
                    "  - name: home\n"
                    "    url: https://example.com/\n"
                    "  - name: other\n"
                    "    url: https://example.org/\n"
                    "  - name: home\n"
                    "    url: https://example.net/\n"),
            "tocsin.yaml:6: duplicate monitor name 'home' (first defined at line 2); names must "
            "be unique");
}

TEST(ConfigTest, DuplicateKeyInMonitorIsAnError) {
  EXPECT_EQ(ErrorOf("monitors:\n"
                    "  - name: home\n"
                    "    url: https://example.com/\n"
                    "    url: https://example.org/\n"),
            "tocsin.yaml:4: monitor #1: key 'url' appears twice (first at line 3)");
}

TEST(ConfigTest, BadYamlSyntaxReportsParserLine) {
  const std::string error = ErrorOf(
      "server:\n"
      "  listen: 127.0.0.1:8080\n"
      "monitors:\n"
      "  - name: home\n"
      "    url: [https://example.com/\n");
  EXPECT_TRUE(error.starts_with("tocsin.yaml:6: invalid YAML: ")) << error;
}

TEST(ConfigTest, BadIndentationReportsParserLine) {
  const std::string error = ErrorOf(
      "server:\n"
      "  listen: 127.0.0.1:8080\n"
      " shards: 2\n");
  EXPECT_TRUE(error.starts_with("tocsin.yaml:3: invalid YAML: ")) << error;
}

TEST(ConfigTest, WrongTypeForServerSettingNamesLine) {
  EXPECT_EQ(ErrorOf("server:\n  shards: many\n"),
            "tocsin.yaml:2: server.shards: must be a whole number from 1 to 64, not 'many'");
}

TEST(ConfigTest, ShardsOutOfRangeIsAnError) {
  EXPECT_EQ(ErrorOf("server:\n  shards: 65\n"),
            "tocsin.yaml:2: server.shards: must be a whole number from 1 to 64, not '65'");
}

TEST(ConfigTest, ListForScalarServerSettingIsAnError) {
  EXPECT_EQ(ErrorOf("server:\n  listen: [a, b]\n"),
            "tocsin.yaml:2: server: 'listen' must be a single value, not a list");
}

TEST(ConfigTest, BadCidrNamesLine) {
  EXPECT_EQ(ErrorOf("server:\n  allow_cidrs:\n    - 10.0.0.0/8\n    - 10.0.0.0/33\n"),
            "tocsin.yaml:3: server.allow_cidrs: invalid prefix length in '10.0.0.0/33'");
}

TEST(ConfigTest, RetentionBelowOneHourIsAnError) {
  EXPECT_EQ(ErrorOf("server:\n  retention: 30m\n"),
            "tocsin.yaml:2: server.retention: '30m' is out of range (1h to 36500d)");
}

TEST(ConfigTest, StatusPageCacheFromNoneToFiveMinutes) {
  EXPECT_EQ(Parse("server:\n  status_page_cache: 0s\n")->server.status_page_cache, 0);
  EXPECT_EQ(Parse("server:\n  status_page_cache: 30s\n")->server.status_page_cache, 30'000'000);
  EXPECT_EQ(Parse("")->server.status_page_cache, 10'000'000);
  EXPECT_EQ(ErrorOf("server:\n  status_page_cache: 1h\n"),
            "tocsin.yaml:2: server.status_page_cache: '1h' is out of range (0s to 5m)");
}

TEST(ConfigTest, BadListenAddressIsAnError) {
  const std::string error = ErrorOf("server:\n  listen: localhost\n");
  EXPECT_TRUE(
      error.starts_with("tocsin.yaml:2: server.listen: invalid listen address "
                        "'localhost': no port"))
      << error;
}

TEST(ConfigTest, ListenAcceptsWhatTheServerBindsAndNothingElse) {
  // The config reads the listen address with the server's own parser, so a
  // file the config accepts never fails at bind time for its syntax.
  auto every_interface = Parse("server:\n  listen: \":8080\"\n");
  ASSERT_TRUE(every_interface.ok()) << every_interface.error().message;
  EXPECT_EQ(every_interface->server.listen, ":8080");
  EXPECT_TRUE(ErrorOf("server:\n  listen: myhost:8080\n")
                  .starts_with("tocsin.yaml:2: server.listen: invalid listen address "
                               "'myhost:8080': 'myhost' is not an IPv4 address or localhost"));
}

TEST(ConfigTest, OverrideServerSettingValidatesLikeTheFile) {
  ServerConfig server;
  EXPECT_TRUE(OverrideServerSetting(server, "listen", "127.0.0.1:9000").ok());
  EXPECT_EQ(server.listen, "127.0.0.1:9000");
  const Status bad = OverrideServerSetting(server, "listen", "127.0.0.1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("no port"), std::string::npos) << bad.error().message;
  EXPECT_EQ(server.listen, "127.0.0.1:9000");
}

TEST(ConfigTest, IPv6ListenAddressIsAccepted) {
  auto config = Parse("server:\n  listen: \"[::1]:8080\"\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.listen, "[::1]:8080");
}

TEST(ConfigTest, DnsServerMustBeAnAddress) {
  const std::string error = ErrorOf("server:\n  dns_servers: [dns.example.com]\n");
  EXPECT_TRUE(
      error.starts_with("tocsin.yaml:2: server.dns_servers: invalid DNS server "
                        "'dns.example.com'"))
      << error;
}

TEST(ConfigTest, MissingUrlIsAnError) {
  EXPECT_EQ(ErrorOf("monitors:\n  - name: home\n    interval: 60s\n"),
            "tocsin.yaml:2: monitor 'home': has no 'url'");
}

TEST(ConfigTest, MissingNameIsAnError) {
  EXPECT_EQ(ErrorOf("monitors:\n  - url: https://example.com/\n"),
            "tocsin.yaml:2: monitor #1: has no 'name'");
}

TEST(ConfigTest, NameLongerThan200CharactersIsAnError) {
  const std::string yaml =
      "monitors:\n  - name: " + std::string(201, 'n') + "\n    url: https://example.com/\n";
  EXPECT_EQ(ErrorOf(yaml), "tocsin.yaml:2: monitor #1: 'name' must be 1 to 200 characters");
}

TEST(ConfigTest, SlowThresholdAboveTimeoutIsAnError) {
  EXPECT_EQ(ErrorOf("monitors:\n"
                    "  - name: home\n"
                    "    url: https://example.com/\n"
                    "    slow_threshold: 15s\n"),
            "tocsin.yaml:4: monitor 'home': slow_threshold (15s) exceeds timeout (10s), so it "
            "could never trigger");
}

TEST(ConfigTest, PlainNumberIsReadAsTextWhereTextIsExpected) {
  auto config = Parse(
      "monitors:\n"
      "  - name: 404\n"
      "    url: https://example.com/\n"
      "    expect_status: 404\n"
      "    keyword: true\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->monitors[0].name, "404");
  EXPECT_EQ(config->monitors[0].check->spec().expect_status, "404");
  EXPECT_EQ(config->monitors[0].check->spec().keyword, "true");
}

TEST(ConfigTest, QuotedNumberIsNotReadAsNumber) {
  EXPECT_EQ(ErrorOf("monitors:\n"
                    "  - name: home\n"
                    "    url: https://example.com/\n"
                    "    max_redirects: \"3\"\n"),
            "tocsin.yaml:4: monitor 'home': 'max_redirects' must be a whole number up to 20");
}

TEST(ConfigTest, OptionWithoutValueIsAnError) {
  EXPECT_EQ(ErrorOf("monitors:\n"
                    "  - name: home\n"
                    "    url: https://example.com/\n"
                    "    keyword:\n"),
            "tocsin.yaml:4: monitor 'home': 'keyword' has no value");
}

TEST(ConfigTest, SecondYamlDocumentIsAnError) {
  EXPECT_EQ(ErrorOf("server:\n  shards: 1\n---\nserver:\n  shards: 2\n"),
            "tocsin.yaml:3: more than one YAML document; put everything in one");
}

TEST(ConfigTest, MergeKeyAppliesSharedDefaults) {
  auto config = Parse(
      "monitors:\n"
      "  - &defaults\n"
      "    name: a\n"
      "    url: https://example.com/\n"
      "    interval: 30s\n"
      "    headers: [\"Accept: text/html\"]\n"
      "  - <<: *defaults\n"
      "    name: b\n"
      "    interval: 2m\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->monitors.size(), 2u);
  const MonitorConfig& b = config->monitors[1];
  EXPECT_EQ(b.name, "b");
  EXPECT_EQ(b.interval, 120 * kSecond);
  EXPECT_EQ(b.check->spec().url, "https://example.com/");
  EXPECT_EQ(b.check->spec().headers, std::vector<std::string>{"Accept: text/html"});
}

TEST(ConfigTest, ErrorInMergedKeyNamesLineWhereItIsWritten) {
  EXPECT_EQ(ErrorOf("monitors:\n"
                    "  - &defaults\n"
                    "    name: a\n"
                    "    url: https://example.com/\n"
                    "  - <<: *defaults\n"
                    "    name: b\n"
                    "    interval: 20s\n"
                    "    timeout: 30s\n"),
            "tocsin.yaml:8: monitor 'b': timeout (30s) must not exceed interval (20s)");
}

TEST(ConfigTest, SelfMergingMapIsAnError) {
  const std::string error = ErrorOf(
      "monitors:\n"
      "  - &m\n"
      "    name: a\n"
      "    url: https://example.com/\n"
      "    <<: *m\n");
  EXPECT_NE(error.find("nested more than 8 deep"), std::string::npos) << error;
}

TEST(ConfigTest, NonMapFileIsAnError) {
  EXPECT_EQ(ErrorOf("- a\n- b\n"),
            "tocsin.yaml:1: the file must be a map with 'server' and 'monitors'");
}

TEST(ConfigTest, UnreadableFileNamesPath) {
  auto config = LoadConfigFile("/nonexistent/tocsin.yaml", kNoEnv);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "cannot read config file '/nonexistent/tocsin.yaml': No such file or directory");
}

TEST(ConfigTest, LoadsFileAndNamesItInErrors) {
  char path[] = "/tmp/tocsin_config_testXXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(path);
    out << "server:\n  shards: 2\nmonitors:\n  - name: a\n    url: https://example.com/\n";
  }
  auto config = LoadConfigFile(path, kNoEnv);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.shards, 2);
  EXPECT_EQ(config->monitors.size(), 1u);
  {
    std::ofstream out(path);
    out << "server:\n  shards: 0\n";
  }
  config = LoadConfigFile(path, kNoEnv);
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(config.error().message.starts_with(std::string(path) + ":2: server.shards"))
      << config.error().message;
  std::remove(path);
}

TEST(ConfigTest, LoadsOneHundredThousandMonitors) {
  constexpr int kMonitors = 100'000;
  std::string yaml = "monitors:\n";
  yaml.reserve(static_cast<size_t>(kMonitors) * 80);
  for (int i = 0; i < kMonitors; ++i) {
    const std::string n = std::to_string(i);
    yaml += "  - name: m" + n + "\n    url: https://host" + n +
            ".example.com/\n    interval: " + std::to_string(10 + i % 3600) + "s\n";
  }
  auto config = Parse(yaml);
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->monitors.size(), static_cast<size_t>(kMonitors));
  const MonitorConfig& m = config->monitors[54'321];
  EXPECT_EQ(m.name, "m54321");
  EXPECT_EQ(m.check->spec().url, "https://host54321.example.com/");
  EXPECT_EQ(m.interval, (10 + 54'321 % 3600) * kSecond);
  EXPECT_EQ(m.line, 2 + 54'321 * 3);
}

}  // namespace
}  // namespace tocsin::config
