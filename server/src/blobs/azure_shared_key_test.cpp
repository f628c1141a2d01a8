#include "blobs/azure_shared_key.hpp"

#include <gtest/gtest.h>

#include "base/percent_decode.hpp"
#include "support/azurite.hpp"

namespace tessera {
namespace {

AzureSignedRequest RangedGet() {
    AzureSignedRequest request;
    request.method = "GET";
    request.account = "devstoreaccount1";
    request.encoded_path = "/devstoreaccount1/photos/a%20b.jpg";
    request.headers = {{"x-ms-version", "2021-08-06"},
                       {"X-MS-Date", "Sun, 06 Dec 2026 12:00:00 GMT"},
                       {"Range", "bytes=0-1023"}};
    return request;
}

TEST(AzureSharedKeyTest, StringToSignHasStandardHeadersThenXmsHeadersThenResource) {
    EXPECT_EQ(SharedKeyStringToSign(RangedGet()),
              "GET\n\n\n\n\n\n\n\n\n\n\nbytes=0-1023\n"
              "x-ms-date:Sun, 06 Dec 2026 12:00:00 GMT\nx-ms-version:2021-08-06\n"
              "/devstoreaccount1/devstoreaccount1/photos/a%20b.jpg");
}

TEST(AzureSharedKeyTest, SignatureMatchesAnIndependentHmac) {
    // Computed independently with Python:
    //   base64.b64encode(hmac.new(base64.b64decode(KEY), STRING_TO_SIGN.encode(),
    //                             hashlib.sha256).digest())
    auto auth = SharedKeyAuthorization(RangedGet(), testing::kAzuriteKey);
    ASSERT_TRUE(auth.ok()) << auth.error().message;
    EXPECT_EQ(*auth, "SharedKey devstoreaccount1:7dQxSDdKi9ltQoLpqe6fhtOQ9HyLl+Nrbd0n9hb3/Z4=");
}

TEST(AzureSharedKeyTest, QueryParametersAreLowerCasedSortedAndDecoded) {
    AzureSignedRequest request;
    request.method = "GET";
    request.account = "devstoreaccount1";
    request.encoded_path = "/devstoreaccount1/photos";
    request.query = {{"restype", "container"},
                     {"comp", "list"},
                     {"prefix", "cats/"},
                     {"marker", "2!72!next"},
                     {"maxresults", "100"}};
    request.headers = {{"x-ms-version", "2021-08-06"},
                       {"x-ms-date", "Sun, 06 Dec 2026 12:00:00 GMT"},
                       {"x-ms-client-request-id", "  abc  "},
                       {"Content-Length", "0"}};
    const std::string expected =
        "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-client-request-id:abc\n"
        "x-ms-date:Sun, 06 Dec 2026 12:00:00 GMT\nx-ms-version:2021-08-06\n"
        "/devstoreaccount1/devstoreaccount1/photos\ncomp:list\nmarker:2!72!next\n"
        "maxresults:100\nprefix:cats/\nrestype:container";
    EXPECT_EQ(SharedKeyStringToSign(request), expected);
    auto signature = AzureHmacSignature(testing::kAzuriteKey, expected);
    ASSERT_TRUE(signature.ok());
    EXPECT_EQ(*signature, "RFiRM2+Jrvok7Pz/NcyYe6pB5Eax/rNnEoq/EhJ4vyA=");  // Python, as above
}

TEST(AzureSharedKeyTest, ContainerSasMatchesMicrosoftsClient) {
    // The same SAS made with @azure/storage-blob 12.x:
    //   generateBlobSASQueryParameters({containerName: "photos", permissions: "rl",
    //     startsOn: 2026-01-01T00:00:00Z, expiresOn: 2027-01-01T00:00:00Z,
    //     protocol: "https,http", version: "2021-08-06"}, devstoreaccount1 credential)
    ContainerSasOptions options;
    options.account = "devstoreaccount1";
    options.container = "photos";
    options.permissions = "rl";
    options.start = "2026-01-01T00:00:00Z";
    options.expiry = "2027-01-01T00:00:00Z";
    options.protocol = "https,http";
    auto sas = MakeContainerSas(options, testing::kAzuriteKey);
    ASSERT_TRUE(sas.ok()) << sas.error().message;
    EXPECT_NE(sas->find("sig=pHg%2BJ%2F5%2FqGJcAKemblLiH%2Flan88WcoSFU9A2FUGuszI%3D"),
              std::string::npos)
        << *sas;
    EXPECT_NE(sas->find("sr=c&sp=rl"), std::string::npos);
}

TEST(AzureSharedKeyTest, BadKeyIsAnErrorThatDoesNotRepeatIt) {
    auto auth = SharedKeyAuthorization(RangedGet(), "not*base64!");
    ASSERT_FALSE(auth.ok());
    EXPECT_EQ(auth.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(auth.error().message.find("not*base64"), std::string::npos);
}

TEST(AzureSharedKeyTest, HttpDateIsRfc1123) {
    EXPECT_EQ(HttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(HttpDate(1796558400), "Sun, 06 Dec 2026 12:00:00 GMT");
}

TEST(AzureSharedKeyTest, PercentEncodingRoundTrips) {
    EXPECT_EQ(PercentEncode("a b/ü.jpg", true), "a%20b/%C3%BC.jpg");
    EXPECT_EQ(PercentEncode("a/b", false), "a%2Fb");
    EXPECT_EQ(PercentDecode(PercentEncode("a b+/ü.jpg", false)), "a b+/ü.jpg");
}

}  // namespace
}  // namespace tessera
