#include "services/job_payload.hpp"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(JobPayloadTest, ReadsTheProjectId) {
    auto id = ParseProjectId("ingest", R"({"project_id": 42})");
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_EQ(*id, 42);
}

TEST(JobPayloadTest, RejectsMalformedPayloadsNamingTheJobKind) {
    for (const char* payload :
         {"", "not json", "[1]", "42", "{}", R"({"project_id": "7"})", R"({"project_id": 1.5})",
          R"({"project_id": null})", R"({"other": 7})"}) {
        auto id = ParseProjectId("tile_pyramids", payload);
        ASSERT_FALSE(id.ok()) << payload;
        EXPECT_EQ(id.error().code, ErrorCode::kInvalidArgument) << payload;
        EXPECT_EQ(id.error().message, "tile_pyramids payload needs an integer project_id")
            << payload;
    }
}

}  // namespace
}  // namespace tessera
