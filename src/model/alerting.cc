#include "model/alerting.h"

namespace tocsin::model {

std::string_view AlertLevelName(AlertLevel level) {
  switch (level) {
    case AlertLevel::kDown:
      return "down";
    case AlertLevel::kDegraded:
      return "degraded";
    case AlertLevel::kAll:
      return "all";
  }
  return "down";
}

namespace {
constexpr std::string_view kChannelTypeNames[] = {"email", "webhook",   "slack", "discord",
                                                  "teams", "pagerduty", "ntfy",  "telegram"};
}  // namespace

std::string_view ChannelTypeName(ChannelType type) {
  return kChannelTypeNames[static_cast<size_t>(type)];
}

bool ChannelTypeFromName(std::string_view name, ChannelType* type) {
  for (size_t i = 0; i < std::size(kChannelTypeNames); ++i) {
    if (kChannelTypeNames[i] == name) {
      *type = static_cast<ChannelType>(i);
      return true;
    }
  }
  return false;
}

}  // namespace tocsin::model
