#include "config/server_section.h"

#include <string>
#include <vector>

#include "core/scalars.h"
#include "core/text.h"
#include "net/host_port.h"
#include "net/url.h"
#include "notify/email/mime.h"

namespace tocsin::config {
namespace {

struct ServerSetting {
  std::string_view key;
  // Exactly one of these is set: a scalar setting or a list setting.
  Status (*set_scalar)(ServerConfig& server, std::string_view text);
  Status (*set_list)(ServerConfig& server, const std::vector<std::string>& items);
};

// A PEM file's path (tls_cert, tls_key).
Status SetPemPath(std::string& out, std::string_view text) {
  if (text.empty() || text.find('\0') != std::string_view::npos) {
    return InvalidArgument("must name a PEM file");
  }
  out = std::string(text);
  return {};
}

// A status page kept at most this long: an hour-old page would hide an outage.
constexpr Micros kMaxStatusPageCache = 300'000'000;
constexpr ServerSetting kServerSettings[] = {
    {"listen",
     [](ServerConfig& s, std::string_view text) -> Status {
       auto address = net::ParseListenAddress(text);
       if (!address.ok()) return address.error();
       s.listen = std::string(text);
       return {};
     },
     nullptr},
    {"data_dir",
     [](ServerConfig& s, std::string_view text) -> Status {
       if (text.empty()) return InvalidArgument("must not be empty");
       if (text.find('\0') != std::string_view::npos) return InvalidArgument("contains a NUL byte");
       s.data_dir = std::string(text);
       return {};
     },
     nullptr},
    {"allow_private",
     [](ServerConfig& s, std::string_view text) -> Status {
       auto v = ParseBool(text);
       if (!v.ok()) return v.error();
       s.allow_private = *v;
       return {};
     },
     nullptr},
    {"allow_cidrs", nullptr,
     [](ServerConfig& s, const std::vector<std::string>& items) -> Status {
       std::vector<net::Prefix> prefixes;
       for (const auto& item : items) {
         auto prefix = net::Prefix::Parse(item);
         if (!prefix.ok()) return prefix.error();
         prefixes.push_back(*prefix);
       }
       s.allow_cidrs = std::move(prefixes);
       return {};
     }},
    {"retention",
     [](ServerConfig& s, std::string_view text) -> Status {
       auto v = ParseDurationIn(text, kMinRetention, kMaxRetention);
       if (!v.ok()) return v.error();
       s.retention = *v;
       return {};
     },
     nullptr},
    {"dns_servers", nullptr,
     [](ServerConfig& s, const std::vector<std::string>& items) -> Status {
       for (const auto& item : items) {
         if (auto server = net::ParseDnsServer(item); !server.ok()) return server.error();
       }
       s.dns_servers = items;
       return {};
     }},
    {"shards",
     [](ServerConfig& s, std::string_view text) -> Status {
       auto v = ParseUnsignedIn(text, 1, kMaxShards);
       if (!v.ok()) return v.error();
       s.shards = static_cast<int>(*v);
       return {};
     },
     nullptr},
    {"per_host_concurrency",
     [](ServerConfig& s, std::string_view text) -> Status {
       auto v = ParseUnsignedIn(text, 1, kMaxPerHostConcurrency);
       if (!v.ok()) return v.error();
       s.per_host_concurrency = static_cast<int>(*v);
       return {};
     },
     nullptr},
    {"max_in_flight",
     [](ServerConfig& s, std::string_view text) -> Status {
       auto v = ParseUnsignedIn(text, 1, kMaxMaxInFlight);
       if (!v.ok()) return v.error();
       s.max_in_flight = static_cast<size_t>(*v);
       return {};
     },
     nullptr},
    {"public_url",
     [](ServerConfig& s, std::string_view text) -> Status {
       auto url = net::ParseUrl(text);
       if (!url.ok()) return url.error();
       std::string value(text);
       while (value.ends_with('/')) value.pop_back();
       s.public_url = std::move(value);
       return {};
     },
     nullptr},
    {"trusted_proxies", nullptr,
     [](ServerConfig& s, const std::vector<std::string>& items) -> Status {
       std::vector<net::Prefix> prefixes;
       for (const auto& item : items) {
         auto prefix = net::Prefix::Parse(item);
         if (!prefix.ok()) return prefix.error();
         prefixes.push_back(*prefix);
       }
       s.trusted_proxies = std::move(prefixes);
       return {};
     }},
    {"access_log",
     [](ServerConfig& s, std::string_view text) -> Status {
       if (text.find('\0') != std::string_view::npos) return InvalidArgument("contains a NUL byte");
       s.access_log = std::string(text);
       return {};
     },
     nullptr},
    // HTTPS on the listen address itself: PEM certificate chain and key.
    {"tls_cert", [](ServerConfig& s, std::string_view t) { return SetPemPath(s.tls_cert, t); },
     nullptr},
    {"tls_key", [](ServerConfig& s, std::string_view t) { return SetPemPath(s.tls_key, t); },
     nullptr},
    {"status_page_cache",
     [](ServerConfig& s, std::string_view text) -> Status {
       auto v = ParseDurationIn(text, 0, kMaxStatusPageCache);
       if (!v.ok()) return v.error();
       s.status_page_cache = *v;
       return {};
     },
     nullptr},
};

// `server.smtp`, a map of its own; TOCSIN_SERVER_SMTP_<KEY> in the environment.
struct SmtpSetting {
  std::string_view key;
  Status (*set)(SmtpConfig& smtp, std::string_view text);
};

constexpr SmtpSetting kSmtpSettings[] = {
    {"host",
     [](SmtpConfig& s, std::string_view text) -> Status {
       auto parts = net::SplitHostPort(text);
       if (!parts.ok() || parts->port || parts->host.empty() ||
           parts->host.find_first_of(" /@") != std::string::npos) {
         return InvalidArgument("'" + std::string(text) +
                                "' is not a host name or address (the port is 'port')");
       }
       s.host = parts->host;
       return {};
     }},
    {"port",
     [](SmtpConfig& s, std::string_view text) -> Status {
       auto v = ParseUnsignedIn(text, 1, 65'535);
       if (!v.ok()) return v.error();
       s.port = static_cast<uint16_t>(*v);
       return {};
     }},
    {"tls",
     [](SmtpConfig& s, std::string_view text) -> Status {
       if (text == "starttls") {
         s.tls = SmtpConfig::Tls::kStartTls;
       } else if (text == "tls") {
         s.tls = SmtpConfig::Tls::kImplicit;
       } else if (text == "none") {
         s.tls = SmtpConfig::Tls::kNone;
       } else {
         return InvalidArgument("must be starttls, tls or none, not '" + std::string(text) + "'");
       }
       return {};
     }},
    {"username",
     [](SmtpConfig& s, std::string_view text) -> Status {
       s.username = std::string(text);
       return {};
     }},
    {"password",
     [](SmtpConfig& s, std::string_view text) -> Status {
       s.password = std::string(text);
       return {};
     }},
    {"from",
     [](SmtpConfig& s, std::string_view text) -> Status {
       if (!notify::mime::IsMailbox(text)) {
         return InvalidArgument("'" + std::string(text) +
                                "' is not a sender such as \"Tocsin <tocsin@example.com>\"");
       }
       s.from = std::string(text);
       return {};
     }},
    {"ca_file",
     [](SmtpConfig& s, std::string_view text) -> Status {
       s.ca_file = std::string(text);
       return {};
     }},
};

const SmtpSetting* FindSmtpSetting(std::string_view key) {
  for (const auto& setting : kSmtpSettings) {
    if (setting.key == key) return &setting;
  }
  return nullptr;
}

Status ParseSmtp(const YamlReader& reader, const YamlEntry& e, SmtpConfig& smtp) {
  if (e.value.IsNull()) return {};
  if (!e.value.IsMap()) {
    return reader.ErrorAt(e.key,
                          "server.smtp: must be a map, e.g. {host: mail.example.com, "
                          "port: 587}");
  }
  auto entries = reader.Entries(e.value, "server.smtp: ");
  if (!entries.ok()) return entries.error();
  for (const YamlEntry& sub : *entries) {
    const SmtpSetting* setting = FindSmtpSetting(sub.name());
    if (setting == nullptr) {
      return reader.ErrorAt(sub.key, "unknown setting server.smtp." + sub.name() +
                                         " (known: host, port, tls, username, password, from, "
                                         "ca_file)");
    }
    auto text = reader.ScalarText(sub, "server.smtp: ");
    if (!text.ok()) return text.error();
    if (Status s = setting->set(smtp, *text); !s.ok()) {
      return reader.ErrorAt(sub.value, "server.smtp." + sub.name() + ": " + s.error().message);
    }
  }
  return {};
}

const ServerSetting* FindServerSetting(std::string_view key) {
  for (const auto& setting : kServerSettings) {
    if (setting.key == key) return &setting;
  }
  return nullptr;
}

std::string ServerKeyList() {
  std::string out;
  for (const auto& setting : kServerSettings) {
    out += (out.empty() ? "" : ", ") + std::string(setting.key);
  }
  return out + ", smtp";
}

}  // namespace

Status ParseServerSection(const YamlReader& reader, const YamlNode& node, ServerConfig& server) {
  if (node.IsNull()) return {};
  if (!node.IsMap()) return reader.ErrorAt(node, "'server' must be a map of settings");
  auto entries = reader.Entries(node, "server: ");
  if (!entries.ok()) return entries.error();
  for (const YamlEntry& e : *entries) {
    if (e.name() == "smtp") {
      if (Status s = ParseSmtp(reader, e, server.smtp); !s.ok()) return s;
      continue;
    }
    const ServerSetting* setting = FindServerSetting(e.name());
    const std::string context = "server." + e.name() + ": ";
    if (setting == nullptr) {
      return reader.ErrorAt(
          e.key, "unknown server setting " + Quote(e.name()) + " (known: " + ServerKeyList() + ")");
    }
    Status s;
    if (setting->set_scalar) {
      auto text = reader.ScalarText(e, "server: ");
      if (!text.ok()) return text.error();
      s = setting->set_scalar(server, *text);
    } else {
      if (!e.value.IsSequence()) {
        return reader.ErrorAt(
            e.key, context + "must be a list, e.g. [" +
                       (e.name() == "dns_servers" ? "\"127.0.0.1:53\"]" : "10.20.0.0/16]"));
      }
      std::vector<std::string> items;
      for (const YamlNode* item : e.value.children) {
        if (!item->IsScalar()) {
          return reader.ErrorAt(*item, context + "list items must be single values");
        }
        items.push_back(item->Scalar());
      }
      s = setting->set_list(server, items);
    }
    if (!s.ok()) {
      return reader.ErrorAt(e.value.IsNull() ? e.key : e.value, context + s.error().message);
    }
  }
  if (server.tls_cert.empty() != server.tls_key.empty()) {
    return reader.ErrorAt(node, "server: tls_cert and tls_key go together (HTTPS needs both)");
  }
  return {};
}

Status ApplyEnvironment(ServerConfig& server, const Environment& env) {
  if (!env) return {};
  for (const auto& setting : kServerSettings) {
    const std::string name = EnvironmentVariableFor(setting.key);
    const std::optional<std::string> value = env(name);
    if (!value) continue;
    Status s = setting.set_scalar ? setting.set_scalar(server, *value)
                                  : setting.set_list(server, SplitList(*value));
    if (!s.ok()) return InvalidArgument("environment variable " + name + ": " + s.error().message);
  }
  for (const auto& setting : kSmtpSettings) {
    const std::string name = EnvironmentVariableFor("smtp_" + std::string(setting.key));
    const std::optional<std::string> value = env(name);
    if (!value) continue;
    if (Status s = setting.set(server.smtp, *value); !s.ok()) {
      return InvalidArgument("environment variable " + name + ": " + s.error().message);
    }
  }
  return {};
}

Status OverrideServerSetting(ServerConfig& server, std::string_view key, std::string_view text) {
  const ServerSetting* setting = FindServerSetting(key);
  if (setting == nullptr || setting->set_scalar == nullptr) {
    return InvalidArgument("no scalar server setting '" + std::string(key) + "'");
  }
  return setting->set_scalar(server, text);
}

}  // namespace tocsin::config
