// The console's files as the router serves them: the page for every view,
// hashed assets cached for good, gzip when asked, a strict CSP, no cookie;
// and /api/ paths never fall through to the page.
#include "api/console.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "api/http.h"

namespace tocsin::api {
namespace {

Request Get(const std::string& path, const std::string& accept_encoding = "") {
  Request r;
  r.method = "GET";
  r.target = r.path = path;
  if (!accept_encoding.empty()) r.headers.emplace_back("Accept-Encoding", accept_encoding);
  return r;
}

std::string HeaderOf(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

std::string Gunzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
  std::string out(1 << 22, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

TEST(ConsoleTest, EveryViewGetsThePageWithAStrictPolicyAndNoCookie) {
  const Response page = ConsoleFallback(Get("/"));
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<div id=\"app\">"), std::string::npos) << page.body;
  EXPECT_EQ(HeaderOf(page, "Cache-Control"), "no-cache");
  const std::string csp = HeaderOf(page, "Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << "no inline script or style: " << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_TRUE(HeaderOf(page, "Set-Cookie").empty());
  // The page loads nothing from elsewhere.
  EXPECT_EQ(page.body.find("http://"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("https://"), std::string::npos) << page.body;
  for (const char* view : {"/monitors", "/monitors/12", "/login", "/privacy"}) {
    EXPECT_EQ(ConsoleFallback(Get(view)).body, page.body) << view;
  }
  EXPECT_EQ(ConsoleFallback(Get("/favicon.ico")).status, 404);
  EXPECT_EQ(ConsoleFallback(Get("/assets/missing-123.js")).status, 404);
}

TEST(ConsoleTest, AssetsAreCachedForGoodAndGzippedWhenAsked) {
  int scripts = 0;
  for (const ConsoleFile& f : ConsoleFiles()) {
    if (!f.path.starts_with("/assets/")) continue;
    scripts += f.path.ends_with(".js");
    const Response plain = ConsoleFallback(Get(std::string(f.path)));
    ASSERT_EQ(plain.status, 200) << f.path;
    EXPECT_EQ(plain.body, f.body);
    EXPECT_EQ(HeaderOf(plain, "Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_TRUE(HeaderOf(plain, "Content-Encoding").empty());
    const Response packed = ConsoleFallback(Get(std::string(f.path), "br, gzip, deflate"));
    EXPECT_EQ(HeaderOf(packed, "Content-Encoding"), "gzip");
    EXPECT_LT(packed.body.size(), plain.body.size());
    EXPECT_EQ(Gunzip(packed.body), plain.body) << f.path;
  }
  EXPECT_GE(scripts, 1);
}

TEST(ConsoleTest, OnlyGetsOutsideTheApiFallThroughToTheConsole) {
  Router router;
  router.Get("/healthz", [](const Request&) { return Response::Text(200, "ok"); });
  router.SetFallback(ConsoleFallback);
  EXPECT_EQ(router.Dispatch(Get("/monitors/3")).content_type, "text/html; charset=utf-8");
  const Response api = router.Dispatch(Get("/api/v1/nothing"));
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.content_type, "application/json");
  Request post = Get("/monitors");
  post.method = "POST";
  EXPECT_EQ(router.Dispatch(post).status, 404);
}

}  // namespace
}  // namespace tocsin::api
