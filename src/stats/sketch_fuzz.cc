// libFuzzer target: stored sketch bytes are checked, never trusted; what
// deserializes re-serializes to the same bytes.
#include <cstdint>
#include <string_view>

#include "stats/sketch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto sketch = tocsin::stats::LatencySketch::Deserialize(bytes);
  if (!sketch.ok()) return 0;
  if (sketch->Serialize() != bytes) __builtin_trap();
  (void)sketch->Quantile(0.99);
  return 0;
}
