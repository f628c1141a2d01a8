// DICOM items over real HTTP: ingest, PNG renditions, window and frame parameters, metadata.
#include <chrono>
#include <filesystem>
#include <fstream>

#include "blobs/dicom_test_files.hpp"
#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class DicomIt : public IntegrationTest {
protected:
    // CT-like 16-bit image, 3 frames of gradients offset by 1000 each, no window in the file.
    void WriteFiles() {
        DicomSpec spec;
        spec.rows = 32;
        spec.columns = 48;
        spec.frames = 3;
        for (int f = 0; f < 3; ++f) {
            auto frame = Gradient(32, 48, f * 1000, f * 1000 + 1000);
            spec.values.insert(spec.values.end(), frame.begin(), frame.end());
        }
        spec.slope = 1;
        spec.intercept = -1024;
        WriteDicom(images_ / "ct.dcm", spec);
        RunDcmtkTool("dcmcjpls", "", images_ / "ct.dcm", images_ / "ct-jpls.dicom");
        WriteText(images_ / "broken.dcm", std::string(128, '\0') + "DICM" + "garbage");
    }

    std::map<std::string, json> ItemsByName(HttpClient& admin, std::int64_t id) {
        std::map<std::string, json> out;
        const json list = admin.Get(ProjectPath(id, "/items")).Json();
        for (const json& item : list["items"]) {
            out[item["name"]] = item;
        }
        return out;
    }

    std::string ItemPath(std::int64_t id, const json& item, const std::string& tail) const {
        return ProjectPath(id, "/items/" + std::to_string(item["id"].get<std::int64_t>()) + tail);
    }
};

TEST_P(DicomIt, DicomFilesBecomeItemsWithPngWindowsFramesAndMetadata) {
    WriteFiles();
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    json project = CreateIngestedProject(admin, "Scans");
    std::int64_t id = project["id"];
    StartProject(admin, id);
    auto items = ItemsByName(admin, id);
    ASSERT_EQ(items.size(), 3u) << project.dump();
    for (const char* name : {"ct.dcm", "ct-jpls.dicom"}) {
        const json& item = items[name];
        EXPECT_EQ(item["state"], "unlabeled") << item.dump();
        EXPECT_EQ(item["format"], "dicom");
        EXPECT_EQ(item["width"], 48);
        EXPECT_EQ(item["height"], 32);
    }
    const json& broken = items["broken.dcm"];
    EXPECT_EQ(broken["state"], "error");
    EXPECT_EQ(broken["format"], "dicom");
    EXPECT_NE(broken["error"].get<std::string>().find("DICOM"), std::string::npos) << broken.dump();

    const json& ct = items["ct-jpls.dicom"];
    auto image = admin.Get(ItemPath(id, ct, "/image"));
    ASSERT_EQ(image.status, 200u) << image.body;
    EXPECT_EQ(image.Header("Content-Type"), "image/png");
    EXPECT_EQ(image.body.substr(1, 3), "PNG");
    auto windowed = admin.Get(ItemPath(id, ct, "/image?wc=-500&ww=400"));
    ASSERT_EQ(windowed.status, 200u) << windowed.body;
    EXPECT_NE(windowed.body, image.body);
    EXPECT_NE(windowed.Header("ETag"), image.Header("ETag"));
    auto frame = admin.Get(ItemPath(id, ct, "/image?frame=2"));
    ASSERT_EQ(frame.status, 200u) << frame.body;
    EXPECT_NE(frame.Header("ETag"), image.Header("ETag"));
    auto thumb = admin.Get(ItemPath(id, ct, "/thumbnail?frame=1&wc=0&ww=2000"));
    EXPECT_EQ(thumb.status, 200u) << thumb.body;

    for (const char* bad : {"?frame=3", "?frame=-1", "?frame=x", "?wc=10", "?wc=1&ww=0",
                            "?wc=nan&ww=10", "?wc=1e99&ww=10"}) {
        auto r = admin.Get(ItemPath(id, ct, std::string("/image") + bad));
        EXPECT_EQ(r.status, 400u) << bad << ": " << r.body;
        EXPECT_TRUE(r.Json()["error"].contains("message")) << r.body;
    }

    auto meta = admin.Get(ItemPath(id, ct, "/dicom"));
    ASSERT_EQ(meta.status, 200u) << meta.body;
    json m = meta.Json();
    EXPECT_EQ(m["rows"], 32);
    EXPECT_EQ(m["columns"], 48);
    EXPECT_EQ(m["frames"], 3);
    EXPECT_EQ(m["modality"], "CT");
    EXPECT_EQ(m["photometric"], "MONOCHROME2");
    EXPECT_EQ(m["transfer_syntax"]["uid"], "1.2.840.10008.1.2.4.80");
    EXPECT_EQ(m["rescale"]["intercept"], -1024);
    EXPECT_EQ(m["window_source"], "min_max");
    EXPECT_NEAR(m["default_window"]["center"].get<double>(), -524, 1);
    EXPECT_EQ(meta.body.find("Doe"), std::string::npos) << "patient name leaked";
    EXPECT_EQ(meta.body.find("PID-0001"), std::string::npos) << "patient id leaked";

    auto broken_image = admin.Get(ItemPath(id, broken, "/image"));
    EXPECT_EQ(broken_image.status, 409u) << broken_image.body;
    auto not_dicom = admin.Get(ItemPath(id, broken, "/dicom"));
    EXPECT_EQ(not_dicom.status, 409u) << not_dicom.body;
}

// The metadata (whose min/max window decodes the first frame) is read once per version of the
// file, as the renditions are rendered once: pixel data rewritten behind the server's back with
// the same size and mtime still gives the first answer; a new mtime gives a fresh one.
TEST_P(DicomIt, DicomMetadataIsReadOncePerFileVersion) {
    WriteFiles();
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::int64_t id = CreateIngestedProject(admin, "Scans")["id"];
    StartProject(admin, id);
    const json ct = ItemsByName(admin, id)["ct.dcm"];
    const std::string path = ItemPath(id, ct, "/dicom");
    auto first = admin.Get(path);
    ASSERT_EQ(first.status, 200u) << first.body;
    const json window = first.Json()["default_window"];
    ASSERT_TRUE(window.is_object()) << first.body;

    // The pixel data (3 frames of 32 x 48, 16 bits) ends the file: values 0 and 100 instead.
    const fs::path file = images_ / "ct.dcm";
    const auto stamp = fs::last_write_time(file);
    const std::size_t pixel_bytes = std::size_t{3} * 32 * 48 * 2;
    {
        std::fstream out(file, std::ios::binary | std::ios::in | std::ios::out);
        out.seekp(-static_cast<std::streamoff>(pixel_bytes), std::ios::end);
        for (std::size_t i = 0; i < pixel_bytes; i += 2) {
            const char value = i % 4 == 0 ? 0 : 100;
            out.put(value).put('\0');
        }
    }
    fs::last_write_time(file, stamp);
    auto again = admin.Get(path);
    ASSERT_EQ(again.status, 200u) << again.body;
    EXPECT_EQ(again.Json()["default_window"], window) << again.body;

    fs::last_write_time(file, stamp + std::chrono::seconds(5));
    auto fresh = admin.Get(path);
    ASSERT_EQ(fresh.status, 200u) << fresh.body;
    EXPECT_NE(fresh.Json()["default_window"], window) << fresh.body;
    EXPECT_EQ(fresh.Json()["frames"], 3);
}

TEST_P(DicomIt, FrameAndWindowAreRefusedForOtherImages) {
    WriteImage(images_ / "photo.jpg", 40, 30);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::int64_t id = CreateIngestedProject(admin, "Photos")["id"];
    StartProject(admin, id);
    auto items = ItemsByName(admin, id);
    const json& photo = items["photo.jpg"];
    auto r = admin.Get(ItemPath(id, photo, "/image?wc=10&ww=20"));
    EXPECT_EQ(r.status, 400u) << r.body;
    EXPECT_EQ(admin.Get(ItemPath(id, photo, "/dicom")).status, 409u);
}

TESSERA_INSTANTIATE_BACKENDS(DicomIt);

}  // namespace
}  // namespace tessera::testing
