#include "api/summary_routes.h"

#include "api/html.h"
#include "api/json.h"

namespace tocsin::api {

std::vector<Route> SummaryRoutes(const ApiContext& c, report::WeeklyJob& weekly) {
  std::vector<Route> routes;
  routes.push_back({"GET", "/api/v1/account/weekly-summary",
                    Authed(c, [&weekly](const Request&, const account::Principal& p) {
                      TOCSIN_TRY(mail, weekly.Preview(p.user, NowMs()));
                      return JsonResponse(
                          200,
                          {{"subject", mail->subject}, {"text", mail->text}, {"html", mail->html}});
                    })});
  routes.push_back({"POST", "/api/v1/account/weekly-summary/send",
                    Authed(c, [&weekly](const Request&, const account::Principal& p) {
                      TOCSIN_CHECK(weekly.SendNow(p.user, NowMs()));
                      return JsonResponse(202, {{"message", "Your summary is on its way to " +
                                                                p.user.email + "."}});
                    })});
  routes.push_back({"GET", "/unsubscribe/{token}", [](const Request&) {
                      return HtmlPage(200, "Stop the weekly summary",
                                      TokenForm("Stop the weekly summary",
                                                "<p>No more weekly summaries of your URLs will "
                                                "be mailed to you. Alerts are not affected.</p>"));
                    }});
  // The form's POST, and the mail client's one-click POST (body
  // "List-Unsubscribe=One-Click"): the same.
  routes.push_back({"POST", "/unsubscribe/{token}", [&weekly](const Request& r) {
                      auto email = weekly.Unsubscribe(r.param("token"));
                      if (!email.ok()) {
                        return HtmlPage(LinkStatus(email.error()), "Not unsubscribed",
                                        LinkProblem(email.error()));
                      }
                      return HtmlPage(200, "Unsubscribed",
                                      "<p>" + HtmlEscape(*email) +
                                          " gets no more weekly summaries. Turn them back on in "
                                          "your account settings.</p>");
                    }});
  return routes;
}

}  // namespace tocsin::api
