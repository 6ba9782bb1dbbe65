#include "api/admin_routes.h"

#include <charconv>

#include "api/json.h"

namespace tocsin::api {
namespace {

nlohmann::json UserJson(const model::User& u) {
  return {{"id", u.id},
          {"name", u.name},
          {"email", u.email},
          {"email_confirmed", u.email_confirmed_ms != 0},
          {"admin", u.admin},
          {"disabled", u.disabled},
          {"totp_enabled", u.totp_enabled},
          {"created_ms", u.created_ms}};
}

constexpr const char* kPolicySetting = "privacy_policy";
constexpr size_t kMaxPolicyBytes = 100'000;

Result<nlohmann::json> PolicyJson(store::AccountStore& accounts) {
  auto text = accounts.GetSetting(kPolicySetting, "");
  if (!text.ok()) return text.error();
  return nlohmann::json{{"text", text->empty() ? nlohmann::json() : nlohmann::json(*text)}};
}

// The SMTP settings as an administrator sees them: never the password.
Result<nlohmann::json> SmtpJson(const ApiContext& c) {
  if (c.file_smtp) return nlohmann::json{{"source", "file"}};
  auto stored = c.store->accounts().GetSetting(kSmtpSetting, "");
  if (!stored.ok()) return stored.error();
  const nlohmann::json s = nlohmann::json::parse(*stored, nullptr, false);
  if (stored->empty() || !s.is_object()) return nlohmann::json{{"source", "none"}};
  return nlohmann::json{{"source", "console"},
                        {"host", s.value("host", "")},
                        {"port", s.value("port", 587)},
                        {"tls", s.value("tls", "starttls")},
                        {"username", s.value("username", "")},
                        {"password_set", !s.value("password", "").empty()},
                        {"from", s.value("from", "")}};
}

Status AdminOnly(const account::Principal& p) {
  if (!p.user.admin) return PermissionDenied("administrators only");
  return {};
}

}  // namespace

std::vector<Route> AdminRoutes(const ApiContext& c, MonitorCatalog& catalog,
                               std::shared_ptr<const Traffic> traffic) {
  MonitorCatalog* cat = &catalog;
  std::vector<Route> routes;
  // Aggregate traffic: requests by route and status class since the start.
  routes.push_back({"GET", "/api/v1/admin/traffic",
                    Authed(c, [traffic](const Request&, const account::Principal& p) {
                      TOCSIN_CHECK(AdminOnly(p));
                      return JsonResponse(200, traffic->Json());
                    })});
  routes.push_back(
      {"GET", "/api/v1/admin/users", Authed(c, [c](const Request&, const account::Principal& p) {
         TOCSIN_CHECK(AdminOnly(p));
         TOCSIN_TRY(users, c.store->accounts().ListUsers());
         nlohmann::json list = nlohmann::json::array();
         for (const model::User& u : *users) list.push_back(UserJson(u));
         return JsonResponse(200, {{"users", std::move(list)}});
       })});
  // Disabling refuses the user's logins, sessions and tokens and stops
  // their monitors at once; enabling undoes it. Nothing is deleted.
  routes.push_back(
      {"PATCH", "/api/v1/admin/users/{id}",
       Authed(c, [c](const Request& r, const account::Principal& p) {
         TOCSIN_CHECK(AdminOnly(p));
         int64_t id = 0;
         const std::string_view raw = r.param("id");
         if (std::from_chars(raw.data(), raw.data() + raw.size(), id).ptr !=
                 raw.data() + raw.size() ||
             id <= 0) {
           return ErrorResponse(NotFound("no such user"));
         }
         TOCSIN_TRY(body, ParseJsonObject(r));
         Fields f(*body);
         TOCSIN_TRY(disabled, f.Bool("disabled"));
         TOCSIN_CHECK(f.Finish());
         TOCSIN_TRY(found, c.store->accounts().GetUser(static_cast<model::UserId>(id)));
         if (!*found) return ErrorResponse(NotFound("no such user"));
         model::User u = **found;
         if (*disabled) {
           if (u.id == p.user.id && **disabled) {
             return ErrorResponse(InvalidField("disabled", "you cannot disable yourself"));
           }
           u.disabled = **disabled;
           TOCSIN_CHECK(c.store->accounts().UpdateUser(u));
           if (u.disabled) TOCSIN_CHECK(c.store->accounts().DeleteSessionsOf(u.id, ""));
           if (c.accounts_changed) c.accounts_changed();
         }
         return JsonResponse(200, UserJson(u));
       })});
  // The SMTP server, for a server whose config file sets none: set in the
  // console, kept in the store, used at once; unset, mail goes to the drop.
  routes.push_back(
      {"GET", "/api/v1/admin/smtp", Authed(c, [c](const Request&, const account::Principal& p) {
         TOCSIN_CHECK(AdminOnly(p));
         TOCSIN_TRY(j, SmtpJson(c));
         return JsonResponse(200, *j);
       })});
  routes.push_back(
      {"PUT", "/api/v1/admin/smtp", Authed(c, [c](const Request& r, const account::Principal& p) {
         TOCSIN_CHECK(AdminOnly(p));
         if (c.file_smtp) {
           return ErrorResponse(
               Error{ErrorCode::kConflict, "the config file sets the SMTP server (server.smtp)"});
         }
         TOCSIN_TRY(body, ParseJsonObject(r));
         Fields f(*body);
         TOCSIN_TRY(host, f.RequiredString("host", 253));
         TOCSIN_TRY(port, f.Int("port", 1, 65'535));
         TOCSIN_TRY(tls, f.String("tls", 16));
         TOCSIN_TRY(username, f.String("username", 256));
         TOCSIN_TRY(password, f.String("password", 1024));
         TOCSIN_TRY(from, f.String("from", 320));
         TOCSIN_CHECK(f.Finish());
         if (host->empty() || host->find_first_of(" /\r\n") != std::string::npos) {
           return ErrorResponse(InvalidField("host", "'host' is a host name or address"));
         }
         const std::string mode = tls->value_or("starttls");
         if (mode != "starttls" && mode != "tls" && mode != "none") {
           return ErrorResponse(InvalidField("tls", "'tls' is starttls, tls or none"));
         }
         if (from->has_value() && !(*from)->empty() && (*from)->find('@') == std::string::npos) {
           return ErrorResponse(
               InvalidField("from", "'from' is an address: Tocsin <me@example.com>"));
         }
         // A password left out keeps the stored one (the form never shows it).
         std::string kept;
         if (!password->has_value()) {
           TOCSIN_TRY(old, c.store->accounts().GetSetting(kSmtpSetting, ""));
           const nlohmann::json o = nlohmann::json::parse(*old, nullptr, false);
           if (o.is_object()) kept = o.value("password", "");
         }
         const nlohmann::json stored = {{"host", *host},
                                        {"port", port->value_or(587)},
                                        {"tls", mode},
                                        {"username", username->value_or("")},
                                        {"password", password->value_or(kept)},
                                        {"from", from->value_or("")}};
         TOCSIN_CHECK(c.store->accounts().SetSetting(kSmtpSetting, stored.dump()));
         if (c.mail_changed) c.mail_changed();
         TOCSIN_TRY(j, SmtpJson(c));
         return JsonResponse(200, *j);
       })});
  routes.push_back(
      {"DELETE", "/api/v1/admin/smtp", Authed(c, [c](const Request&, const account::Principal& p) {
         TOCSIN_CHECK(AdminOnly(p));
         if (c.file_smtp) {
           return ErrorResponse(
               Error{ErrorCode::kConflict, "the config file sets the SMTP server (server.smtp)"});
         }
         TOCSIN_CHECK(c.store->accounts().SetSetting(kSmtpSetting, ""));
         if (c.mail_changed) c.mail_changed();
         return NoContent();
       })});

  // A test mail to the caller, the way every mail goes now (SMTP, or the
  // drop): it lands in their inbox, or the delivery's error says why not.
  routes.push_back(
      {"POST", "/api/v1/admin/smtp/test",
       Authed(c, [c, cat](const Request&, const account::Principal& p) {
         TOCSIN_CHECK(AdminOnly(p));
         const int64_t now = NowMs();
         store::OutboxRow row;
         row.dedup_key = "account:smtp-test-" + std::to_string(now);
         row.recipient = p.user.email;
         row.event = model::NoticeEvent::kAccountMail;
         row.payload =
             nlohmann::json{{"subject", "Tocsin: a test mail"},
                            {"text", "This mail tests how the Tocsin server at " +
                                         std::string(MailGoesToTheDrop(c) ? "the local mail drop"
                                                                          : "your SMTP server") +
                                         " delivers mail. It arrived.\n"}}
                 .dump();
         row.created_ms = now;
         row.next_attempt_ms = now;
         row.expires_ms = now + 3'600'000;
         TOCSIN_CHECK(cat->Send(std::move(row)));
         return JsonResponse(
             202, {{"to", p.user.email}, {"via", MailGoesToTheDrop(c) ? "drop" : "smtp"}});
       })});

  // The privacy policy the console shows: the operator's text, or (null)
  // the one shipped with Tocsin. Public: it is read before registering.
  routes.push_back({"GET", "/api/v1/privacy-policy", [c](const Request&) {
                      TOCSIN_TRY(j, PolicyJson(c.store->accounts()));
                      return JsonResponse(200, *j);
                    }});
  routes.push_back({"PUT", "/api/v1/admin/privacy-policy",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_CHECK(AdminOnly(p));
                      TOCSIN_TRY(body, ParseJsonObject(r));
                      Fields f(*body);
                      TOCSIN_TRY(text, f.RequiredString("text", kMaxPolicyBytes));
                      TOCSIN_CHECK(f.Finish());
                      TOCSIN_CHECK(c.store->accounts().SetSetting(kPolicySetting, *text));
                      TOCSIN_TRY(j, PolicyJson(c.store->accounts()));
                      return JsonResponse(200, *j);
                    })});
  return routes;
}

}  // namespace tocsin::api
