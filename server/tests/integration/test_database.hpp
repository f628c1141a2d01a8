#pragma once
// A throwaway PostgreSQL database per test: CREATE DATABASE on the server named by
// TESSERA_TEST_PG_URL, DROP ... WITH (FORCE) when done.
#include <memory>
#include <string>

namespace tessera::testing {

class TestDatabase {
public:
    // Empty `error` on success.
    static std::unique_ptr<TestDatabase> Create(const std::string& admin_url, std::string& error);
    ~TestDatabase();

    const std::string& url() const { return url_; }

private:
    TestDatabase(std::string admin_url, std::string name, std::string url)
        : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}

    std::string admin_url_;
    std::string name_;
    std::string url_;
};

// The same URL with its database name replaced.
std::string WithDatabase(const std::string& url, const std::string& database);

}  // namespace tessera::testing
