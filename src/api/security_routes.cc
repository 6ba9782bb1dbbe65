#include "api/security_routes.h"

#include "api/json.h"

namespace tocsin::api {
namespace {

Response ListSessions(const ApiContext& c, const account::Principal& p) {
  TOCSIN_TRY(sessions, c.accounts->Sessions(p, NowMs()));
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : *sessions) {
    list.push_back({{"id", s.id},
                    {"current", s.current},
                    {"created_ms", s.created_ms},
                    {"last_seen_ms", s.last_seen_ms},
                    {"expires_ms", s.expires_ms},
                    {"user_agent", s.user_agent}});
  }
  return JsonResponse(200, {{"sessions", std::move(list)}});
}

// The password (and a code) a security change asks for again.
struct Proof {
  std::string password;
  std::string code;
};

Result<Proof> ReadProof(const Request& r, bool password, bool code) {
  auto body = ParseJsonObject(r);
  if (!body.ok()) return body.error();
  Fields f(*body);
  Proof proof;
  if (password) {
    auto v = f.RequiredString("password", kMaxPasswordField);
    if (!v.ok()) return v.error();
    proof.password = *v;
  }
  if (code) {
    auto v = f.RequiredString("code", 32);
    if (!v.ok()) return v.error();
    proof.code = *v;
  }
  if (Status s = f.Finish(); !s.ok()) return s.error();
  return proof;
}

}  // namespace

std::vector<Route> SecurityRoutes(const ApiContext& c) {
  std::vector<Route> routes;
  routes.push_back(
      {"GET", "/api/v1/account/sessions",
       Authed(c, [c](const Request&, const account::Principal& p) { return ListSessions(c, p); })});
  routes.push_back({"DELETE", "/api/v1/account/sessions",
                    Authed(c, [c](const Request&, const account::Principal& p) {
                      TOCSIN_CHECK(c.accounts->EndOtherSessions(p));
                      return NoContent();
                    })});
  routes.push_back({"DELETE", "/api/v1/account/sessions/{id}",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_CHECK(c.accounts->EndSession(p, r.param("id")));
                      return NoContent();
                    })});
  routes.push_back({"POST", "/api/v1/account/totp",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(proof, ReadProof(r, true, false));
                      TOCSIN_TRY(e, c.accounts->BeginTotp(p, proof->password, NowMs()));
                      return JsonResponse(200, {{"secret", e->secret}, {"uri", e->uri}});
                    })});
  routes.push_back({"POST", "/api/v1/account/totp/confirm",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(proof, ReadProof(r, false, true));
                      TOCSIN_TRY(codes, c.accounts->ConfirmTotp(p, proof->code, NowMs()));
                      return JsonResponse(200, {{"recovery_codes", *codes}});
                    })});
  routes.push_back({"DELETE", "/api/v1/account/totp",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(proof, ReadProof(r, true, true));
                      TOCSIN_CHECK(
                          c.accounts->DisableTotp(p, proof->password, proof->code, NowMs()));
                      return NoContent();
                    })});
  routes.push_back({"POST", "/api/v1/account/recovery-codes",
                    Authed(c, [c](const Request& r, const account::Principal& p) {
                      TOCSIN_TRY(proof, ReadProof(r, true, false));
                      TOCSIN_TRY(codes, c.accounts->RenewRecoveryCodes(p, proof->password));
                      return JsonResponse(200, {{"recovery_codes", *codes}});
                    })});
  return routes;
}

}  // namespace tocsin::api
