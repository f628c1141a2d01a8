#include "http/json_codec.hpp"

#include <gtest/gtest.h>

#include "http/json_io.hpp"

namespace tessera::http {
namespace {

using nlohmann::json;

json ValidSpec() {
    return json::parse(R"({"name": "Pets", "task_type": "multiclass",
        "labels": [{"name": "Animal", "children": [{"name": "Cat"}]}, "Car"],
        "instructions": {"text": "be careful", "url": "https://example.com"},
        "datasource": {"kind": "local", "path": "/data/pets", "pattern": "**/*.jpg"},
        "item_limit": 10})");
}

Result<json> ParseWithType(const std::string& body, const std::string& content_type) {
    RawRequest raw{boost::beast::http::verb::post, "/api/v1/session", 11};
    if (!content_type.empty()) {
        raw.set(boost::beast::http::field::content_type, content_type);
    }
    raw.body() = body;
    Request request{raw, "/api/v1/session", {}, {}, std::nullopt, "req"};
    return ParseJsonObject(request);
}

// A cross-site form can post a JSON-looking text/plain body (issue 8, finding 3).
TEST(ParseJsonObjectTest, BodyMustBeDeclaredJson) {
    const std::string body = R"({"username":"eve","password":"x"})";
    for (const char* type : {"text/plain", "application/x-www-form-urlencoded",
                             "multipart/form-data; boundary=x", "", "application/jsonx"}) {
        auto parsed = ParseWithType(body, type);
        ASSERT_FALSE(parsed.ok()) << type;
        EXPECT_EQ(parsed.error().code, ErrorCode::kUnsupportedMediaType) << type;
        EXPECT_EQ(parsed.error().field, "Content-Type");
    }
    for (const char* type : {"application/json", "Application/JSON; charset=utf-8"}) {
        auto parsed = ParseWithType(body, type);
        ASSERT_TRUE(parsed.ok()) << type;
        EXPECT_EQ((*parsed)["username"], "eve");
    }
    // No body, no type needed (POST .../start).
    EXPECT_TRUE(ParseWithType("", "").ok());
}

TEST(ProjectSpecFromJsonTest, ReadsEveryField) {
    auto spec = ProjectSpecFromJson(ValidSpec());
    ASSERT_TRUE(spec.ok()) << spec.error().message;
    EXPECT_EQ(spec->name, "Pets");
    EXPECT_EQ(spec->task_type, "multiclass");
    ASSERT_EQ(spec->labels.nodes().size(), 3u);
    EXPECT_EQ(spec->labels.nodes()[1].path, "Animal/Cat");
    EXPECT_EQ(spec->labels.nodes()[2].path, "Car");
    EXPECT_EQ(spec->instructions_text, "be careful");
    EXPECT_EQ(spec->instructions_url, "https://example.com");
    EXPECT_EQ(spec->datasource.path, "/data/pets");
    EXPECT_EQ(spec->datasource.pattern, "**/*.jpg");
    EXPECT_EQ(spec->item_limit, 10);
}

TEST(ProjectSpecFromJsonTest, DefaultsOptionalFields) {
    json body = ValidSpec();
    body.erase("instructions");
    body.erase("item_limit");
    body["datasource"] = {{"path", "/x"}};
    auto spec = ProjectSpecFromJson(body);
    ASSERT_TRUE(spec.ok()) << spec.error().message;
    EXPECT_EQ(spec->datasource.kind, "local");
    EXPECT_EQ(spec->datasource.pattern, "");
    EXPECT_FALSE(spec->item_limit.has_value());
}

struct BadSpecCase {
    const char* name;
    std::function<void(json&)> mutate;
    const char* field;
};

TEST(ProjectSpecFromJsonTest, ErrorsNameTheField) {
    const std::vector<BadSpecCase> cases = {
        {"missing name", [](json& b) { b.erase("name"); }, "name"},
        {"numeric task type", [](json& b) { b["task_type"] = 3; }, "task_type"},
        {"labels not array", [](json& b) { b["labels"] = "Cat"; }, "labels"},
        {"missing labels", [](json& b) { b.erase("labels"); }, "labels"},
        {"missing path", [](json& b) { b["datasource"].erase("path"); }, "datasource.path"},
        {"datasource string", [](json& b) { b["datasource"] = "/x"; }, "datasource"},
        {"bad url type", [](json& b) { b["instructions"]["url"] = 1; }, "instructions.url"},
        {"fractional limit", [](json& b) { b["item_limit"] = 1.5; }, "item_limit"},
    };
    for (const auto& c : cases) {
        json body = ValidSpec();
        c.mutate(body);
        auto spec = ProjectSpecFromJson(body);
        ASSERT_FALSE(spec.ok()) << c.name;
        EXPECT_EQ(spec.error().code, ErrorCode::kInvalidArgument) << c.name;
        EXPECT_EQ(spec.error().field, c.field) << c.name;
    }
}

TEST(ProjectToJsonTest, IncludesTreeListProgressAndJobs) {
    Project project;
    project.id = 4;
    project.name = "Pets";
    project.task_type = TaskType::kMultilabel;
    project.status = ProjectStatus::kRunning;
    project.labels_json = R"([{"name":"Animal","children":[{"name":"Cat"}]}])";
    project.datasource = {"local", "/data", "**/*.*"};
    Progress progress;
    progress.total = 10;
    progress.labeled = 3;
    Job job;
    job.id = 9;
    job.kind = "ingest";
    job.state = JobState::kDone;
    job.finished_at = 1234;
    json out = ProjectToJson(project, progress, {job});
    EXPECT_EQ(out["task_type"], "multilabel");
    EXPECT_EQ(out["status"], "running");
    EXPECT_EQ(out["labels"][0]["children"][0]["name"], "Cat");
    ASSERT_EQ(out["label_list"].size(), 2u);
    EXPECT_EQ(out["label_list"][1]["path"], "Animal/Cat");
    EXPECT_EQ(out["label_list"][1]["depth"], 1);
    EXPECT_EQ(out["label_list"][1]["key"], 2);
    EXPECT_EQ(out["progress"]["total"], 10);
    EXPECT_EQ(out["progress"]["labeled"], 3);
    EXPECT_EQ(out["jobs"][0]["state"], "done");
    EXPECT_EQ(out["jobs"][0]["finished_at"], 1234);
    EXPECT_EQ(out["datasource"]["path"], "/data");
}

TEST(ItemToJsonTest, NameIsTheFileNameAndUrlsPointAtTheApi) {
    Item item;
    item.id = 7;
    item.project_id = 2;
    item.path = "cats/tabby.jpg";
    item.state = ItemState::kError;
    item.error = "truncated";
    json out = ItemToJson(item);
    EXPECT_EQ(out["name"], "tabby.jpg");
    EXPECT_EQ(out["path"], "cats/tabby.jpg");
    EXPECT_EQ(out["state"], "error");
    EXPECT_EQ(out["image_url"], "/api/v1/projects/2/items/7/image");
    EXPECT_EQ(out["thumbnail_url"], "/api/v1/projects/2/items/7/thumbnail");
}

TEST(StringListFromJsonTest, AcceptsOnlyStringArrays) {
    auto ok = StringListFromJson(json{{"labels", {"a", "b"}}}, "labels");
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(*ok, (std::vector<std::string>{"a", "b"}));
    EXPECT_FALSE(StringListFromJson(json{{"labels", {"a", 1}}}, "labels").ok());
    EXPECT_FALSE(StringListFromJson(json{{"labels", "a"}}, "labels").ok());
    EXPECT_FALSE(StringListFromJson(json::object(), "labels").ok());
}

}  // namespace
}  // namespace tessera::http
