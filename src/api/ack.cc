#include "api/ack.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <optional>

#include "api/html.h"
#include "core/clock.h"
#include "notify/ack_token.h"

namespace tocsin::api {
namespace {

constexpr size_t kMaxNameBytes = 100;

std::string When(int64_t ms) {
  return fmt::format("{:%Y-%m-%d %H:%M} UTC", fmt::gmtime(static_cast<std::time_t>(ms / 1000)));
}

}  // namespace

std::vector<Route> AckRoutes(std::string key, alert::AlertEngine& alerts,
                             store::AlertStore& incidents) {
  // The incident a request's token names, or the page that says why not.
  auto incident_of = [key, &incidents](const Request& r,
                                       model::Incident* out) -> std::optional<Response> {
    auto id = notify::VerifyAckToken(key, r.param("token"), UnixMicros() / 1'000'000);
    if (!id.ok()) {
      return HtmlPage(400, "Link not valid", "<p>" + HtmlEscape(id.error().message) + ".</p>");
    }
    auto found = incidents.GetIncident(*id);
    if (!found.ok()) {
      return HtmlPage(503, "Try again", "<p>The store did not answer; try again shortly.</p>");
    }
    if (*found) {
      *out = std::move(**found);
      return std::nullopt;
    }
    return HtmlPage(404, "Incident not found",
                    "<p>This incident is not in the store any more.</p>");
  };

  std::vector<Route> routes;
  routes.push_back({"GET", "/ack/{token}", [incident_of](const Request& r) {
                      model::Incident inc;
                      if (auto problem = incident_of(r, &inc)) return *problem;
                      std::string body = fmt::format("<p>Incident #{}: {} since {}.</p>", inc.id,
                                                     model::IncidentKindName(inc.kind),
                                                     HtmlEscape(When(inc.started_ms)));
                      if (inc.ended_ms != 0) {
                        body += "<p>It is over: it ended at " + HtmlEscape(When(inc.ended_ms)) +
                                ". Nothing to acknowledge.</p>";
                      } else if (inc.acked_ms != 0) {
                        body += "<p>Already acknowledged by <b>" + HtmlEscape(inc.acked_by) +
                                "</b> at " + HtmlEscape(When(inc.acked_ms)) + ".</p>";
                      } else {
                        body +=
                            "<p>Acknowledging stops the reminders and the escalation of this "
                            "incident; the recovery is still announced.</p>"
                            "<form method=\"post\"><p><label>Your name (optional) <input "
                            "name=\"by\" maxlength=\"100\"></label></p>"
                            "<p><button type=\"submit\">Acknowledge</button></p></form>";
                      }
                      return HtmlPage(200, "Acknowledge an incident", body);
                    }});
  routes.push_back(
      {"POST", "/ack/{token}", [incident_of, &alerts](const Request& r) {
         model::Incident inc;
         if (auto problem = incident_of(r, &inc)) return *problem;
         if (inc.ended_ms != 0) {
           return HtmlPage(409, "Incident over",
                           "<p>This incident ended at " + HtmlEscape(When(inc.ended_ms)) + ".</p>");
         }
         std::string by = ParseForm(r.body)["by"];
         for (char& c : by) {
           if (static_cast<unsigned char>(c) < 0x20) c = ' ';
         }
         if (by.size() > kMaxNameBytes) by.resize(kMaxNameBytes);
         if (by.empty()) by = "someone with the alert's link";
         auto answer = alerts.Acknowledge(inc.id, by);
         if (!answer.ok()) {
           return HtmlPage(answer.error().code == ErrorCode::kNotFound ? 409 : 503,
                           "Not acknowledged",
                           "<p>" + HtmlEscape(answer.error().message) + ".</p>");
         }
         return HtmlPage(
             200, "Acknowledged",
             "<p>Incident #" + std::to_string(inc.id) + ": " + HtmlEscape(*answer) + ".</p>");
       }});
  return routes;
}

}  // namespace tocsin::api
