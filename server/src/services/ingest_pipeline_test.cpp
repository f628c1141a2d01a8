#include "services/ingest_pipeline.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <sstream>

#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"
#include "services/service_test_support.hpp"
#include "support/temp_dir.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

// Files held in memory; counts reads so tests see how the pipeline read them.
class MemorySource final : public ImageSource {
public:
    void Put(const std::string& path, std::string bytes) { files_[path] = std::move(bytes); }
    SourceEntry Entry(const std::string& path) const {
        auto it = files_.find(path);
        return SourceEntry{
            path, it == files_.end() ? 10 : static_cast<std::int64_t>(it->second.size()), "v1"};
    }

    Result<SourceListing> List(const std::function<bool(const SourceEntry&)>& on_entry,
                               std::int64_t) override {
        SourceListing listing;
        for (const auto& [path, bytes] : files_) {
            ++listing.files;
            if (!on_entry(Entry(path))) {
                listing.stopped = true;
                break;
            }
        }
        return listing;
    }
    Result<std::string> ReadPrefix(std::string_view path, std::size_t count) override {
        ++reads_;
        max_read_ = std::max(max_read_.load(), count);
        auto it = files_.find(std::string(path));
        if (it == files_.end()) {
            return Error::NotFound("the image file is missing");
        }
        return it->second.substr(0, count);
    }
    Result<SourceFile> Open(std::string_view) override {
        return Error::Internal("not needed by the pipeline");
    }

    std::atomic<int> reads_{0};
    std::atomic<std::size_t> max_read_{0};

private:
    std::map<std::string, std::string> files_;
};

class IngestPipelineTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(InitVips("test").ok());
        owner_ = *env.repo->CreateUser(User{0, "owner", Role::kOwner, "x", 0});
        Project p;
        p.name = "P";
        p.labels_json = R"(["Cat"])";
        p.datasource = {"local", "/nowhere", "**/*.*"};
        p.item_limit = 1000;
        p.shuffle_seed = 7;
        p.created_by = owner_.id;
        project_ = env.repo->CreateProject(p)->id;
        testing::WriteImage(dir_.path() / "a.jpg", 30, 20, 6);
        testing::WriteImage(dir_.path() / "a.png", 8, 9);
        jpeg_ = testing::ReadAll(dir_.path() / "a.jpg");
        png_ = testing::ReadAll(dir_.path() / "a.png");
    }

    // The decoder stand-in: records which entries reached it.
    IngestPipeline::Fallback Fallback() {
        return [this](const SourceEntry& entry) -> Result<ImageInfo> {
            std::lock_guard<std::mutex> lock(mutex_);
            fallback_paths_.push_back(entry.relative_path);
            if (entry.relative_path.ends_with(".dcm")) {
                return Error::FailedPrecondition("DICOM support arrives with a later issue");
            }
            if (entry.relative_path.starts_with("odd")) {
                return ImageInfo{3, 4, "tiff", entry.size_bytes};
            }
            return Error::InvalidArgument("cannot read image header: garbage");
        };
    }

    std::vector<Item> Items() {
        auto items = env.repo->ListItems(project_, ItemFilter{std::nullopt, 0, 1000});
        EXPECT_TRUE(items.ok());
        std::vector<Item> out = items.ok() ? *items : std::vector<Item>{};
        std::sort(out.begin(), out.end(), [](const Item& a, const Item& b) { return a.id < b.id; });
        return out;
    }

    testing::TempDir dir_;
    testing::ServiceEnv env;
    User owner_;
    Id project_ = 0;
    std::string jpeg_, png_;
    MemorySource source_;
    std::mutex mutex_;
    std::vector<std::string> fallback_paths_;
};

TEST_F(IngestPipelineTest, ProbesHeadersAndInsertsInListingOrder) {
    std::vector<std::string> paths;
    for (int i = 0; i < 23; ++i) {
        std::string path = "f" + std::to_string(100 + i) + (i % 2 == 0 ? ".jpg" : ".png");
        source_.Put(path, i % 2 == 0 ? jpeg_ : png_);
        paths.push_back(path);
    }
    std::vector<std::int64_t> progress;
    IngestPipeline pipeline(*env.repo, env.clock, source_, project_, Fallback(),
                            IngestPipelineSettings{3, 64 << 10, 5});
    pipeline.set_progress([&](std::int64_t done) { progress.push_back(done); });
    for (const std::string& path : paths) {
        ASSERT_TRUE(pipeline.Add(source_.Entry(path)).ok());
    }
    ASSERT_TRUE(pipeline.Finish().ok());
    EXPECT_EQ(progress, (std::vector<std::int64_t>{5, 10, 15, 20, 23}));
    EXPECT_EQ(pipeline.counts().probed, 23);
    EXPECT_EQ(pipeline.counts().inserted, 23);
    EXPECT_EQ(pipeline.counts().decoder_probes, 0);
    EXPECT_TRUE(fallback_paths_.empty());
    auto items = Items();
    ASSERT_EQ(items.size(), 23u);
    for (std::size_t i = 0; i < items.size(); ++i) {
        EXPECT_EQ(items[i].path, paths[i]);  // ids follow the order entries were added
    }
    EXPECT_EQ(items[0].width, 20);  // EXIF orientation 6
    EXPECT_EQ(items[0].height, 30);
    EXPECT_EQ(items[0].format, "jpeg");
    EXPECT_EQ(items[0].size_bytes, static_cast<std::int64_t>(jpeg_.size()));
    EXPECT_EQ(items[1].width, 8);
    EXPECT_EQ(items[1].format, "png");
}

TEST_F(IngestPipelineTest, LeavesUndecidedFilesAndDicomToTheDecoder) {
    source_.Put("b_garbage.jpg", "not an image at all");
    source_.Put("c_scan.dcm", png_);  // a PNG header, but DICOM never takes the header path
    source_.Put("odd.tif", std::string("II*\0 libtiff judges this", 24));
    source_.Put("d_empty.png", "");
    IngestPipeline pipeline(*env.repo, env.clock, source_, project_, Fallback(),
                            IngestPipelineSettings{2, 64 << 10, 100});
    for (const char* path :
         {"a_gone.jpg", "b_garbage.jpg", "c_scan.dcm", "d_empty.png", "odd.tif"}) {
        ASSERT_TRUE(pipeline.Add(source_.Entry(path)).ok());
    }
    ASSERT_TRUE(pipeline.Finish().ok());
    EXPECT_EQ(pipeline.counts().decoder_probes, 5);
    EXPECT_EQ(pipeline.counts().errors, 4);
    auto items = Items();
    ASSERT_EQ(items.size(), 5u);
    EXPECT_EQ(items[0].state, ItemState::kError);  // missing: the decoder's reason
    EXPECT_EQ(items[1].state, ItemState::kError);
    EXPECT_EQ(items[1].error, "cannot read image header: garbage");
    EXPECT_EQ(items[1].size_bytes, 19);
    EXPECT_EQ(items[2].format, "dicom");
    EXPECT_EQ(items[2].state, ItemState::kError);
    EXPECT_EQ(items[3].state, ItemState::kError);
    EXPECT_EQ(items[4].state, ItemState::kUnlabeled);
    EXPECT_EQ(items[4].width, 3);
    EXPECT_EQ(items[4].format, "tiff");
}

TEST_F(IngestPipelineTest, ReadsMoreWhenAHeaderIsLongerThanTheFirstRead) {
    // A 20 KB comment before the frame header, with a first read of 1 KiB.
    std::string comment = "\xFF\xFE" + std::string{'\x4E', '\x22'} + std::string(0x4E20, 'c');
    source_.Put("long.jpg", jpeg_.substr(0, 2) + comment + jpeg_.substr(2));
    IngestPipeline pipeline(*env.repo, env.clock, source_, project_, Fallback(),
                            IngestPipelineSettings{1, 1024, 10});
    ASSERT_TRUE(pipeline.Add(source_.Entry("long.jpg")).ok());
    ASSERT_TRUE(pipeline.Finish().ok());
    EXPECT_EQ(pipeline.counts().decoder_probes, 0);
    EXPECT_GT(source_.reads_.load(), 1);
    EXPECT_GT(source_.max_read_.load(), 0x4E20u);
    auto items = Items();
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].width, 20);
}

TEST_F(IngestPipelineTest, ItemHookHasTheLastWord) {
    source_.Put("a.png", png_);
    IngestPipeline pipeline(*env.repo, env.clock, source_, project_, Fallback());
    pipeline.set_item_hook([](const SourceEntry& entry, NewItem& item) {
        item.path = "uploads/" + entry.relative_path;
    });
    EXPECT_EQ(pipeline.Probe(source_.Entry("a.png")).path, "uploads/a.png");
    ASSERT_TRUE(pipeline.Add(source_.Entry("a.png")).ok());
    ASSERT_TRUE(pipeline.Finish().ok());
    EXPECT_EQ(Items().at(0).path, "uploads/a.png");
}

TEST_F(IngestPipelineTest, AbandonInsertsNothingPendingAndRejectsMore) {
    for (int i = 0; i < 5; ++i) {
        source_.Put("a" + std::to_string(i) + ".png", png_);
    }
    IngestPipeline pipeline(*env.repo, env.clock, source_, project_, Fallback(),
                            IngestPipelineSettings{2, 64 << 10, 2});
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(pipeline.Add(source_.Entry("a" + std::to_string(i) + ".png")).ok());
    }
    pipeline.Abandon();
    // Whole batches only: what was inserted is what the counts say, the rest is dropped.
    EXPECT_EQ(static_cast<std::int64_t>(Items().size()), pipeline.counts().probed);
    EXPECT_EQ(pipeline.counts().probed % 2, 0);
    EXPECT_LE(pipeline.counts().probed, 4);
    EXPECT_FALSE(pipeline.Add(source_.Entry("a.png")).ok());
}

TEST_F(IngestPipelineTest, InsertErrorsStopThePipeline) {
    source_.Put("a.png", png_);
    IngestPipeline pipeline(*env.repo, env.clock, source_, 999, Fallback(),
                            IngestPipelineSettings{2, 64 << 10, 1});
    Status status = pipeline.Add(source_.Entry("a.png"));
    if (status.ok()) {
        status = pipeline.Add(source_.Entry("a.png"));
    }
    if (status.ok()) {
        status = pipeline.Finish();
    }
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kNotFound);
    EXPECT_FALSE(pipeline.Finish().ok());
}

}  // namespace
}  // namespace tessera
