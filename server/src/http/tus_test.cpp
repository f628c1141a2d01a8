#include "http/tus.hpp"

#include <gtest/gtest.h>

namespace tessera::http {
namespace {

TEST(TusTest, MetadataAsTusJsClientSendsIt) {
    auto parsed = ParseUploadMetadata(
        "filename Y2F0LmpwZw==,relativePath L2EvY2F0LmpwZw==,overwrite dHJ1ZQ==, is_confidential");
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->at("filename"), "cat.jpg");
    EXPECT_EQ(parsed->at("relativePath"), "/a/cat.jpg");
    EXPECT_EQ(parsed->at("overwrite"), "true");
    EXPECT_EQ(parsed->at("is_confidential"), "");
    EXPECT_TRUE(ParseUploadMetadata("")->empty());
    auto bad = ParseUploadMetadata("filename %%%");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("'filename' is not base64"), std::string::npos);
}

TEST(TusTest, NumbersAndDates) {
    EXPECT_EQ(*ParseTusNumber("0", "Upload-Offset"), 0);
    EXPECT_EQ(*ParseTusNumber("8388608", "Upload-Offset"), 8388608);
    for (const char* bad : {"", "-1", "1e3", "12abc", "99999999999999999999"}) {
        auto parsed = ParseTusNumber(bad, "Upload-Length");
        ASSERT_FALSE(parsed.ok()) << bad;
        EXPECT_EQ(parsed.error().field, "Upload-Length");
    }
    EXPECT_EQ(HttpDate(784111777000), "Sun, 06 Nov 1994 08:49:37 GMT");
}

}  // namespace
}  // namespace tessera::http
