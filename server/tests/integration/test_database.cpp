#include "integration/test_database.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

namespace tessera::testing {
namespace {

std::string Execute(const std::string& url, const std::string& sql) {
    PGconn* conn = PQconnectdb(url.c_str());
    std::string error;
    if (PQstatus(conn) != CONNECTION_OK) {
        error = PQerrorMessage(conn);
    } else {
        PGresult* result = PQexec(conn, sql.c_str());
        if (PQresultStatus(result) != PGRES_COMMAND_OK) {
            error = PQresultErrorMessage(result);
        }
        PQclear(result);
    }
    PQfinish(conn);
    return error;
}

}  // namespace

std::string WithDatabase(const std::string& url, const std::string& database) {
    std::size_t scheme = url.find("://");
    std::size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    std::size_t query = url.find('?');
    std::string params = query == std::string::npos ? "" : url.substr(query);
    std::string base = url.substr(0, std::min(path, query));
    return base + "/" + database + params;
}

std::unique_ptr<TestDatabase> TestDatabase::Create(const std::string& admin_url,
                                                   std::string& error) {
    static std::atomic<int> counter{0};
    auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    std::string name = "tessera_it_" + std::to_string(getpid()) + "_" + std::to_string(counter++) +
                       "_" + std::to_string(stamp % 1000000);
    error = Execute(admin_url, "CREATE DATABASE " + name);
    if (!error.empty()) {
        return nullptr;
    }
    return std::unique_ptr<TestDatabase>(
        new TestDatabase(admin_url, name, WithDatabase(admin_url, name)));
}

TestDatabase::~TestDatabase() {
    Execute(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

}  // namespace tessera::testing
