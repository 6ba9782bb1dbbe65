#include "probe/check_options.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>

#include "core/duration.h"
#include "core/text.h"

namespace tocsin::probe {
namespace {

std::string Quoted(std::string_view name) {
  return "'" + std::string(name) + "'";
}

bool IsTextForm(OptionValue v) {
  return v.form == ValueForm::kString || v.form == ValueForm::kPlain;
}

template <auto Field>
Status SetText(const CheckOption& o, CheckSpec& spec, OptionValue v) {
  if (!IsTextForm(v))
    return InvalidField(std::string(o.name), Quoted(o.name) + " must be a string");
  spec.*Field = std::string(v.text);
  return {};
}

template <auto Field>
Status AddText(const CheckOption& o, CheckSpec& spec, OptionValue v) {
  if (!IsTextForm(v)) {
    return InvalidField(std::string(o.name), Quoted(o.name) + " must be a list of strings");
  }
  (spec.*Field).emplace_back(v.text);
  return {};
}

template <auto Field>
Status SetDuration(const CheckOption& o, CheckSpec& spec, OptionValue v) {
  if (!IsTextForm(v)) {
    return InvalidField(std::string(o.name), Quoted(o.name) + " must be a string such as \"10s\"");
  }
  auto d = ParseDuration(v.text);
  if (!d.ok()) return InvalidField(std::string(o.name), d.error().message);
  spec.*Field = *d;
  return {};
}

template <auto Field>
Status SetCount(const CheckOption& o, CheckSpec& spec, OptionValue v) {
  uint64_t n = 0;
  const char* end = v.text.data() + v.text.size();
  const auto [ptr, ec] = std::from_chars(v.text.data(), end, n);
  const bool number = v.form == ValueForm::kNumber || v.form == ValueForm::kPlain;
  if (!number || v.text.empty() || ec != std::errc() || ptr != end || n > o.max) {
    return InvalidField(std::string(o.name),
                        Quoted(o.name) + " must be a whole number up to " + std::to_string(o.max));
  }
  spec.*Field = static_cast<std::remove_reference_t<decltype(spec.*Field)>>(n);
  return {};
}

template <auto Field>
Status SetFlag(const CheckOption& o, CheckSpec& spec, OptionValue v) {
  const bool typed = v.form == ValueForm::kBool || v.form == ValueForm::kPlain;
  if (typed && v.text == "true") {
    spec.*Field = true;
  } else if (typed && v.text == "false") {
    spec.*Field = false;
  } else {
    return InvalidField(std::string(o.name), Quoted(o.name) + " must be true or false");
  }
  return {};
}

Status SetIpVersion(const CheckOption& o, CheckSpec& spec, OptionValue v) {
  if (v.form != ValueForm::kBool) {
    if (v.text == "auto") {
      spec.ip_version = IpVersion::kAuto;
      return {};
    }
    if (v.text == "4") {
      spec.ip_version = IpVersion::kV4;
      return {};
    }
    if (v.text == "6") {
      spec.ip_version = IpVersion::kV6;
      return {};
    }
  }
  return InvalidField(std::string(o.name), Quoted(o.name) + " must be auto, 4 or 6");
}

std::string_view IpVersionName(IpVersion v) {
  switch (v) {
    case IpVersion::kV4:
      return "4";
    case IpVersion::kV6:
      return "6";
    case IpVersion::kAuto:
      break;
  }
  return "auto";
}

bool IsSecretHeader(const std::string& header) {
  const std::string_view name = std::string_view(header).substr(0, header.find(':'));
  return AsciiIEquals(name, "authorization") || AsciiIEquals(name, "cookie");
}

// Getters: always present, or present when set (null leaves the key out).
template <auto Field>
nlohmann::json GetAlways(const CheckSpec& spec) {
  return spec.*Field;
}
template <auto Field>
nlohmann::json GetIfSet(const CheckSpec& spec) {
  return (spec.*Field).empty() ? nlohmann::json() : nlohmann::json(spec.*Field);
}

constexpr std::string_view kRedactedHeader = ": <redacted>";
constexpr std::string_view kRedactedAuth = ":<redacted>";

nlohmann::json GetHeaders(const CheckSpec& spec) {
  if (spec.headers.empty()) return nullptr;
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& h : spec.headers) {
    headers.push_back(IsSecretHeader(h) ? h.substr(0, h.find(':')) + std::string(kRedactedHeader)
                                        : h);
  }
  return headers;
}

nlohmann::json GetBasicAuth(const CheckSpec& spec) {
  if (spec.basic_auth.empty()) return nullptr;
  return spec.basic_auth.substr(0, spec.basic_auth.find(':')) + std::string(kRedactedAuth);
}

constexpr CheckOption kOptions[] = {
    {"url", "url", "http:// or https:// URL", OptionKind::kText, 0, &SetText<&CheckSpec::url>,
     &GetAlways<&CheckSpec::url>},
    {"method", "-X,--method", "HTTP method (default GET)", OptionKind::kText, 0,
     &SetText<&CheckSpec::method>, &GetAlways<&CheckSpec::method>},
    {"headers", "-H,--header", "Request header 'Name: value' (repeatable)", OptionKind::kList, 0,
     &AddText<&CheckSpec::headers>, &GetHeaders},
    {"body", "-d,--body", "Request body", OptionKind::kText, 0, &SetText<&CheckSpec::body>,
     &GetIfSet<&CheckSpec::body>},
    {"basic_auth", "-u,--basic-auth", "Basic auth 'user:password'", OptionKind::kText, 0,
     &SetText<&CheckSpec::basic_auth>, &GetBasicAuth},
    {"expect_status", "--expect-status", "Accepted statuses, e.g. 200-299,301 (default 200-299)",
     OptionKind::kText, 0, &SetText<&CheckSpec::expect_status>,
     &GetAlways<&CheckSpec::expect_status>},
    {"keyword", "--keyword", "Text that must appear in the body", OptionKind::kText, 0,
     &SetText<&CheckSpec::keyword>, &GetIfSet<&CheckSpec::keyword>},
    {"not_keyword", "--not-keyword", "Text that must not appear in the body", OptionKind::kText, 0,
     &SetText<&CheckSpec::not_keyword>, &GetIfSet<&CheckSpec::not_keyword>},
    {"regex", "--regex", "PCRE2 regex that must match the body", OptionKind::kText, 0,
     &SetText<&CheckSpec::regex>, &GetIfSet<&CheckSpec::regex>},
    {"not_regex", "--not-regex", "PCRE2 regex that must not match the body", OptionKind::kText, 0,
     &SetText<&CheckSpec::not_regex>, &GetIfSet<&CheckSpec::not_regex>},
    {"timeout", "--timeout", "Whole-check timeout, e.g. 500ms, 10s (default 10s)",
     OptionKind::kDuration, 0, &SetDuration<&CheckSpec::timeout>,
     [](const CheckSpec& s) -> nlohmann::json { return FormatDuration(s.timeout); }},
    {"max_body_bytes", "--max-body-bytes", "Largest body accepted (default 10485760)",
     OptionKind::kCount, kMaxMaxBodyBytes, &SetCount<&CheckSpec::max_body_bytes>,
     &GetAlways<&CheckSpec::max_body_bytes>},
    {"max_header_bytes", "--max-header-bytes", "Largest headers accepted (default 65536)",
     OptionKind::kCount, kMaxMaxHeaderBytes, &SetCount<&CheckSpec::max_header_bytes>,
     &GetAlways<&CheckSpec::max_header_bytes>},
    {"max_redirects", "--max-redirects", "Redirects followed, 0 for none (default 5)",
     OptionKind::kCount, kMaxMaxRedirects, &SetCount<&CheckSpec::max_redirects>,
     &GetAlways<&CheckSpec::max_redirects>},
    {"ip_version", "--ip-version", "auto, 4 or 6 (default auto)", OptionKind::kChoice, 0,
     &SetIpVersion,
     [](const CheckSpec& s) -> nlohmann::json { return IpVersionName(s.ip_version); }},
    {"ca_file", "--ca-file", "PEM CA bundle to trust instead of the system's", OptionKind::kText, 0,
     &SetText<&CheckSpec::ca_file>, &GetIfSet<&CheckSpec::ca_file>},
    {"insecure", "-k,--insecure", "Do not verify the certificate", OptionKind::kFlag, 0,
     &SetFlag<&CheckSpec::insecure>,
     [](const CheckSpec& s) -> nlohmann::json {
       return s.insecure ? nlohmann::json(true) : nullptr;
     }},
};

// A JSON scalar as an option value; nullopt for arrays, objects and null.
std::optional<OptionValue> ScalarValue(const nlohmann::json& v, std::string& storage) {
  if (v.is_string()) return OptionValue{ValueForm::kString, v.get_ref<const std::string&>()};
  if (v.is_boolean()) return OptionValue{ValueForm::kBool, v.get<bool>() ? "true" : "false"};
  if (v.is_number()) {
    storage = v.dump();
    return OptionValue{ValueForm::kNumber, storage};
  }
  return std::nullopt;
}

}  // namespace

std::span<const CheckOption> CheckOptions() {
  return kOptions;
}

const CheckOption* FindCheckOption(std::string_view name) {
  for (const CheckOption& o : kOptions) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

nlohmann::json SpecToJson(const CheckSpec& spec) {
  nlohmann::json j = nlohmann::json::object();
  for (const CheckOption& o : kOptions) {
    nlohmann::json v = o.get(spec);
    if (!v.is_null()) j[std::string(o.name)] = std::move(v);
  }
  return j;
}

Result<CheckSpec> SpecFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return InvalidArgument("check options must be an object");
  CheckSpec spec;
  std::string storage;
  for (const auto& [key, value] : json.items()) {
    const CheckOption* o = FindCheckOption(key);
    if (o == nullptr) return InvalidField(key, "unknown check option '" + key + "'");
    if (o->kind == OptionKind::kList) {
      if (!value.is_array()) {
        return InvalidField(key, "'" + key + "' must be a list of strings");
      }
      for (const auto& item : value) {
        auto v = ScalarValue(item, storage);
        if (!v) return InvalidField(key, "'" + key + "' must be a list of strings");
        if (Status s = o->set(*o, spec, *v); !s.ok()) return s.error();
      }
      continue;
    }
    auto v = ScalarValue(value, storage);
    if (!v) return InvalidField(key, "'" + key + "' must be a single value");
    if (Status s = o->set(*o, spec, *v); !s.ok()) return s.error();
  }
  return spec;
}

void RestoreRedacted(nlohmann::json& given, const nlohmann::json& stored) {
  if (!given.is_object() || !stored.is_object()) return;
  if (const auto it = given.find("basic_auth"); it != given.end() && it->is_string()) {
    const std::string value = *it;
    const auto old = stored.find("basic_auth");
    if (value.ends_with(kRedactedAuth) && old != stored.end() && old->is_string()) {
      const std::string user = value.substr(0, value.size() - kRedactedAuth.size());
      const std::string was = *old;
      if (was.substr(0, was.find(':')) == user) *it = was;
    }
  }
  const auto headers = given.find("headers");
  const auto old_headers = stored.find("headers");
  if (headers == given.end() || !headers->is_array() || old_headers == stored.end() ||
      !old_headers->is_array()) {
    return;
  }
  for (auto& h : *headers) {
    if (!h.is_string()) continue;
    const std::string value = h;
    if (!value.ends_with(kRedactedHeader)) continue;
    const std::string name = value.substr(0, value.size() - kRedactedHeader.size());
    for (const auto& o : *old_headers) {
      if (!o.is_string()) continue;
      const std::string was = o;
      const size_t colon = was.find(':');
      if (colon != std::string::npos && AsciiIEquals(was.substr(0, colon), name)) {
        h = was;
        break;
      }
    }
  }
}

}  // namespace tocsin::probe
