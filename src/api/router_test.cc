#include <gtest/gtest.h>

#include <stdexcept>

#include "api/http.h"

namespace tocsin::api {
namespace {

TEST(RouterTest, DuplicateRouteIsAProgrammingError) {
  Router router;
  router.Get("/a", [](const Request&) { return Response::Text(200, ""); });
  EXPECT_THROW(router.Get("/a", [](const Request&) { return Response::Text(200, ""); }),
               std::logic_error);
  EXPECT_THROW(router.Get("relative", [](const Request&) { return Response::Text(200, ""); }),
               std::logic_error);
}

TEST(RouterTest, AllowListsEveryMethodOfThePath) {
  Router router;
  router.Get("/a", [](const Request&) { return Response::Text(200, ""); });
  router.Post("/a", [](const Request&) { return Response::Text(201, ""); });
  Request request;
  request.method = "PUT";
  request.path = "/a";
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 405);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].second, "GET, POST, HEAD");
  request.method = "POST";
  EXPECT_EQ(router.Dispatch(request).status, 201);
}

TEST(RouterTest, UnderApiTheRoutersOwnAnswersAreJson) {
  Router router;
  router.Get("/api/v1/a", [](const Request&) { return Response::Text(200, ""); });
  router.Get("/api/v1/boom", [](const Request&) -> Response { throw std::runtime_error("x"); });
  router.Get("/page", [](const Request&) { return Response::Text(200, ""); });
  Request request;
  request.method = "GET";
  request.path = "/api/v1/nothing";
  Response r = router.Dispatch(request);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"error":{"code":"not_found","message":"not found"}})");
  request.method = "DELETE";
  request.path = "/api/v1/a";
  EXPECT_EQ(router.Dispatch(request).body,
            R"({"error":{"code":"method_not_allowed","message":"method not allowed"}})");
  request.method = "GET";
  request.path = "/api/v1/boom";
  EXPECT_EQ(router.Dispatch(request).body,
            R"({"error":{"code":"internal","message":"internal error"}})");
  request.path = "/elsewhere";
  EXPECT_EQ(router.Dispatch(request).body, "not found\n");
}

TEST(RouterTest, ListsItsRoutesAndTheirPatterns) {
  Router router;
  router.Get("/api/v1/monitors/{id}", [](const Request&) { return Response::Text(200, ""); });
  router.Post("/api/v1/monitors", [](const Request&) { return Response::Text(200, ""); });
  EXPECT_EQ(router.Routes(), (std::vector<std::pair<std::string, std::string>>{
                                 {"GET", "/api/v1/monitors/{id}"}, {"POST", "/api/v1/monitors"}}));
  EXPECT_EQ(router.PatternOf("/api/v1/monitors/42"), "/api/v1/monitors/{id}");
  EXPECT_EQ(router.PatternOf("/api/v1/monitors"), "/api/v1/monitors");
  EXPECT_EQ(router.PatternOf("/api/v1/monitors/42/x"), "");
}

TEST(RouterTest, HeaderLookupIgnoresCase) {
  Request request;
  request.headers = {{"Content-Type", "a"}, {"content-type", "b"}};
  EXPECT_EQ(request.header("CONTENT-TYPE"), "a");
  EXPECT_FALSE(request.header("Accept").has_value());
}

TEST(RouterTest, ThrowingHandlerIs500WithoutItsMessage) {
  Router router;
  router.Get("/boom",
             [](const Request&) -> Response { throw std::runtime_error("secret detail"); });
  Request request;
  request.method = "GET";
  request.path = "/boom";
  const Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("secret"), std::string::npos);
}

TEST(RouterTest, UnknownPathIs404) {
  Router router;
  Request request;
  request.method = "GET";
  request.path = "/nowhere";
  EXPECT_EQ(router.Dispatch(request).status, 404);
}

TEST(RouterTest, PlaceholdersMatchOneSegmentAndExactPathsWin) {
  Router router;
  router.Get("/monitors/{id}", [](const Request& r) {
    return Response::Text(200, "id=" + std::string(r.param("id")));
  });
  router.Get("/monitors/new", [](const Request&) { return Response::Text(200, "new"); });
  const auto get = [&](std::string path) {
    Request request;
    request.method = "GET";
    request.path = std::move(path);
    return router.Dispatch(request);
  };
  EXPECT_EQ(get("/monitors/42").body, "id=42");
  EXPECT_EQ(get("/monitors/new").body, "new");
  EXPECT_EQ(get("/monitors/").status, 404);
  EXPECT_EQ(get("/monitors/4/2").status, 404);
  EXPECT_EQ(get("/monitors").status, 404);
}

}  // namespace
}  // namespace tocsin::api
