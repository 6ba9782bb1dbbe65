#include "api/notice_routes.h"

#include "api/json.h"

namespace tocsin::api {
namespace {

constexpr const char* kBannerSetting = "banner";

Response SendNotice(const ApiContext& c, const Request& r, const account::Principal& p) {
  if (!p.user.admin) return ErrorResponse(PermissionDenied("administrators only"));
  TOCSIN_TRY(body, ParseJsonObject(r));
  Fields f(*body);
  TOCSIN_TRY(kind_name, f.RequiredString("kind", 32));
  TOCSIN_TRY(subject, f.RequiredString("subject", 1000));
  TOCSIN_TRY(text, f.RequiredString("text", 40'000));
  TOCSIN_TRY(banner, f.Bool("banner"));
  TOCSIN_CHECK(f.Finish());
  account::Accounts::NoticeKind kind;
  if (*kind_name == "announcement") {
    kind = account::Accounts::NoticeKind::kAnnouncement;
  } else if (*kind_name == "policy_change") {
    kind = account::Accounts::NoticeKind::kPolicyChange;
  } else if (*kind_name == "security") {
    kind = account::Accounts::NoticeKind::kSecurity;
  } else {
    return ErrorResponse(InvalidField("kind", "'kind' is announcement, policy_change or security"));
  }
  const int64_t now = NowMs();
  TOCSIN_TRY(sent, c.accounts->NoticeToAll(p, kind, *subject, *text, now));
  if (banner->value_or(false)) {
    const nlohmann::json shown = {
        {"kind", *kind_name}, {"subject", *subject}, {"text", *text}, {"since_ms", now}};
    TOCSIN_CHECK(c.store->accounts().SetSetting(kBannerSetting, shown.dump()));
  }
  return JsonResponse(202, {{"status", "queued"}, {"recipients", *sent}});
}

}  // namespace

std::vector<Route> NoticeRoutes(const ApiContext& c) {
  std::vector<Route> routes;
  routes.push_back({"POST", "/api/v1/admin/notices",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      return SendNotice(c, r, p);
                    })});
  routes.push_back({"DELETE", "/api/v1/admin/banner",
                    Authed(c, [c](const Request&, const account::Principal& p) {
                      if (!p.user.admin) {
                        return ErrorResponse(PermissionDenied("administrators only"));
                      }
                      TOCSIN_CHECK(c.store->accounts().SetSetting(kBannerSetting, ""));
                      return NoContent();
                    })});
  // Public: the console shows it before login too; no cookie, no account.
  routes.push_back(
      {"GET", "/api/v1/banner", [c](const Request&) {
         TOCSIN_TRY(stored, c.store->accounts().GetSetting(kBannerSetting, ""));
         const nlohmann::json banner = stored->empty()
                                           ? nlohmann::json(nullptr)
                                           : nlohmann::json::parse(*stored, nullptr, false);
         return JsonResponse(200, {{"banner", banner.is_discarded() ? nullptr : banner}});
       }});
  return routes;
}

}  // namespace tocsin::api
