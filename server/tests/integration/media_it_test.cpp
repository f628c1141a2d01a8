// Images with ETags, exports, the dashboard event stream, graceful shutdown.
#include <signal.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class MediaIt : public IntegrationTest {
protected:
    // A running project over the images already written; the owner labels the first item
    // with `label` when given.
    std::int64_t SetUpProject(HttpClient& admin, const std::string& label = "") {
        std::int64_t id = CreateIngestedProject(admin, "Media")["id"];
        StartProject(admin, id);
        if (!label.empty()) {
            auto page = admin.SendJson("POST", ProjectPath(id, "/next"), {{"count", 1}}).Json();
            std::int64_t item = page["items"][0]["id"];
            auto submit = admin.SendJson(
                "PUT", ProjectPath(id, "/items/" + std::to_string(item) + "/annotation"),
                {{"lease", page["lease"]}, {"labels", {label}}});
            EXPECT_EQ(submit.status, 200u) << submit.body;
        }
        return id;
    }

    std::pair<int, int> DecodedSize(const std::string& bytes) {
        // A fresh name each time: libvips caches images by file name.
        std::filesystem::path path =
            temp_.path() / ("decoded" + std::to_string(decoded_++) + ".jpg");
        std::ofstream(path, std::ios::binary) << bytes;
        return ImageSize(path);
    }

    int decoded_ = 0;
};

TEST_P(MediaIt, ImagesAndThumbnailsHaveEtagsAnd304) {
    WriteImage(images_ / "wide.png", 3000, 1000);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::int64_t id = SetUpProject(admin);
    json items = admin.Get(ProjectPath(id, "/items")).Json()["items"];
    ASSERT_EQ(items.size(), 1u);
    std::string base = ProjectPath(id, "/items/" + std::to_string(items[0]["id"].get<int>()));

    auto image = admin.Get(base + "/image");
    ASSERT_EQ(image.status, 200u) << image.body;
    EXPECT_EQ(image.Header("Content-Type"), "image/jpeg");
    EXPECT_EQ(image.Header("Cache-Control"), "private, max-age=86400");
    EXPECT_EQ(image.body.substr(0, 2), "\xFF\xD8");
    EXPECT_EQ(DecodedSize(image.body), std::make_pair(2048, 683));
    std::string etag = image.Header("ETag");
    ASSERT_FALSE(etag.empty());
    auto cached = admin.Get(base + "/image", {{"If-None-Match", etag}});
    EXPECT_EQ(cached.status, 304u);
    EXPECT_TRUE(cached.body.empty());
    EXPECT_EQ(cached.Header("ETag"), etag);

    auto thumb = admin.Get(base + "/thumbnail");
    ASSERT_EQ(thumb.status, 200u);
    EXPECT_EQ(DecodedSize(thumb.body), std::make_pair(256, 85));
    EXPECT_NE(thumb.Header("ETag"), etag);
    EXPECT_EQ(admin.Get(base + "/thumbnail", {{"If-None-Match", thumb.Header("ETag")}}).status,
              304u);
    EXPECT_EQ(admin.Get(ProjectPath(id, "/items/999999/image")).status, 404u);
    EXPECT_EQ(NewClient().Get(base + "/image").status, 401u);
}

TEST_P(MediaIt, ExportsCsvJsonlAndMltable) {
    WriteImages(2);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::int64_t id = SetUpProject(admin, "Dog");

    auto csv = admin.Get(ProjectPath(id, "/export?format=csv"));
    ASSERT_EQ(csv.status, 200u) << csv.body;
    EXPECT_EQ(csv.Header("Content-Type").substr(0, 8), "text/csv");
    EXPECT_EQ(csv.Header("Content-Disposition"), "attachment; filename=\"Media-csv.csv\"");
    std::istringstream lines(csv.body);
    std::string header, row, extra;
    std::getline(lines, header);
    std::getline(lines, row);
    // RFC 4180 lines end in CRLF.
    EXPECT_EQ(header.back(), '\r');
    header.pop_back();
    EXPECT_EQ(header, "image_url,label,labeler,labeled_at");
    EXPECT_EQ(row.rfind(images_.string() + "/img", 0), 0u) << row;
    EXPECT_NE(row.find(",Dog,admin,"), std::string::npos) << row;
    EXPECT_FALSE(std::getline(lines, extra) && !extra.empty());

    auto jsonl = admin.Get(ProjectPath(id, "/export?format=jsonl"));
    ASSERT_EQ(jsonl.status, 200u);
    json record = json::parse(jsonl.body.substr(0, jsonl.body.find('\n')));
    EXPECT_EQ(record["label"], "Dog");
    EXPECT_EQ(record["labeler"], "admin");
    EXPECT_EQ(record["image_details"]["format"], "jpg");

    auto zip = admin.Get(ProjectPath(id, "/export?format=mltable"));
    ASSERT_EQ(zip.status, 200u);
    EXPECT_EQ(zip.Header("Content-Type"), "application/zip");
    EXPECT_EQ(zip.body.substr(0, 4), std::string("PK\x03\x04", 4));
    EXPECT_NE(zip.body.find("MLTable"), std::string::npos);
    EXPECT_NE(zip.body.find("annotations.jsonl"), std::string::npos);

    EXPECT_EQ(admin.Get(ProjectPath(id, "/export?format=xml")).status, 400u);
    CreateUser(admin, "lara", "lara-password", "labeler");
    HttpClient lara = LoginAs("lara", "lara-password");
    EXPECT_EQ(lara.Get(ProjectPath(id, "/export?format=csv")).status, 403u);
}

TEST_P(MediaIt, EventStreamPushesDashboardChanges) {
    WriteImages(2);
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    std::int64_t id = SetUpProject(admin);
    HttpClient watcher = Admin();
    auto head = watcher.OpenStream(ProjectPath(id, "/events"));
    ASSERT_EQ(head.status, 200u) << watcher.error();
    EXPECT_EQ(head.Header("Content-Type"), "text/event-stream");
    std::string first = watcher.ReadStreamUntil("\n\n", 5s);
    EXPECT_NE(first.find("event: dashboard\ndata: {"), std::string::npos) << first;
    EXPECT_NE(first.find("\"labeled\":0"), std::string::npos) << first;

    auto page = admin.SendJson("POST", ProjectPath(id, "/next"), {{"count", 1}}).Json();
    std::int64_t item = page["items"][0]["id"];
    admin.SendJson("PUT", ProjectPath(id, "/items/" + std::to_string(item) + "/annotation"),
                   {{"lease", page["lease"]}, {"labels", {"Cat"}}});
    std::string later = watcher.ReadStreamUntil("\"labeled\":1", 8s);
    EXPECT_NE(later.find("\"labeled\":1"), std::string::npos) << later;

    HttpClient stranger = NewClient();
    EXPECT_EQ(stranger.OpenStream(ProjectPath(id, "/events")).status, 401u);
}

TEST_P(MediaIt, SigtermFinishesInFlightRequestsThenExitsZero) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient stream_client = Admin();
    WriteImages(1);
    HttpClient admin = Admin();
    std::int64_t id = SetUpProject(admin);
    ASSERT_EQ(stream_client.OpenStream(ProjectPath(id, "/events")).status, 200u);

    // A login whose body is still on its way when the signal arrives.
    std::string body = json{{"username", "admin"}, {"password", kAdminPassword}}.dump();
    HttpClient slow = NewClient();
    ASSERT_TRUE(
        slow.WriteRaw("POST /api/v1/session HTTP/1.1\r\nHost: t\r\n"
                      "Content-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 5)));
    // A precondition, not an assertion: time for the server to read the head, so that the
    // connection is busy (an idle one is closed at once by the shutdown, as it should be).
    std::this_thread::sleep_for(300ms);
    ASSERT_TRUE(server_.Signal(SIGTERM));
    // The event: the server has begun draining. It must still be running then, holding the
    // half-received request open.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (server_.Stderr().find("draining connections") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
    }
    ASSERT_NE(server_.Stderr().find("draining connections"), std::string::npos) << server_.Stderr();
    EXPECT_TRUE(server_.Running()) << "exited with a request in flight";
    ASSERT_TRUE(slow.WriteRaw(body.substr(5)));
    auto response = slow.ReadResponse();
    EXPECT_EQ(response.status, 200u) << slow.error();
    EXPECT_EQ(response.Header("Connection"), "close");

    auto status = server_.WaitExit(10s);
    ASSERT_TRUE(status.has_value()) << "server did not exit";
    EXPECT_EQ(*status, 0) << server_.Stderr();
    // The event stream was ended cleanly, with the final chunk.
    std::string tail = stream_client.ReadStreamUntil("0\r\n\r\n", 5s);
    EXPECT_NE(tail.find("0\r\n\r\n"), std::string::npos);
    EXPECT_EQ(NewClient().Get("/healthz").status, 0u);
}

TESSERA_INSTANTIATE_BACKENDS(MediaIt);

}  // namespace
}  // namespace tessera::testing
