// Result<T>: the value-or-error every fallible operation returns.
// Errors that happen in normal operation (bad input, a network failure, a full
// disk) travel as values; exceptions are kept for programming errors.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace tocsin {

enum class ErrorCode {
  kInvalidArgument,  // the caller's input is malformed
  kNotFound,
  kUnavailable,  // a dependency (network, disk, server) failed; may succeed later
  kResourceExhausted,
  kInternal,
  kUnauthenticated,   // no valid session or token
  kPermissionDenied,  // known, but not allowed to do this
  kConflict,          // the request contradicts the current state (a name taken)
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // The input field the error is about ("timeout", "url"), when there is
  // one: lets a config loader point at the line, an API at the field.
  std::string field = {};
};

inline Error InvalidArgument(std::string message) {
  return {ErrorCode::kInvalidArgument, std::move(message)};
}
inline Error Unavailable(std::string message) {
  return {ErrorCode::kUnavailable, std::move(message)};
}
inline Error InvalidField(std::string field, std::string message) {
  return {ErrorCode::kInvalidArgument, std::move(message), std::move(field)};
}
inline Error Unauthenticated(std::string message) {
  return {ErrorCode::kUnauthenticated, std::move(message)};
}
inline Error PermissionDenied(std::string message) {
  return {ErrorCode::kPermissionDenied, std::move(message)};
}
inline Error NotFound(std::string message) {
  return {ErrorCode::kNotFound, std::move(message)};
}
inline Error Conflict(std::string message) {
  return {ErrorCode::kConflict, std::move(message)};
}
inline Error Internal(std::string message) {
  return {ErrorCode::kInternal, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !ok().
  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace tocsin
