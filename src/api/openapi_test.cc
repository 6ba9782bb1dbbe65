// docs/openapi.json and the server agree: every route the server mounts is
// in the document and every operation in the document is a route; every
// reference resolves, every /api/ error answer is the Error shape. (The
// answers themselves are checked against the document through a running
// server by tests/openapi_test.py.)
#include "api/openapi.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "api/routes.h"
#include "api/stored_catalog_for_tests.h"
#include "core/temp_dir.h"

namespace tocsin::api {
namespace {

using RouteSet = std::set<std::pair<std::string, std::string>>;

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(store::OpenSqliteStore({.path = dir_.path() + "/tocsin.db"})).value();
    accounts_ = std::make_unique<account::Accounts>(*store_, nullptr, account::AccountOptions{});
    catalog_ = std::make_unique<StoredCatalog>(*store_);
    alerts_ = std::move(alert::AlertEngine::Start(store_->alerts(), {}, nullptr, nullptr)).value();
    doc_ = nlohmann::json::parse(OpenApiDocument());
  }

  RouteSet DocumentRoutes() const {
    RouteSet out;
    for (const auto& [path, item] : doc_["paths"].items()) {
      for (const auto& [key, operation] : item.items()) {
        if (key == "parameters") continue;
        std::string method = key;
        for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        out.emplace(method, path);
      }
    }
    return out;
  }

  TempDir dir_{"tocsin-openapi-test"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<account::Accounts> accounts_;
  std::unique_ptr<StoredCatalog> catalog_;
  std::unique_ptr<alert::AlertEngine> alerts_;
  pipeline::LatestStates latest_;
  core::Registry metrics_;
  nlohmann::json doc_;
};

TEST_F(OpenApiTest, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  report::WeeklyJob weekly(*store_, {});
  const Router router = AllRoutes({{accounts_.get(), store_.get(), false},
                                   catalog_.get(),
                                   &latest_,
                                   alerts_.get(),
                                   "key",
                                   &metrics_,
                                   &weekly});
  const auto list = router.Routes();
  const RouteSet served(list.begin(), list.end());
  const RouteSet documented = DocumentRoutes();
  for (const auto& route : served) {
    EXPECT_TRUE(documented.contains(route))
        << route.first << " " << route.second << " is served but not in docs/openapi.json";
  }
  for (const auto& route : documented) {
    EXPECT_TRUE(served.contains(route))
        << route.first << " " << route.second << " is in docs/openapi.json but not served";
  }
  EXPECT_GT(served.size(), 30u);
}

TEST_F(OpenApiTest, TheDocumentHoldsTogether) {
  EXPECT_EQ(doc_["openapi"], "3.1.0");
  const auto& schemas = doc_["components"]["schemas"];
  // Every $ref names a schema that exists.
  std::function<void(const nlohmann::json&, const std::string&)> walk =
      [&](const nlohmann::json& j, const std::string& where) {
        if (j.is_object()) {
          if (auto ref = j.find("$ref"); ref != j.end()) {
            const std::string name = ref->get<std::string>();
            const std::string prefix = "#/components/schemas/";
            ASSERT_TRUE(name.starts_with(prefix)) << where << ": " << name;
            EXPECT_TRUE(schemas.contains(name.substr(prefix.size()))) << where << ": " << name;
          }
          for (const auto& [k, v] : j.items()) walk(v, where + "/" + k);
        } else if (j.is_array()) {
          for (const auto& v : j) walk(v, where);
        }
      };
  walk(doc_, "");
  // Every operation answers something; under /api/ every 4xx and 5xx is
  // an Error, and every operation that can be refused says how.
  for (const auto& [path, item] : doc_["paths"].items()) {
    for (const auto& [key, op] : item.items()) {
      if (key == "parameters") continue;
      ASSERT_TRUE(op.contains("responses")) << key << " " << path;
      EXPECT_FALSE(op.value("summary", "").empty()) << key << " " << path;
      for (const auto& [status, response] : op["responses"].items()) {
        if (!path.starts_with("/api/") || status[0] < '4') continue;
        EXPECT_EQ(response["content"]["application/json"]["schema"]["$ref"],
                  "#/components/schemas/Error")
            << key << " " << path << " " << status;
      }
      const bool open = op.contains("security") && op["security"].empty();
      if (path.starts_with("/api/") && !open) {
        EXPECT_TRUE(op["responses"].contains("401")) << key << " " << path << " needs a login";
      }
    }
  }
}

TEST_F(OpenApiTest, TheServedDocumentIsTheFile) {
  Router router;
  router.Add(OpenApiRoutes());
  Request r;
  r.method = "GET";
  r.path = "/api/v1/openapi.json";
  const Response served = router.Dispatch(r);
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(served.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(served.body), doc_);
}

}  // namespace
}  // namespace tocsin::api
