#include "services/upload_service.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"
#include "services/service_test_support.hpp"
#include "support/temp_dir.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class UploadServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(InitVips("test").ok());
        owner_ = *env.repo->CreateUser(User{0, "own", Role::kOwner, "x", 0});
        labeler_ = *env.repo->CreateUser(User{0, "lab", Role::kLabeler, "x", 0});
        Project p;
        p.name = "Pets";
        p.labels_json = R"(["Cat"])";
        p.datasource = {"local", dir_.path().string(), "**/*.*"};
        project_ = env.repo->CreateProject(p)->id;
        testing::WriteImage(dir_.path() / "src" / "cat.jpg", 64, 48);
        jpeg_ = testing::ReadAll(dir_.path() / "src" / "cat.jpg");
        ASSERT_GT(jpeg_.size(), 100U);
        settings_.root = dir_.path() / "uploads";
        settings_.max_file_bytes = 1 << 20;
        settings_.max_pending_bytes_per_project = 3 << 20;
        settings_.expire_after_ms = 60'000;
        service_ =
            std::make_unique<UploadService>(*env.repo, env.clock, env.random, prober_, settings_);
    }

    Result<UploadInfo> Create(const std::string& name, bool overwrite = false) {
        return service_->Create(owner_, project_,
                                {static_cast<std::int64_t>(jpeg_.size()), name, overwrite});
    }
    Result<UploadInfo> Send(const UploadInfo& info, std::int64_t offset, std::string_view bytes) {
        UploadChunk chunk;
        chunk.bytes = bytes;
        return service_->Append(owner_, project_, info.id, offset, chunk);
    }
    Result<UploadInfo> SendAll(const std::string& name, bool overwrite = false) {
        auto created = Create(name, overwrite);
        if (!created.ok()) {
            return created;
        }
        return Send(*created, 0, jpeg_);
    }
    std::vector<Item> Items() { return *env.repo->ListItems(project_, ItemFilter{}); }

    testing::TempDir dir_;
    testing::ServiceEnv env;
    VipsImageProber prober_;
    UploadSettings settings_;
    std::unique_ptr<UploadService> service_;
    User owner_;
    User labeler_;
    Id project_ = 0;
    std::string jpeg_;
};

TEST_F(UploadServiceTest, ChunksResumeAndFinishAsAnItem) {
    auto created = Create("trip/cat.jpg");
    ASSERT_TRUE(created.ok()) << created.error().message;
    EXPECT_EQ(created->offset, 0);
    const std::string_view bytes = jpeg_;
    auto first = Send(*created, 0, bytes.substr(0, 100));
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(first->offset, 100);
    EXPECT_FALSE(first->complete);

    // A resuming client asks for the offset; a wrong one is a conflict that names the right one.
    auto status = service_->Get(owner_, project_, created->id);
    ASSERT_TRUE(status.ok());
    EXPECT_EQ(status->offset, 100);
    auto wrong = Send(*created, 0, bytes.substr(0, 100));
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, ErrorCode::kConflict);
    EXPECT_NE(wrong.error().message.find("has 100 bytes"), std::string::npos);

    auto last = Send(*created, 100, bytes.substr(100));
    ASSERT_TRUE(last.ok()) << last.error().message;
    EXPECT_TRUE(last->complete);
    EXPECT_FALSE(last->replaced);
    EXPECT_EQ(testing::ReadAll(settings_.root / std::to_string(project_) / "trip" / "cat.jpg"),
              jpeg_);
    auto items = Items();
    ASSERT_EQ(items.size(), 1U);
    EXPECT_EQ(items[0].path, "trip/cat.jpg");
    EXPECT_EQ(items[0].width, 64);
    EXPECT_EQ(items[0].height, 48);
    // Finished: its id is gone, and nothing is left in the partial folder.
    EXPECT_EQ(service_->Get(owner_, project_, created->id).error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(fs::is_empty(settings_.root / std::to_string(project_) / ".partial"));
}

TEST_F(UploadServiceTest, ChunkFromAStoredFile) {
    auto created = Create("a.jpg");
    ASSERT_TRUE(created.ok());
    testing::WriteText(dir_.path() / "chunk.bin", jpeg_);
    UploadChunk chunk;
    chunk.file = dir_.path() / "chunk.bin";
    auto done = service_->Append(owner_, project_, created->id, 0, chunk);
    ASSERT_TRUE(done.ok()) << done.error().message;
    EXPECT_TRUE(done->complete);
}

TEST_F(UploadServiceTest, ExistingFileIsRefusedUnlessOverwrite) {
    ASSERT_TRUE(SendAll("cat.jpg").ok());
    auto again = Create("cat.jpg");
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::kConflict);
    EXPECT_NE(again.error().message.find("already exists"), std::string::npos);

    auto replaced = SendAll("cat.jpg", true);
    ASSERT_TRUE(replaced.ok()) << replaced.error().message;
    EXPECT_TRUE(replaced->replaced);
    EXPECT_EQ(Items().size(), 1U);
}

TEST_F(UploadServiceTest, SecondUploadOfTheSameNameLosesAtTheEnd) {
    auto first = Create("cat.jpg");
    auto second = Create("cat.jpg");
    ASSERT_TRUE(first.ok() && second.ok());
    ASSERT_TRUE(Send(*first, 0, jpeg_).ok());
    auto late = Send(*second, 0, jpeg_);
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.error().code, ErrorCode::kConflict);
    EXPECT_EQ(Items().size(), 1U);
}

TEST_F(UploadServiceTest, HostileNamesAreRefusedWithTheReason) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"../evil.jpg", "'..'"},
        {"a/../../evil.jpg", "'..'"},
        {"//etc/evil.jpg", "absolute"},
        {"a\\b.jpg", "'\\'"},
        {std::string("a\nb.jpg"), "control character"},
        {"notes.txt", "not an accepted image type"},
        {".hidden/a.jpg", "starting with '.'"},
        {"a//b.jpg", "empty folder name"},
        {"", "empty"},
        {std::string(300, 'x') + ".jpg", "over 255 bytes"},
    };
    for (const auto& [name, reason] : cases) {
        auto created = Create(name);
        ASSERT_FALSE(created.ok()) << name;
        EXPECT_EQ(created.error().code, ErrorCode::kInvalidArgument) << name;
        EXPECT_NE(created.error().message.find(reason), std::string::npos)
            << name << ": " << created.error().message;
    }
    EXPECT_FALSE(fs::exists(dir_.path() / "evil.jpg"));
}

TEST_F(UploadServiceTest, DroppedFolderPathsLoseTheirLeadingSlash) {
    auto valid = ValidateUploadPath("/holiday/a.JPG");
    ASSERT_TRUE(valid.ok());
    EXPECT_EQ(*valid, "holiday/a.JPG");
}

TEST_F(UploadServiceTest, NotAnImageIsRefusedAndLeavesNothing) {
    const std::string text = "this is not a jpeg at all";
    auto created = service_->Create(owner_, project_,
                                    {static_cast<std::int64_t>(text.size()), "x.jpg", false});
    ASSERT_TRUE(created.ok());
    auto done = Send(*created, 0, text);
    ASSERT_FALSE(done.ok());
    EXPECT_EQ(done.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(done.error().message.find("not an image"), std::string::npos);
    EXPECT_FALSE(fs::exists(settings_.root / std::to_string(project_) / "x.jpg"));
    EXPECT_TRUE(Items().empty());
}

TEST_F(UploadServiceTest, LimitsAndPermissions) {
    auto big = service_->Create(owner_, project_, {(1 << 20) + 1, "big.jpg", false});
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.error().code, ErrorCode::kPayloadTooLarge);

    // The pending quota (3 MiB) counts unfinished uploads only.
    ASSERT_TRUE(service_->Create(owner_, project_, {1 << 20, "p1.jpg", false}).ok());
    ASSERT_TRUE(service_->Create(owner_, project_, {1 << 20, "p2.jpg", false}).ok());
    ASSERT_TRUE(service_->Create(owner_, project_, {1 << 20, "p3.jpg", false}).ok());
    auto over = service_->Create(owner_, project_, {1, "p4.jpg", false});
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().code, ErrorCode::kPayloadTooLarge);

    auto past_end = Create("short.jpg");
    ASSERT_FALSE(past_end.ok());  // still over quota
    EXPECT_EQ(service_->Create(labeler_, project_, {10, "l.jpg", false}).error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(service_->Create(owner_, project_ + 100, {10, "l.jpg", false}).error().code,
              ErrorCode::kNotFound);
}

TEST_F(UploadServiceTest, ChunkPastTheDeclaredLengthIsRefused) {
    auto created = service_->Create(owner_, project_, {10, "a.jpg", false});
    ASSERT_TRUE(created.ok());
    auto over = Send(*created, 0, "01234567890");
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().code, ErrorCode::kPayloadTooLarge);
    EXPECT_EQ(service_->Get(owner_, project_, created->id)->offset, 0);
}

TEST_F(UploadServiceTest, AbandonedUploadsExpireOnTheClock) {
    auto created = Create("slow.jpg");
    ASSERT_TRUE(created.ok());
    ASSERT_TRUE(Send(*created, 0, std::string_view(jpeg_).substr(0, 10)).ok());
    env.clock.Advance(59'000);
    EXPECT_EQ(service_->RemoveExpired(), 0);
    // Each chunk pushes the expiry back.
    ASSERT_TRUE(Send(*created, 10, std::string_view(jpeg_).substr(10, 10)).ok());
    env.clock.Advance(59'000);
    EXPECT_EQ(service_->RemoveExpired(), 0);
    EXPECT_EQ(service_->Get(owner_, project_, created->id)->offset, 20);
    env.clock.Advance(2'000);
    EXPECT_EQ(service_->Get(owner_, project_, created->id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(service_->RemoveExpired(), 1);
    EXPECT_TRUE(fs::is_empty(settings_.root / std::to_string(project_) / ".partial"));
}

TEST_F(UploadServiceTest, CreatingSweepsAbandonedUploadsOnTheClock) {
    auto abandoned = Create("old.jpg");
    ASSERT_TRUE(abandoned.ok());
    const auto partial = settings_.root / std::to_string(project_) / ".partial";
    EXPECT_TRUE(fs::exists(partial / abandoned->id));
    env.clock.Advance(61'000);
    ASSERT_TRUE(Create("new.jpg").ok());  // the first Create since the expiry sweeps
    EXPECT_FALSE(fs::exists(partial / abandoned->id));
    EXPECT_FALSE(fs::exists(partial / (abandoned->id + ".json")));
}

TEST_F(UploadServiceTest, TerminateRemovesTheUpload) {
    auto created = Create("gone.jpg");
    ASSERT_TRUE(created.ok());
    ASSERT_TRUE(service_->Terminate(owner_, project_, created->id).ok());
    EXPECT_EQ(service_->Get(owner_, project_, created->id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(service_->Terminate(owner_, project_, created->id).error().code,
              ErrorCode::kNotFound);
    EXPECT_EQ(service_->Get(owner_, project_, "../../x").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tessera
