#include "api/json.h"

#include <charconv>

#include "api/html.h"

namespace tocsin::api {
namespace {

struct Mapped {
  int status;
  const char* code;
};

Mapped Map(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInvalidArgument:
      return {400, "invalid_argument"};
    case ErrorCode::kUnauthenticated:
      return {401, "unauthenticated"};
    case ErrorCode::kPermissionDenied:
      return {403, "permission_denied"};
    case ErrorCode::kNotFound:
      return {404, "not_found"};
    case ErrorCode::kConflict:
      return {409, "conflict"};
    case ErrorCode::kResourceExhausted:
      return {429, "rate_limited"};
    case ErrorCode::kUnavailable:
      return {503, "unavailable"};
    case ErrorCode::kInternal:
      break;
  }
  return {500, "internal"};
}

// Deepest nesting of arrays and objects, strings skipped; stops counting
// past `limit`. nlohmann's parser would take any depth, and the value's
// destructor recurses: a body of 500,000 '[' must never reach it.
int NestingDepth(std::string_view text, int limit) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

Response JsonResponse(int status, const nlohmann::json& body) {
  return Response::Json(status,
                        body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Response NoContent() {
  return Response{204, "text/plain; charset=utf-8", "", {}};
}

bool ParseId(std::string_view text, int64_t* id) {
  if (text.empty() || text.size() > 19 || text[0] == '0') return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *id);
  return ec == std::errc() && ptr == text.data() + text.size() && *id > 0;
}

Response ErrorResponse(const Error& e) {
  Mapped m = Map(e);
  // A few causes the API reports with codes of their own.
  if (e.message.starts_with("unsupported media type")) m = {415, "unsupported_media_type"};
  nlohmann::json error = {{"code", m.code}, {"message", e.message}};
  if (!e.field.empty()) error["field"] = e.field;
  Response r = JsonResponse(m.status, {{"error", error}});
  if (m.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"tocsin\"");
  if (m.status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

Result<nlohmann::json> ParseJsonObject(const Request& request) {
  const std::string_view type = request.header("Content-Type").value_or("");
  const std::string_view media = type.substr(0, type.find(';'));
  if (TrimBlanks(media) != "application/json") {
    return InvalidArgument("unsupported media type: send the body as application/json");
  }
  if (NestingDepth(request.body, kMaxJsonDepth) > kMaxJsonDepth) {
    return InvalidArgument("the JSON body is nested more than " + std::to_string(kMaxJsonDepth) +
                           " deep");
  }
  nlohmann::json j = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("the body is not valid JSON");
  if (!j.is_object()) return InvalidArgument("the body must be a JSON object");
  return j;
}

Result<std::optional<std::string>> Fields::String(std::string_view name, size_t max_bytes) {
  read_.emplace(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return InvalidField(std::string(name), "'" + std::string(name) + "' must be a string");
  }
  const std::string& s = it->get_ref<const std::string&>();
  if (s.size() > max_bytes) {
    return InvalidField(std::string(name), "'" + std::string(name) + "' is longer than " +
                                               std::to_string(max_bytes) + " bytes");
  }
  return std::optional<std::string>(s);
}

Result<std::string> Fields::RequiredString(std::string_view name, size_t max_bytes) {
  auto v = String(name, max_bytes);
  if (!v.ok()) return v.error();
  if (!*v) return InvalidField(std::string(name), "'" + std::string(name) + "' is required");
  return **v;
}

Result<std::optional<bool>> Fields::Bool(std::string_view name) {
  read_.emplace(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) {
    return InvalidField(std::string(name), "'" + std::string(name) + "' must be true or false");
  }
  return std::optional<bool>(it->get<bool>());
}

Result<std::optional<int64_t>> Fields::Int(std::string_view name, int64_t min, int64_t max) {
  read_.emplace(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) return std::optional<int64_t>();
  const bool integral = it->is_number_integer() || it->is_number_unsigned();
  if (!integral || (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(max)) ||
      it->get<int64_t>() < min || it->get<int64_t>() > max) {
    return InvalidField(std::string(name), "'" + std::string(name) +
                                               "' must be a whole number from " +
                                               std::to_string(min) + " to " + std::to_string(max));
  }
  return std::optional<int64_t>(it->get<int64_t>());
}

const nlohmann::json* Fields::Raw(std::string_view name) {
  read_.emplace(name);
  auto it = object_.find(name);
  return it == object_.end() ? nullptr : &*it;
}

Status Fields::Finish() const {
  for (const auto& [key, value] : object_.items()) {
    if (!read_.contains(key)) return InvalidField(key, "unknown field '" + key + "'");
  }
  return {};
}

std::optional<std::string> QueryParam(const Request& request, std::string_view name) {
  auto params = ParseForm(request.query);
  auto it = params.find(std::string(name));
  if (it == params.end()) return std::nullopt;
  return it->second;
}

Result<std::optional<int64_t>> QueryInt(const Request& request, std::string_view name, int64_t min,
                                        int64_t max) {
  auto text = QueryParam(request, name);
  if (!text) return std::optional<int64_t>();
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (text->empty() || ec != std::errc() || ptr != text->data() + text->size() || v < min ||
      v > max) {
    return InvalidField(std::string(name), "'" + std::string(name) +
                                               "' must be a whole number from " +
                                               std::to_string(min) + " to " + std::to_string(max));
  }
  return std::optional<int64_t>(v);
}

}  // namespace tocsin::api
