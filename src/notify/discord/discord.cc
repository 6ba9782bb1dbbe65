// Discord webhook: an embed with the title, the text and a colour by
// severity; allowed_mentions is empty, so no name can ping @everyone.
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "notify/providers.h"

namespace tocsin::notify {
namespace {

constexpr size_t kMaxTitle = 256;
constexpr size_t kMaxDescription = 4096;

int Colour(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return 0xC62828;
    case Severity::kWarning:
      return 0xB26A00;
    case Severity::kInfo:
      break;
  }
  return 0x2E7D32;
}

class DiscordProvider final : public Provider {
 public:
  Status Validate(const model::Channel& c) const override { return ValidateHttpUrl(c.url, "url"); }

  Result<Request> Build(const model::Channel& c, const Delivery&, const Message& m,
                        const BuildContext&) const override {
    nlohmann::json embed = {{"title", std::string(Utf8Prefix(m.title, kMaxTitle))},
                            {"description", std::string(Utf8Prefix(m.text, kMaxDescription))},
                            {"color", Colour(m.severity)}};
    if (!m.link.empty()) embed["url"] = m.link;
    nlohmann::json payload = {{"username", "Tocsin"},
                              {"embeds", {embed}},
                              {"allowed_mentions", {{"parse", nlohmann::json::array()}}}};
    HttpRequest r;
    r.url = c.url;
    r.headers = {"Content-Type: application/json"};
    r.body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return Request(std::move(r));
  }
};

}  // namespace

const Provider& DiscordProviderInstance() {
  static const DiscordProvider provider;
  return provider;
}

}  // namespace tocsin::notify
