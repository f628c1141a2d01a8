// File safety over real HTTP: source files swapped for links leaving --allowed-root after
// ingest are never served, control characters in paths are refused, and server paths stay
// out of what labelers see.
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <zip.h>

#include "integration/fixture.hpp"
#include "support/zip_of.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

class FileSafetyIt : public IntegrationTest {
protected:
    std::map<std::string, std::string> ItemBases(HttpClient& client, std::int64_t id) {
        std::map<std::string, std::string> out;
        json items = client.Get(ProjectPath(id, "/items")).Json()["items"];
        for (const json& item : items) {
            out[item["path"]] = ProjectPath(id, "/items/" + std::to_string(item["id"].get<int>()));
        }
        return out;
    }

    // Tiles answer 202 while a pyramid builds; an error must come instead, but a broken
    // server must not hang the test.
    HttpResponse GetSettled(HttpClient& client, const std::string& path) {
        HttpResponse response;
        for (int i = 0; i < 600; ++i) {
            response = client.Get(path);
            if (response.status != 202) {
                break;
            }
            std::this_thread::sleep_for(100ms);
        }
        return response;
    }

    // An error a labeler may see: 403 or 404 (or 409 for an unreadable image) with a JSON
    // body, never image bytes and never a server path.
    void ExpectRefused(const HttpResponse& response, const std::string& what,
                       const std::string& secret) {
        EXPECT_TRUE(response.status == 403 || response.status == 404)
            << what << ": " << response.status;
        EXPECT_EQ(response.body.find(secret), std::string::npos) << what;
        EXPECT_NE(response.body.substr(0, 2), "\xFF\xD8") << what;
        auto body = json::parse(response.body, nullptr, false);
        ASSERT_FALSE(body.is_discarded()) << what << ": " << response.body;
        EXPECT_TRUE(body["error"]["code"].is_string()) << what << ": " << response.body;
        EXPECT_EQ(response.body.find(temp_.path().string()), std::string::npos)
            << what << ": " << response.body;
    }
};

TEST_P(FileSafetyIt, SourcesSwappedForLinksLeavingTheRootAreNeverServed) {
    WriteImage(images_ / "a.png", 64, 48);
    fs::create_directories(images_ / "sub");
    WriteImage(images_ / "sub" / "b.png", 64, 48);
    fs::path outside = temp_.path() / "outside";
    fs::create_directories(outside);
    WriteImage(outside / "secret.png", 300, 77);
    WriteImage(outside / "b.png", 300, 77);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::int64_t id = CreateIngestedProject(admin, "Swapped")["id"];
    StartProject(admin, id);
    CreateUser(admin, "lara", "lara-password", "labeler");
    HttpClient lara = LoginAs("lara", "lara-password");
    auto bases = ItemBases(lara, id);
    ASSERT_EQ(bases.size(), 2u);
    // Served while the files are the ingested ones.
    EXPECT_EQ(lara.Get(bases["a.png"] + "/thumbnail").status, 200u);

    // A file replaced by a link to a file outside, and a folder by a link to a folder outside.
    fs::remove(images_ / "a.png");
    fs::create_symlink(outside / "secret.png", images_ / "a.png");
    fs::remove_all(images_ / "sub");
    fs::create_directory_symlink(outside, images_ / "sub");

    for (const std::string item : {"a.png", "sub/b.png"}) {
        for (const std::string rest : {"/image", "/thumbnail", "/tiles/info", "/tiles/0/0/0"}) {
            ExpectRefused(GetSettled(lara, bases[item] + rest), item + rest, outside.string());
            ExpectRefused(GetSettled(admin, bases[item] + rest), item + rest, outside.string());
        }
    }
}

TEST_P(FileSafetyIt, ControlCharactersInPathsAndPatternsAreRefused) {
    WriteImages(1);
    fs::create_directories(images_ / "ok");
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::string root = images_.string();
    for (const std::string& path :
         {root + "/ok" + std::string(1, '\0') + "/../../outside", root + "/ok\n",
          root + std::string("/ok\x1f"), root + "/ok\x7f"}) {
        json body = ProjectBody("Nul");
        body["datasource"]["path"] = path;
        auto created = admin.SendJson("POST", "/api/v1/projects", body);
        EXPECT_EQ(created.status, 400u) << created.body;
        EXPECT_NE(created.body.find("control character"), std::string::npos) << created.body;
    }
    for (const std::string& pattern :
         {std::string("**/*.jpg") + '\0' + "x", std::string("*\t.jpg")}) {
        json body = ProjectBody("NulPattern");
        body["datasource"]["pattern"] = pattern;
        auto created = admin.SendJson("POST", "/api/v1/projects", body);
        EXPECT_EQ(created.status, 400u) << created.body;
        EXPECT_NE(created.body.find("control character"), std::string::npos) << created.body;
    }
    // Nothing was created.
    EXPECT_EQ(admin.Get("/api/v1/projects").Json()["projects"].size(), 0u);
}

TEST_P(FileSafetyIt, LabelersNeverSeeServerPathsInImageErrors) {
    WriteImage(images_ / "good.png", 64, 48);
    WriteImage(images_ / "cut.png", 64, 48);
    WriteImage(images_ / "gone.png", 64, 48);
    // Not an image from the start: libvips' file loaders named the path in their error
    // ("VipsForeignLoad: \"/tmp/.../junk.jpg\" is not a known file format").
    std::ofstream(images_ / "junk.jpg", std::ios::binary) << "not an image at all";
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::int64_t id = CreateIngestedProject(admin, "Paths")["id"];
    StartProject(admin, id);
    CreateUser(admin, "lara", "lara-password", "labeler");
    HttpClient lara = LoginAs("lara", "lara-password");
    auto bases = ItemBases(lara, id);
    ASSERT_EQ(bases.size(), 4u);
    // Damaged and deleted after ingest.
    std::ofstream(images_ / "cut.png", std::ios::binary | std::ios::trunc) << "garbage now";
    fs::remove(images_ / "gone.png");
    for (const std::string item : {"cut.png", "gone.png", "junk.jpg"}) {
        for (const std::string rest : {"/image", "/thumbnail", "/tiles/info", "/tiles/0/0/0"}) {
            auto response = GetSettled(lara, bases[item] + rest);
            EXPECT_GE(response.status, 400u) << item + rest;
            EXPECT_EQ(response.body.find(temp_.path().string()), std::string::npos)
                << item + rest << ": " << response.body;
            EXPECT_EQ(response.body.find(images_.filename().string() + "/"), std::string::npos)
                << item + rest << ": " << response.body;
        }
    }
    auto items = lara.Get(ProjectPath(id, "/items"));
    EXPECT_NE(items.body.find("junk.jpg"), std::string::npos);
    EXPECT_EQ(items.body.find(temp_.path().string()), std::string::npos) << items.body;
}

// A zip of `count` entries of `each` zero bytes: a few MB on the wire, `count * each` inflated.
// A PNG header claiming width x height RGBA with a token of data.
std::string HugePngHeader(std::uint32_t width, std::uint32_t height) {
    auto be32 = [](std::uint32_t v) {
        return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                           static_cast<char>(v >> 8), static_cast<char>(v)};
    };
    std::string png = "\x89PNG\r\n\x1a\n";
    png += be32(13) + "IHDR" + be32(width) + be32(height) + std::string("\x08\x06\x00\x00\x00", 5) +
           be32(0);
    png += be32(4) + "IDAT" + "abcd" + be32(0);
    png += be32(0) + "IEND" + be32(0);
    return png;
}

TEST_P(FileSafetyIt, HostileImportsAreRefusedNamingTheLimit) {
    WriteImages(2);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::int64_t id = CreateIngestedProject(admin, "Imports")["id"];
    StartProject(admin, id);
    auto post = [&](const std::string& query, const std::string& body, const std::string& type) {
        return admin.Send("POST", ProjectPath(id, "/import?" + query), body,
                          {{"Content-Type", type}});
    };
    // A streamed COCO of endless '[': refused at the nesting limit, not after gigabytes.
    auto coco = post("format=coco&mode=prelabel", "{\"images\": [" + std::string(1000000, '['),
                     "application/json");
    EXPECT_EQ(coco.status, 400u) << coco.body;
    EXPECT_NE(coco.body.find("deeper than 64 levels"), std::string::npos) << coco.body;
    // CVAT XML nested as deep.
    std::string xml = "<annotations>";
    for (int i = 0; i < 100000; ++i) {
        xml += "<a>";
    }
    auto cvat =
        post("format=cvat&mode=prelabel", ZipOf({{"annotations.xml", xml}}), "application/zip");
    EXPECT_EQ(cvat.status, 400u) << cvat.body;
    EXPECT_NE(cvat.body.find("deeper than 64 levels"), std::string::npos) << cvat.body;
    // A small YOLO zip whose entries, each under the per-file limit, inflate past the total.
    std::string bomb = ZeroZip(3, (std::size_t{512} << 20) / 3 + 1, "labels/img");
    EXPECT_LT(bomb.size(), std::size_t{4} << 20);
    auto yolo = post("format=yolo&mode=prelabel", bomb, "application/zip");
    EXPECT_EQ(yolo.status, 413u) << yolo.body;
    EXPECT_NE(yolo.body.find("512 MiB"), std::string::npos) << yolo.body;
    // A mask whose header promises 8192 x 8192 RGBA: refused on the header.
    auto masks = post("format=masks&mode=prelabel",
                      ZipOf({{"masks/img0.png", HugePngHeader(8192, 8192)}}), "application/zip");
    EXPECT_EQ(masks.status, 413u) << masks.body;
    EXPECT_NE(masks.body.find("33554432 pixels"), std::string::npos) << masks.body;
    // Nothing was applied. (The listing is held in a local: a range-for over a member of a
    // temporary would read freed memory.)
    const json listing = admin.Get(ProjectPath(id, "/items")).Json();
    for (const json& item : listing["items"]) {
        EXPECT_NE(item["state"], "labeled") << item.dump();
    }
}

// A 24-bit BMP header stating width x height (negative: top-down) over 4 x 4 pixels of data.
std::string BmpHeaderStating(std::int32_t width, std::int32_t height) {
    auto le32 = [](std::uint32_t v) {
        return std::string{static_cast<char>(v), static_cast<char>(v >> 8),
                           static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
    };
    auto le16 = [](std::uint32_t v) {
        return std::string{static_cast<char>(v), static_cast<char>(v >> 8)};
    };
    const std::string data(48, '\x80');
    return "BM" + le32(54 + 48) + le32(0) + le32(54) + le32(40) +
           le32(static_cast<std::uint32_t>(width)) + le32(static_cast<std::uint32_t>(height)) +
           le16(1) + le16(24) + le32(0) + le32(48) + le32(2835) + le32(2835) + le32(0) + le32(0) +
           data;
}

// The end records of a zip of no files that claim `entries` (a ZIP64 record, as over 65,535
// entries needs): tiny on the wire; libzip would size its directory by the claim.
std::string ZipClaiming(std::uint64_t entries) {
    auto le = [](std::uint64_t v, int bytes) {
        std::string out;
        for (int i = 0; i < bytes; ++i) {
            out += static_cast<char>((v >> (8 * i)) & 0xFF);
        }
        return out;
    };
    constexpr std::uint64_t kLocalHeaderBytes = 30;
    std::string zip = "PK\x06\x06" + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4) +
                      le(entries, 8) + le(entries, 8) + le(0, 8) + le(0, 8);
    zip += "PK\x06\x07" + le(0, 4) + le(kLocalHeaderBytes, 8) + le(1, 4);
    zip += "PK\x05\x06" + le(0, 2) + le(0, 2) + le(0xFFFF, 2) + le(0xFFFF, 2) + le(0xFFFFFFFF, 4) +
           le(0xFFFFFFFF, 4) + le(0, 2);
    // The upload is sniffed as a zip by its first local header's magic.
    return "PK\x03\x04" + std::string(kLocalHeaderBytes - 4, '\0') + zip;
}

TEST_P(FileSafetyIt, OneHugeElementTagZipDirectoryOrBmpIsRefusedNamingTheLimit) {
    WriteImages(1);
    // A BMP whose header states 8193 x 4096 pixels: an item in error naming the limit, never
    // read whole or decoded.
    std::ofstream(images_ / "huge.bmp", std::ios::binary) << BmpHeaderStating(8193, -4096);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::int64_t id = CreateIngestedProject(admin, "Bounds")["id"];
    const json listing = admin.Get(ProjectPath(id, "/items")).Json();
    bool seen = false;
    for (const json& item : listing["items"]) {
        if (item["path"] == "huge.bmp") {
            seen = true;
            EXPECT_EQ(item["state"], "error") << item.dump();
            EXPECT_NE(item["error"].get<std::string>().find("33554432 pixels a BMP"),
                      std::string::npos)
                << item.dump();
        }
    }
    EXPECT_TRUE(seen) << listing.dump();
    StartProject(admin, id);
    auto post = [&](const std::string& query, const std::string& body, const std::string& type) {
        return admin.Send("POST", ProjectPath(id, "/import?" + query), body,
                          {{"Content-Type", type}});
    };
    // One COCO annotation of 2^22 + 1 numbers: 8 MB on the wire, refused on its values.
    std::string polygon;
    for (int i = 0; i < (1 << 22); ++i) {
        polygon += "0,";
    }
    auto coco = post("format=coco&mode=prelabel",
                     R"({"annotations": [{"id": 1, "segmentation": [[)" + polygon + "0]]}]}",
                     "application/json");
    EXPECT_EQ(coco.status, 413u) << coco.body.substr(0, 300);
    EXPECT_NE(coco.body.find("annotations[0] holds more than 4194304 values"), std::string::npos)
        << coco.body.substr(0, 300);
    // One CVAT tag of 65 MiB of points.
    std::string points;
    for (int i = 0; i < (65 << 18); ++i) {
        points += "1,1;";
    }
    auto cvat = post("format=cvat&mode=prelabel",
                     R"(<annotations><image id="0" name="img0.jpg"><polygon label="Cat" points=")" +
                         points + R"("/></image></annotations>)",
                     "application/xml");
    EXPECT_EQ(cvat.status, 413u) << cvat.body.substr(0, 300);
    EXPECT_NE(cvat.body.find("is longer than 64 MiB, the limit for one XML tag"), std::string::npos)
        << cvat.body.substr(0, 300);
    // A zip whose directory claims 2^40 entries.
    auto yolo =
        post("format=yolo&mode=prelabel", ZipClaiming(std::uint64_t{1} << 40), "application/zip");
    EXPECT_EQ(yolo.status, 413u) << yolo.body;
    EXPECT_NE(yolo.body.find("over the limit of 1000000 a zip"), std::string::npos) << yolo.body;
    const json after = admin.Get(ProjectPath(id, "/items")).Json();
    for (const json& item : after["items"]) {
        EXPECT_NE(item["state"], "labeled") << item.dump();
    }
}

TESSERA_INSTANTIATE_BACKENDS(FileSafetyIt);

}  // namespace
}  // namespace tessera::testing
