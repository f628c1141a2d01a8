#pragma once
// The Repository conformance suite: written once, run against every backend. A backend test
// instantiates it with INSTANTIATE_TEST_SUITE_P(Name, RepositoryConformance, Values(backend...)).
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "storage/migrations/migrations.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

// The clock's reading at the start of every conformance test (leases expire relative to it).
inline constexpr TimeMs kT0 = 1'700'000'000'000;

// One test's private database.
class BackendDatabase {
public:
    virtual ~BackendDatabase() = default;
    // Opens a handle on this test's database. Called again for a second handle when
    // SupportsSecondHandle() (both see the same data).
    virtual Result<std::unique_ptr<SqlRepository>> Open() = 0;
    virtual bool SupportsSecondHandle() const = 0;
};

struct ConformanceBackend {
    std::string name;
    // Creates a fresh, empty database. kFailedPrecondition means "not configured here": the
    // test is skipped with that message. Any other error fails the test.
    std::function<Result<std::unique_ptr<BackendDatabase>>()> create;
};

// Names the backend in gtest's failure messages instead of dumping the struct's bytes.
inline void PrintTo(const ConformanceBackend& backend, std::ostream* os) {
    *os << backend.name;
}

// The script that builds the schema as it stood at `version` from `migrations` (each applied
// and recorded in schema_migrations), for tests of a later migration over an older database.
std::string SchemaUpToSql(const std::vector<Migration>& migrations, int version);

// Migration 0008 (leases out of `items`), for each backend's migration test: the script that
// builds schema 7 from `migrations` with a project 7 whose items hold leases in the old
// columns, and the checks, after Migrate(), that the live lease moved and the rest behave.
std::string Schema7WithLeasesSql(const std::vector<Migration>& migrations);
void ExpectLeasesMovedByMigration8(SqlRepository& repo);

class RepositoryConformance : public ::testing::TestWithParam<ConformanceBackend> {
protected:
    void SetUp() override;
    void TearDown() override;

    // Creates a user "name" and returns it.
    User AddUser(const std::string& name);
    // Creates a running project with `items` items named img000000.jpg... and shuffles them.
    Project AddProject(const std::string& name, int items, std::uint64_t seed = 7);
    std::vector<Item> Lease(Id project_id, Id user_id, int count, const std::string& token,
                            TimeMs now, TimeMs ttl = 60'000);
    SubmitRequest Submit(Id project_id, Id item_id, Id user_id, const std::string& token,
                         std::vector<std::string> labels, TimeMs now);

    std::unique_ptr<BackendDatabase> db_;  // declared first: outlives repo_
    std::unique_ptr<SqlRepository> repo_;
};

}  // namespace tessera
