// Manifest projects over HTTP (docs/formats/manifests.md): the items are exactly the images the
// manifest names; its labels arrive as prelabels shown for review or as final labels that leave
// only the rest queued; a missing image column is a 400 naming the columns; rows pointing at
// files that do not exist are reported and the rest kept. The mapping preview feeds the wizard.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "integration/fixture.hpp"
#include "support/azurite.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Azure's classification CSV shape (Url, Label) with every reference form.
constexpr const char* kManifest =
    "Url,Label,Score\r\n"
    "img0.jpg,Cat,0.9\r\n"
    "./img1.jpg,Dog,\r\n"
    "AmlDatastore://workspaceblobstore/pets/p0.jpg,Dog,0.25\r\n"
    "azureml://subscriptions/0/resourcegroups/rg/workspaces/ws/datastores/workspaceblobstore/"
    "paths/pets/p1.jpg,Cat,\r\n"
    "gone.jpg,Cat,\r\n"
    "../../etc/passwd,Cat,\r\n"
    "https://example.com/x.jpg,Cat,\r\n";

class ManifestIt : public IntegrationTest {
protected:
    void SetUpServer() {
        WriteImages(3);  // img2.jpg is not in the manifest
        WriteImage(images_ / "store" / "pets" / "p0.jpg", 20, 20);
        WriteImage(images_ / "store" / "pets" / "p1.jpg", 21, 20);
        WriteText(images_ / "labels.csv", kManifest);
        ASSERT_NO_FATAL_FAILURE(StartServer());
        admin_ = std::make_unique<HttpClient>(Admin());
    }

    json Body(const std::string& name, const std::string& import_as,
              const json& mapping = {
                  {"image", "Url"}, {"category", "Label"}, {"confidence", "Score"}}) {
        json body = ProjectBody(name);
        body["datasource"] = {
            {"kind", "manifest"},
            {"path", (images_ / "labels.csv").string()},
            {"format", "csv"},
            {"mapping", mapping},
            {"import_as", import_as},
            {"datastores", {{"workspaceblobstore", (images_ / "store").string()}}}};
        return body;
    }

    // Creates the project and waits for its manifest_ingest job; the project.
    json CreateManifestProject(const json& body) {
        auto created = admin_->SendJson("POST", "/api/v1/projects", body);
        EXPECT_EQ(created.status, 201u) << created.body;
        const std::int64_t id = created.Json().value("id", 0);
        json project;
        for (int i = 0; i < 300; ++i) {
            project = admin_->Get(ProjectPath(id)).Json();
            for (const json& job : project["jobs"]) {
                const std::string state = job.value("state", "");
                if (job["kind"] == "manifest_ingest" && (state == "done" || state == "failed")) {
                    return project;
                }
            }
            std::this_thread::sleep_for(100ms);
        }
        ADD_FAILURE() << "manifest ingest did not finish: " << project.dump();
        return project;
    }

    static json History(const json& project) {
        for (const json& job : project["jobs"]) {
            if (job["kind"] == "import") {
                return job["import"];
            }
        }
        return json();
    }

    std::unique_ptr<HttpClient> admin_;
};

TEST_P(ManifestIt, PrelabelsAreShownForReviewOnExactlyTheListedImages) {
    ASSERT_NO_FATAL_FAILURE(SetUpServer());
    json project = CreateManifestProject(Body("Prelabeled", "prelabel"));
    const std::int64_t id = project["id"];
    EXPECT_EQ(project["datasource"]["kind"], "manifest");
    auto items = ItemsByPath(*admin_, id);
    ASSERT_EQ(items.size(), 4u) << project.dump();
    EXPECT_TRUE(items.contains("img0.jpg"));
    EXPECT_TRUE(items.contains("store/pets/p0.jpg"));
    EXPECT_FALSE(items.contains("img2.jpg"));  // in the folder, not in the manifest

    json report = History(project);
    EXPECT_EQ(report["mode"], "prelabel");
    EXPECT_EQ(report["manifest"]["missing"], 1);
    EXPECT_EQ(report["manifest"]["missing_examples"][0], "labels.csv:6: gone.jpg");
    EXPECT_EQ(report["manifest"]["row_errors"], 2);
    EXPECT_EQ(report["manifest"]["labeled"], 4);

    StartProject(*admin_, id);
    CreateUser(*admin_, "lara", "lara-password", "labeler");
    HttpClient lara = LoginAs("lara", "lara-password");
    const std::int64_t img0 = items["img0.jpg"]["id"];
    auto prelabel = lara.Get(ProjectPath(id, "/items/" + std::to_string(img0) + "/annotation"));
    ASSERT_EQ(prelabel.status, 200u) << prelabel.body;
    EXPECT_EQ(prelabel.Json()["source"], "prelabel");
    EXPECT_EQ(prelabel.Json()["labels"], json::array({"Cat"}));
    EXPECT_DOUBLE_EQ(prelabel.Json()["confidence"].get<double>(), 0.9);
    auto dashboard = admin_->Get(ProjectPath(id, "/dashboard")).Json();
    EXPECT_EQ(dashboard["progress"]["labeled"], 0);
    EXPECT_EQ(dashboard["progress"]["total"], 4);
}

TEST_P(ManifestIt, FinalLabelsQueueOnlyTheUnlabeledItems) {
    ASSERT_NO_FATAL_FAILURE(SetUpServer());
    // img1 has no label in this manifest.
    WriteText(images_ / "labels.csv",
              "Url,Label\nimg0.jpg,Cat\nimg1.jpg,\nAmlDatastore://workspaceblobstore/pets/p0.jpg,"
              "Dog\n");
    json project =
        CreateManifestProject(Body("Final", "final", {{"image", "Url"}, {"category", "Label"}}));
    const std::int64_t id = project["id"];
    auto dashboard = admin_->Get(ProjectPath(id, "/dashboard")).Json();
    EXPECT_EQ(dashboard["progress"]["total"], 3);
    EXPECT_EQ(dashboard["progress"]["labeled"], 2);
    EXPECT_EQ(dashboard["progress"]["unlabeled"], 1);

    StartProject(*admin_, id);
    auto page = admin_->SendJson("POST", ProjectPath(id, "/next"), {{"count", 9}});
    ASSERT_EQ(page.status, 200u) << page.body;
    ASSERT_EQ(page.Json()["items"].size(), 1u) << page.body;
    EXPECT_EQ(page.Json()["items"][0]["path"], "img1.jpg");
}

TEST_P(ManifestIt, BadManifestsAreRefusedNamingTheField) {
    ASSERT_NO_FATAL_FAILURE(SetUpServer());
    auto missing = admin_->SendJson("POST", "/api/v1/projects",
                                    Body("Missing", "prelabel", {{"image", "image_url"}}));
    ASSERT_EQ(missing.status, 400u) << missing.body;
    EXPECT_EQ(missing.Json()["error"]["field"], "datasource.mapping.image");
    EXPECT_NE(
        missing.Json()["error"]["message"].get<std::string>().find(R"("Url", "Label", "Score")"),
        std::string::npos)
        << missing.body;

    json bad_format = Body("Format", "prelabel");
    bad_format["datasource"]["format"] = "xlsx";
    auto format = admin_->SendJson("POST", "/api/v1/projects", bad_format);
    EXPECT_EQ(format.status, 400u);
    EXPECT_EQ(format.Json()["error"]["field"], "datasource.format");

    json bad_mode = Body("Mode", "maybe");
    EXPECT_EQ(admin_->SendJson("POST", "/api/v1/projects", bad_mode).Json()["error"]["field"],
              "datasource.import_as");

    json no_mapping = Body("NoMapping", "prelabel");
    no_mapping["datasource"].erase("mapping");
    EXPECT_EQ(admin_->SendJson("POST", "/api/v1/projects", no_mapping).Json()["error"]["field"],
              "datasource.mapping");

    json outside = Body("Outside", "prelabel");
    outside["datasource"]["datastores"]["workspaceblobstore"] = temp_.path().string();
    EXPECT_EQ(admin_->SendJson("POST", "/api/v1/projects", outside).status, 403u);

    auto projects = admin_->Get("/api/v1/projects");
    EXPECT_TRUE(projects.Json()["projects"].empty()) << projects.body;
}

TEST_P(ManifestIt, MappingPreviewShowsColumnsAndGuesses) {
    ASSERT_NO_FATAL_FAILURE(SetUpServer());
    auto preview =
        admin_->SendJson("POST", "/api/v1/datasources/manifest/preview",
                         {{"path", (images_ / "labels.csv").string()}, {"format", "csv"}});
    ASSERT_EQ(preview.status, 200u) << preview.body;
    EXPECT_EQ(preview.Json()["columns"], json::array({"Url", "Label", "Score"}));
    EXPECT_EQ(preview.Json()["guess"]["image"], "Url");
    EXPECT_EQ(preview.Json()["guess"]["category"], "Label");
    EXPECT_EQ(preview.Json()["guess"]["confidence"], "Score");
    EXPECT_EQ(preview.Json()["rows"][0][0], "img0.jpg");

    auto refused = admin_->SendJson("POST", "/api/v1/datasources/manifest/preview",
                                    {{"path", "/etc/passwd"}, {"format", "csv"}});
    EXPECT_EQ(refused.status, 403u) << refused.body;
    CreateUser(*admin_, "lara", "lara-password", "labeler");
    HttpClient lara = LoginAs("lara", "lara-password");
    EXPECT_EQ(lara.SendJson("POST", "/api/v1/datasources/manifest/preview",
                            {{"path", (images_ / "labels.csv").string()}, {"format", "csv"}})
                  .status,
              403u);
}

// An Azure ML export whose rows point into Blob Storage: the datastore is an Azure container
// (the azure_blob datasource's fields, credential sealed and never sent back), the images are
// read from it and the labels arrive as prelabels. Skips without Azurite.
TEST_P(ManifestIt, AzureDatastoreRowsAreReadFromBlobStorageWithTheirLabels) {
    TESSERA_REQUIRE_AZURITE();
    const fs::path blobs = images_ / "blobs";
    WriteImage(blobs / "export" / "pets" / "p0.jpg", 30, 20);
    WriteImage(blobs / "export" / "pets" / "p1.jpg", 31, 20);
    WriteImage(blobs / "other" / "x.jpg", 32, 20);  // outside the datastore's prefix
    const std::string container = UniqueContainer("manifest");
    ASSERT_EQ(UploadWithAzureSdk(container, "'" + blobs.string() + "'"), 3);
    const fs::path table = images_ / "table";
    WriteText(table / "MLTable",
              "paths:\n  - file: ./train.jsonl\ntransformations:\n  - read_json_lines:\n"
              "      encoding: utf8\n");
    WriteText(table / "train.jsonl",
              R"({"image_url": "azureml://subscriptions/s/resourcegroups/r/workspaces/w/)"
              R"(datastores/workspaceblobstore/paths/pets/p0.jpg", "label": "Cat", )"
              R"("label_confidence": [0.8]})"
              "\n"
              R"({"image_url": "AmlDatastore://workspaceblobstore/pets/p1.jpg", "label": "Dog"})"
              "\n"
              R"({"image_url": "AmlDatastore://workspaceblobstore/pets/gone.jpg", "label": "Dog"})"
              "\n");
    ASSERT_NO_FATAL_FAILURE(StartServer());
    admin_ = std::make_unique<HttpClient>(Admin());
    auto body = [&](const std::string& name, const std::string& key) {
        json out = ProjectBody(name);
        out["datasource"] = {
            {"kind", "manifest"},
            {"path", table.string()},
            {"format", "mltable"},
            {"mapping",
             {{"image", "image_url"}, {"category", "label"}, {"confidence", "label_confidence"}}},
            {"import_as", "prelabel"},
            {"datastores",
             {{"workspaceblobstore",
               {{"kind", "azure_blob"},
                {"account_url", AzuriteUrl()},
                {"container", container},
                {"prefix", "export"},
                {"account_key", key}}}}}};
        return out;
    };
    std::string wrong_key = std::string(kAzuriteKey);
    wrong_key.replace(0, 4, "AAAA");
    auto refused = admin_->SendJson("POST", "/api/v1/projects", body("Wrong key", wrong_key));
    ASSERT_EQ(refused.status, 400u) << refused.body;
    EXPECT_EQ(refused.Json()["error"]["field"],
              "datasource.datastores.workspaceblobstore.account_key");
    EXPECT_EQ(refused.body.find(wrong_key.substr(4, 16)), std::string::npos);
    EXPECT_EQ(admin_->Get("/api/v1/projects").Json()["projects"].size(), 0u);

    json project = CreateManifestProject(body("From blobs", std::string(kAzuriteKey)));
    const std::int64_t id = project["id"];
    EXPECT_EQ(project.dump().find(std::string(kAzuriteKey).substr(0, 16)), std::string::npos);
    auto items = ItemsByPath(*admin_, id);
    ASSERT_EQ(items.size(), 2u) << project.dump();
    EXPECT_EQ(items["pets/p0.jpg"]["width"], 30);
    EXPECT_EQ(items["pets/p1.jpg"]["width"], 31);
    json report = History(project);
    EXPECT_EQ(report["manifest"]["labeled"], 2) << report.dump();
    EXPECT_EQ(report["manifest"]["missing"], 1);
    EXPECT_EQ(report["manifest"]["missing_examples"][0],
              "train.jsonl:3: AmlDatastore://workspaceblobstore/pets/gone.jpg");

    StartProject(*admin_, id);
    const std::int64_t p0 = items["pets/p0.jpg"]["id"];
    auto prelabel = admin_->Get(ProjectPath(id, "/items/" + std::to_string(p0) + "/annotation"));
    ASSERT_EQ(prelabel.status, 200u) << prelabel.body;
    EXPECT_EQ(prelabel.Json()["source"], "prelabel");
    EXPECT_EQ(prelabel.Json()["labels"], json::array({"Cat"}));
    auto next = admin_->SendJson("POST", ProjectPath(id, "/next"), {{"count", 1}});
    ASSERT_EQ(next.status, 200u) << next.body;
    auto image = admin_->Get(next.Json()["items"][0]["image_url"].get<std::string>());
    ASSERT_EQ(image.status, 200u) << image.body;
    EXPECT_GT(image.body.size(), 100u);
}

// A plain HTTP/1.0 server on 127.0.0.1 and a free port for the fetch test: GET /NAME answers
// the file images_/NAME, /moved.jpg a redirect to /img0.jpg, anything else 404. It counts the
// requests it answered.
class LocalImageServer {
public:
    explicit LocalImageServer(fs::path folder) : folder_(std::move(folder)) {
        fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof(address);
        if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
            listen(fd_, 16) != 0 ||
            getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
            ADD_FAILURE() << "cannot start the local image server";
            return;
        }
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { Serve(); });
    }
    ~LocalImageServer() {
        stop_ = true;
        shutdown(fd_, SHUT_RDWR);
        close(fd_);
        if (thread_.joinable()) {
            thread_.join();
        }
    }
    int port() const { return port_; }
    int requests() const { return requests_; }

private:
    void Serve() {
        while (!stop_) {
            const int client = accept(fd_, nullptr, nullptr);
            if (client < 0) {
                return;
            }
            std::string request(4096, '\0');
            const ssize_t n = read(client, request.data(), request.size());
            request.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
            const std::size_t start = request.find(' ') + 1;
            const std::string path = request.substr(start, request.find(' ', start) - start);
            std::string answer;
            std::ifstream file(folder_ / path.substr(1), std::ios::binary);
            if (path == "/moved.jpg") {
                answer =
                    "HTTP/1.0 302 Found\r\nLocation: http://127.0.0.1:" + std::to_string(port_) +
                    "/img0.jpg\r\nContent-Length: 0\r\n\r\n";
            } else if (path.find("..") == std::string::npos && file) {
                const std::string body((std::istreambuf_iterator<char>(file)),
                                       std::istreambuf_iterator<char>());
                answer = "HTTP/1.0 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body;
            } else {
                answer = "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n";
            }
            ++requests_;
            for (std::size_t sent = 0; sent < answer.size();) {
                const ssize_t w = write(client, answer.data() + sent, answer.size() - sent);
                if (w <= 0) {
                    break;
                }
                sent += static_cast<std::size_t>(w);
            }
            close(client);
        }
    }

    fs::path folder_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> requests_{0};
    std::thread thread_;
};

// http(s) references with the admin's allow list: the listed 127.0.0.1 is fetched (and served
// from the cache), a host not on the list is a row error, a redirect is not followed.
TEST_P(ManifestIt, UrlsAreFetchedOnlyFromAllowedHostsWithoutRedirects) {
    WriteImages(2);
    LocalImageServer http(images_);
    const std::string base = "http://127.0.0.1:" + std::to_string(http.port());
    WriteText(images_ / "urls.csv",
              "image,label\n" + base + "/img0.jpg,Cat\n" + base +
                  "/moved.jpg,Dog\nhttp://localhost:" + std::to_string(http.port()) +
                  "/img1.jpg,Dog\n" + base + "/gone.jpg,Cat\n");
    ASSERT_NO_FATAL_FAILURE(StartServer({{"TESSERA_FETCH_ALLOWED_HOSTS", "127.0.0.1"}}));
    admin_ = std::make_unique<HttpClient>(Admin());
    json body = Body("From URLs", "prelabel", {{"image", "image"}, {"category", "label"}});
    body["datasource"]["path"] = (images_ / "urls.csv").string();
    body["datasource"].erase("datastores");
    json project = CreateManifestProject(body);
    const std::int64_t id = project["id"];
    auto items = ItemsByPath(*admin_, id);
    ASSERT_EQ(items.size(), 3u) << project.dump();
    const json fetched = items[base + "/img0.jpg"];
    EXPECT_EQ(fetched["state"], "unlabeled") << fetched.dump();
    EXPECT_GT(fetched["width"].get<int>(), 0);
    const json moved = items[base + "/moved.jpg"];
    EXPECT_EQ(moved["state"], "error");
    EXPECT_NE(moved.dump().find("redirects are not followed"), std::string::npos) << moved.dump();
    EXPECT_EQ(items[base + "/gone.jpg"]["state"], "error");
    json report = History(project)["manifest"];
    EXPECT_EQ(report["row_errors"], 1) << report.dump();
    EXPECT_NE(report["row_error_examples"][0].get<std::string>().find(
                  "the host localhost is not one the server may fetch from"),
              std::string::npos)
        << report.dump();
    EXPECT_EQ(report["labeled"], 1);  // img0; the redirect and the 404 are error items

    StartProject(*admin_, id);
    const int before = http.requests();
    auto next = admin_->SendJson("POST", ProjectPath(id, "/next"), {{"count", 1}});
    ASSERT_EQ(next.status, 200u) << next.body;
    auto image = admin_->Get(next.Json()["items"][0]["image_url"].get<std::string>());
    ASSERT_EQ(image.status, 200u) << image.body;
    EXPECT_EQ(http.requests(), before);  // served from the cache
}

// Without an allow list no URL is fetched, and the report says how to proceed.
TEST_P(ManifestIt, UrlsAreOffWithoutAllowedHosts) {
    WriteImages(1);
    LocalImageServer http(images_);
    WriteText(images_ / "urls.csv",
              "image\nhttp://127.0.0.1:" + std::to_string(http.port()) + "/img0.jpg\nimg0.jpg\n");
    ASSERT_NO_FATAL_FAILURE(StartServer());
    admin_ = std::make_unique<HttpClient>(Admin());
    json body = Body("No URLs", "prelabel", {{"image", "image"}});
    body["datasource"]["path"] = (images_ / "urls.csv").string();
    body["datasource"].erase("datastores");
    json project = CreateManifestProject(body);
    EXPECT_EQ(ItemsByPath(*admin_, project["id"]).size(), 1u);
    json report = History(project)["manifest"];
    EXPECT_NE(report.dump().find("fetching http(s) URLs is off"), std::string::npos)
        << report.dump();
    EXPECT_EQ(http.requests(), 0);
}

TESSERA_INSTANTIATE_BACKENDS(ManifestIt);

}  // namespace
}  // namespace tessera::testing
