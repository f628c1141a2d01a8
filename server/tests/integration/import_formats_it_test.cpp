// Import of COCO panoptic over HTTP (format=coco-panoptic): a zip of the JSON and its segment
// PNG, read into a polygon project as the segment's pixel-exact outline.

#include <map>
#include <vips/vips8>

#include "blobs/vips_init.hpp"
#include "integration/fixture.hpp"
#include "integration/zip_of.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;

class ImportFormatsIt : public IntegrationTest {};

// A 40 x 30 RGB PNG whose left half is segment id 1 (colour 1, 0, 0) and right half 0.
std::string SegmentPng() {
    EXPECT_TRUE(InitVips("test").ok());
    vips::VImage x = vips::VImage::xyz(40, 30)[0];
    vips::VImage red = (x < 20).ifthenelse(1, 0);
    vips::VImage rgb = vips::VImage::bandjoin({red, red * 0, red * 0}).cast(VIPS_FORMAT_UCHAR);
    void* buffer = nullptr;
    std::size_t size = 0;
    rgb.write_to_buffer(".png", &buffer, &size);
    std::string out(static_cast<const char*>(buffer), size);
    g_free(buffer);
    return out;
}

TEST_P(ImportFormatsIt, CocoPanopticSegmentsBecomeOutlinesInAPolygonProject) {
    WriteImages(2);  // img0.jpg is 40 x 30
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    auto created =
        admin.SendJson("POST", "/api/v1/projects", ProjectBody("Panoptic", {"Cat"}, "polygon"));
    ASSERT_EQ(created.status, 201u) << created.body;
    const std::int64_t id = created.Json()["id"];
    WaitForIngest(admin, id);
    StartProject(admin, id);
    const std::string doc = R"({"images": [{"id": 3, "file_name": "img0.jpg", "width": 40,
        "height": 30}], "categories": [{"id": 1, "name": "Cat", "isthing": 1}],
        "annotations": [{"image_id": 3, "file_name": "img0.png",
        "segments_info": [{"id": 1, "category_id": 1, "iscrowd": 0}]}]})";
    const std::string zip = ZipOf({{"annotations/panoptic_val.json", doc},
                                   {"annotations/panoptic_val/img0.png", SegmentPng()}});
    // As prelabels: GET .../annotation shows them to whoever has not answered.
    auto report = admin.Send("POST", ProjectPath(id, "/import?format=coco-panoptic&mode=prelabel"),
                             zip, {{"Content-Type", "application/zip"}});
    ASSERT_EQ(report.status, 200u) << report.body;
    EXPECT_EQ(report.Json()["matched"], 1) << report.body;
    EXPECT_EQ(report.Json()["applied"], true);

    auto items = admin.Get(ProjectPath(id, "/items"));
    ASSERT_EQ(items.status, 200u);
    std::int64_t img0 = 0;
    const json listed = items.Json();
    for (const json& item : listed["items"]) {
        if (item["name"] == "img0.jpg") {
            img0 = item["id"];
        }
    }
    ASSERT_NE(img0, 0) << items.body;
    auto annotation = admin.Get(ProjectPath(id, "/items/" + std::to_string(img0) + "/annotation"));
    ASSERT_EQ(annotation.status, 200u) << annotation.body;
    const json shapes = annotation.Json()["shapes"];
    ASSERT_EQ(shapes.size(), 1u) << annotation.body;
    EXPECT_EQ(shapes[0]["label"], "Cat");
    EXPECT_EQ(shapes[0]["type"], "polygon");
    EXPECT_EQ(shapes[0]["points"], json::parse("[[0, 0], [20, 0], [20, 30], [0, 30]]"))
        << annotation.body;

    // A segment id the JSON does not list: 422 naming it, nothing applied.
    std::string unknown = doc;
    unknown.replace(unknown.find("\"id\": 1, \"category_id\""), 7, "\"id\": 2");
    auto refused = admin.Send("POST", ProjectPath(id, "/import?format=coco-panoptic&mode=final"),
                              ZipOf({{"annotations/panoptic_val.json", unknown},
                                     {"annotations/panoptic_val/img0.png", SegmentPng()}}),
                              {{"Content-Type", "application/zip"}});
    ASSERT_EQ(refused.status, 422u) << refused.body;
    EXPECT_EQ(refused.Json()["applied"], false);
    EXPECT_NE(refused.body.find("segment id 1 is not in segments_info"), std::string::npos)
        << refused.body;
}

TESSERA_INSTANTIATE_BACKENDS(ImportFormatsIt);

}  // namespace
}  // namespace tessera::testing
