// JSON in and out of the API: errors as {"error": {"code", "message",
// "field"}} with the HTTP status their code calls for; request bodies read
// strictly (content type, size, nesting depth, every field known and of its
// type), so bad input is a 4xx that changes nothing, never a 500.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/http.h"
#include "core/result.h"

namespace tocsin::api {

inline constexpr int kMaxJsonDepth = 32;

// The status and stable code of an error: invalid_argument 400,
// unauthenticated 401, permission_denied 403, not_found 404, conflict 409,
// payload_too_large 413, unsupported_media_type 415, rate_limited 429,
// internal 500, unavailable 503.
Response ErrorResponse(const Error& e);
Response JsonResponse(int status, const nlohmann::json& body);
Response NoContent();  // 204

// In a handler: evaluates `expr` (a Result) into `var`, or answers its
// error.
#define TOCSIN_TRY(var, expr) \
  auto var = (expr);          \
  if (!var.ok()) return ::tocsin::api::ErrorResponse(var.error())
// In a handler: evaluates `expr` (a Status), or answers its error.
#define TOCSIN_CHECK(expr) \
  if (::tocsin::Status s_ = (expr); !s_.ok()) return ::tocsin::api::ErrorResponse(s_.error())

// A path's id: a positive whole number in decimal, nothing else.
bool ParseId(std::string_view text, int64_t* id);

// The body as a JSON object: kInvalidArgument for a wrong content type
// (code unsupported_media_type), malformed JSON, nesting deeper than
// kMaxJsonDepth, or anything but an object.
Result<nlohmann::json> ParseJsonObject(const Request& request);

// Reads an object's fields by name and type; remembers which it read so
// that Finish() can refuse the fields nobody asked for.
class Fields {
 public:
  explicit Fields(const nlohmann::json& object) : object_(object) {}

  Result<std::optional<std::string>> String(std::string_view name, size_t max_bytes = 4096);
  Result<std::optional<bool>> Bool(std::string_view name);
  Result<std::optional<int64_t>> Int(std::string_view name, int64_t min, int64_t max);
  // The raw value (any type) for a caller that reads it itself.
  const nlohmann::json* Raw(std::string_view name);
  Result<std::string> RequiredString(std::string_view name, size_t max_bytes = 4096);

  // Unknown fields are errors: a typo never silently does nothing.
  Status Finish() const;

 private:
  const nlohmann::json& object_;
  std::set<std::string, std::less<>> read_;
};

// The longest password field read (the rules stop at 1,024 bytes; this
// bounds the copy, and a longer one gets the rules' message).
inline constexpr size_t kMaxPasswordField = 4096;

// Query string parameters ("a=1&b=x"), percent-decoded.
std::optional<std::string> QueryParam(const Request& request, std::string_view name);
Result<std::optional<int64_t>> QueryInt(const Request& request, std::string_view name, int64_t min,
                                        int64_t max);

}  // namespace tocsin::api
