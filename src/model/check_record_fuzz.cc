// libFuzzer target: check records off the wire are checked, never trusted;
// every record that parses survives SerializeRecords -> ParseRecords equal.
#include <cstdint>
#include <string_view>

#include "model/check_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto records = tocsin::model::ParseRecords(bytes);
  if (!records.ok()) return 0;
  // Not byte-equal: a newer version's extra fields are skipped on reading.
  auto again = tocsin::model::ParseRecords(tocsin::model::SerializeRecords(*records));
  if (!again.ok() || *again != *records) __builtin_trap();
  return 0;
}
