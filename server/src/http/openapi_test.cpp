// The hand-written OpenAPI document and the router must agree, route for route.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "http/api_routes.hpp"
#include "http/embedded_files.hpp"

namespace tessera::http {
namespace {

nlohmann::json LoadOpenApi() {
    for (const EmbeddedFile& file : EmbeddedApiFiles()) {
        if (file.path == "/openapi.json") {
            return nlohmann::json::parse(file.data, nullptr, false);
        }
    }
    return nullptr;
}

class OpenApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        RegisterApiRoutes(router_, context_, static_files_);
        doc_ = LoadOpenApi();
        ASSERT_TRUE(doc_.is_object()) << "openapi.json missing or not valid JSON";
    }

    ApiContext context_;  // never called: registration only stores the pointer
    StaticFiles static_files_{EmbeddedUiFiles()};
    Router router_;
    nlohmann::json doc_;
};

TEST_F(OpenApiTest, IsOpenApi3) {
    EXPECT_EQ(doc_["openapi"].get<std::string>().substr(0, 2), "3.");
    EXPECT_TRUE(doc_["paths"].is_object());
}

TEST_F(OpenApiTest, EveryRegisteredRouteIsDocumented) {
    ASSERT_GT(router_.routes().size(), 20u);
    for (const Route& route : router_.routes()) {
        const auto& paths = doc_["paths"];
        ASSERT_TRUE(paths.contains(route.pattern)) << route.pattern << " is not in openapi.json";
        EXPECT_TRUE(paths[route.pattern].contains(Lower(route.method)))
            << route.method << " " << route.pattern << " is not in openapi.json";
    }
}

TEST_F(OpenApiTest, EveryDocumentedOperationIsRegistered) {
    for (const auto& [path, operations] : doc_["paths"].items()) {
        for (const auto& [method, operation] : operations.items()) {
            // Init-captures: clang(-tidy) 14 cannot capture structured bindings directly.
            bool found =
                std::any_of(router_.routes().begin(), router_.routes().end(),
                            [&path = path, &method = method](const Route& route) {
                                return route.pattern == path && Lower(route.method) == method;
                            });
            EXPECT_TRUE(found) << method << " " << path << " is documented but not routed";
        }
    }
}

TEST_F(OpenApiTest, PublicRoutesAreMarkedWithoutSecurity) {
    for (const Route& route : router_.routes()) {
        const auto& operation = doc_["paths"][route.pattern][Lower(route.method)];
        bool documented_public = operation.contains("security") && operation["security"].empty();
        EXPECT_EQ(documented_public, route.access == Access::kPublic)
            << route.method << " " << route.pattern;
    }
}

}  // namespace
}  // namespace tessera::http
