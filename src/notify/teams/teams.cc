// Microsoft Teams (a Workflows webhook): a message with an Adaptive Card
// holding the title, the text, and buttons to the monitor and to
// acknowledge.
#include <nlohmann/json.hpp>

#include "notify/providers.h"

namespace tocsin::notify {
namespace {

class TeamsProvider final : public Provider {
 public:
  Status Validate(const model::Channel& c) const override { return ValidateHttpUrl(c.url, "url"); }

  Result<Request> Build(const model::Channel& c, const Delivery&, const Message& m,
                        const BuildContext&) const override {
    nlohmann::json actions = nlohmann::json::array();
    if (!m.link.empty()) {
      actions.push_back({{"type", "Action.OpenUrl"}, {"title", "Monitor"}, {"url", m.link}});
    }
    if (!m.ack_link.empty()) {
      actions.push_back(
          {{"type", "Action.OpenUrl"}, {"title", "Acknowledge"}, {"url", m.ack_link}});
    }
    nlohmann::json card = {
        {"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
        {"type", "AdaptiveCard"},
        {"version", "1.4"},
        {"body",
         {{{"type", "TextBlock"},
           {"text", m.title},
           {"weight", "Bolder"},
           {"size", "Medium"},
           {"wrap", true},
           {"color", m.severity == Severity::kInfo ? "Good" : "Attention"}},
          {{"type", "TextBlock"}, {"text", m.text}, {"wrap", true}, {"fontType", "Monospace"}}}},
        {"actions", actions}};
    nlohmann::json payload = {
        {"type", "message"},
        {"attachments",
         {{{"contentType", "application/vnd.microsoft.card.adaptive"}, {"content", card}}}}};
    HttpRequest r;
    r.url = c.url;
    r.headers = {"Content-Type: application/json"};
    r.body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return Request(std::move(r));
  }
};

}  // namespace

const Provider& TeamsProviderInstance() {
  static const TeamsProvider provider;
  return provider;
}

}  // namespace tocsin::notify
