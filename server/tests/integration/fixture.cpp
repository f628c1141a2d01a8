#include "integration/fixture.hpp"

#include <cstdlib>
#include <iostream>
#include <thread>

namespace tessera::testing {

using nlohmann::json;
using namespace std::chrono_literals;

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
    return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

void IntegrationTest::SetUp() {
    images_ = temp_.path() / "images";
    data_ = temp_.path() / "data";
    std::filesystem::create_directories(images_);
    if (GetParam() == Backend::kPostgres) {
        const char* url = std::getenv("TESSERA_TEST_PG_URL");
        if (url == nullptr || *url == '\0') {
            const char* required = std::getenv("TESSERA_REQUIRE_PG");
            if (required != nullptr && std::string(required) == "1") {
                FAIL() << "TESSERA_REQUIRE_PG=1 but TESSERA_TEST_PG_URL is not set";
            }
            GTEST_SKIP() << "TESSERA_TEST_PG_URL not set";
        }
        std::string error;
        database_ = TestDatabase::Create(url, error);
        ASSERT_NE(database_, nullptr) << "cannot create a test database: " << error;
    }
}

void IntegrationTest::TearDown() {
    if (!HasFailure() || server_.pid() <= 0) {
        return;
    }
    constexpr std::size_t kTail = 8000;
    const std::string log = server_.Stderr();
    const std::size_t from = log.size() > kTail ? log.size() - kTail : 0;
    std::cerr << "--- the server's log"
              << (from > 0 ? " (its last " + std::to_string(kTail) + " bytes)" : "") << " ---\n"
              << log.substr(from) << "--- end ---\n";
}

void IntegrationTest::StartServer(const EnvList& extra_env) {
    std::vector<std::string> args = {"serve",       "--data-dir",     data_.string(),  "--listen",
                                     "127.0.0.1:0", "--allowed-root", images_.string()};
    if (database_) {
        args.push_back("--db");
        args.push_back(database_->url());
    }
    EnvList env = {{"TESSERA_ADMIN_PASSWORD", kAdminPassword}};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    std::string error = server_.Start(TESSERA_BINARY_PATH, args, env, temp_.path());
    ASSERT_EQ(error, "");
}

HttpClient IntegrationTest::NewClient() {
    return HttpClient("127.0.0.1", server_.port(), 30s);
}

HttpClient IntegrationTest::LoginAs(const std::string& username, const std::string& password) {
    HttpClient client = NewClient();
    auto response = client.SendJson("POST", "/api/v1/session",
                                    {{"username", username}, {"password", password}});
    EXPECT_EQ(response.status, 200u) << response.body << client.error();
    client.csrf_token = response.Json().value("csrf_token", "");
    EXPECT_FALSE(client.cookie.empty());
    return client;
}

void IntegrationTest::CreateUser(HttpClient& owner, const std::string& username,
                                 const std::string& password, const std::string& role) {
    auto response = owner.SendJson(
        "POST", "/api/v1/users", {{"username", username}, {"password", password}, {"role", role}});
    EXPECT_EQ(response.status, 201u) << response.body;
}

json IntegrationTest::ProjectBody(const std::string& name, const json& labels,
                                  const std::string& task_type) {
    return {{"name", name},
            {"task_type", task_type},
            {"labels", labels},
            {"datasource", {{"kind", "local"}, {"path", images_.string()}}}};
}

json IntegrationTest::CreateIngestedProject(HttpClient& owner, const std::string& name,
                                            const json& labels) {
    auto created = owner.SendJson("POST", "/api/v1/projects", ProjectBody(name, labels));
    EXPECT_EQ(created.status, 201u) << created.body;
    return WaitForIngest(owner, created.Json().value("id", 0));
}

json IntegrationTest::WaitForIngest(HttpClient& client, std::int64_t project_id) {
    json project;
    for (int i = 0; i < 300; ++i) {
        project = client.Get(ProjectPath(project_id)).Json();
        const json& jobs = project["jobs"];
        if (jobs.is_array() && !jobs.empty()) {
            std::string state = jobs[0].value("state", "");
            if (state == "done" || state == "failed") {
                return project;
            }
        }
        std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "ingest did not finish: " << project.dump();
    return project;
}

json IntegrationTest::Refresh(HttpClient& owner, std::int64_t project_id) {
    auto queued = owner.Send("POST", ProjectPath(project_id, "/refresh"));
    EXPECT_EQ(queued.status, 202u) << queued.body;
    EXPECT_EQ(queued.Json()["job"]["kind"], "refresh");
    json project = WaitForIngest(owner, project_id);
    EXPECT_EQ(project["jobs"][0]["id"], queued.Json()["job"]["id"]);
    EXPECT_EQ(project["jobs"][0]["state"], "done") << project["jobs"][0].dump();
    return project;
}

std::map<std::string, json> IntegrationTest::ItemsByPath(HttpClient& client,
                                                         std::int64_t project_id,
                                                         const std::string& query) {
    auto listed = client.Get(ProjectPath(project_id, "/items?limit=1000" + query));
    EXPECT_EQ(listed.status, 200u) << listed.body;
    std::map<std::string, json> out;
    const json body = listed.Json();
    for (const json& item : body["items"]) {
        out[item["path"].get<std::string>()] = item;
    }
    return out;
}

void IntegrationTest::StartProject(HttpClient& owner, std::int64_t project_id) {
    auto response = owner.Send("POST", ProjectPath(project_id, "/start"));
    EXPECT_EQ(response.status, 200u) << response.body;
    EXPECT_EQ(response.Json().value("status", ""), "running");
}

void IntegrationTest::WriteImages(int count) {
    for (int i = 0; i < count; ++i) {
        WriteImage(images_ / ("img" + std::to_string(i) + ".jpg"), 40 + i, 30);
    }
}

}  // namespace tessera::testing
