#include "core/duration.h"

#include <charconv>
#include <cstdio>
#include <limits>

namespace tocsin {
namespace {

struct Unit {
  std::string_view name;
  Micros micros;
};

// Longest names first so "ms" is not read as "m" followed by garbage.
constexpr Unit kUnits[] = {
    {"ms", 1'000},        {"us", 1},         {"d", 86'400'000'000},
    {"h", 3'600'000'000}, {"m", 60'000'000}, {"s", 1'000'000},
};

}  // namespace

Result<Micros> ParseDuration(std::string_view text) {
  const std::string original(text);
  if (text.empty()) return InvalidArgument("empty duration");
  Micros total = 0;
  bool bare = true;
  while (!text.empty()) {
    uint64_t number = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc() || ptr == text.data()) {
      return InvalidArgument("invalid duration '" + original + "' (expected e.g. 500ms, 10s, 5m)");
    }
    text.remove_prefix(static_cast<size_t>(ptr - text.data()));
    Micros unit = 1'000'000;
    if (!text.empty()) {
      bool matched = false;
      for (const Unit& u : kUnits) {
        if (text.starts_with(u.name)) {
          unit = u.micros;
          text.remove_prefix(u.name.size());
          matched = true;
          break;
        }
      }
      if (!matched) {
        return InvalidArgument("invalid duration unit in '" + original +
                               "' (use us, ms, s, m, h or d)");
      }
      bare = false;
    } else if (!bare) {
      return InvalidArgument("invalid duration '" + original + "': a number lacks its unit");
    }
    if (number > static_cast<uint64_t>(std::numeric_limits<Micros>::max() / unit) ||
        total > std::numeric_limits<Micros>::max() - static_cast<Micros>(number) * unit) {
      return InvalidArgument("duration '" + original + "' is too large");
    }
    total += static_cast<Micros>(number) * unit;
  }
  return total;
}

std::string FormatMillis(Micros value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f ms", static_cast<double>(value) / 1000.0);
  return buf;
}

std::string FormatDuration(Micros value) {
  if (value == 0) return "0s";
  for (const Unit& u : {Unit{"d", 86'400'000'000}, Unit{"h", 3'600'000'000}, Unit{"m", 60'000'000},
                        Unit{"s", 1'000'000}, Unit{"ms", 1'000}}) {
    if (value % u.micros == 0) return std::to_string(value / u.micros) + std::string(u.name);
  }
  return std::to_string(value) + "us";
}

}  // namespace tocsin
