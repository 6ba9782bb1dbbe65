// Email: one message per notice (or group) to the channel's recipients, with
// a text/plain part and a text/html alternative. Follow-ups of an incident
// (reminders, recovery) thread under its first message.
#include <fmt/format.h>

#include "core/crypto.h"
#include "notify/email/mime.h"
#include "notify/providers.h"

namespace tocsin::notify {
namespace {

class EmailProvider final : public Provider {
 public:
  Status Validate(const model::Channel& c) const override {
    if (c.to.empty())
      return InvalidField("to", "an email channel needs 'to' (a list of addresses)");
    for (const auto& address : c.to) {
      if (!mime::IsPlainAddress(address)) {
        return InvalidField("to", "'" + address + "' is not an email address");
      }
    }
    return {};
  }

  Result<Request> Build(const model::Channel& c, const Delivery& d, const Message& m,
                        const BuildContext& ctx) const override {
    const std::string from = mime::AddressOf(ctx.mail_from);
    const std::string domain = from.substr(from.rfind('@') + 1);
    // Message ids by incident and channel, so follow-ups thread under the
    // opening message in every mail client.
    const std::string channel_tag = Hex(Sha256(c.name)).substr(0, 8);
    mime::Mail mail;
    mail.from = ctx.mail_from;
    mail.to = c.to;
    mail.subject = "[Tocsin] " + m.title;
    mail.text = m.text;
    mail.html = m.html;
    mail.date_unix = ctx.now_ms / 1000;
    mail.message_id = Hex(Sha256(d.id)).substr(0, 32) + "@" + domain;
    if (d.notices.size() == 1) {
      const auto& incident = d.notices[0].value("incident", nlohmann::json::object());
      const int64_t id = incident.value("id", int64_t{0});
      if (id != 0) {
        const std::string thread = fmt::format("incident-{}-{}@{}", id, channel_tag, domain);
        if (d.notices[0].value("event", "") == "opened") {
          mail.message_id = thread;
        } else {
          mail.in_reply_to = thread;
        }
        mail.extra_headers.emplace_back("X-Tocsin-Incident", std::to_string(id));
      }
    }
    return Request(MailRequest{from, c.to, mime::Render(mail)});
  }
};

}  // namespace

const Provider& EmailProviderInstance() {
  static const EmailProvider provider;
  return provider;
}

}  // namespace tocsin::notify
