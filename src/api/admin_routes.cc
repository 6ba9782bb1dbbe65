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

Status AdminOnly(const account::Principal& p) {
  if (!p.user.admin) return PermissionDenied("administrators only");
  return {};
}

}  // namespace

std::vector<Route> AdminRoutes(const ApiContext& c) {
  std::vector<Route> routes;
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
