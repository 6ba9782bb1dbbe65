#include "core/scalars.h"

#include <charconv>
#include <string>

#include "core/duration.h"

namespace tocsin {

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

}  // namespace tocsin
