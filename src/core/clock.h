// Time sources. Durations inside the engine are microseconds on the
// monotonic clock; timestamps that leave the process are Unix microseconds.
#pragma once

#include <cstdint>
#include <ctime>

namespace tocsin {

using Micros = int64_t;

inline Micros MonotonicMicros() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<Micros>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

inline Micros UnixMicros() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<Micros>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

}  // namespace tocsin
