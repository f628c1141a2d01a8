#include "http/error_mapping.hpp"

#include <gtest/gtest.h>

namespace tessera::http {
namespace {

TEST(ErrorMappingTest, StatusPerCodeMatchesTheApiContract) {
    EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthenticated), 401u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kPermissionDenied), 403u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kConflict), 409u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kLeaseInvalid), 409u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kFailedPrecondition), 409u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kPayloadTooLarge), 413u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kUnsupportedMediaType), 415u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kPreconditionFailed), 412u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kTooManyRequests), 429u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503u);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500u);
}

TEST(ErrorMappingTest, BodyCarriesCodeMessageAndOptionalField) {
    auto with_field = ErrorBody(Error::InvalidArgument("unknown label Dog", "labels"));
    EXPECT_EQ(with_field["error"]["code"], "invalid_argument");
    EXPECT_EQ(with_field["error"]["message"], "unknown label Dog");
    EXPECT_EQ(with_field["error"]["field"], "labels");

    auto without = ErrorBody(Error::LeaseInvalid("lease expired"));
    EXPECT_EQ(without["error"]["code"], "lease_invalid");
    EXPECT_FALSE(without["error"].contains("field"));
}

TEST(ErrorMappingTest, ResponseIsJsonWithStatus) {
    Response response = ErrorResponse(Error::Unauthenticated("login required"));
    EXPECT_EQ(response.status, 401u);
    EXPECT_EQ(response.FindHeader("content-type"), "application/json");
    EXPECT_EQ(response.FindHeader("WWW-Authenticate"), "Bearer");
    auto body = nlohmann::json::parse(response.body);
    EXPECT_EQ(body["error"]["code"], "unauthenticated");
}

}  // namespace
}  // namespace tessera::http
