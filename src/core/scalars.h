// Scalar settings read the same way from the file, the environment and the
// API. The messages carry no location: callers say where the text came from.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace tocsin {

Result<uint64_t> ParseUnsigned(std::string_view text);
// "must be a whole number from LO to HI, not 'TEXT'".
Result<uint64_t> ParseUnsignedIn(std::string_view text, uint64_t lo, uint64_t hi);
// true, false, 1 or 0.
Result<bool> ParseBool(std::string_view text);
Result<Micros> ParseDurationIn(std::string_view text, Micros lo, Micros hi);

}  // namespace tocsin
