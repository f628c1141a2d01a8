// Import of the formats with their own names over HTTP: COCO panoptic (a zip of the JSON and its
// segment PNG, read into a polygon project as the segment's pixel-exact outline), Kaggle CSV
// classification as final labels, CreateML boxes, and Segment Anything's required label=; files
// as other tools write them (issue 8): CVAT shapes we cannot draw reported, Azure ML's COCO
// classification export, VOC box corners and voc_convention=devkit; Datumaro's JSON.

#include <filesystem>
#include <map>
#include <string>
#include <vector>
#include <vips/vips8>

#include "blobs/test_images.hpp"
#include "blobs/vips_init.hpp"
#include "integration/fixture.hpp"
#include "support/zip_of.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;

class ImportFormatsIt : public IntegrationTest {
protected:
    // A project over the written images, ingested and started: ready to import into.
    std::int64_t StartedProject(HttpClient& admin, const std::string& name,
                                const std::vector<std::string>& labels, const std::string& type) {
        auto created = admin.SendJson("POST", "/api/v1/projects", ProjectBody(name, labels, type));
        EXPECT_EQ(created.status, 201u) << created.body;
        const std::int64_t id = created.Json()["id"];
        WaitForIngest(admin, id);
        StartProject(admin, id);
        return id;
    }
};

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
    const std::int64_t id = StartedProject(admin, "Panoptic", {"Cat"}, "polygon");
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

// The id of each item by name.
std::map<std::string, std::int64_t> ItemIds(HttpClient& client, const std::string& path) {
    auto items = client.Get(path);
    EXPECT_EQ(items.status, 200u) << items.body;
    std::map<std::string, std::int64_t> out;
    const json listed = items.Json();  // the loop below must not range over a temporary
    for (const json& item : listed["items"]) {
        out[item["name"].get<std::string>()] = item["id"].get<std::int64_t>();
    }
    return out;
}

TEST_P(ImportFormatsIt, KaggleCsvLabelsAMulticlassProjectAndCountsTheLabels) {
    WriteImages(3);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    auto created = admin.SendJson("POST", "/api/v1/projects", ProjectBody("Kaggle"));
    ASSERT_EQ(created.status, 201u) << created.body;
    const std::int64_t id = created.Json()["id"];
    WaitForIngest(admin, id);
    StartProject(admin, id);
    // Names without extension match by stem; a label outside the tree refuses everything.
    const std::string csv = "image_name,label_name\nimg0,Cat\nimg1,Dog\nimg2,Cow\n";
    auto refused = admin.Send("POST", ProjectPath(id, "/import?format=kaggle-csv&mode=final"), csv,
                              {{"Content-Type", "text/csv"}});
    ASSERT_EQ(refused.status, 422u) << refused.body;
    EXPECT_EQ(refused.Json()["errors"][0]["row"], 4) << refused.body;
    auto report = admin.Send("POST", ProjectPath(id, "/import?format=kaggle-csv&mode=final"),
                             csv.substr(0, csv.find("img2")), {{"Content-Type", "text/csv"}});
    ASSERT_EQ(report.status, 200u) << report.body;
    EXPECT_EQ(report.Json()["matched"], 2);
    // Final labels are results: the CSV export lists each item with its imported label.
    auto exported = admin.Get(ProjectPath(id, "/export?format=csv"));
    ASSERT_EQ(exported.status, 200u) << exported.body;
    EXPECT_NE(exported.body.find("/img0.jpg,Cat,"), std::string::npos) << exported.body;
    EXPECT_NE(exported.body.find("/img1.jpg,Dog,"), std::string::npos) << exported.body;
    EXPECT_EQ(exported.body.find("img2.jpg"), std::string::npos) << exported.body;
    auto dashboard = admin.Get(ProjectPath(id, "/dashboard"));
    ASSERT_EQ(dashboard.status, 200u);
    EXPECT_EQ(dashboard.Json()["labels"],
              json::parse(R"([{"label":"Cat","count":1},{"label":"Dog","count":1}])"));
}

TEST_P(ImportFormatsIt, CreateMlCentresAndSegmentAnythingNeedsALabel) {
    WriteImages(1);  // img0.jpg, 40 x 30
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    const std::int64_t id = StartedProject(admin, "Boxes", {"Cat"}, "bbox");
    const std::string createml = R"([{"image": "img0.jpg", "annotations": [{"label": "Cat",
        "coordinates": {"x": 20, "y": 15, "width": 10, "height": 6}}]}])";
    auto report = admin.Send("POST", ProjectPath(id, "/import?format=createml&mode=prelabel"),
                             createml, {{"Content-Type", "application/json"}});
    ASSERT_EQ(report.status, 200u) << report.body;
    const auto ids = ItemIds(admin, ProjectPath(id, "/items"));
    auto annotation =
        admin.Get(ProjectPath(id, "/items/" + std::to_string(ids.at("img0.jpg")) + "/annotation"));
    ASSERT_EQ(annotation.status, 200u) << annotation.body;
    const json shapes = annotation.Json()["shapes"];
    ASSERT_EQ(shapes.size(), 1u) << annotation.body;
    EXPECT_EQ(shapes[0]["x"], 15);
    EXPECT_EQ(shapes[0]["y"], 12);
    EXPECT_EQ(shapes[0]["w"], 10);

    const std::string sam = R"({"image": {"file_name": "img0.jpg", "width": 40, "height": 30},
        "annotations": [{"segmentation": {"size": [30, 40], "counts": [0, 30, 1170]}}]})";
    auto unlabeled =
        admin.Send("POST", ProjectPath(id, "/import?format=segment-anything&mode=prelabel"), sam,
                   {{"Content-Type", "application/json"}});
    ASSERT_EQ(unlabeled.status, 400u) << unlabeled.body;
    EXPECT_NE(unlabeled.body.find("label="), std::string::npos) << unlabeled.body;
    auto labeled = admin.Send(
        "POST", ProjectPath(id, "/import?format=segment-anything&mode=prelabel&label=Cat"), sam,
        {{"Content-Type", "application/json"}});
    ASSERT_EQ(labeled.status, 200u) << labeled.body;
    auto masked =
        admin.Get(ProjectPath(id, "/items/" + std::to_string(ids.at("img0.jpg")) + "/annotation"));
    const json box = masked.Json()["shapes"];
    ASSERT_EQ(box.size(), 1u) << masked.body;
    // The first column, all 30 rows: its bounding box in a bbox project.
    EXPECT_EQ(box[0]["x"], 0);
    EXPECT_EQ(box[0]["w"], 1);
    EXPECT_EQ(box[0]["h"], 30);
}

// Names of the project's items in `state`.
std::vector<std::string> ItemsIn(HttpClient& client, const std::string& project_path,
                                 const std::string& state) {
    std::vector<std::string> out;
    for (const auto& [name, id] : ItemIds(client, project_path + "/items?state=" + state)) {
        out.push_back(name);
    }
    return out;
}

TEST_P(ImportFormatsIt, CvatShapesWeCannotDrawAreReportedAndLeaveTheirImageUnlabeled) {
    WriteImages(2);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    const std::int64_t id = StartedProject(admin, "Cvat", {"Cat", "Dog"}, "polygon");
    // img0: an ellipse (a polygon here) and a polyline; img1: polylines only.
    const std::string xml = R"(<?xml version="1.0" encoding="utf-8"?>
<annotations><version>1.1</version>
  <image id="0" name="img0.jpg" width="40" height="30">
    <ellipse label="Cat" source="manual" occluded="0" cx="20" cy="15" rx="8" ry="5" z_order="0"/>
    <polyline label="Dog" source="manual" occluded="0" points="1,1;5,5;9,1" z_order="0"/>
  </image>
  <image id="1" name="img1.jpg" width="41" height="30">
    <polyline label="Dog" source="manual" occluded="0" points="1,1;5,5" z_order="0"/>
    <polyline label="Dog" source="manual" occluded="0" points="2,1;5,5" z_order="0"/>
  </image>
</annotations>)";
    auto report = admin.Send("POST", ProjectPath(id, "/import?format=cvat&mode=final"), xml,
                             {{"Content-Type", "application/xml"}});
    ASSERT_EQ(report.status, 200u) << report.body;
    const json body = report.Json();
    EXPECT_EQ(body["matched"], 1) << report.body;
    ASSERT_EQ(body["unmatched"].size(), 1u) << report.body;
    EXPECT_EQ(body["unmatched"][0]["name"], "img1.jpg");
    EXPECT_NE(body["unmatched"][0]["reason"].get<std::string>().find("every shape was dropped"),
              std::string::npos);
    EXPECT_EQ(body["dropped_totals"]["shapes"], json::parse(R"({"polyline": 3})")) << report.body;
    ASSERT_EQ(body["dropped"].size(), 2u);
    EXPECT_EQ(body["dropped"][1]["shapes"], json::parse(R"({"polyline": 2})"));
    EXPECT_EQ(ItemsIn(admin, ProjectPath(id), "labeled"), (std::vector<std::string>{"img0.jpg"}));
    EXPECT_EQ(ItemsIn(admin, ProjectPath(id), "unlabeled"), (std::vector<std::string>{"img1.jpg"}));
}

// CVAT's tags: a classification project's labels; in a shape project counted as dropped.
TEST_P(ImportFormatsIt, CvatTagsLabelAClassificationProjectAndAreCountedInAShapeProject) {
    WriteImages(2);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    const std::string xml = R"(<?xml version="1.0" encoding="utf-8"?>
<annotations><version>1.1</version>
  <image id="0" name="img0.jpg" width="40" height="30"><tag label="Cat" source="manual"/></image>
  <image id="1" name="img1.jpg" width="41" height="30">
    <tag label="Dog" source="manual"/>
    <box label="Dog" source="manual" xtl="1" ytl="1" xbr="9" ybr="9"/>
  </image>
</annotations>)";
    const std::int64_t id = StartedProject(admin, "Tags", {"Cat", "Dog"}, "multiclass");
    auto report = admin.Send("POST", ProjectPath(id, "/import?format=cvat&mode=final"), xml,
                             {{"Content-Type", "application/xml"}});
    ASSERT_EQ(report.status, 200u) << report.body;
    EXPECT_EQ(report.Json()["matched"], 2) << report.body;
    EXPECT_EQ(report.Json()["applied"], true) << report.body;
    EXPECT_EQ(ItemsIn(admin, ProjectPath(id), "labeled"),
              (std::vector<std::string>{"img0.jpg", "img1.jpg"}));

    const std::int64_t box_id = StartedProject(admin, "Boxes", {"Cat", "Dog"}, "bbox");
    report = admin.Send("POST", ProjectPath(box_id, "/import?format=cvat&mode=final"), xml,
                        {{"Content-Type", "application/xml"}});
    ASSERT_EQ(report.status, 200u) << report.body;
    const json body = report.Json();
    EXPECT_EQ(body["matched"], 1) << report.body;
    EXPECT_EQ(body["dropped_totals"]["shapes"], json::parse(R"({"tag": 2})")) << report.body;
    ASSERT_EQ(body["unmatched"].size(), 1u) << report.body;
    EXPECT_EQ(body["unmatched"][0]["name"], "img0.jpg");
    EXPECT_EQ(ItemsIn(admin, ProjectPath(box_id), "labeled"),
              (std::vector<std::string>{"img1.jpg"}));
}

// Azure ML's COCO export of a classification project: sizes 0, annotations without geometry
// (docs reference-azure-labeling.md), into a multi-label project as final labels.
TEST_P(ImportFormatsIt, AzureCocoClassificationExportLabelsAMultiLabelProject) {
    WriteImages(2);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    const std::int64_t id = StartedProject(admin, "Azure", {"Cat", "Dog"}, "multilabel");
    const std::string coco = R"({"images": [
        {"id": 1, "file_name": "img0.jpg", "width": 0.0, "height": 0.0},
        {"id": 2, "file_name": "img1.jpg", "width": 0.0, "height": 0.0}],
      "annotations": [{"id": 1, "image_id": 1, "category_id": 1},
                      {"id": 2, "image_id": 1, "category_id": 2},
                      {"id": 3, "image_id": 2, "category_id": 2}],
      "categories": [{"id": 1, "name": "Cat"}, {"id": 2, "name": "Dog"}]})";
    auto report = admin.Send("POST", ProjectPath(id, "/import?format=coco-azure&mode=final"), coco,
                             {{"Content-Type", "application/json"}});
    ASSERT_EQ(report.status, 200u) << report.body;
    EXPECT_EQ(report.Json()["matched"], 2);
    auto dashboard = admin.Get(ProjectPath(id, "/dashboard"));
    ASSERT_EQ(dashboard.status, 200u);
    EXPECT_EQ(dashboard.Json()["labels"],
              json::parse(R"([{"label":"Cat","count":1},{"label":"Dog","count":2}])"));
}

TEST_P(ImportFormatsIt, VocBoxesAreCornersUnlessDevkitIsAskedFor) {
    WriteImages(1);  // img0.jpg, 40 x 30
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    const std::int64_t id = StartedProject(admin, "Voc", {"Cat", "Dog"}, "bbox");
    const std::int64_t img0 = ItemIds(admin, ProjectPath(id, "/items")).at("img0.jpg");
    const std::string xml =
        "<annotation><filename>img0.jpg</filename><size><width>40</width><height>30</height>"
        "</size><object><name>Cat</name><bndbox><xmin>10</xmin><ymin>5</ymin><xmax>20</xmax>"
        "<ymax>25</ymax></bndbox></object></annotation>";
    auto box_after = [&](const std::string& query) {
        auto report = admin.Send("POST", ProjectPath(id, "/import?format=voc" + query), xml,
                                 {{"Content-Type", "application/xml"}});
        EXPECT_EQ(report.status, 200u) << report.body;
        auto annotation =
            admin.Get(ProjectPath(id, "/items/" + std::to_string(img0) + "/annotation"));
        const json shape = annotation.Json()["shapes"].at(0);
        return std::vector<double>{shape["x"], shape["y"], shape["w"], shape["h"]};
    };
    EXPECT_EQ(box_after(""), (std::vector<double>{10, 5, 10, 20}));
    EXPECT_EQ(box_after("&voc_convention=devkit"), (std::vector<double>{9, 4, 11, 21}));
    auto bad = admin.Send("POST", ProjectPath(id, "/import?format=voc&voc_convention=one"), xml,
                          {{"Content-Type", "application/xml"}});
    ASSERT_EQ(bad.status, 400u) << bad.body;
    EXPECT_NE(bad.body.find("voc_convention"), std::string::npos) << bad.body;
}

// Datumaro's JSON as CVAT's "Datumaro 1.0" export zips it: a box becomes a polygon (read back
// as a prelabel), the image-level label is counted as a tag, the polyline-only image is reported
// and stays unlabeled; a label_id outside the file's categories is a 422 that applies nothing.
TEST_P(ImportFormatsIt, DatumaroExportOfCvatImportsShapesAndReportsWhatItCannotDraw) {
    WriteImages(2);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    auto created = admin.SendJson("POST", "/api/v1/projects",
                                  ProjectBody("Datumaro", {"Cat", "Dog"}, "polygon"));
    ASSERT_EQ(created.status, 201u) << created.body;
    const std::int64_t id = created.Json()["id"];
    WaitForIngest(admin, id);
    StartProject(admin, id);
    const std::string doc = R"({"dm_format_version": "1.0", "infos": {},
      "categories": {"label": {"labels": [{"name": "Cat", "parent": "", "attributes": []},
        {"name": "Dog", "parent": "", "attributes": []}], "label_groups": [],
        "attributes": ["occluded"]}, "points": {"items": []}},
      "items": [
        {"id": "img0", "annotations": [
          {"id": 0, "type": "bbox", "attributes": {"occluded": false}, "group": 0,
           "label_id": 0, "z_order": 0, "bbox": [2, 3, 10, 8]},
          {"id": 1, "type": "label", "attributes": {}, "group": 0, "label_id": 1}],
         "attr": {"frame": 0}, "image": {"path": "img0.jpg", "size": [30, 40]}},
        {"id": "img1", "annotations": [
          {"id": 0, "type": "polyline", "attributes": {}, "group": 0, "label_id": 1,
           "z_order": 0, "points": [1, 1, 5, 5]}],
         "attr": {"frame": 1}}]})";
    const std::string zip = ZipOf({{"annotations/default.json", doc}});
    // As prelabels first: GET .../annotation shows them to whoever has not answered.
    auto prelabels = admin.Send("POST", ProjectPath(id, "/import?format=datumaro&mode=prelabel"),
                                zip, {{"Content-Type", "application/zip"}});
    ASSERT_EQ(prelabels.status, 200u) << prelabels.body;
    const std::int64_t img0 = ItemIds(admin, ProjectPath(id, "/items"))["img0.jpg"];
    auto annotation = admin.Get(ProjectPath(id, "/items/" + std::to_string(img0) + "/annotation"));
    ASSERT_EQ(annotation.status, 200u) << annotation.body;
    const json shapes = annotation.Json()["shapes"];
    ASSERT_EQ(shapes.size(), 1u) << annotation.body;
    EXPECT_EQ(shapes[0]["label"], "Cat");
    EXPECT_EQ(shapes[0]["points"], json::parse("[[2, 3], [12, 3], [12, 11], [2, 11]]"))
        << annotation.body;

    auto report = admin.Send("POST", ProjectPath(id, "/import?format=datumaro&mode=final"), zip,
                             {{"Content-Type", "application/zip"}});
    ASSERT_EQ(report.status, 200u) << report.body;
    const json body = report.Json();
    EXPECT_EQ(body["matched"], 1) << report.body;
    EXPECT_EQ(body["applied"], true) << report.body;
    EXPECT_EQ(body["dropped_totals"]["shapes"], json::parse(R"({"polyline": 1, "tag": 1})"))
        << report.body;
    ASSERT_EQ(body["unmatched"].size(), 1u) << report.body;
    EXPECT_EQ(body["unmatched"][0]["name"], "img1");
    EXPECT_EQ(ItemsIn(admin, ProjectPath(id), "labeled"), (std::vector<std::string>{"img0.jpg"}));
    EXPECT_EQ(ItemsIn(admin, ProjectPath(id), "unlabeled"), (std::vector<std::string>{"img1.jpg"}));

    std::string unknown = doc;
    unknown.replace(unknown.find("\"label_id\": 0"), 13, "\"label_id\": 5");
    auto refused = admin.Send("POST", ProjectPath(id, "/import?format=datumaro&mode=prelabel"),
                              unknown, {{"Content-Type", "application/json"}});
    ASSERT_EQ(refused.status, 422u) << refused.body;
    EXPECT_EQ(refused.Json()["applied"], false);
    EXPECT_NE(refused.body.find("label_id 5 is not one of the file's 2 labels"), std::string::npos)
        << refused.body;
}

// A single Datumaro JSON (not zipped) is the subset its filename= names, so its items match
// under that folder; without a name it is the default subset, and a file name two folders
// share is unmatched.
TEST_P(ImportFormatsIt, DatumaroSingleFileIsTheSubsetItsNameSays) {
    for (const char* subset : {"train", "val"}) {
        std::filesystem::create_directories(images_ / subset);
        WriteImage(images_ / subset / "a.jpg", 40, 30);
    }
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    auto created = admin.SendJson("POST", "/api/v1/projects",
                                  ProjectBody("Subsets", {"Cat", "Dog"}, "multiclass"));
    ASSERT_EQ(created.status, 201u) << created.body;
    const std::int64_t id = created.Json()["id"];
    WaitForIngest(admin, id);
    StartProject(admin, id);
    const std::string doc = R"({"categories": {"label": {"labels": [
        {"name": "Cat", "parent": "", "attributes": []},
        {"name": "Dog", "parent": "", "attributes": []}]}},
      "items": [{"id": "a", "image": {"path": "a.jpg", "size": [30, 40]},
                 "annotations": [{"id": 0, "type": "label", "label_id": 1}]}]})";
    auto unnamed = admin.Send("POST", ProjectPath(id, "/import?format=datumaro&mode=final"), doc,
                              {{"Content-Type", "application/json"}});
    ASSERT_EQ(unnamed.status, 200u) << unnamed.body;
    EXPECT_EQ(unnamed.Json()["matched"], 0) << unnamed.body;
    ASSERT_EQ(unnamed.Json()["unmatched"].size(), 1u) << unnamed.body;
    EXPECT_EQ(unnamed.Json()["unmatched"][0]["name"], "a.jpg");

    auto named =
        admin.Send("POST", ProjectPath(id, "/import?format=datumaro&mode=final&filename=val.json"),
                   doc, {{"Content-Type", "application/json"}});
    ASSERT_EQ(named.status, 200u) << named.body;
    EXPECT_EQ(named.Json()["matched"], 1) << named.body;
    auto labeled = admin.Get(ProjectPath(id, "/items?state=labeled"));
    ASSERT_EQ(labeled.status, 200u) << labeled.body;
    const json items = labeled.Json()["items"];
    ASSERT_EQ(items.size(), 1u) << labeled.body;
    EXPECT_EQ(items[0]["path"], "val/a.jpg");
}

TESSERA_INSTANTIATE_BACKENDS(ImportFormatsIt);

}  // namespace
}  // namespace tessera::testing
