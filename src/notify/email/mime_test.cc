#include "notify/email/mime.h"

#include <gtest/gtest.h>

#include "core/crypto.h"

namespace tocsin::notify::mime {
namespace {

// The value of header `name` in a rendered message ("" if absent), with
// folded continuation lines joined.
std::string Header(const std::string& message, const std::string& name) {
  const std::string head = message.substr(0, message.find("\r\n\r\n"));
  const size_t at = head.find("\r\n" + name + ": ");
  const size_t start = head.starts_with(name + ": ") ? name.size() + 2
                       : at == std::string::npos     ? std::string::npos
                                                     : at + name.size() + 4;
  if (start == std::string::npos) return "";
  std::string value;
  size_t pos = start;
  while (true) {
    const size_t end = head.find("\r\n", pos);
    value += head.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (end == std::string::npos || end + 2 >= head.size() || head[end + 2] != ' ') break;
    pos = end + 2;
  }
  return value;
}

Mail Sample() {
  Mail m;
  m.from = "Tocsin <tocsin@example.com>";
  m.to = {"ops@example.com", "dev@example.com"};
  m.subject = "DOWN: homepage";
  m.text = "plain body\n";
  m.html = "<p>html body</p>";
  m.message_id = "incident-1-abc@example.com";
  m.date_unix = 1'795'000'000;
  return m;
}

TEST(MimeTest, RendersBothPartsAndTheHeadersMailClientsNeed) {
  const std::string out = Render(Sample());
  EXPECT_EQ(Header(out, "From"), "\"Tocsin\" <tocsin@example.com>");
  EXPECT_EQ(Header(out, "To"), "ops@example.com, dev@example.com");
  EXPECT_EQ(Header(out, "Subject"), "DOWN: homepage");
  EXPECT_EQ(Header(out, "Message-ID"), "<incident-1-abc@example.com>");
  EXPECT_EQ(Header(out, "Date"), "Wed, 18 Nov 2026 11:06:40 +0000");
  EXPECT_EQ(Header(out, "MIME-Version"), "1.0");
  EXPECT_NE(Header(out, "Content-Type").find("multipart/alternative"), std::string::npos);
  EXPECT_NE(out.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
  EXPECT_NE(out.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_NE(out.find(Base64Encode("plain body\n")), std::string::npos);
  EXPECT_NE(out.find(Base64Encode("<p>html body</p>")), std::string::npos);
  // Every line ends with CRLF, none is longer than RFC 5322's 998.
  size_t start = 0;
  while (start < out.size()) {
    const size_t end = out.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 998u);
    EXPECT_EQ(out.substr(start, end - start).find('\n'), std::string::npos);
    start = end + 2;
  }
}

TEST(MimeTest, FollowUpsReferTheFirstMessage) {
  Mail m = Sample();
  m.in_reply_to = "incident-1-abc@example.com";
  const std::string out = Render(m);
  EXPECT_EQ(Header(out, "In-Reply-To"), "<incident-1-abc@example.com>");
  EXPECT_EQ(Header(out, "References"), "<incident-1-abc@example.com>");
}

TEST(MimeTest, LineBreaksInUserTextNeverBreakAHeader) {
  Mail m = Sample();
  m.subject = "DOWN: evil\r\nBcc: victim@example.com\r\n\r\nbody";
  m.extra_headers = {{"X-Tocsin-Monitor", "name\nX-Injected: yes"}};
  const std::string out = Render(m);
  const std::string head = out.substr(0, out.find("\r\n\r\n"));
  EXPECT_EQ(head.find("\r\nBcc:"), std::string::npos);
  EXPECT_EQ(head.find("\r\nX-Injected:"), std::string::npos);
  EXPECT_EQ(Header(out, "Subject"), "DOWN: evil  Bcc: victim@example.com    body");
}

TEST(MimeTest, Utf8SubjectsAreEncodedWordsThatNeverSplitACharacter) {
  const std::string subject = "PANNE : supermarché " + std::string(40, 'x') + " ünïcödé ✓ end";
  const std::string encoded = EncodeHeaderText(subject);
  std::string decoded;
  size_t pos = 0;
  int words = 0;
  while ((pos = encoded.find("=?UTF-8?B?", pos)) != std::string::npos) {
    const size_t end = encoded.find("?=", pos + 10);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end + 2 - pos, 75u);  // RFC 2047's limit per word
    auto bytes = Base64Decode(encoded.substr(pos + 10, end - pos - 10));
    ASSERT_TRUE(bytes.has_value());
    // Each word decodes to whole UTF-8 characters.
    ASSERT_FALSE(bytes->empty());
    EXPECT_NE(static_cast<unsigned char>(bytes->front()) & 0xC0, 0x80);
    decoded += *bytes;
    pos = end + 2;
    ++words;
  }
  EXPECT_GT(words, 1);
  EXPECT_EQ(decoded, subject);
  EXPECT_EQ(EncodeHeaderText("plain ascii"), "plain ascii");
}

TEST(MimeTest, AddressesAndMailboxes) {
  EXPECT_EQ(AddressOf("Tocsin <tocsin@example.com>"), "tocsin@example.com");
  EXPECT_EQ(AddressOf("ops@example.com"), "ops@example.com");
  EXPECT_TRUE(IsPlainAddress("ops+alerts@example.com"));
  EXPECT_FALSE(IsPlainAddress("ops@"));
  EXPECT_FALSE(IsPlainAddress("ops example@example.com"));
  EXPECT_FALSE(IsPlainAddress("a@b.c\r\nBcc: x@y"));
  EXPECT_FALSE(IsPlainAddress("<ops@example.com>"));
  EXPECT_TRUE(IsMailbox("Tocsin Alerts <alerts@example.com>"));
  EXPECT_TRUE(IsMailbox("alerts@example.com"));
  EXPECT_FALSE(IsMailbox("Tocsin <alerts@example.com"));
  EXPECT_FALSE(IsMailbox("Tocsin\r\n <alerts@example.com>"));
}

TEST(MimeTest, NonAsciiDisplayNamesAreEncoded) {
  Mail m = Sample();
  m.from = "Tôcsin <tocsin@example.com>";
  const std::string from = Header(Render(m), "From");
  EXPECT_TRUE(from.starts_with("=?UTF-8?B?")) << from;
  EXPECT_TRUE(from.ends_with("<tocsin@example.com>")) << from;
}

}  // namespace
}  // namespace tocsin::notify::mime
