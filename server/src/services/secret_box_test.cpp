#include "services/secret_box.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace tessera {
namespace {

TEST(SecretBoxTest, SealsWithARandomNonceAndOpensWithTheSameKey) {
    auto box = SecretBox::FromBase64Key(SecretBox::NewBase64Key());
    ASSERT_TRUE(box.ok()) << box.error().message;
    const std::string token = "sv=2021-08-06&sp=rl&sig=secret%2B";
    std::string a = box->Seal(token);
    std::string b = box->Seal(token);
    EXPECT_NE(a, b);  // a fresh nonce each time
    EXPECT_TRUE(a.starts_with("v1:"));
    EXPECT_EQ(a.find("sig="), std::string::npos);
    EXPECT_EQ(box->Open(a).value(), token);
    EXPECT_EQ(box->Open(b).value(), token);
    EXPECT_EQ(box->Open(box->Seal("")).value(), "");
}

TEST(SecretBoxTest, AnotherKeyOrAlteredTextIsAClearErrorWithoutTheSecret) {
    auto box = SecretBox::FromBase64Key(SecretBox::NewBase64Key());
    auto other = SecretBox::FromBase64Key(SecretBox::NewBase64Key());
    ASSERT_TRUE(box.ok() && other.ok());
    std::string sealed = box->Seal("account-key-value");
    auto wrong = other->Open(sealed);
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(wrong.error().message.find("secret key changed"), std::string::npos);
    EXPECT_EQ(wrong.error().message.find(sealed.substr(3, 10)), std::string::npos);
    std::string altered = sealed;
    altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(box->Open(altered).ok());
    EXPECT_FALSE(box->Open("plain text").ok());
    EXPECT_FALSE(box->Open("v1:!!").ok());
    EXPECT_FALSE(box->Open("v1:AAAA").ok());
}

TEST(SecretBoxTest, KeysMustBe32BytesOfBase64) {
    EXPECT_FALSE(SecretBox::FromBase64Key("").ok());
    EXPECT_FALSE(SecretBox::FromBase64Key("c2hvcnQ=").ok());  // "short"
    auto bad = SecretBox::FromBase64Key("not base64 at all, definitely not a key!!!!");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field, "secret_key");
    EXPECT_EQ(bad.error().message.find("definitely"), std::string::npos);
}

TEST(SecretBoxTest, KeyFileIsCreatedOnceWithMode0600AndReusedAfter) {
    testing::TempDir dir;
    const auto path = dir.path() / "secret.key";
    auto first = SecretBox::LoadOrCreateKeyFile(path);
    ASSERT_TRUE(first.ok()) << first.error().message;
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600);
    auto second = SecretBox::LoadOrCreateKeyFile(path);
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_EQ(second->Open(first->Seal("x")).value(), "x");  // the same key was read back
    // No temporary file is left beside it.
    int files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        ++files;
    }
    EXPECT_EQ(files, 1);
}

TEST(SecretBoxTest, KeyFileReadableByOthersOrCorruptIsRefused) {
    testing::TempDir dir;
    const auto path = dir.path() / "secret.key";
    ASSERT_TRUE(SecretBox::LoadOrCreateKeyFile(path).ok());
    ::chmod(path.c_str(), 0644);
    auto open = SecretBox::LoadOrCreateKeyFile(path);
    ASSERT_FALSE(open.ok());
    EXPECT_EQ(open.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(open.error().message.find("chmod 600"), std::string::npos);

    ::chmod(path.c_str(), 0600);
    std::ofstream(path, std::ios::trunc) << "garbage\n";
    auto corrupt = SecretBox::LoadOrCreateKeyFile(path);
    ASSERT_FALSE(corrupt.ok());
    EXPECT_NE(corrupt.error().message.find("does not hold a key"), std::string::npos);
}

}  // namespace
}  // namespace tessera
