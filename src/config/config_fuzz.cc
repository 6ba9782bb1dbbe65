// libFuzzer target: any bytes as a config file give a Config or an error
// naming the file, never a crash.
#include <cstdint>
#include <string_view>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto env = tocsin::config::EnvironmentFromMap({});
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = tocsin::config::ParseConfig(text, "fuzz.yaml", env);
  if (!config.ok() && config.error().message.rfind("fuzz.yaml", 0) != 0) __builtin_trap();
  return 0;
}
