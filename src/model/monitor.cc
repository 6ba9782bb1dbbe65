#include "model/monitor.h"

#include <algorithm>

namespace tocsin::model {

Status NormalizeTags(std::vector<std::string>& tags) {
  const auto bad = [] {
    return InvalidField("tags", "tags are a list of at most " + std::to_string(kMaxTags) +
                                    " words of 1 to " + std::to_string(kMaxTagBytes) +
                                    " characters, without commas");
  };
  if (tags.size() > kMaxTags) return bad();
  for (const std::string& tag : tags) {
    if (tag.empty() || tag.size() > kMaxTagBytes) return bad();
    for (unsigned char ch : tag) {
      if (ch < 0x20 || ch == 0x7f || ch == ',') return bad();
    }
  }
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return {};
}

}  // namespace tocsin::model
