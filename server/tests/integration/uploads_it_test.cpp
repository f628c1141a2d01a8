// Image uploads over tus 1.0.0 against the real binary: creation, a resumed upload after a
// partial PATCH, completion into an item, overwrite, hostile names, the chunk limit and who may
// upload (docs/api.md "Uploads").
#include <fstream>
#include <sstream>

#include "base/base64.hpp"
#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class UploadsIt : public IntegrationTest {
protected:
    void SetUp() override {
        IntegrationTest::SetUp();
        WriteImages(1);  // the project's own folder: img0.jpg
        WriteImage(temp_.path() / "source" / "photo.jpg", 80, 60);
        std::ifstream in(temp_.path() / "source" / "photo.jpg", std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        jpeg_ = bytes.str();
        ASSERT_GT(jpeg_.size(), 200U);
    }

    std::string Uploads(std::int64_t project) const { return ProjectPath(project, "/uploads/"); }

    HttpResponse CreateUpload(HttpClient& client, std::int64_t project, const std::string& name,
                              std::size_t length, bool overwrite = false) {
        std::string metadata =
            "relativePath " + EncodeBase64(name) + ",filename " + EncodeBase64("x.jpg");
        if (overwrite) {
            metadata += ",overwrite " + EncodeBase64("true");
        }
        return client.Send("POST", Uploads(project), "",
                           {{"Tus-Resumable", "1.0.0"},
                            {"Upload-Length", std::to_string(length)},
                            {"Upload-Metadata", metadata}});
    }
    HttpResponse Patch(HttpClient& client, const std::string& location, std::size_t offset,
                       const std::string& bytes) {
        return client.Send("PATCH", location, bytes,
                           {{"Tus-Resumable", "1.0.0"},
                            {"Upload-Offset", std::to_string(offset)},
                            {"Content-Type", "application/offset+octet-stream"}});
    }
    HttpResponse Head(HttpClient& client, const std::string& location) {
        return client.Send("HEAD", location, "", {{"Tus-Resumable", "1.0.0"}});
    }
    // Uploads `jpeg_` whole; returns the last answer.
    HttpResponse UploadWhole(HttpClient& client, std::int64_t project, const std::string& name,
                             bool overwrite = false) {
        auto created = CreateUpload(client, project, name, jpeg_.size(), overwrite);
        if (created.status != 201) {
            return created;
        }
        return Patch(client, created.Header("Location"), 0, jpeg_);
    }
    std::vector<std::string> ItemPaths(HttpClient& client, std::int64_t project) {
        auto listed = client.Get(ProjectPath(project, "/items?limit=100"));
        EXPECT_EQ(listed.status, 200u) << listed.body;
        std::vector<std::string> paths;
        const json body = listed.Json();
        for (const auto& item : body["items"]) {
            paths.push_back(item["path"].get<std::string>());
        }
        std::sort(paths.begin(), paths.end());
        return paths;
    }

    std::string jpeg_;
};

TEST_P(UploadsIt, ResumesAfterAPartialPatchAndFinishesAsAnItem) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    const auto project = CreateIngestedProject(admin, "Uploads")["id"].get<std::int64_t>();

    auto options = admin.Send("OPTIONS", Uploads(project));
    ASSERT_EQ(options.status, 204u) << options.body;
    EXPECT_EQ(options.Header("Tus-Version"), "1.0.0");
    EXPECT_NE(options.Header("Tus-Extension").find("creation"), std::string::npos);
    EXPECT_NE(options.Header("Tus-Extension").find("termination"), std::string::npos);
    EXPECT_EQ(options.Header("Tus-Max-Size"), std::to_string(std::int64_t{4} << 30));

    auto created = CreateUpload(admin, project, "/trip/day one/photo.jpg", jpeg_.size());
    ASSERT_EQ(created.status, 201u) << created.body;
    EXPECT_EQ(created.Header("Tus-Resumable"), "1.0.0");
    const std::string location = created.Header("Location");
    ASSERT_EQ(location.rfind(Uploads(project), 0), 0u) << location;
    EXPECT_EQ(created.Json()["path"], "trip/day one/photo.jpg");

    auto first = Patch(admin, location, 0, jpeg_.substr(0, 100));
    ASSERT_EQ(first.status, 204u) << first.body;
    EXPECT_EQ(first.Header("Upload-Offset"), "100");
    EXPECT_FALSE(first.Header("Upload-Expires").empty());

    // A client that lost its place asks for the offset; the wrong one is refused with it.
    auto head = Head(admin, location);
    ASSERT_EQ(head.status, 200u) << head.body;
    EXPECT_EQ(head.Header("Upload-Offset"), "100");
    EXPECT_EQ(head.Header("Upload-Length"), std::to_string(jpeg_.size()));
    EXPECT_EQ(head.Header("Cache-Control"), "no-store");
    auto wrong = Patch(admin, location, 0, jpeg_.substr(0, 100));
    ASSERT_EQ(wrong.status, 409u) << wrong.body;
    EXPECT_NE(wrong.Json()["error"]["message"].get<std::string>().find("has 100 bytes"),
              std::string::npos);
    auto untyped = admin.Send("PATCH", location, jpeg_.substr(100),
                              {{"Tus-Resumable", "1.0.0"}, {"Upload-Offset", "100"}});
    EXPECT_EQ(untyped.status, 415u) << untyped.body;

    auto last = Patch(admin, location, 100, jpeg_.substr(100));
    ASSERT_EQ(last.status, 204u) << last.body;
    EXPECT_EQ(last.Header("Upload-Offset"), std::to_string(jpeg_.size()));
    EXPECT_EQ(last.Header("Tessera-Upload-Complete"), "created");
    EXPECT_EQ(ItemPaths(admin, project),
              (std::vector<std::string>{"img0.jpg", "trip/day one/photo.jpg"}));
    EXPECT_TRUE(
        fs::exists(data_ / "uploads" / std::to_string(project) / "trip" / "day one" / "photo.jpg"));
    EXPECT_EQ(Head(admin, location).status, 404u);
}

TEST_P(UploadsIt, UploadsAreTheirOwnDatasourceAndServedBesideTheProjectsFolder) {
    // The project was created on a folder of its own: uploads land in the data dir, become the
    // project's "upload" datasource and are served from there (and the folder's items stay the
    // primary datasource's).
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    const json project = CreateIngestedProject(admin, "Beside");
    const auto id = project["id"].get<std::int64_t>();
    const std::string primary = std::to_string(project["datasource"]["id"].get<std::int64_t>());
    auto done = UploadWhole(admin, id, "extra/photo.jpg");
    ASSERT_EQ(done.status, 204u) << done.body;
    EXPECT_EQ(done.Header("Tessera-Upload-Complete"), "created");

    auto listed = admin.Get(ProjectPath(id, "/items?limit=100"));
    ASSERT_EQ(listed.status, 200u) << listed.body;
    std::int64_t uploaded = 0;
    const json items = listed.Json()["items"];
    for (const auto& item : items) {
        if (item["path"] == "extra/photo.jpg") {
            uploaded = item["id"].get<std::int64_t>();
        }
    }
    ASSERT_GT(uploaded, 0) << listed.body;
    auto image = admin.Get(ProjectPath(id, "/items/" + std::to_string(uploaded) + "/image"));
    ASSERT_EQ(image.status, 200u) << image.body;
    EXPECT_EQ(image.Header("Content-Type"), "image/jpeg");
    auto thumb = admin.Get(ProjectPath(id, "/items/" + std::to_string(uploaded) + "/thumbnail"));
    EXPECT_EQ(thumb.status, 200u) << thumb.body;

    auto own = admin.Get(ProjectPath(id, "/items?source=" + primary));
    ASSERT_EQ(own.status, 200u) << own.body;
    ASSERT_EQ(own.Json()["items"].size(), 1u) << own.body;
    EXPECT_EQ(own.Json()["items"][0]["path"], "img0.jpg");

    // A second upload goes to the same upload datasource, not a new one.
    auto second = UploadWhole(admin, id, "extra/second.jpg");
    ASSERT_EQ(second.status, 204u) << second.body;
    EXPECT_EQ(ItemPaths(admin, id),
              (std::vector<std::string>{"extra/photo.jpg", "extra/second.jpg", "img0.jpg"}));
    auto still = admin.Get(ProjectPath(id, "/items?source=" + primary));
    ASSERT_EQ(still.status, 200u) << still.body;
    EXPECT_EQ(still.Json()["items"].size(), 1u) << still.body;
}

TEST_P(UploadsIt, ExistingFilesAreRefusedUnlessOverwriteAndCreationCarriesTheFirstChunk) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    const auto project = CreateIngestedProject(admin, "Overwrite")["id"].get<std::int64_t>();
    ASSERT_EQ(UploadWhole(admin, project, "a.jpg").status, 204u);

    auto again = CreateUpload(admin, project, "a.jpg", jpeg_.size());
    ASSERT_EQ(again.status, 409u) << again.body;
    EXPECT_NE(again.Json()["error"]["message"].get<std::string>().find("already exists"),
              std::string::npos);
    auto item_at = [&](const std::string& path) {
        const json body = admin.Get(ProjectPath(project, "/items?limit=100")).Json();
        for (const json& item : body["items"]) {
            if (item["path"] == path) {
                return item;
            }
        }
        return json();
    };
    const json before = item_at("a.jpg");
    ASSERT_EQ(before["width"], 80);
    auto old_thumb = admin.Get(before["thumbnail_url"].get<std::string>());
    ASSERT_EQ(old_thumb.status, 200u);

    // Overwritten by a smaller image of another shape: the item takes its size, and its
    // thumbnail is rendered from the new file.
    WriteImage(temp_.path() / "source" / "wide.jpg", 50, 20);
    std::ifstream wide_in(temp_.path() / "source" / "wide.jpg", std::ios::binary);
    const std::string wide((std::istreambuf_iterator<char>(wide_in)),
                           std::istreambuf_iterator<char>());
    auto created_wide = CreateUpload(admin, project, "a.jpg", wide.size(), true);
    ASSERT_EQ(created_wide.status, 201u) << created_wide.body;
    auto replaced = Patch(admin, created_wide.Header("Location"), 0, wide);
    ASSERT_EQ(replaced.status, 204u) << replaced.body;
    EXPECT_EQ(replaced.Header("Tessera-Upload-Complete"), "replaced");
    const json after = item_at("a.jpg");
    EXPECT_EQ(after["id"], before["id"]);
    EXPECT_EQ(after["width"], 50);
    EXPECT_EQ(after["height"], 20);
    auto new_thumb = admin.Get(after["thumbnail_url"].get<std::string>());
    ASSERT_EQ(new_thumb.status, 200u);
    EXPECT_NE(new_thumb.body, old_thumb.body);
    EXPECT_NE(new_thumb.Header("ETag"), old_thumb.Header("ETag"));

    // creation-with-upload: the POST body is the first chunk, here the whole file.
    auto whole = admin.Send("POST", Uploads(project), jpeg_,
                            {{"Tus-Resumable", "1.0.0"},
                             {"Upload-Length", std::to_string(jpeg_.size())},
                             {"Upload-Metadata", "filename " + EncodeBase64("b.jpg")},
                             {"Content-Type", "application/offset+octet-stream"}});
    ASSERT_EQ(whole.status, 201u) << whole.body;
    EXPECT_EQ(whole.Json()["complete"], true);
    EXPECT_EQ(ItemPaths(admin, project), (std::vector<std::string>{"a.jpg", "b.jpg", "img0.jpg"}));

    // Termination.
    auto created = CreateUpload(admin, project, "c.jpg", jpeg_.size());
    ASSERT_EQ(created.status, 201u);
    auto removed =
        admin.Send("DELETE", created.Header("Location"), "", {{"Tus-Resumable", "1.0.0"}});
    EXPECT_EQ(removed.status, 204u) << removed.body;
    EXPECT_EQ(Head(admin, created.Header("Location")).status, 404u);
}

TEST_P(UploadsIt, BadInputGetsAClearError) {
    ASSERT_NO_FATAL_FAILURE(StartServer(
        {{"TESSERA_UPLOAD_CHUNK_LIMIT", "1000"}, {"TESSERA_UPLOAD_FILE_LIMIT", "1000000"}}));
    HttpClient admin = Admin();
    const auto project = CreateIngestedProject(admin, "Bad")["id"].get<std::int64_t>();
    const std::vector<std::pair<std::string, std::string>> hostile = {
        {"../escape.jpg", "'..'"},
        {"a/../../escape.jpg", "'..'"},
        {"a\\b.jpg", "'\\'"},
        {"notes.txt", "not an accepted image type"},
        {".ssh/id.jpg", "starting with '.'"},
        {"a\x01.jpg", "control character"},
    };
    for (const auto& [name, reason] : hostile) {
        auto refused = CreateUpload(admin, project, name, 10);
        ASSERT_EQ(refused.status, 400u) << name << ": " << refused.body;
        EXPECT_NE(refused.Json()["error"]["message"].get<std::string>().find(reason),
                  std::string::npos)
            << refused.body;
    }
    EXPECT_FALSE(fs::exists(data_ / "uploads" / "escape.jpg"));
    auto unnamed = admin.Send("POST", Uploads(project), "",
                              {{"Tus-Resumable", "1.0.0"}, {"Upload-Length", "10"}});
    EXPECT_EQ(unnamed.status, 400u) << unnamed.body;
    auto no_length = admin.Send(
        "POST", Uploads(project), "",
        {{"Tus-Resumable", "1.0.0"}, {"Upload-Metadata", "filename " + EncodeBase64("a.jpg")}});
    EXPECT_EQ(no_length.status, 400u) << no_length.body;
    auto old_version = admin.Send("POST", Uploads(project), "",
                                  {{"Tus-Resumable", "0.2.2"}, {"Upload-Length", "10"}});
    EXPECT_EQ(old_version.status, 412u) << old_version.body;
    EXPECT_EQ(old_version.Header("Tus-Version"), "1.0.0");

    auto huge = CreateUpload(admin, project, "huge.jpg", 1000001);
    EXPECT_EQ(huge.status, 413u) << huge.body;
    auto created = CreateUpload(admin, project, "big.jpg", 5000);
    ASSERT_EQ(created.status, 201u) << created.body;
    auto too_big = Patch(admin, created.Header("Location"), 0, std::string(1001, 'x'));
    ASSERT_EQ(too_big.status, 413u) << too_big.body;
    EXPECT_NE(too_big.Json()["error"]["message"].get<std::string>().find("chunk limit of 1000"),
              std::string::npos)
        << too_big.body;
    EXPECT_EQ(Head(admin, created.Header("Location")).Header("Upload-Offset"), "0");

    // Bytes that are not an image are refused at the end, and leave nothing behind.
    auto junk = CreateUpload(admin, project, "junk.jpg", 20);
    ASSERT_EQ(junk.status, 201u);
    auto finished = Patch(admin, junk.Header("Location"), 0, std::string(20, 'j'));
    EXPECT_EQ(finished.status, 400u) << finished.body;
    EXPECT_NE(finished.body.find("not an image"), std::string::npos) << finished.body;
    EXPECT_FALSE(fs::exists(data_ / "uploads" / std::to_string(project) / "junk.jpg"));
}

TEST_P(UploadsIt, OnlyOwnersUpload) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    const auto project = CreateIngestedProject(admin, "Who")["id"].get<std::int64_t>();
    CreateUser(admin, "lara", "lara-password-1", "labeler");

    HttpClient anonymous = NewClient();
    EXPECT_EQ(CreateUpload(anonymous, project, "a.jpg", 10).status, 401u);
    HttpClient labeler = LoginAs("lara", "lara-password-1");
    auto refused = CreateUpload(labeler, project, "a.jpg", 10);
    EXPECT_EQ(refused.status, 403u) << refused.body;
    HttpClient no_csrf = Admin();
    no_csrf.csrf_token.clear();
    EXPECT_EQ(CreateUpload(no_csrf, project, "a.jpg", 10).status, 403u);

    // An owner's upload id is no key for a labeler.
    auto created = CreateUpload(admin, project, "a.jpg", jpeg_.size());
    ASSERT_EQ(created.status, 201u);
    EXPECT_EQ(Patch(labeler, created.Header("Location"), 0, jpeg_).status, 403u);
    EXPECT_EQ(CreateUpload(admin, project + 1000, "a.jpg", 10).status, 404u);
}

TEST_P(UploadsIt, CliUploadsFoldersSkipsFinishedFilesAndResumes) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient admin = Admin();
    const auto project = CreateIngestedProject(admin, "Cli")["id"].get<std::int64_t>();
    auto token = admin.SendJson("POST", "/api/v1/tokens", {{"name", "cli"}});
    ASSERT_EQ(token.status, 201u) << token.body;
    const fs::path shots = temp_.path() / "shots";
    WriteImage(shots / "a.jpg", 40, 30);
    WriteImage(shots / "sub" / "b.png", 20, 10);
    WriteImage(shots / ".hidden" / "c.jpg", 20, 10);
    fs::copy_file(shots / "a.jpg", shots / "notes.txt");
    const std::string server = "http://127.0.0.1:" + std::to_string(server_.port());
    const std::string state = (temp_.path() / "state.json").string();
    const std::vector<std::string> common = {"--server", server,         "--state",
                                             state,      "--chunk-size", "100"};
    auto run = [&](std::vector<std::string> args, const EnvList& env = {}) {
        args.insert(args.end(), common.begin(), common.end());
        return RunToExit(TESSERA_BINARY_PATH, args, env, temp_.path());
    };
    const EnvList with_token = {{"TESSERA_TOKEN", token.Json()["token"].get<std::string>()}};
    const std::string id = std::to_string(project);

    auto first = run({"upload", id, shots.string()}, with_token);
    ASSERT_EQ(first.status, 0) << first.out << first.err;
    EXPECT_NE(first.out.find("2 uploaded, 0 skipped"), std::string::npos) << first.out;
    EXPECT_EQ(ItemPaths(admin, project),
              (std::vector<std::string>{"img0.jpg", "shots/a.jpg", "shots/sub/b.png"}));
    // Finished files are not sent again, unless asked to.
    auto second = run({"upload", id, shots.string()}, with_token);
    ASSERT_EQ(second.status, 0) << second.out << second.err;
    EXPECT_NE(second.out.find("0 uploaded, 2 skipped"), std::string::npos) << second.out;
    auto overwrite = run({"upload", id, shots.string(), "--overwrite"}, with_token);
    ASSERT_EQ(overwrite.status, 0) << overwrite.out << overwrite.err;
    EXPECT_NE(overwrite.out.find("2 uploaded, 0 skipped"), std::string::npos) << overwrite.out;

    // An interrupted upload (its URL in the state file, 100 bytes on the server) resumes.
    const fs::path late = temp_.path() / "late.jpg";
    fs::copy_file(temp_.path() / "source" / "photo.jpg", late);
    auto created = CreateUpload(admin, project, "late.jpg", jpeg_.size());
    ASSERT_EQ(created.status, 201u);
    ASSERT_EQ(Patch(admin, created.Header("Location"), 0, jpeg_.substr(0, 100)).status, 204u);
    const auto mtime = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           fs::last_write_time(late).time_since_epoch())
                           .count();
    const std::string key = server + "|" + id + "|" + late.string() + "|" +
                            std::to_string(jpeg_.size()) + "|" + std::to_string(mtime);
    std::ofstream(state) << json{{key, created.Header("Location")}}.dump();
    auto resumed = run({"upload", id, late.string()}, with_token);
    ASSERT_EQ(resumed.status, 0) << resumed.out << resumed.err;
    EXPECT_NE(resumed.out.find("1 uploaded, 0 skipped (already in the project), 0 failed; " +
                               std::to_string(jpeg_.size() - 100) + " bytes sent"),
              std::string::npos)
        << resumed.out;
    EXPECT_EQ(Head(admin, created.Header("Location")).status, 404u);  // finished

    // Failures: a clear message and a non-zero exit.
    auto no_token = run({"upload", id, shots.string()});
    EXPECT_EQ(no_token.status, 77) << no_token.err;
    EXPECT_NE(no_token.err.find("API token"), std::string::npos) << no_token.err;
    auto unknown = run({"upload", "999", shots.string()}, with_token);
    EXPECT_EQ(unknown.status, 66) << unknown.err;
    EXPECT_NE(unknown.err.find("no project 999"), std::string::npos) << unknown.err;
    auto missing = run({"upload", id, (temp_.path() / "nope").string()}, with_token);
    EXPECT_EQ(missing.status, 66) << missing.err;
    WriteText(temp_.path() / "broken" / "x.jpg", "not a jpeg");
    auto broken = run({"upload", id, (temp_.path() / "broken").string()}, with_token);
    EXPECT_EQ(broken.status, 65) << broken.out << broken.err;
    EXPECT_NE(broken.err.find("failed broken/x.jpg"), std::string::npos) << broken.err;
    EXPECT_NE(broken.err.find("not an image"), std::string::npos) << broken.err;

    // PROJECT by name (any letter case), not only by id; unknown and ambiguous ones refused.
    WriteImage(temp_.path() / "named" / "n.jpg", 12, 12);
    auto by_name = run({"upload", "cli", (temp_.path() / "named").string()}, with_token);
    ASSERT_EQ(by_name.status, 0) << by_name.out << by_name.err;
    EXPECT_NE(by_name.out.find("1 uploaded"), std::string::npos) << by_name.out;
    const auto paths = ItemPaths(admin, project);
    EXPECT_NE(std::find(paths.begin(), paths.end(), "named/n.jpg"), paths.end());
    auto unknown_name = run({"upload", "No such project", shots.string()}, with_token);
    EXPECT_EQ(unknown_name.status, 66) << unknown_name.err;
    EXPECT_NE(unknown_name.err.find("no project named 'No such project'"), std::string::npos)
        << unknown_name.err;
    // A project named like another's id: the bare number is ambiguous, id:/name: are not.
    json twin = ProjectBody(id);
    auto twin_created = admin.SendJson("POST", "/api/v1/projects", twin);
    ASSERT_EQ(twin_created.status, 201u) << twin_created.body;
    const std::int64_t twin_id = twin_created.Json()["id"];
    WaitForIngest(admin, twin_id);
    auto ambiguous = run({"upload", id, shots.string()}, with_token);
    EXPECT_NE(ambiguous.status, 0);
    EXPECT_NE(ambiguous.err.find("pass id:" + id + " or name:" + id), std::string::npos)
        << ambiguous.err;
    auto to_twin = run({"upload", "name:" + id, shots.string()}, with_token);
    ASSERT_EQ(to_twin.status, 0) << to_twin.out << to_twin.err;
    EXPECT_EQ(ItemPaths(admin, twin_id),
              (std::vector<std::string>{"img0.jpg", "shots/a.jpg", "shots/sub/b.png"}));
    auto to_id = run({"upload", "id:" + id, shots.string()}, with_token);
    ASSERT_EQ(to_id.status, 0) << to_id.out << to_id.err;
    EXPECT_NE(to_id.out.find("0 uploaded, 2 skipped"), std::string::npos) << to_id.out;
}

TESSERA_INSTANTIATE_BACKENDS(UploadsIt);

}  // namespace
}  // namespace tessera::testing
