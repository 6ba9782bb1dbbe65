// Human durations as written in configs and on the command line: "250ms",
// "10s", "5m", "1h", "30d", "1h30m". A bare number is seconds.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace tocsin {

Result<Micros> ParseDuration(std::string_view text);

// The shortest exact spelling: 1500000 -> "1500ms", 60000000 -> "1m".
std::string FormatDuration(Micros value);

// A measured time for people, in milliseconds to 0.1: 1234 -> "1.2 ms".
std::string FormatMillis(Micros value);

}  // namespace tocsin
