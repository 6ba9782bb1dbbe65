// Loads and validates the YAML config file and the TOCSIN_SERVER_* overrides.
#include "config/config.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <deque>
#include <istream>
#include <nlohmann/json.hpp>
#include <streambuf>
#include <unordered_map>
#include <utility>

#include "core/duration.h"
#include "net/ip_address.h"

extern char** environ;  // POSIX; read once by ProcessEnvironment()

namespace tocsin::config {
namespace {

constexpr std::string_view kEnvPrefix = "TOCSIN_SERVER_";
constexpr uint32_t kMaxPort = 65'535;

// ---------------------------------------------------------------------------
// Scalar parsers shared by the file and the environment. Their messages carry
// no location: callers say where the text came from.

Result<uint64_t> ParseUnsigned(std::string_view text) {
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgument("'" + std::string(text) + "' is not a whole number");
  }
  return value;
}

Result<uint64_t> ParseUnsignedIn(std::string_view text, uint64_t lo, uint64_t hi) {
  auto value = ParseUnsigned(text);
  if (!value.ok() || *value < lo || *value > hi) {
    return InvalidArgument("must be a whole number from " + std::to_string(lo) + " to " +
                           std::to_string(hi) + ", not '" + std::string(text) + "'");
  }
  return value;
}

Result<bool> ParseBool(std::string_view text) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return InvalidArgument("must be true or false, not '" + std::string(text) + "'");
}

Result<Micros> ParseDurationIn(std::string_view text, Micros lo, Micros hi) {
  auto value = ParseDuration(text);
  if (!value.ok()) return value.error();
  if (*value < lo || *value > hi) {
    return InvalidArgument("'" + std::string(text) + "' is out of range (" + FormatDuration(lo) +
                           " to " + FormatDuration(hi) + ")");
  }
  return value;
}

Result<uint32_t> ParsePort(std::string_view text) {
  auto port = ParseUnsigned(text);
  if (!port.ok() || *port < 1 || *port > kMaxPort) {
    return InvalidArgument("invalid port '" + std::string(text) + "' (1 to 65535)");
  }
  return static_cast<uint32_t>(*port);
}

// An address literal as c-ares and the address policy read it: only the
// canonical dotted quad for IPv4, so 0x7f.1 is not silently accepted.
bool IsCanonicalAddress(std::string_view text) {
  auto address = net::IpAddress::ParseLiteral(text);
  return address && (address->is_v6() || address->ToString() == text);
}

bool IsHostName(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-';
  });
}

// Splits "host:port", "[v6]:port", "host", "[v6]" or a bare IPv6 address.
// `port` is nullopt when there is none. False when the brackets do not
// balance or something follows them other than ":port".
bool SplitHostPort(std::string_view text, std::string_view* host,
                   std::optional<std::string_view>* port) {
  port->reset();
  if (text.starts_with('[')) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    *host = text.substr(0, close + 1);
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return true;
    if (!rest.starts_with(':')) return false;
    *port = rest.substr(1);
    return true;
  }
  const size_t colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
    *host = text;  // a bare IPv6 address
    return true;
  }
  *host = text.substr(0, colon);
  if (colon != std::string_view::npos) *port = text.substr(colon + 1);
  return true;
}

Status ValidateListen(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return InvalidArgument("invalid listen address '" + std::string(text) + "': " + why +
                           " (expected host:port, e.g. 127.0.0.1:8080 or [::1]:8080)");
  };
  std::string_view host;
  std::optional<std::string_view> port;
  if (!SplitHostPort(text, &host, &port)) return bad("unbalanced brackets");
  if (!port) return bad("no port");
  if (auto p = ParsePort(*port); !p.ok()) return bad(p.error().message);
  if (host.starts_with('[')) {
    const auto address = net::IpAddress::ParseLiteral(host);
    if (!address || !address->is_v6()) return bad("invalid IPv6 address");
  } else if (!IsHostName(host)) {
    return bad("invalid host");
  }
  return {};
}

Status ValidateDnsServer(std::string_view text) {
  std::string_view host;
  std::optional<std::string_view> port;
  const bool split = SplitHostPort(text, &host, &port);
  if (split && host.starts_with('[')) host = host.substr(1, host.size() - 2);
  if (!split || !IsCanonicalAddress(host) || (port && !ParsePort(*port).ok())) {
    return InvalidArgument("invalid DNS server '" + std::string(text) +
                           "' (expected an IP address with an optional port, e.g. 127.0.0.1:5353 "
                           "or [::1]:53)");
  }
  return {};
}

// ---------------------------------------------------------------------------
// The server settings, one table for the file and the environment.

struct ServerSetting {
  std::string_view key;
  // Exactly one of these is set: a scalar setting or a list setting.
  Status (*set_scalar)(ServerConfig& server, std::string_view text);
  Status (*set_list)(ServerConfig& server, const std::vector<std::string>& items);
};

constexpr ServerSetting kServerSettings[] = {
    {"listen",
     [](ServerConfig& s, std::string_view text) -> Status {
       if (Status v = ValidateListen(text); !v.ok()) return v;
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
         if (Status v = ValidateDnsServer(item); !v.ok()) return v;
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
};

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
  return out;
}

// Comma-separated list from the environment; blanks around items are
// dropped, and an empty value is an empty list.
std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
  }
  return items;
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
  return {};
}

// ---------------------------------------------------------------------------
// The YAML side.

// A YAML document as a compact tree, built from yaml-cpp's parser events.
// yaml-cpp's own YAML::Node tree costs about 3.4 KB per three-key monitor
// (340 MB for 100,000; loading them peaked at 460 MB with it, 190 MB with
// this tree) and was slower to build (2.2 s against 1.5 s for the whole load).
struct YamlNode {
  enum class Kind : uint8_t { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  bool plain = false;  // an unquoted, untagged scalar: may be read as a number
  int line = 0;        // 1-based
  std::string scalar;
  // Sequence items; for a map its keys and values alternating. An alias is
  // the node it names, so a node may have several parents.
  std::vector<const YamlNode*> children;

  bool IsNull() const { return kind == Kind::kNull; }
  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsSequence() const { return kind == Kind::kSequence; }
  bool IsMap() const { return kind == Kind::kMap; }
  const std::string& Scalar() const { return scalar; }
};

class YamlTreeBuilder final : public YAML::EventHandler {
 public:
  // The document's root; nullptr for a stream without documents.
  const YamlNode* root() const { return root_; }
  int start_line() const { return start_line_; }

  void OnDocumentStart(const YAML::Mark& mark) override { start_line_ = mark.line + 1; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Add(mark, YamlNode::Kind::kNull, anchor);
  }
  void OnAlias(const YAML::Mark& /*mark*/, YAML::anchor_t anchor) override {
    // The parser has checked that the anchor exists.
    Attach(anchors_.at(anchor));
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode& node = Add(mark, YamlNode::Kind::kScalar, anchor);
    node.plain = tag == "?";  // yaml-cpp's tag for plain scalars; quoted ones get "!"
    node.scalar = value;
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    open_.push_back(&Add(mark, YamlNode::Kind::kSequence, anchor));
  }
  void OnSequenceEnd() override { open_.pop_back(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    open_.push_back(&Add(mark, YamlNode::Kind::kMap, anchor));
  }
  void OnMapEnd() override { open_.pop_back(); }

 private:
  YamlNode& Add(const YAML::Mark& mark, YamlNode::Kind kind, YAML::anchor_t anchor) {
    YamlNode& node = nodes_.emplace_back();
    node.kind = kind;
    node.line = mark.line + 1;
    if (anchor != YAML::NullAnchor) anchors_[anchor] = &node;
    Attach(&node);
    return node;
  }
  void Attach(const YamlNode* node) {
    if (open_.empty()) {
      root_ = node;
    } else {
      open_.back()->children.push_back(node);
    }
  }

  std::deque<YamlNode> nodes_;  // a deque: nodes never move, children point at them
  std::vector<YamlNode*> open_;
  std::unordered_map<YAML::anchor_t, const YamlNode*> anchors_;
  const YamlNode* root_ = nullptr;
  int start_line_ = 0;
};

// Lets yaml-cpp read the caller's text without a copy. The get area is never
// written: putting back a different character fails (pbackfail's default).
class ViewStreamBuf : public std::streambuf {
 public:
  explicit ViewStreamBuf(std::string_view text) {
    char* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

// Keys a monitor has besides the probe options of probe::SpecFromJson.
constexpr std::string_view kNameKey = "name";
constexpr std::string_view kIntervalKey = "interval";
constexpr std::string_view kSlowThresholdKey = "slow_threshold";
constexpr std::string_view kEnabledKey = "enabled";
constexpr std::string_view kOwnerKey = "owner";
constexpr std::string_view kUrlKey = "url";
constexpr std::string_view kTimeoutKey = "timeout";
// YAML's merge key, and how deep merged maps may merge others (an alias can
// name a map that merges itself).
constexpr std::string_view kMergeKey = "<<";
constexpr int kMaxMergeDepth = 8;

std::string Quote(std::string_view text) {
  return "'" + std::string(text) + "'";
}

struct Entry {
  const YamlNode& key;
  const YamlNode& value;
  const std::string& name() const { return key.Scalar(); }
};

class FileParser {
 public:
  explicit FileParser(std::string_view source) : source_(source) {}

  static int Line(const YamlNode& node) { return node.line; }
  std::string At(const YamlNode& node) const { return source_ + ":" + std::to_string(Line(node)); }
  Error ErrorAt(const YamlNode& node, const std::string& message) const {
    return InvalidArgument(At(node) + ": " + message);
  }

  // The entries of a map with scalar keys, each key once. A merge key
  // ("<<: *defaults", or "<<: [*a, *b]") adds the entries of other maps that
  // this map does not set itself, earlier maps first.
  Result<std::vector<Entry>> Entries(const YamlNode& map, const std::string& context,
                                     int depth = 0) const {
    std::vector<Entry> entries;
    std::vector<Entry> merges;
    entries.reserve(map.children.size() / 2);
    for (size_t i = 0; i + 1 < map.children.size(); i += 2) {
      const YamlNode& key = *map.children[i];
      if (!key.IsScalar()) return ErrorAt(key, context + "keys must be plain names");
      if (key.plain && key.Scalar() == kMergeKey) {
        merges.push_back({key, *map.children[i + 1]});
        continue;
      }
      for (const Entry& seen : entries) {
        if (seen.name() == key.Scalar()) {
          return ErrorAt(key, context + "key " + Quote(seen.name()) +
                                  " appears twice (first at line " +
                                  std::to_string(Line(seen.key)) + ")");
        }
      }
      entries.push_back({key, *map.children[i + 1]});
    }
    for (const Entry& merge : merges) {
      if (depth >= kMaxMergeDepth) {
        return ErrorAt(merge.key, context + "merge keys ('<<') nested more than " +
                                      std::to_string(kMaxMergeDepth) + " deep");
      }
      std::vector<const YamlNode*> sources;
      if (merge.value.IsMap()) {
        sources.push_back(&merge.value);
      } else if (merge.value.IsSequence()) {
        sources = merge.value.children;
      }
      if (sources.empty() || std::any_of(sources.begin(), sources.end(),
                                         [](const YamlNode* n) { return !n->IsMap(); })) {
        return ErrorAt(merge.key,
                       context + "'<<' must name a map or a list of maps, e.g. <<: *defaults");
      }
      for (const YamlNode* source : sources) {
        auto merged = Entries(*source, context, depth + 1);
        if (!merged.ok()) return merged.error();
        for (const Entry& m : *merged) {
          const bool present = std::any_of(entries.begin(), entries.end(),
                                           [&](const Entry& e) { return e.name() == m.name(); });
          if (!present) entries.push_back(m);
        }
      }
    }
    return entries;
  }

  // The text of a scalar setting, or an error naming the key.
  Result<std::string> ScalarText(const Entry& e, const std::string& context) const {
    if (e.value.IsScalar()) return e.value.Scalar();
    if (e.value.IsNull()) return ErrorAt(e.key, context + Quote(e.name()) + " has no value");
    return ErrorAt(e.key, context + Quote(e.name()) + " must be a single value, not a " +
                              (e.value.IsMap() ? "map" : "list"));
  }

  Status ParseServer(const YamlNode& node, ServerConfig& server) const {
    if (node.IsNull()) return {};
    if (!node.IsMap()) return ErrorAt(node, "'server' must be a map of settings");
    auto entries = Entries(node, "server: ");
    if (!entries.ok()) return entries.error();
    for (const Entry& e : *entries) {
      const ServerSetting* setting = FindServerSetting(e.name());
      const std::string context = "server." + e.name() + ": ";
      if (setting == nullptr) {
        return ErrorAt(e.key, "unknown server setting " + Quote(e.name()) +
                                  " (known: " + ServerKeyList() + ")");
      }
      Status s;
      if (setting->set_scalar) {
        auto text = ScalarText(e, "server: ");
        if (!text.ok()) return text.error();
        s = setting->set_scalar(server, *text);
      } else {
        if (!e.value.IsSequence()) {
          return ErrorAt(e.key,
                         context + "must be a list, e.g. [" +
                             (e.name() == "dns_servers" ? "\"127.0.0.1:53\"]" : "10.20.0.0/16]"));
        }
        std::vector<std::string> items;
        for (const YamlNode* item : e.value.children) {
          if (!item->IsScalar()) {
            return ErrorAt(*item, context + "list items must be single values");
          }
          items.push_back(item->Scalar());
        }
        s = setting->set_list(server, items);
      }
      if (!s.ok()) return ErrorAt(e.value.IsNull() ? e.key : e.value, context + s.error().message);
    }
    return {};
  }

  Result<std::vector<MonitorConfig>> ParseMonitors(const YamlNode& node) const {
    std::vector<MonitorConfig> monitors;
    if (node.IsNull()) return monitors;
    if (!node.IsSequence()) {
      return ErrorAt(node, "'monitors' must be a list, each item starting with '- name: ...'");
    }
    monitors.reserve(node.children.size());
    std::unordered_map<std::string, int> lines_by_name;
    lines_by_name.reserve(node.children.size());
    size_t index = 0;
    for (const YamlNode* item_node : node.children) {
      const YamlNode& item = *item_node;
      auto monitor = ParseMonitor(item, ++index);
      if (!monitor.ok()) return monitor.error();
      auto [it, inserted] = lines_by_name.emplace(monitor->name, monitor->line);
      if (!inserted) {
        return ErrorAt(item, "duplicate monitor name " + Quote(monitor->name) +
                                 " (first defined at line " + std::to_string(it->second) +
                                 "); names must be unique");
      }
      monitors.push_back(std::move(*monitor));
    }
    return monitors;
  }

 private:
  // A probe option as JSON: plain scalars that look like unsigned integers
  // become numbers, plain true/false booleans, everything else strings;
  // lists become arrays. With `as_strings` every scalar stays a string (the
  // fallback for options such as `expect_status: 200` that want text).
  static nlohmann::json ScalarToJson(const YamlNode& node, bool as_strings) {
    const std::string& text = node.Scalar();
    if (!as_strings && node.plain) {
      if (text == "true") return true;
      if (text == "false") return false;
      if (auto n = ParseUnsigned(text); n.ok()) return *n;
    }
    return text;
  }

  Result<nlohmann::json> OptionToJson(const Entry& e, const std::string& context,
                                      bool as_strings) const {
    if (e.value.IsScalar()) return ScalarToJson(e.value, as_strings);
    if (e.value.IsSequence()) {
      nlohmann::json array = nlohmann::json::array();
      for (const YamlNode* item : e.value.children) {
        if (!item->IsScalar()) {
          return ErrorAt(*item, context + Quote(e.name()) + " must be a list of single values");
        }
        array.push_back(ScalarToJson(*item, as_strings));
      }
      return array;
    }
    if (e.value.IsNull()) return ErrorAt(e.key, context + Quote(e.name()) + " has no value");
    return ErrorAt(e.key, context + Quote(e.name()) + " must be a value or a list, not a map");
  }

  // `message` about option `key`, naming the key when the message does not.
  static std::string AboutKey(const std::string& key, const std::string& message) {
    if (message.find(key) != std::string::npos) return message;
    return key + ": " + message;
  }

  // The first option that fails alone, with its error. Used only after the
  // options failed together, so the common path validates each monitor once.
  // With `prepare`, each option is also compiled, beside the url (Prepare
  // needs one).
  static std::optional<std::pair<size_t, Error>> FirstFailingOption(
      const std::vector<Entry>& options, const nlohmann::json& json, bool prepare) {
    // With `prepare`, the url goes first: every other option is tried beside it.
    std::vector<size_t> order(options.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (prepare) {
      std::stable_partition(order.begin(), order.end(),
                            [&](size_t i) { return options[i].name() == kUrlKey; });
    }
    for (const size_t i : order) {
      const std::string& key = options[i].name();
      nlohmann::json one = nlohmann::json::object();
      if (prepare && key != kUrlKey && json.contains(kUrlKey)) one[kUrlKey] = json[kUrlKey];
      one[key] = json[key];
      auto spec = probe::SpecFromJson(one);
      if (!spec.ok()) return std::make_pair(i, spec.error());
      if (!prepare) continue;
      auto check = probe::PreparedCheck::Prepare(std::move(*spec));
      if (!check.ok()) return std::make_pair(i, check.error());
    }
    return std::nullopt;
  }

  Result<MonitorConfig> ParseMonitor(const YamlNode& item, size_t index) const {
    const std::string numbered = "monitor #" + std::to_string(index) + ": ";
    if (!item.IsMap()) {
      return ErrorAt(item, numbered + "must be a map of settings starting with 'name: ...'");
    }
    auto entries = Entries(item, numbered);
    if (!entries.ok()) return entries.error();

    MonitorConfig m;
    m.line = Line(item);
    const auto name_entry = std::find_if(entries->begin(), entries->end(),
                                         [](const Entry& e) { return e.name() == kNameKey; });
    if (name_entry == entries->end()) return ErrorAt(item, numbered + "has no 'name'");
    auto name = ScalarText(*name_entry, numbered);
    if (!name.ok()) return name.error();
    m.name = std::move(*name);
    if (m.name.empty() || m.name.size() > kMaxMonitorNameBytes) {
      return ErrorAt(name_entry->value, numbered + "'name' must be 1 to 200 characters");
    }
    if (std::any_of(m.name.begin(), m.name.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
      return ErrorAt(name_entry->value, numbered + "'name' contains a control character");
    }
    const std::string context = "monitor " + Quote(m.name) + ": ";

    // Monitor keys here; everything else is a probe option for SpecFromJson.
    std::vector<Entry> options;
    const Entry* interval_entry = nullptr;
    const Entry* slow_entry = nullptr;
    for (const Entry& e : *entries) {
      const std::string& key = e.name();
      if (key == kNameKey) continue;
      if (key == kIntervalKey || key == kSlowThresholdKey || key == kEnabledKey ||
          key == kOwnerKey) {
        auto text = ScalarText(e, context);
        if (!text.ok()) return text.error();
        Status s;
        if (key == kIntervalKey) {
          interval_entry = &e;
          auto v = ParseDurationIn(*text, kMinInterval, kMaxInterval);
          if (v.ok()) m.interval = *v;
          s = v.ok() ? Status() : Status(v.error());
        } else if (key == kSlowThresholdKey) {
          slow_entry = &e;
          auto v = ParseDuration(*text);
          if (v.ok()) m.slow_threshold = *v;
          s = v.ok() ? Status() : Status(v.error());
        } else if (key == kEnabledKey) {
          auto v = ParseBool(*text);
          if (v.ok()) m.enabled = *v;
          s = v.ok() ? Status() : Status(v.error());
        } else {
          auto v = ParseUnsigned(*text);
          if (v.ok()) m.owner = *v;
          s = v.ok() ? Status() : Status(InvalidArgument("must be a user id (a whole number)"));
        }
        if (!s.ok()) return ErrorAt(e.value, context + key + ": " + s.error().message);
        continue;
      }
      options.push_back(e);
    }
    const auto url_entry = std::find_if(options.begin(), options.end(),
                                        [](const Entry& e) { return e.name() == kUrlKey; });
    if (url_entry == options.end()) return ErrorAt(item, context + "has no 'url'");

    auto check = PrepareCheck(options, context);
    if (!check.ok()) return check.error();
    m.check = std::move(*check);

    const Micros timeout = m.check->spec().timeout;
    if (timeout > m.interval) {
      const auto timeout_entry = std::find_if(
          options.begin(), options.end(), [](const Entry& e) { return e.name() == kTimeoutKey; });
      const YamlNode& where = timeout_entry != options.end() ? timeout_entry->key
                              : interval_entry != nullptr    ? interval_entry->key
                                                             : item;
      return ErrorAt(where, context + "timeout (" + FormatDuration(timeout) +
                                ") must not exceed interval (" + FormatDuration(m.interval) + ")");
    }
    if (m.slow_threshold > timeout) {
      return ErrorAt(slow_entry->key, context + "slow_threshold (" +
                                          FormatDuration(m.slow_threshold) + ") exceeds timeout (" +
                                          FormatDuration(timeout) + "), so it could never trigger");
    }
    return m;
  }

  Result<std::shared_ptr<const probe::PreparedCheck>> PrepareCheck(
      const std::vector<Entry>& options, const std::string& context) const {
    // Options read as text where the typed reading failed (`keyword: 404`).
    std::vector<bool> as_strings(options.size(), false);
    for (;;) {
      nlohmann::json json = nlohmann::json::object();
      for (size_t i = 0; i < options.size(); ++i) {
        auto value = OptionToJson(options[i], context, as_strings[i]);
        if (!value.ok()) return value.error();
        json[options[i].name()] = std::move(*value);
      }
      auto spec = probe::SpecFromJson(json);
      if (spec.ok()) {
        auto check = probe::PreparedCheck::Prepare(std::move(*spec));
        if (check.ok()) return check;
        auto failing = FirstFailingOption(options, json, /*prepare=*/true);
        if (!failing) return ErrorAt(options.front().key, context + check.error().message);
        const Entry& e = options[failing->first];
        return ErrorAt(e.key, context + AboutKey(e.name(), failing->second.message));
      }
      auto failing = FirstFailingOption(options, json, /*prepare=*/false);
      if (!failing) return ErrorAt(options.front().key, context + spec.error().message);
      const size_t i = failing->first;
      const Entry& e = options[i];
      if (!as_strings[i] && !json[e.name()].is_string() &&
          (e.value.IsScalar() || e.value.IsSequence())) {
        as_strings[i] = true;  // retry with the text as written
        continue;
      }
      std::string message = AboutKey(e.name(), failing->second.message);
      if (message.starts_with("unknown check option")) {
        message = "unknown key " + Quote(e.name()) +
                  " (neither a monitor setting nor a check option; see docs/configuration.md)";
      }
      return ErrorAt(e.key, context + message);
    }
  }

  std::string source_;
};

}  // namespace

std::string EnvironmentVariableFor(std::string_view key) {
  std::string name(kEnvPrefix);
  for (char c : key) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

Environment EnvironmentFromMap(std::map<std::string, std::string, std::less<>> variables) {
  auto shared =
      std::make_shared<const std::map<std::string, std::string, std::less<>>>(std::move(variables));
  return [shared](std::string_view name) -> std::optional<std::string> {
    const auto it = shared->find(name);
    if (it == shared->end()) return std::nullopt;
    return it->second;
  };
}

Environment ProcessEnvironment() {
  std::map<std::string, std::string, std::less<>> variables;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    variables.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return EnvironmentFromMap(std::move(variables));
}

Result<Config> ParseConfig(std::string_view yaml_text, std::string_view source_name,
                           const Environment& env) {
  const FileParser parser(source_name);
  const std::string source(source_name);
  Config config;
  // The tree is only needed while parsing: it goes before the Config returns.
  YamlTreeBuilder tree;
  try {
    ViewStreamBuf buffer(yaml_text);
    std::istream in(&buffer);
    YAML::Parser yaml(in);
    if (yaml.HandleNextDocument(tree)) {
      YamlTreeBuilder second;
      if (yaml.HandleNextDocument(second)) {
        return InvalidArgument(source + ":" + std::to_string(second.start_line()) +
                               ": more than one YAML document; put everything in one");
      }
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(source + ":" + std::to_string(e.mark.is_null() ? 0 : e.mark.line + 1) +
                           ": invalid YAML: " + e.msg + " (column " +
                           std::to_string(e.mark.is_null() ? 0 : e.mark.column + 1) + ")");
  }
  if (tree.root() != nullptr && !tree.root()->IsNull()) {
    const YamlNode& root = *tree.root();
    if (!root.IsMap()) {
      return parser.ErrorAt(root, "the file must be a map with 'server' and 'monitors'");
    }
    auto entries = parser.Entries(root, "");
    if (!entries.ok()) return entries.error();
    for (const Entry& e : *entries) {
      if (e.name() == "server") {
        if (Status s = parser.ParseServer(e.value, config.server); !s.ok()) return s.error();
      } else if (e.name() == "monitors") {
        auto monitors = parser.ParseMonitors(e.value);
        if (!monitors.ok()) return monitors.error();
        config.monitors = std::move(*monitors);
      } else {
        return parser.ErrorAt(
            e.key, "unknown top-level key " + Quote(e.name()) + " (expected server, monitors)");
      }
    }
  }
  if (Status s = ApplyEnvironment(config.server, env); !s.ok()) return s.error();
  return config;
}

Result<Config> LoadConfigFile(const std::string& path, const Environment& env) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  const auto unreadable = [&](int err) {
    return Unavailable("cannot read config file '" + path + "': " + std::strerror(err));
  };
  if (!file) return unreadable(errno);
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const size_t n = std::fread(buffer, 1, sizeof(buffer), file.get());
    text.append(buffer, n);
    if (text.size() > kMaxConfigFileBytes) {
      return InvalidArgument("config file '" + path + "' is larger than " +
                             std::to_string(kMaxConfigFileBytes >> 20) + " MiB");
    }
    if (n < sizeof(buffer)) {
      if (std::ferror(file.get())) return unreadable(errno);
      break;
    }
  }
  return ParseConfig(text, path, env);
}

Result<Config> DefaultConfig(const Environment& env) {
  Config config;
  if (Status s = ApplyEnvironment(config.server, env); !s.ok()) return s.error();
  return config;
}

}  // namespace tocsin::config
