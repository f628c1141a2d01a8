// Manifest image references: every form Azure writes, mapped onto local folders, and the
// attempts to leave those folders (.., absolute paths, symlinks).
#include "services/manifest_source.hpp"

#include <gtest/gtest.h>

#include "blobs/test_images.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class ManifestSourceTest : public ::testing::Test {
protected:
    void SetUp() override {
        base_ = fs::canonical(dir_.path());
        roots_.manifest_dir = base_ / "manifest";
        roots_.datastores["workspaceblobstore"] = base_ / "blobs";
        testing::WriteText(base_ / "manifest" / "imgs" / "a.jpg", "a");
        testing::WriteText(base_ / "blobs" / "pets" / "my cat.jpg", "b");
        testing::WriteText(base_ / "secret.jpg", "outside");
        testing::WriteText(base_ / "secret.jsonl", "{}");
    }

    fs::path Resolve(const std::string& reference) {
        auto resolved = ResolveManifestReference(reference, roots_);
        EXPECT_TRUE(resolved.ok()) << reference << ": " << resolved.error().message;
        return resolved.ok() ? *resolved : fs::path();
    }
    ErrorCode Refused(const std::string& reference) {
        auto resolved = ResolveManifestReference(reference, roots_);
        EXPECT_FALSE(resolved.ok()) << reference << " resolved";
        return resolved.ok() ? ErrorCode::kInternal : resolved.error().code;
    }

    testing::TempDir dir_;
    fs::path base_;
    ManifestRoots roots_;
};

TEST_F(ManifestSourceTest, RelativePathsResolveAgainstTheManifestFolder) {
    EXPECT_EQ(Resolve("imgs/a.jpg"), base_ / "manifest" / "imgs" / "a.jpg");
    EXPECT_EQ(Resolve("./imgs/a.jpg"), base_ / "manifest" / "imgs" / "a.jpg");
    EXPECT_EQ(Resolve("imgs\\a.jpg"), base_ / "manifest" / "imgs" / "a.jpg");
    EXPECT_EQ(Resolve((base_ / "manifest" / "imgs" / "a.jpg").string()),
              base_ / "manifest" / "imgs" / "a.jpg");
    EXPECT_EQ(Resolve((base_ / "blobs" / "pets" / "my cat.jpg").string()),
              base_ / "blobs" / "pets" / "my cat.jpg");
}

TEST_F(ManifestSourceTest, AzureUriFormsResolveAgainstTheirDatastore) {
    const fs::path cat = base_ / "blobs" / "pets" / "my cat.jpg";
    EXPECT_EQ(Resolve("azureml://subscriptions/0000/resourcegroups/rg/workspaces/ws/datastores/"
                      "workspaceblobstore/paths/pets/my%20cat.jpg"),
              cat);
    EXPECT_EQ(Resolve("azureml://subscriptions/0000/resourceGroups/rg/workspaces/ws/datastores/"
                      "workspaceblobstore/paths/pets/my cat.jpg"),
              cat);
    EXPECT_EQ(Resolve("azureml://datastores/workspaceblobstore/paths/pets/my%20cat.jpg"), cat);
    EXPECT_EQ(Resolve("AmlDatastore://workspaceblobstore/pets/my cat.jpg"), cat);
    EXPECT_EQ(Resolve("amldatastore://workspaceblobstore/pets/my%20cat.jpg"), cat);
}

TEST_F(ManifestSourceTest, UnmappedDatastoresAndOtherSchemesSayWhatToDo) {
    auto unmapped = ResolveManifestReference("AmlDatastore://other/pets/x.jpg", roots_);
    ASSERT_FALSE(unmapped.ok());
    EXPECT_EQ(unmapped.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(unmapped.error().message.find("\"other\" is not mapped"), std::string::npos);

    auto url = ResolveManifestReference("https://example.com/a.jpg", roots_);
    ASSERT_FALSE(url.ok());
    EXPECT_NE(url.error().message.find("fetching http(s) URLs is off"), std::string::npos);
    EXPECT_EQ(Refused("HTTP://169.254.169.254/latest"), ErrorCode::kInvalidArgument);
    EXPECT_EQ(Refused("s3://bucket/a.jpg"), ErrorCode::kInvalidArgument);
    EXPECT_EQ(Refused("azureml://workspaces/ws/paths/a.jpg"), ErrorCode::kInvalidArgument);
    EXPECT_EQ(Refused("AmlDatastore://workspaceblobstore"), ErrorCode::kInvalidArgument);
    EXPECT_EQ(Refused("azureml://datastores/workspaceblobstore/paths/bad%zzescape.jpg"),
              ErrorCode::kInvalidArgument);
}

TEST_F(ManifestSourceTest, TraversalOutOfAFolderIsRefused) {
    EXPECT_EQ(Refused("../secret.jpg"), ErrorCode::kPermissionDenied);
    EXPECT_EQ(Refused("imgs/../../secret.jpg"), ErrorCode::kPermissionDenied);
    EXPECT_EQ(Refused((base_ / "secret.jpg").string()), ErrorCode::kPermissionDenied);
    EXPECT_EQ(Refused("/etc/passwd"), ErrorCode::kPermissionDenied);
    EXPECT_EQ(Refused("AmlDatastore://workspaceblobstore/../secret.jpg"),
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(Refused("azureml://datastores/workspaceblobstore/paths/..%2F..%2Fsecret.jpg"),
              ErrorCode::kPermissionDenied);
    // Absolute-looking datastore paths stay in the datastore.
    EXPECT_EQ(Refused("AmlDatastore://workspaceblobstore//etc/passwd"), ErrorCode::kNotFound);
}

TEST_F(ManifestSourceTest, SymlinkLeavingTheFolderIsRefused) {
    fs::create_symlink(base_ / "secret.jpg", base_ / "manifest" / "link.jpg");
    fs::create_directory_symlink(base_, base_ / "manifest" / "up");
    EXPECT_EQ(Refused("link.jpg"), ErrorCode::kPermissionDenied);
    EXPECT_EQ(Refused("up/secret.jpg"), ErrorCode::kPermissionDenied);
    fs::create_symlink(base_ / "manifest" / "imgs" / "a.jpg", base_ / "manifest" / "inside.jpg");
    EXPECT_EQ(Resolve("inside.jpg"), base_ / "manifest" / "imgs" / "a.jpg");
}

TEST_F(ManifestSourceTest, MissingFilesAndFoldersAreNotFound) {
    EXPECT_EQ(Refused("imgs/none.jpg"), ErrorCode::kNotFound);
    EXPECT_EQ(Refused("imgs"), ErrorCode::kNotFound);  // a folder is not an image
    EXPECT_EQ(Refused("AmlDatastore://workspaceblobstore/pets/none.jpg"), ErrorCode::kNotFound);
    EXPECT_EQ(Refused(""), ErrorCode::kInvalidArgument);
}

TEST_F(ManifestSourceTest, CommonRootIsTheDeepestSharedFolder) {
    EXPECT_EQ(CommonManifestRoot(roots_), base_);
    ManifestRoots alone;
    alone.manifest_dir = base_ / "manifest";
    EXPECT_EQ(CommonManifestRoot(alone), base_ / "manifest");
}

TEST_F(ManifestSourceTest, MlTableFilesStayInTheirFolder) {
    const fs::path folder = base_ / "table";
    testing::WriteText(folder / "MLTable",
                       "paths:\n  - file: ./train.jsonl\ntransformations:\n"
                       "  - read_json_lines:\n      encoding: utf8\n");
    testing::WriteText(folder / "train.jsonl", "{\"image_url\":\"a.jpg\"}\n");
    auto table = ListMlTableFiles(folder);
    ASSERT_TRUE(table.ok()) << table.error().message;
    EXPECT_EQ(table->folder, folder);
    ASSERT_EQ(table->files.size(), 1u);
    EXPECT_EQ(table->files[0], folder / "train.jsonl");
    EXPECT_EQ(table->format, ManifestFormat::kJsonl);

    auto by_file = ListMlTableFiles(folder / "MLTable");
    ASSERT_TRUE(by_file.ok());

    testing::WriteText(base_ / "parts" / "MLTable",
                       "paths:\n  - pattern: ./p/*.csv\ntransformations:\n  - read_delimited:\n");
    testing::WriteText(base_ / "parts" / "p" / "b.csv", "image\nx.jpg\n");
    testing::WriteText(base_ / "parts" / "p" / "a.csv", "image\ny.jpg\n");
    testing::WriteText(base_ / "parts" / "p" / "notes.txt", "");
    auto parts = ListMlTableFiles(base_ / "parts");
    ASSERT_TRUE(parts.ok()) << parts.error().message;
    ASSERT_EQ(parts->files.size(), 2u);
    EXPECT_EQ(parts->files[0].filename(), "a.csv");
    EXPECT_EQ(parts->format, ManifestFormat::kCsv);

    testing::WriteText(base_ / "escape" / "MLTable", "paths:\n  - file: ../secret.jsonl\n");
    auto escape = ListMlTableFiles(base_ / "escape");
    ASSERT_FALSE(escape.ok());
    EXPECT_NE(escape.error().message.find("leaves"), std::string::npos);

    auto none = ListMlTableFiles(base_ / "manifest");
    ASSERT_FALSE(none.ok());
    EXPECT_NE(none.error().message.find("no file named MLTable"), std::string::npos);
}

}  // namespace
}  // namespace tessera
