// Telegram Bot API: sendMessage to the chat, as plain text (no parse mode,
// so nothing a user wrote is read as markup), link previews off.
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "notify/providers.h"

namespace tocsin::notify {
namespace {

constexpr const char* kDefaultApi = "https://api.telegram.org";
constexpr size_t kMaxText = 4096;

class TelegramProvider final : public Provider {
 public:
  Status Validate(const model::Channel& c) const override {
    if (c.token.empty())
      return InvalidField("token", "a telegram channel needs 'token' (the bot's)");
    if (c.token.find_first_of("/?#@ \r\n") != std::string::npos) {
      return InvalidField("token", "'token' is not a bot token");
    }
    if (c.chat_id.empty()) return InvalidField("chat_id", "a telegram channel needs 'chat_id'");
    return ValidateHttpUrl(c.url, "url", /*required=*/false);
  }

  Result<Request> Build(const model::Channel& c, const Delivery&, const Message& m,
                        const BuildContext&) const override {
    std::string text = m.text;
    if (!m.ack_link.empty() && text.find(m.ack_link) == std::string::npos) {
      text += "\nAcknowledge: " + m.ack_link;
    }
    nlohmann::json payload = {{"chat_id", c.chat_id},
                              {"text", std::string(Utf8Prefix(text, kMaxText))},
                              {"disable_web_page_preview", true}};
    std::string api = c.url.empty() ? kDefaultApi : c.url;
    while (!api.empty() && api.back() == '/') api.pop_back();
    HttpRequest r;
    r.url = api + "/bot" + c.token + "/sendMessage";
    r.headers = {"Content-Type: application/json"};
    r.body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return Request(std::move(r));
  }
};

}  // namespace

const Provider& TelegramProviderInstance() {
  static const TelegramProvider provider;
  return provider;
}

}  // namespace tocsin::notify
