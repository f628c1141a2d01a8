#pragma once
// The integration fixture: a temp dir with an image folder, the real `tessera` binary started
// on port 0, and helpers that speak HTTP to it. Every test runs against SQLite and, when
// TESSERA_TEST_PG_URL is set, against its own fresh PostgreSQL database too
// (TESSERA_REQUIRE_PG=1 turns a missing URL into a failure instead of a skip).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "blobs/test_images.hpp"
#include "integration/server_process.hpp"
#include "integration/test_database.hpp"
#include "support/http_client.hpp"

namespace tessera::testing {

enum class Backend { kSqlite, kPostgres };

class IntegrationTest : public ::testing::TestWithParam<Backend> {
protected:
    static constexpr const char* kAdminPassword = "admin-password-1";

    void SetUp() override;
    // A failed test prints the end of the server's log: CI keeps no temp dirs.
    void TearDown() override;

    // Starts the server; call once per test (after writing the images it should see).
    void StartServer(const EnvList& extra_env = {});
    HttpClient NewClient();
    // A client holding a session cookie and its CSRF token.
    HttpClient LoginAs(const std::string& username, const std::string& password);
    HttpClient Admin() { return LoginAs("admin", kAdminPassword); }
    void CreateUser(HttpClient& owner, const std::string& username, const std::string& password,
                    const std::string& role);

    nlohmann::json ProjectBody(const std::string& name,
                               const nlohmann::json& labels = {"Cat", "Dog"},
                               const std::string& task_type = "multiclass");
    // Creates a project over images_ and waits for its ingest job; returns the project.
    nlohmann::json CreateIngestedProject(HttpClient& owner, const std::string& name,
                                         const nlohmann::json& labels = {"Cat", "Dog"});
    // Polls until the project's newest job is done or failed; returns the project.
    nlohmann::json WaitForIngest(HttpClient& client, std::int64_t project_id);
    void StartProject(HttpClient& owner, std::int64_t project_id);
    // POSTs …/refresh and waits for that job to finish (and expects it done); returns the
    // project.
    nlohmann::json Refresh(HttpClient& owner, std::int64_t project_id);
    // The project's first 1,000 items (`query` adds filters: "&state=missing") by path.
    std::map<std::string, nlohmann::json> ItemsByPath(HttpClient& client, std::int64_t project_id,
                                                      const std::string& query = "");
    // Writes `count` small JPEGs named img0.jpg, img1.jpg, ... into images_.
    void WriteImages(int count);

    std::string ProjectPath(std::int64_t id, const std::string& rest = "") const {
        return "/api/v1/projects/" + std::to_string(id) + rest;
    }

    TempDir temp_;
    std::filesystem::path images_;
    std::filesystem::path data_;
    std::unique_ptr<TestDatabase> database_;
    ServerProcess server_;
};

std::string BackendName(const ::testing::TestParamInfo<Backend>& info);

}  // namespace tessera::testing

// Each test file defines `class X : public IntegrationTest {};` and instantiates it with this.
#define TESSERA_INSTANTIATE_BACKENDS(Suite)                                             \
    INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                           \
                             ::testing::Values(::tessera::testing::Backend::kSqlite,    \
                                               ::tessera::testing::Backend::kPostgres), \
                             ::tessera::testing::BackendName)
