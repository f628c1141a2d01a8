// Drawing projects over HTTP: shapes submitted and read back, bad geometry rejected naming the
// shape, drafts autosaved and cleared by the submit, masks on a 40,000 x 40,000 image.
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

#include <vips/vips8>

#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;

class DrawingIt : public IntegrationTest {
protected:
    // Owner `admin` and labeler `lara`; a running project of `task_type` over two images
    // (img0.jpg is 40 x 30, img1.jpg 41 x 30), or over what `write_images` puts in images_.
    void SetUpProject(const std::string& task_type,
                      const std::function<void()>& write_images = nullptr) {
        if (write_images) {
            write_images();
        } else {
            WriteImages(2);
        }
        ASSERT_NO_FATAL_FAILURE(StartServer());
        admin_ = std::make_unique<HttpClient>(Admin());
        CreateUser(*admin_, "lara", "lara-password", "labeler");
        auto created = admin_->SendJson("POST", "/api/v1/projects",
                                        ProjectBody("Drawing", {"Cat", "Dog"}, task_type));
        ASSERT_EQ(created.status, 201u) << created.body;
        project_id_ = created.Json()["id"];
        WaitForIngest(*admin_, project_id_);
        StartProject(*admin_, project_id_);
        lara_ = std::make_unique<HttpClient>(LoginAs("lara", "lara-password"));
        auto page = lara_->SendJson("POST", ProjectPath(project_id_, "/next"), {{"count", 1}});
        ASSERT_EQ(page.status, 200u) << page.body;
        lease_ = page.Json()["lease"];
        item_ = page.Json()["items"][0]["id"];
        width_ = page.Json()["items"][0]["width"];
    }

    std::string ItemPath(const std::string& rest) const {
        return ProjectPath(project_id_, "/items/" + std::to_string(item_) + rest);
    }

    std::unique_ptr<HttpClient> admin_;
    std::unique_ptr<HttpClient> lara_;
    std::int64_t project_id_ = 0;
    std::int64_t item_ = 0;
    int width_ = 0;
    std::string lease_;
};

// A 160 x 120 PNG: a red disc of radius 25 centred at (80, 60) on a green field.
void WriteDiscPng(const std::filesystem::path& path) {
    constexpr int kWidth = 160;
    constexpr int kHeight = 120;
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(kWidth) * kHeight * 3);
    for (int y = 0; y < kHeight; ++y) {
        for (int x = 0; x < kWidth; ++x) {
            const bool disc = (x - 80) * (x - 80) + (y - 60) * (y - 60) <= 25 * 25;
            std::uint8_t* p = &pixels[(static_cast<std::size_t>(y) * kWidth + x) * 3];
            p[0] = disc ? 210 : 60;
            p[1] = disc ? 30 : 150;
            p[2] = disc ? 40 : 70;
        }
    }
    vips::VImage::new_from_memory(pixels.data(), pixels.size(), kWidth, kHeight, 3,
                                  VIPS_FORMAT_UCHAR)
        .pngsave(path.string().c_str());
}

TEST_P(DrawingIt, OutlineInBoxTracesTheObjectAndRefusesBadBoxes) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject("polygon", [this] {
        std::filesystem::create_directories(images_);
        WriteDiscPng(images_ / "disc.png");
    }));
    auto outline = lara_->SendJson("POST", ItemPath("/outline"),
                                   {{"box", {{"x", 40}, {"y", 20}, {"w", 80}, {"h", 80}}}});
    ASSERT_EQ(outline.status, 200u) << outline.body;
    const json points = outline.Json()["points"];
    ASSERT_GE(points.size(), 8u) << outline.body;  // round, not the box's corners
    for (const json& p : points) {
        const double r = std::hypot(p[0].get<double>() - 80, p[1].get<double>() - 60);
        EXPECT_NEAR(r, 25, 4) << p.dump();
    }
    // The polygon is a shape like any other: the labeler submits it.
    auto put = lara_->SendJson(
        "PUT", ItemPath("/annotation"),
        {{"lease", lease_},
         {"shapes", json::array({{{"label", "Cat"}, {"type", "polygon"}, {"points", points}}})}});
    EXPECT_EQ(put.status, 200u) << put.body;

    for (const auto& [body, field] : std::vector<std::pair<json, std::string>>{
             {json::object(), "box"},
             {{{"box", {{"x", 40}, {"y", 20}, {"w", "wide"}, {"h", 80}}}}, "box.w"},
             {{{"box", {{"x", 40}, {"y", 20}, {"w", 2}, {"h", 80}}}}, "box"},
             {{{"box", {{"x", 120}, {"y", 20}, {"w", 80}, {"h", 80}}}}, "box"}}) {
        auto bad = lara_->SendJson("POST", ItemPath("/outline"), body);
        EXPECT_EQ(bad.status, 400u) << body.dump() << " " << bad.body;
        EXPECT_EQ(bad.Json()["error"]["field"], field) << bad.body;
    }
    EXPECT_EQ(lara_
                  ->SendJson("POST", ProjectPath(project_id_, "/items/999999/outline"),
                             {{"box", {{"x", 0}, {"y", 0}, {"w", 8}, {"h", 8}}}})
                  .status,
              404u);
}

TEST_P(DrawingIt, BadGeometryIsRejectedNamingTheShape) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject("polygon"));
    const json shapes = json::parse(R"([
        {"label": "Cat", "type": "polygon", "points": [[1, 1], [9, 1], [9, 9]]},
        {"label": "Dog", "type": "polygon", "points": [[1, 1], [5, 5], [1, 1]]}])");
    auto bad =
        lara_->SendJson("PUT", ItemPath("/annotation"), {{"lease", lease_}, {"shapes", shapes}});
    EXPECT_EQ(bad.status, 400u) << bad.body;
    EXPECT_EQ(bad.Json()["error"]["field"], "shapes[1]");
    EXPECT_EQ(bad.Json()["error"]["message"],
              "shapes[1]: polygon needs at least 3 distinct points");

    auto unknown = lara_->SendJson(
        "PUT", ItemPath("/annotation"),
        {{"lease", lease_},
         {"shapes",
          json::parse(R"([{"label":"Horse","type":"polygon","points":[[0,0],[4,0],[0,4]]}])")}});
    EXPECT_EQ(unknown.status, 400u);
    EXPECT_EQ(unknown.Json()["error"]["field"], "shapes[0]");
    auto box = lara_->SendJson(
        "PUT", ItemPath("/annotation"),
        {{"lease", lease_},
         {"shapes", json::parse(R"([{"label":"Cat","type":"box","x":0,"y":0,"w":4,"h":4}])")}});
    EXPECT_EQ(box.status, 400u);
    EXPECT_EQ(box.Json()["error"]["message"], "shapes[0]: a polygon project does not take a box");
    // Nothing was stored by the rejected requests.
    EXPECT_EQ(lara_->Get(ItemPath("/annotation")).status, 204u);
}

TEST_P(DrawingIt, ShapesRoundTripClampedToTheImage) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject("bbox"));
    const json shapes = json::parse(R"([
        {"label": "Cat", "type": "box", "x": 2.5, "y": 3, "w": 10, "h": 8, "id": "c1"},
        {"label": "Dog", "type": "box", "x": 30, "y": 20, "w": 100, "h": 100,
         "confidence": 0.5}])");
    auto stored =
        lara_->SendJson("PUT", ItemPath("/annotation"), {{"lease", lease_}, {"shapes", shapes}});
    ASSERT_EQ(stored.status, 200u) << stored.body;
    EXPECT_EQ(stored.Json()["outcome"], "stored");
    json want = shapes;
    want[1]["w"] = width_ - 30;
    want[1]["h"] = 10;  // images are 30 px high
    EXPECT_EQ(stored.Json()["shapes"], want);

    auto got = lara_->Get(ItemPath("/annotation"));
    ASSERT_EQ(got.status, 200u) << got.body;
    EXPECT_EQ(got.Json()["shapes"], want);
    EXPECT_EQ(got.Json()["item"]["id"], item_);
    // A retry of the same submit is recognised; the admin sees no annotation of their own.
    auto retry =
        lara_->SendJson("PUT", ItemPath("/annotation"), {{"lease", lease_}, {"shapes", want}});
    EXPECT_EQ(retry.Json()["outcome"], "unchanged") << retry.body;
    EXPECT_EQ(admin_->Get(ItemPath("/annotation")).status, 204u);
    auto history = lara_->Get(ProjectPath(project_id_, "/history"));
    ASSERT_EQ(history.status, 200u);
    EXPECT_EQ(history.Json()["items"][0]["shapes"], want);
}

TEST_P(DrawingIt, DraftsSurviveUntilTheSubmit) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject("semantic"));
    EXPECT_EQ(lara_->Get(ItemPath("/draft")).status, 204u);
    // Half-drawn: a polygon of two points is fine in a draft, never in a submit.
    const json draft = json::parse(R"([
        {"label": "Cat", "type": "mask", "rle": [0, 4]},
        {"label": "Dog", "type": "polygon", "points": [[1, 1], [8, 1]], "id": "open"}])");
    auto saved = lara_->SendJson("PUT", ItemPath("/draft"), {{"shapes", draft}});
    EXPECT_EQ(saved.status, 204u) << saved.body;
    auto got = lara_->Get(ItemPath("/draft"));
    ASSERT_EQ(got.status, 200u) << got.body;
    EXPECT_EQ(got.Json()["shapes"], draft);
    EXPECT_GT(got.Json()["updated_at"].get<std::int64_t>(), 0);

    auto bad_label =
        lara_->SendJson("PUT", ItemPath("/draft"),
                        {{"shapes", json::parse(R"([{"label":"Horse","type":"mask","rle":[]}])")}});
    EXPECT_EQ(bad_label.status, 400u);
    EXPECT_EQ(bad_label.Json()["error"]["field"], "shapes[0]");
    // The admin holds no lease on the item and has not annotated it.
    auto not_yours = admin_->SendJson("PUT", ItemPath("/draft"), {{"shapes", draft}});
    EXPECT_EQ(not_yours.status, 409u) << not_yours.body;
    EXPECT_EQ(admin_->Get(ItemPath("/draft")).status, 204u);

    // The submit: the Dog polygon (pixels x 1-3 of rows 0-1) paints over the Cat mask.
    auto submit = lara_->SendJson(
        "PUT", ItemPath("/annotation"),
        {{"lease", lease_}, {"shapes", json::parse(R"([{"label":"Cat","type":"mask","rle":[0,4]},
                         {"label":"Dog","type":"polygon","points":[[1,0],[4,0],[4,2],[1,2]]}])")}});
    ASSERT_EQ(submit.status, 200u) << submit.body;
    const json masks = submit.Json()["shapes"];
    ASSERT_EQ(masks.size(), 2u);
    EXPECT_EQ(masks[0]["rle"], json::array({0, 1}));
    EXPECT_EQ(masks[1]["rle"], json::array({1, 3, width_ + 1, 3}));
    EXPECT_EQ(lara_->Get(ItemPath("/draft")).status, 204u);
}

// A little-endian TIFF of one 8-bit grey strip whose header says `side` x `side` and whose
// strip lies past the end of the file: the ingest's header probe reads its size at once, and
// the tile pyramid job it queues fails on the first read instead of decoding 1.6 gigapixels.
// Labeling needs only the size.
void WriteHugeTiffHeader(const std::filesystem::path& path, std::uint32_t side) {
    std::string bytes = {'I', 'I', 42, 0, 8, 0, 0, 0};  // magic, first IFD at offset 8
    const auto put = [&bytes](std::uint32_t v, int size) {
        for (int i = 0; i < size; ++i) {
            bytes.push_back(static_cast<char>(v >> (8 * i)));
        }
    };
    // (tag, type: 3 SHORT or 4 LONG, value), in ascending tag order as TIFF requires.
    const std::vector<std::array<std::uint32_t, 3>> entries = {
        {256, 4, side}, {257, 4, side}, {258, 3, 8},
        {259, 3, 1},    {262, 3, 1},    {273, 4, 1u << 31},  // strip offset: far past the end
        {277, 3, 1},    {278, 4, side}, {279, 4, side * side}};
    put(static_cast<std::uint32_t>(entries.size()), 2);
    for (const auto& [tag, type, value] : entries) {
        put(tag, 2);
        put(type, 2);
        put(1, 4);  // one value, stored in the entry
        put(value, 4);
    }
    put(0, 4);  // no next IFD
    std::ofstream(path, std::ios::binary) << bytes;
}

// Peak resident memory of a process in MiB (VmHWM), or -1 when /proc cannot tell.
long PeakRssMib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::stol(line.substr(6)) / 1024;
        }
    }
    return -1;
}

TEST_P(DrawingIt, NoAnswerOrDraftYetIsNoContentNotAnError) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject("bbox"));
    // A fresh item has neither: 204 with an empty body, so browsers log no failed request.
    for (const char* rest : {"/annotation", "/draft"}) {
        auto none = lara_->Get(ItemPath(rest));
        EXPECT_EQ(none.status, 204u) << rest << ": " << none.body;
        EXPECT_TRUE(none.body.empty()) << rest;
        // An item that does not exist is still an error.
        auto missing =
            lara_->Get(ProjectPath(project_id_, "/items/" + std::to_string(item_ + 1000) + rest));
        EXPECT_EQ(missing.status, 404u) << rest << ": " << missing.body;
        EXPECT_EQ(missing.Json()["error"]["code"], "not_found") << rest;
    }
}

TEST_P(DrawingIt, GigapixelMasksAreStoredAndReadAsRunsNotPixels) {
    constexpr std::int64_t kSide = 40000;
    ASSERT_NO_FATAL_FAILURE(
        SetUpProject("semantic", [this] { WriteHugeTiffHeader(images_ / "slide.tif", kSide); }));
    ASSERT_EQ(width_, kSide);
    // A brush stroke's worth of rows near the centre, the image's last pixels, and a polygon
    // the server rasterises into Dog (rows 100-199 of x 1000-2999).
    json cat = json::array();
    for (std::int64_t y = 20000; y < 20016; ++y) {
        cat.push_back(y * kSide + 19990);
        cat.push_back(300);
    }
    cat.push_back(kSide * kSide - 10);
    cat.push_back(10);
    const json shapes = {{{"label", "Cat"}, {"type", "mask"}, {"rle", cat}},
                         {{"label", "Dog"},
                          {"type", "polygon"},
                          {"points", {{1000, 100}, {3000, 100}, {3000, 200}, {1000, 200}}}}};
    auto draft = lara_->SendJson("PUT", ItemPath("/draft"), {{"shapes", shapes}});
    ASSERT_EQ(draft.status, 204u) << draft.body;
    auto stored =
        lara_->SendJson("PUT", ItemPath("/annotation"), {{"lease", lease_}, {"shapes", shapes}});
    ASSERT_EQ(stored.status, 200u) << stored.body;
    json dog = json::array();
    for (std::int64_t y = 100; y < 200; ++y) {
        dog.push_back(y * kSide + 1000);
        dog.push_back(2000);
    }
    auto got = lara_->Get(ItemPath("/annotation"));
    ASSERT_EQ(got.status, 200u) << got.body;
    const json masks = got.Json()["shapes"];
    ASSERT_EQ(masks.size(), 2u) << got.body.substr(0, 300);
    EXPECT_EQ(masks[0]["label"], "Cat");
    EXPECT_EQ(masks[0]["rle"], cat);
    EXPECT_EQ(masks[1]["label"], "Dog");
    EXPECT_EQ(masks[1]["rle"], dog);
    // One byte per pixel anywhere on the way would be 1,600 MB; the server stays far below.
    const long peak = PeakRssMib(server_.pid());
    ASSERT_GT(peak, 0);
    EXPECT_LT(peak, 400) << "server peak RSS " << peak << " MiB";
}

}  // namespace

TESSERA_INSTANTIATE_BACKENDS(DrawingIt);

}  // namespace tessera::testing
