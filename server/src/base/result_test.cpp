#include "base/result.hpp"

#include <gtest/gtest.h>

#include "base/clock.hpp"

namespace tessera {
namespace {

Result<int> Half(int v) {
    if (v % 2 != 0) {
        return Error::InvalidArgument("odd", "v");
    }
    return v / 2;
}

Result<int> Quarter(int v) {
    TESSERA_ASSIGN_OR_RETURN(int h, Half(v));
    return Half(h);
}

TEST(ResultTest, PropagatesFirstError) {
    EXPECT_EQ(*Quarter(8), 2);
    auto r = Quarter(6);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().field, "v");
}

TEST(ResultTest, StatusOkAndError) {
    EXPECT_TRUE(Status::Ok().ok());
    Status s = Error::NotFound("x");
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(ErrorCodeName(s.error().code), "not_found");
}

TEST(RandomTest, SeededIsDeterministicAndHexHasLength) {
    SeededRandom a(7);
    SeededRandom b(7);
    EXPECT_EQ(a.HexToken(16), b.HexToken(16));
    EXPECT_EQ(a.HexToken(5).size(), 10U);
}

}  // namespace
}  // namespace tessera
