// ntfy: the text POSTed to the topic URL, with Title (RFC 2047 when not
// ASCII, which ntfy decodes), Priority by severity, Tags and a Click link;
// an access token goes in Authorization.
#include "notify/email/mime.h"
#include "notify/providers.h"

namespace tocsin::notify {
namespace {

class NtfyProvider final : public Provider {
 public:
  Status Validate(const model::Channel& c) const override {
    return ValidateHttpUrl(c.url, "url");  // the topic's URL: https://ntfy.sh/<topic>
  }

  Result<Request> Build(const model::Channel& c, const Delivery&, const Message& m,
                        const BuildContext&) const override {
    HttpRequest r;
    r.url = c.url;
    r.body = m.text;
    // One line: a folded encoded-word is not a valid HTTP header value.
    std::string title = mime::EncodeHeaderText(m.title);
    for (size_t at; (at = title.find("\r\n ")) != std::string::npos;) title.replace(at, 3, " ");
    r.headers = {"Content-Type: text/plain; charset=utf-8", "Title: " + title};
    switch (m.severity) {
      case Severity::kCritical:
        r.headers.push_back("Priority: 5");
        r.headers.push_back("Tags: rotating_light");
        break;
      case Severity::kWarning:
        r.headers.push_back("Priority: 4");
        r.headers.push_back("Tags: warning");
        break;
      case Severity::kInfo:
        r.headers.push_back("Priority: 3");
        r.headers.push_back("Tags: white_check_mark");
        break;
    }
    if (!m.link.empty()) r.headers.push_back("Click: " + mime::CleanHeaderValue(m.link));
    if (!c.token.empty()) {
      r.headers.push_back("Authorization: Bearer " + mime::CleanHeaderValue(c.token));
    }
    return Request(std::move(r));
  }
};

}  // namespace

const Provider& NtfyProviderInstance() {
  static const NtfyProvider provider;
  return provider;
}

}  // namespace tocsin::notify
