#include "app/check_command.h"

#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/duration.h"
#include "net/host_port.h"
#include "probe/check_options.h"
#include "probe/engine.h"

namespace tocsin::app {
namespace {

struct CheckFlags {
  // Check options as given, in order, read by their table row after parsing
  // so that a bad value is a usage error with the option's own message.
  std::vector<std::pair<const probe::CheckOption*, std::string>> options;
  bool ipv4 = false;
  bool ipv6 = false;
  bool json = false;
  bool allow_private = false;
  std::vector<std::string> allow_cidrs;
  std::vector<std::string> dns_servers;
};

CheckFlags& Flags() {
  static CheckFlags flags;  // owned by the one parse of this process's command line
  return flags;
}

std::string Date(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

void PrintText(const probe::CheckResult& r) {
  std::printf("%s\n", r.url.c_str());
  std::printf("  host        %s\n", r.host.c_str());
  std::printf("  ip          %s\n", r.ip.valid() ? r.ip.ToString().c_str() : "-");
  if (r.http_version != 0) {
    std::printf("  http        HTTP/%s %u\n",
                std::string(probe::HttpVersionName(r.http_version)).c_str(), r.http_status);
  }
  std::printf("  redirects   %u\n", r.redirects);
  std::printf("  bytes       %llu (%llu decoded), headers %u\n",
              static_cast<unsigned long long>(r.bytes),
              static_cast<unsigned long long>(r.body_bytes), r.header_bytes);
  if (r.certificate) {
    const int64_t days = (r.certificate->not_after - std::time(nullptr)) / 86400;
    std::printf("  tls         %s\n", r.certificate->subject.c_str());
    std::printf("              issued by %s\n", r.certificate->issuer.c_str());
    std::printf("              expires %s (%lld days)\n", Date(r.certificate->not_after).c_str(),
                static_cast<long long>(days));
  }
  const probe::Timings& t = r.timings;
  std::printf("\n  %-11s%-11s%-11s%-12s%-11s%-11s%s\n", "DNS", "connect", "TLS", "first byte",
              "download", "redirects", "total");
  std::printf("  %-11s%-11s%-11s%-12s%-11s%-11s%s\n",
              (FormatMillis(t.dns) + (r.dns_cached ? "*" : "")).c_str(),
              FormatMillis(t.connect).c_str(), FormatMillis(t.tls).c_str(),
              FormatMillis(t.ttfb).c_str(), FormatMillis(t.download).c_str(),
              FormatMillis(t.redirect).c_str(), FormatMillis(t.total).c_str());
  std::printf("  response time %s, full download %s\n\n", FormatMillis(t.response()).c_str(),
              FormatMillis(t.total).c_str());
  std::printf("  outcome     %s", std::string(probe::OutcomeName(r.outcome)).c_str());
  if (r.tls_failure != probe::TlsFailure::kNone) {
    std::printf(" (%s)", std::string(probe::TlsFailureName(r.tls_failure)).c_str());
  }
  std::printf("\n");
  if (!r.detail.empty()) std::printf("  detail      %s\n", r.detail.c_str());
}

}  // namespace

CLI::App* AddCheckCommand(CLI::App& app) {
  CheckFlags& f = Flags();
  CLI::App* cmd = app.add_subcommand("check", "Check one URL now and print what was measured");
  for (const probe::CheckOption& o : probe::CheckOptions()) {
    const std::string flags(o.flags);
    const std::string help(o.help);
    const probe::CheckOption* row = &o;
    if (o.kind == probe::OptionKind::kFlag) {
      cmd->add_flag_function(
          flags, [&f, row](int64_t) { f.options.emplace_back(row, "true"); }, help);
      continue;
    }
    if (o.kind == probe::OptionKind::kList) {
      // One value per use, so a URL after a repeatable option is never
      // swallowed as its second value.
      cmd->add_option_function<std::vector<std::string>>(
             flags,
             [&f, row](const std::vector<std::string>& values) {
               for (const auto& v : values) f.options.emplace_back(row, v);
             },
             help)
          ->allow_extra_args(false);
      continue;
    }
    CLI::Option* option = cmd->add_option_function<std::string>(
        flags, [&f, row](const std::string& value) { f.options.emplace_back(row, value); }, help);
    if (o.name == "url") option->required();
  }
  cmd->add_flag("-4", f.ipv4, "Same as --ip-version 4");
  cmd->add_flag("-6", f.ipv6, "Same as --ip-version 6");
  cmd->add_flag("--allow-private", f.allow_private,
                "Allow loopback, private and link-local targets (your own network)");
  cmd->add_option("--allow-cidr", f.allow_cidrs, "Allow this address prefix (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--dns-server", f.dns_servers, "DNS server ip:port (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--json", f.json, "Print the result as one JSON object");
  return cmd;
}

int RunCheck() {
  CheckFlags& f = Flags();
  auto fail_usage = [](const std::string& message) {
    std::fprintf(stderr, "tocsin check: %s\n", message.c_str());
    return 2;
  };
  if (f.ipv4 && f.ipv6) return fail_usage("-4 and -6 exclude each other");
  if (f.ipv4) f.options.emplace_back(probe::FindCheckOption("ip_version"), "4");
  if (f.ipv6) f.options.emplace_back(probe::FindCheckOption("ip_version"), "6");
  probe::CheckSpec spec;
  for (const auto& [option, text] : f.options) {
    Status s = option->set(*option, spec, {probe::ValueForm::kPlain, text});
    if (!s.ok()) return fail_usage(s.error().message);
  }
  auto check = probe::PreparedCheck::Prepare(std::move(spec));
  if (!check.ok()) return fail_usage(check.error().message);

  probe::EngineOptions options;
  options.shards = 1;
  options.address_policy.allow_private = f.allow_private;
  for (const auto& cidr : f.allow_cidrs) {
    auto prefix = net::Prefix::Parse(cidr);
    if (!prefix.ok()) return fail_usage(prefix.error().message);
    options.address_policy.allow.push_back(*prefix);
  }
  for (const auto& server : f.dns_servers) {
    if (auto parsed = net::ParseDnsServer(server); !parsed.ok()) {
      return fail_usage(parsed.error().message);
    }
  }
  options.resolver.servers = f.dns_servers;

  std::mutex mu;
  std::condition_variable done;
  std::optional<probe::CheckResult> result;
  auto engine = probe::Engine::Start(options, [&](probe::CheckResult&& r) {
    std::lock_guard lock(mu);
    result = std::move(r);
    done.notify_all();
  });
  if (!engine.ok()) {
    std::fprintf(stderr, "tocsin check: %s\n", engine.error().message.c_str());
    return 1;
  }
  if (!(*engine)->Submit(*check, model::JobId{})) {
    std::fprintf(stderr, "tocsin check: the engine refused the check\n");
    return 1;
  }
  {
    std::unique_lock lock(mu);
    done.wait(lock, [&] { return result.has_value(); });
  }
  (*engine)->Stop();

  if (f.json) {
    nlohmann::json j = probe::ResultToJson(*result);
    j["check"] = probe::SpecToJson((*check)->spec());
    std::cout << j.dump() << std::endl;
  } else {
    PrintText(*result);
  }
  return result->ok() ? 0 : 1;
}

}  // namespace tocsin::app
