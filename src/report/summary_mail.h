// The weekly summary as a mail: plain text first, an HTML alternative with
// bars drawn in HTML and CSS (no remote image, nothing a client must
// fetch), and the unsubscribe link in the body and in List-Unsubscribe
// (RFC 8058 one-click).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "report/weekly_summary.h"

namespace tocsin::report {

struct SummaryMail {
  std::string subject;
  std::string text;
  std::string html;
  std::vector<std::pair<std::string, std::string>> headers;  // List-Unsubscribe, -Post
};

struct MailLinks {
  std::string console;      // the server's public URL: "https://tocsin.example"
  std::string unsubscribe;  // the one-click link of this user
};

// `iso_day` and `hour`: when the user gets it (for the footer).
SummaryMail RenderSummaryMail(const WeeklySummary& summary, const MailLinks& links, int iso_day,
                              int hour);

}  // namespace tocsin::report
