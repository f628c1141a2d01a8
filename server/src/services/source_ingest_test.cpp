#include "services/source_ingest.hpp"

#include <gtest/gtest.h>

#include <map>

#include "blobs/local_image_source.hpp"
#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"
#include "services/service_test_support.hpp"
#include "support/temp_dir.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class RecordingContext final : public JobContext {
public:
    void ReportProgress(std::int64_t done, std::int64_t total) override {
        last_done = done;
        last_total = total;
    }
    bool StopRequested() const override { return stop; }

    std::int64_t last_done = -1;
    std::int64_t last_total = -1;
    bool stop = false;
};

// Counts how the ingest reads each file: ranged reads for headers, whole fetches only for what
// the header reader cannot decide. A local folder stands in for a container.
class CountingSource final : public ImageSource {
public:
    explicit CountingSource(const fs::path& root) : inner_(root, "**/*.*"), root_(root) {}

    Result<SourceListing> List(const std::function<bool(const SourceEntry&)>& on_entry,
                               std::int64_t max_entries) override {
        return inner_.List(on_entry, max_entries);
    }
    Result<std::string> ReadPrefix(std::string_view path, std::size_t count) override {
        ++prefix_reads;
        return inner_.ReadPrefix(path, count);
    }
    Result<SourceFile> Open(std::string_view path) override { return inner_.Open(path); }
    Result<SourceRef> Fetch(const std::string& path) {
        ++fetches[path];
        return SourceRef{root_, root_ / path};
    }

    int prefix_reads = 0;
    std::map<std::string, int> fetches;

private:
    LocalImageSource inner_;
    fs::path root_;
};

class SourceIngestTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(InitVips("test").ok());
        root_ = fs::canonical(dir_.path());
        owner_ = *env_.repo->CreateUser(User{0, "owner", Role::kOwner, "x", 0});
        testing::WriteImage(root_ / "b" / "wide.jpg", 60, 20);
        testing::WriteImage(root_ / "a.png", 30, 40);
        testing::WriteBmp(root_ / "c.bmp", 7, 9);
        testing::WriteText(root_ / "d_broken.jpg", "not an image at all");
    }

    Project MakeProject(std::int64_t item_limit) {
        Project p;
        p.name = "P" + std::to_string(++projects_);
        p.labels_json = R"(["Cat"])";
        p.datasource = {"local", root_.string(), "**/*.*"};
        p.item_limit = item_limit;
        p.shuffle_seed = 99;
        p.created_by = owner_.id;
        auto created = env_.repo->CreateProject(p);
        EXPECT_TRUE(created.ok()) << created.error().message;
        return *created;
    }

    Result<SourceIngestResult> Ingest(const Project& project, CountingSource& source,
                                      RecordingContext& context) {
        return IngestFromSource(*env_.repo, env_.clock, prober_, project, context, source,
                                [&](const std::string& path) { return source.Fetch(path); });
    }

    std::map<std::string, Item> Items(Id project_id) {
        std::map<std::string, Item> out;
        auto items = env_.repo->ListItems(project_id, ItemFilter{std::nullopt, 0, 100});
        EXPECT_TRUE(items.ok());
        for (const Item& item : *items) {
            out[item.path] = item;
        }
        return out;
    }

    testing::TempDir dir_;
    fs::path root_;
    testing::ServiceEnv env_;
    VipsImageProber prober_;
    User owner_;
    int projects_ = 0;
};

TEST_F(SourceIngestTest, HeadersComeFromRangedReadsAndOnlyUndecidedFilesAreFetched) {
    Project project = MakeProject(100);
    CountingSource source(root_);
    RecordingContext context;
    auto result = Ingest(project, source, context);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->inserted, 4);
    EXPECT_EQ(context.last_done, 4);
    EXPECT_EQ(context.last_total, 4);
    auto items = Items(project.id);
    ASSERT_EQ(items.size(), 4u);
    EXPECT_EQ(items["b/wide.jpg"].width, 60);
    EXPECT_EQ(items["b/wide.jpg"].height, 20);
    EXPECT_EQ(items["a.png"].format, "png");
    EXPECT_EQ(items["c.bmp"].width, 7);
    EXPECT_EQ(items["d_broken.jpg"].state, ItemState::kError);
    EXPECT_FALSE(items["d_broken.jpg"].error.empty());
    // The readable images were decided from their first bytes; only the broken file went to
    // the decoder, which needs it whole.
    EXPECT_EQ(source.fetches.size(), 1u);
    EXPECT_EQ(source.fetches.count("d_broken.jpg"), 1u);
    EXPECT_GE(source.prefix_reads, 4);
}

TEST_F(SourceIngestTest, ItemLimitKeepsTheFirstFilesOfTheListingAndIsRecorded) {
    Project project = MakeProject(2);
    CountingSource source(root_);
    RecordingContext context;
    auto result = Ingest(project, source, context);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->inserted, 2);
    auto items = Items(project.id);
    EXPECT_EQ(items.size(), 2u);
    EXPECT_EQ(items.count("a.png"), 1u);  // listed first: names sorted bytewise
    EXPECT_TRUE(env_.repo->GetProject(project.id)->item_limit_reached);
}

TEST_F(SourceIngestTest, AStopRequestInterruptsWithoutShuffling) {
    Project project = MakeProject(100);
    CountingSource source(root_);
    RecordingContext context;
    context.stop = true;
    auto result = Ingest(project, source, context);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_TRUE(result->interrupted);
    EXPECT_EQ(result->inserted, 0);
}

}  // namespace
}  // namespace tessera
