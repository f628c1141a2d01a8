#include "http/router.hpp"

#include <gtest/gtest.h>

namespace tessera::http {
namespace {

Handler Named(const std::string& name) {
    return [name](Request&) {
        Response response;
        response.body = name;
        return response;
    };
}

class RouterTest : public ::testing::Test {
protected:
    void SetUp() override {
        router_.Add("GET", "/api/v1/projects", Access::kAuthenticated, Named("list"));
        router_.Add("POST", "/api/v1/projects", Access::kAuthenticated, Named("create"));
        router_.Add("GET", "/api/v1/projects/{id}", Access::kAuthenticated, Named("get"));
        router_.Add("PUT", "/api/v1/projects/{id}/items/{item_id}/annotation",
                    Access::kAuthenticated, Named("put"));
        router_.Add("GET", "/healthz", Access::kPublic, Named("health"));
    }

    std::string Call(const RouteMatch& match) {
        RawRequest raw;
        Request request{raw, "", {}, {}, std::nullopt, ""};
        return match.route->handler(request).body;
    }

    Router router_;
};

TEST_F(RouterTest, MatchesLiteralAndMethod) {
    auto list = router_.Find("GET", "/api/v1/projects");
    ASSERT_NE(list.route, nullptr);
    EXPECT_EQ(Call(list), "list");
    auto create = router_.Find("POST", "/api/v1/projects");
    ASSERT_NE(create.route, nullptr);
    EXPECT_EQ(Call(create), "create");
}

TEST_F(RouterTest, ExtractsParameters) {
    auto match = router_.Find("PUT", "/api/v1/projects/12/items/345/annotation");
    ASSERT_NE(match.route, nullptr);
    EXPECT_EQ(match.params.at("id"), "12");
    EXPECT_EQ(match.params.at("item_id"), "345");
    EXPECT_EQ(Call(match), "put");
}

TEST_F(RouterTest, HeadMatchesGet) {
    auto match = router_.Find("HEAD", "/healthz");
    ASSERT_NE(match.route, nullptr);
    EXPECT_EQ(Call(match), "health");
}

TEST_F(RouterTest, ReportsPathMatchWithWrongMethod) {
    auto match = router_.Find("DELETE", "/api/v1/projects");
    EXPECT_EQ(match.route, nullptr);
    EXPECT_TRUE(match.path_matched);
}

TEST_F(RouterTest, NoMatchForOtherShapes) {
    EXPECT_EQ(router_.Find("GET", "/api/v1/projects/").route, nullptr);
    EXPECT_EQ(router_.Find("GET", "/api/v1/projects/1/extra").route, nullptr);
    EXPECT_EQ(router_.Find("GET", "/api/v1").route, nullptr);
    EXPECT_FALSE(router_.Find("GET", "/nothing").path_matched);
    EXPECT_EQ(router_.Find("GET", "relative").route, nullptr);
}

TEST(RequestTest, IdParamValidates) {
    RawRequest raw;
    Request request{raw, "", {{"id", "42"}, {"bad", "4x"}, {"neg", "-1"}}, {}, std::nullopt, ""};
    auto id = request.IdParam("id");
    ASSERT_TRUE(id.ok());
    EXPECT_EQ(*id, 42);
    auto bad = request.IdParam("bad");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(bad.error().field, "bad");
    EXPECT_FALSE(request.IdParam("neg").ok());
}

}  // namespace
}  // namespace tessera::http
