// The streaming JSON reader and the COCO reader built on it: elements arrive one at a time,
// any order of the top-level keys gives the same records, uploads are read from disk (zip
// entries inflated as they are read), and a file broken midway is one clear error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "formats/coco_import.hpp"
#include "formats/import_test_support.hpp"
#include "formats/import_upload.hpp"
#include "formats/json_stream.hpp"
#include "formats/zip_import.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using testing::ExpectSameImport;
using testing::TempDir;
using testing::WriteFile;
using testing::WriteZip;

struct Streamed {
    std::vector<std::pair<std::string, json>> elements;
    std::map<std::string, JsonTopLevel> seen;
    std::optional<Error> error;
};

Streamed StreamText(const std::string& text, std::vector<std::string> keys,
                    std::vector<std::string> objects = {}) {
    Streamed out;
    JsonArrayStream stream;
    stream.keys = std::move(keys);
    stream.objects = std::move(objects);
    stream.element = [&out](const std::string& key, std::size_t index, json&& element) {
        EXPECT_EQ(index, static_cast<std::size_t>(
                             std::count_if(out.elements.begin(), out.elements.end(),
                                           [&](const auto& e) { return e.first == key; })));
        out.elements.emplace_back(key, std::move(element));
        return Status::Ok();
    };
    std::istringstream in(text);
    auto seen = StreamJsonArrays(in, stream);
    if (seen.ok()) {
        out.seen = *seen;
    } else {
        out.error = seen.error();
    }
    return out;
}

TEST(JsonStream, DeliversElementsOfTheRequestedTopLevelArraysOnly) {
    const std::string text = R"({"info": {"a": [1, {"b": 2}], "images": [99]},
        "images": [{"id": 1, "nested": {"list": [[1, 2], [3]], "s": "x\"y"}}, 7, null, []],
        "skipped": [{"images": [5]}], "categories": {"id": 1}, "n": 3.5})";
    Streamed got = StreamText(text, {"images", "categories", "annotations"});
    ASSERT_FALSE(got.error) << got.error->message;
    const json expected = json::parse(text)["images"];
    ASSERT_EQ(got.elements.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(got.elements[i].first, "images");
        EXPECT_EQ(got.elements[i].second, expected[i]) << i;
    }
    EXPECT_EQ(got.seen.at("images"), JsonTopLevel::kArray);
    EXPECT_EQ(got.seen.at("categories"), JsonTopLevel::kOther);
    EXPECT_EQ(got.seen.at("annotations"), JsonTopLevel::kAbsent);
}

// Datumaro's "categories" is an object read before its "items" are streamed.
TEST(JsonStream, RequestedTopLevelObjectsAreDeliveredWhole) {
    const std::string text = R"({"infos": {"x": 1},
        "categories": {"label": {"labels": [{"name": "cat", "parent": ""}]}, "mask": {}},
        "items": [{"id": "a"}, {"id": "b"}], "extra": {"categories": {"no": 1}},
        "points": [1, 2]})";
    Streamed got = StreamText(text, {"items"}, {"categories", "points", "missing"});
    ASSERT_FALSE(got.error) << got.error->message;
    ASSERT_EQ(got.elements.size(), 3u);
    EXPECT_EQ(got.elements[0].first, "categories");
    EXPECT_EQ(got.elements[0].second, json::parse(text)["categories"]);
    EXPECT_EQ(got.elements[1].second, json::parse(R"({"id": "a"})"));
    EXPECT_EQ(got.elements[2].second, json::parse(R"({"id": "b"})"));
    EXPECT_EQ(got.seen.at("categories"), JsonTopLevel::kOther);
    EXPECT_EQ(got.seen.at("points"), JsonTopLevel::kArray);    // an array where an object is
    EXPECT_EQ(got.seen.at("missing"), JsonTopLevel::kAbsent);  // wanted: seen, not delivered
}

TEST(JsonStream, ANonObjectOrABrokenDocumentIsOneError) {
    for (const char* text : {"[1, 2]", "\"images\"", "3"}) {
        Streamed got = StreamText(text, {"images"});
        ASSERT_TRUE(got.error) << text;
        EXPECT_EQ(got.error->code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(got.error->message, "not a JSON object") << text;
    }
    // Truncated in the middle of the third element: the first two were delivered, then the
    // error says where the text broke.
    const std::string truncated = R"({"images": [{"id": 1}, {"id": 2}, {"id": 3, )";
    Streamed cut = StreamText(truncated, {"images"});
    ASSERT_TRUE(cut.error);
    EXPECT_EQ(cut.elements.size(), 2u);
    EXPECT_NE(cut.error->message.find("invalid JSON at byte "), std::string::npos)
        << cut.error->message;
    EXPECT_NE(cut.error->message.find("end of input"), std::string::npos) << cut.error->message;
    // The second comma is the 23rd byte.
    Streamed garbage = StreamText(R"({"images": [{"id": 1},, {"id": 2}]})", {"images"});
    ASSERT_TRUE(garbage.error);
    EXPECT_NE(garbage.error->message.find("at byte 23"), std::string::npos)
        << garbage.error->message;
    Streamed trailing = StreamText(R"({"images": []} {})", {"images"});
    EXPECT_TRUE(trailing.error);
}

TEST(JsonStream, AnElementErrorStopsTheParse) {
    JsonArrayStream stream;
    stream.keys = {"a"};
    int calls = 0;
    stream.element = [&calls](const std::string&, std::size_t, json&&) -> Status {
        ++calls;
        return Error::InvalidArgument("stop here");
    };
    auto result = StreamJsonArrays(std::string_view(R"({"a": [1, 2, 3]})"), stream);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message, "stop here");
    EXPECT_EQ(calls, 1);
}

// A COCO document with its keys in a given order.
std::string CocoDoc(const std::vector<std::string>& order) {
    const std::map<std::string, std::string> parts = {
        {"images", R"("images": [{"id": 10, "file_name": "a.jpg", "width": 20, "height": 10},
                    {"id": 11, "file_name": "b.jpg", "width": 20, "height": 10}])"},
        {"categories", R"("categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}])"},
        {"annotations", R"("annotations": [
            {"id": 1, "image_id": 10, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5},
            {"id": 2, "image_id": 11, "category_id": 2, "segmentation": [[1, 1, 5, 1, 5, 5]]},
            {"id": 3, "image_id": 10, "category_id": 2, "bbox": [5, 5, 2, 2]},
            {"id": 4, "image_id": 10, "category_id": 9, "bbox": [5, 5, 2, 2]},
            {"id": 5, "image_id": 77, "category_id": 1, "bbox": [5, 5, 2, 2]},
            {"id": 6, "image_id": 11, "category_id": 1, "iscrowd": 1,
             "segmentation": {"counts": [1, 3, 196]}}])"}};
    std::string doc = R"({"info": {"description": "x"})";
    for (const std::string& key : order) {
        doc += ", " + parts.at(key);
    }
    return doc + "}";
}

TEST(CocoStream, KeyOrderDoesNotChangeTheRecords) {
    auto canonical = ParseCoco({{"a.json", CocoDoc({"categories", "images", "annotations"})}},
                               CocoFlavor::kDetect);
    ASSERT_TRUE(canonical.ok()) << canonical.error().message;
    ASSERT_EQ(canonical->records.size(), 2u);
    ASSERT_EQ(canonical->records[0].shapes.size(), 2u);
    EXPECT_EQ(std::get<Box>(canonical->records[0].shapes[0].geometry), (Box{1, 2, 3, 4}));
    EXPECT_EQ(canonical->records[0].shapes[0].confidence, 0.5);
    EXPECT_EQ(canonical->records[0].shapes[1].label, "dog");
    ASSERT_EQ(canonical->records[1].shapes.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<Polygon>(canonical->records[1].shapes[0].geometry));
    // The RLE has no size: the image's 20 x 10 is used. Column-major pixels 1..3 are x = 0,
    // y = 1..3.
    EXPECT_EQ(std::get<MaskRle>(canonical->records[1].shapes[1].geometry).runs,
              (std::vector<std::int64_t>{20, 1, 40, 1, 60, 1}));
    ASSERT_EQ(canonical->errors.size(), 2u);
    EXPECT_EQ(canonical->errors[0].row, 1);
    EXPECT_EQ(canonical->errors[0].message, "a.json: annotations[3]: unknown category_id");
    EXPECT_EQ(canonical->errors[1].row, 0);
    EXPECT_EQ(canonical->errors[1].message, "a.json: annotations[4]: image_id not in \"images\"");

    // COCO's own files list categories last; other tools put annotations first.
    for (const auto& order :
         std::vector<std::vector<std::string>>{{"images", "annotations", "categories"},
                                               {"annotations", "categories", "images"},
                                               {"annotations", "images", "categories"}}) {
        auto parsed = ParseCoco({{"a.json", CocoDoc(order)}}, CocoFlavor::kDetect);
        ASSERT_TRUE(parsed.ok()) << parsed.error().message;
        ExpectSameImport(*canonical, *parsed);
    }
}

TEST(CocoStream, UploadsOnDiskAndZippedGiveTheSameRecords) {
    TempDir dir;
    const std::string doc = CocoDoc({"images", "annotations", "categories"});
    auto expected = ParseCoco({{"upload.json", doc}}, CocoFlavor::kDetect);
    ASSERT_TRUE(expected.ok());

    WriteFile(dir.path() / "body", doc);
    auto from_file = ParseCocoUpload(ImportUpload::FromFile(dir.path() / "body", "upload.json"),
                                     CocoFlavor::kDetect);
    ASSERT_TRUE(from_file.ok()) << from_file.error().message;
    ExpectSameImport(*expected, *from_file);

    // Two COCO files in a zip (rows continue across files), plus a file of another kind.
    auto both = ParseCoco({{"x/one.json", doc}, {"x/two.json", doc}}, CocoFlavor::kDetect);
    ASSERT_TRUE(both.ok());
    WriteZip(dir.path() / "upload.zip",
             {{"x/one.json", doc}, {"readme.txt", "not coco"}, {"x/two.json", doc}});
    auto zipped = ParseCocoUpload(ImportUpload::FromFile(dir.path() / "upload.zip", "upload.json"),
                                  CocoFlavor::kDetect);
    ASSERT_TRUE(zipped.ok()) << zipped.error().message;
    ExpectSameImport(*both, *zipped);
    EXPECT_EQ(zipped->records[3].row, 6);  // 2 images and 2 errors in one.json, then two.json

    std::ifstream in(dir.path() / "upload.zip", std::ios::binary);
    std::string zip_bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto in_memory =
        ParseCocoUpload(ImportUpload::FromBytes(zip_bytes, "upload.json"), CocoFlavor::kDetect);
    ASSERT_TRUE(in_memory.ok());
    ExpectSameImport(*both, *in_memory);

    auto none =
        ParseCocoUpload(ImportUpload::FromBytes("a,b\n", "upload.csv"), CocoFlavor::kDetect);
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().message, "no COCO .json file in the upload");
}

TEST(CocoStream, AFileBrokenMidwayIsOneErrorNamingIt) {
    TempDir dir;
    const std::string doc = CocoDoc({"categories", "images", "annotations"});
    // Cut inside the annotations array, after some annotations were already read.
    const std::string cut = doc.substr(0, doc.find("\"id\": 4"));
    WriteZip(dir.path() / "upload.zip", {{"good.json", doc}, {"broken.json", cut}});
    auto parsed = ParseCocoUpload(ImportUpload::FromFile(dir.path() / "upload.zip", "u.json"),
                                  CocoFlavor::kDetect);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    // Bytes count from 1; a file that ends too early fails at the byte after its last.
    EXPECT_TRUE(parsed.error().message.starts_with("broken.json: invalid JSON at byte " +
                                                   std::to_string(cut.size() + 1) + ": "))
        << parsed.error().message;

    auto not_object = ParseCoco({{"a.json", "[1, 2]"}}, CocoFlavor::kDetect);
    ASSERT_FALSE(not_object.ok());
    EXPECT_EQ(not_object.error().message, "a.json: not a JSON object");
    auto no_images =
        ParseCoco({{"a.json", R"({"images": {}, "annotations": []})"}}, CocoFlavor::kDetect);
    ASSERT_FALSE(no_images.ok());
    EXPECT_EQ(no_images.error().message, "a.json: COCO file without an \"images\" list");
}

TEST(ZipStream, LargeEntriesAreInflatedPieceByPieceAndDamageIsNamed) {
    TempDir dir;
    // Seeded noise: it deflates poorly, so the compressed data spans many 64 KiB reads and a
    // byte flipped in the middle of the archive lands inside it.
    std::mt19937 random(42);
    std::string noise(std::size_t{600} * 1024, '\0');
    for (char& c : noise) {
        c = static_cast<char>('a' + random() % 16);
    }
    const fs::path zip = dir.path() / "big.zip";
    WriteZip(zip, {{"dir/", ""}, {"big.txt", noise}, {"__MACOSX/._big.txt", "x"}});
    std::vector<std::string> names;
    std::string read_back;
    Status visited = ForEachZipEntryInFile(zip, [&](const std::string& name, std::istream& in) {
        names.push_back(name);
        read_back.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        return Status::Ok();
    });
    ASSERT_TRUE(visited.ok()) << visited.error().message;
    EXPECT_EQ(names, (std::vector<std::string>{"big.txt"}));
    EXPECT_TRUE(read_back == noise);

    std::string bytes;
    {
        std::ifstream in(zip, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x55);
    WriteFile(zip, bytes);
    Status damaged = ForEachZipEntryInFile(zip, [](const std::string&, std::istream& in) {
        std::string sink((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        return Status::Ok();
    });
    ASSERT_FALSE(damaged.ok());
    EXPECT_TRUE(damaged.error().message.starts_with("cannot read zip entry big.txt"))
        << damaged.error().message;
    EXPECT_FALSE(ForEachZipEntryInFile(dir.path() / "missing.zip", [](auto&, auto&) {
                     return Status::Ok();
                 }).ok());
}

}  // namespace
}  // namespace tessera
