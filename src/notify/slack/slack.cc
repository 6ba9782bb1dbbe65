// Slack incoming webhook: {"text": ...} with a section block in mrkdwn.
// User text is escaped (&, <, >) so a monitor's name cannot mention
// @channel or forge a link.
#include <nlohmann/json.hpp>

#include "notify/providers.h"

namespace tocsin::notify {
namespace {

std::string SlackEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

class SlackProvider final : public Provider {
 public:
  Status Validate(const model::Channel& c) const override { return ValidateHttpUrl(c.url, "url"); }

  Result<Request> Build(const model::Channel& c, const Delivery&, const Message& m,
                        const BuildContext&) const override {
    std::string body = "*" + SlackEscape(m.title) + "*\n```" + SlackEscape(m.text) + "```";
    nlohmann::json payload = {
        {"text", SlackEscape(m.title)},
        {"blocks", {{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", body}}}}}}};
    if (!m.ack_link.empty()) {
      payload["blocks"].push_back({{"type", "actions"},
                                   {"elements",
                                    {{{"type", "button"},
                                      {"text", {{"type", "plain_text"}, {"text", "Acknowledge"}}},
                                      {"url", m.ack_link}}}}});
    }
    HttpRequest r;
    r.url = c.url;
    r.headers = {"Content-Type: application/json"};
    r.body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return Request(std::move(r));
  }
};

}  // namespace

const Provider& SlackProviderInstance() {
  static const SlackProvider provider;
  return provider;
}

}  // namespace tocsin::notify
