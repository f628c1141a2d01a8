// Runs the conformance suite on SQLite (in memory and on a file with WAL and a reader pool),
// plus tests of the SQLite driver and the embedded migrations.
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "storage/migrations/migrations.hpp"
#include "storage/repository_conformance.hpp"
#include "storage/sqlite/sqlite_conn.hpp"
#include "storage/sqlite/sqlite_db.hpp"
#include "storage/sqlite/sqlite_repository.hpp"
#include "support/temp_dir.hpp"

namespace tessera {
namespace {

using testing::TempDir;

class SqliteMemoryDatabase final : public BackendDatabase {
public:
    Result<std::unique_ptr<SqlRepository>> Open() override {
        TESSERA_ASSIGN_OR_RETURN(auto repo, SqliteRepository::Open(":memory:"));
        return std::unique_ptr<SqlRepository>(std::move(repo));
    }
    bool SupportsSecondHandle() const override { return false; }
};

class SqliteFileDatabase final : public BackendDatabase {
public:
    Result<std::unique_ptr<SqlRepository>> Open() override {
        if (dir_.path().empty()) {
            return Error::Internal("mkdtemp failed");
        }
        TESSERA_ASSIGN_OR_RETURN(auto repo,
                                 SqliteRepository::Open((dir_.path() / "tessera.db").string()));
        return std::unique_ptr<SqlRepository>(std::move(repo));
    }
    bool SupportsSecondHandle() const override { return true; }

private:
    TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(
    Sqlite, RepositoryConformance,
    ::testing::Values(ConformanceBackend{"memory",
                                         []() -> Result<std::unique_ptr<BackendDatabase>> {
                                             return std::unique_ptr<BackendDatabase>(
                                                 std::make_unique<SqliteMemoryDatabase>());
                                         }},
                      ConformanceBackend{"file",
                                         []() -> Result<std::unique_ptr<BackendDatabase>> {
                                             return std::unique_ptr<BackendDatabase>(
                                                 std::make_unique<SqliteFileDatabase>());
                                         }}),
    [](const ::testing::TestParamInfo<ConformanceBackend>& info) { return info.param.name; });

TEST(SqliteConnTest, PlaceholdersBindByNumberNotByPosition) {
    auto conn = SqliteConn::Open(":memory:", false);
    ASSERT_TRUE(conn.ok());
    auto rows = (*conn)->Query("SELECT $2, $1, $2 || 'x'", {std::int64_t{1}, std::string("b")});
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].Text(0), "b");
    EXPECT_EQ((*rows)[0].Int(1), 1);
    EXPECT_EQ((*rows)[0].Text(2), "bx");
    auto missing = (*conn)->Query("SELECT $3", {std::int64_t{1}});
    ASSERT_FALSE(missing.ok());
    auto unnamed = (*conn)->Query("SELECT ?", {std::int64_t{1}});
    ASSERT_FALSE(unnamed.ok());
}

TEST(SqliteConnTest, UniqueViolationIsConflict) {
    auto conn = SqliteConn::Open(":memory:", false);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->ExecScript("CREATE TABLE t (k TEXT UNIQUE)").ok());
    ASSERT_TRUE((*conn)->Exec("INSERT INTO t VALUES ($1)", {std::string("a")}).ok());
    auto dup = (*conn)->Exec("INSERT INTO t VALUES ($1)", {std::string("a")});
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
    auto bad = (*conn)->Query("SELECT FROM nowhere", {});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::kInternal);
}

TEST(SqliteRepositoryTest, FileDatabaseUsesWal) {
    TempDir dir;
    const std::string path = (dir.path() / "wal.db").string();
    auto repo = SqliteRepository::Open(path);
    ASSERT_TRUE(repo.ok()) << repo.error().message;
    ASSERT_TRUE((*repo)->Migrate().ok());
    auto conn = SqliteConn::Open(path, true);
    ASSERT_TRUE(conn.ok());
    auto mode = (*conn)->Query("PRAGMA journal_mode", {});
    ASSERT_TRUE(mode.ok());
    EXPECT_EQ((*mode)[0].Text(0), "wal");
    // Readers are fenced: a write through a read-only connection fails.
    EXPECT_FALSE((*conn)->Exec("DELETE FROM users", {}).ok());
}

// Writes are group-committed (one transaction, one savepoint each): a write that fails must
// roll back alone, and every other write of its batch must commit.
TEST(SqliteDbTest, FailedWriteInABatchRollsBackAloneAndOthersCommit) {
    TempDir dir;
    auto db = SqliteDb::Open((dir.path() / "batch.db").string(), 2);
    ASSERT_TRUE(db.ok()) << db.error().message;
    ASSERT_TRUE((*db)
                    ->Write([](SqlConn& c) {
                        return c.ExecScript("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
                    })
                    .ok());
    constexpr int kThreads = 16;
    constexpr int kPerThread = 50;
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    std::atomic<int> unexpected{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                const std::int64_t k = t * kPerThread + i;
                const bool fail = k % 3 == 0;
                Status s = (*db)->Write([&](SqlConn& c) -> Status {
                    TESSERA_TRY(c.Exec("INSERT INTO t VALUES ($1, 'x')", {k}));
                    if (fail) {
                        // Changed something first, so a missing rollback would show.
                        TESSERA_TRY(c.Exec("UPDATE t SET v = 'bad' WHERE k = $1", {k}));
                        return Error::InvalidArgument("fail on purpose");
                    }
                    return Status::Ok();
                });
                if (s.ok() == fail) {
                    ++unexpected;
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    EXPECT_EQ(unexpected.load(), 0);
    std::int64_t committed = -1;
    std::int64_t failed_present = -1;
    ASSERT_TRUE((*db)
                    ->Read([&](SqlConn& c) -> Status {
                        TESSERA_ASSIGN_OR_RETURN(
                            SqlRows rows,
                            c.Query("SELECT count(*), sum(k % 3 = 0), sum(v = 'bad') FROM t", {}));
                        committed = rows[0].Int(0);
                        failed_present = rows[0].Int(1) + rows[0].Int(2);
                        return Status::Ok();
                    })
                    .ok());
    int expected = 0;
    for (int k = 0; k < kThreads * kPerThread; ++k) {
        expected += k % 3 != 0;
    }
    EXPECT_EQ(committed, expected);
    EXPECT_EQ(failed_present, 0);
}

TEST(SqliteRepositoryTest, UnopenablePathIsUnavailable) {
    auto repo = SqliteRepository::Open("/nonexistent-dir-for-tessera/x/y.db");
    ASSERT_FALSE(repo.ok());
    EXPECT_EQ(repo.error().code, ErrorCode::kUnavailable);
}

// Versions ascend from 1 and both dialects have the same ones. A gap is allowed: numbers are
// handed out to branches ahead of their merge, and Migrate applies whatever is above the
// database's version in order.
TEST(MigrationsTest, EmbeddedVersionsAscendFromOneInBothDialects) {
    for (const auto* list : {&SqliteMigrations(), &PostgresMigrations()}) {
        ASSERT_FALSE(list->empty());
        EXPECT_EQ(list->front().version, 1);
        for (std::size_t i = 0; i < list->size(); ++i) {
            if (i > 0) {
                EXPECT_GT((*list)[i].version, (*list)[i - 1].version) << (*list)[i].name;
            }
            EXPECT_NE((*list)[i].sql.find_first_not_of(" \n"), std::string_view::npos);
        }
        EXPECT_NE(list->front().sql.find("CREATE TABLE"), std::string_view::npos);
    }
    ASSERT_EQ(SqliteMigrations().size(), PostgresMigrations().size());
    for (std::size_t i = 0; i < SqliteMigrations().size(); ++i) {
        EXPECT_EQ(SqliteMigrations()[i].version, PostgresMigrations()[i].version);
    }
}

// A database made before datasources existed (schema 5) keeps its project's folder as the
// project's primary datasource, and its items belong to it without any item row rewritten.
TEST(MigrationsTest, DatasourcesMigrationKeepsExistingProjectsAndItems) {
    TempDir dir;
    auto repo = SqliteRepository::Open((dir.path() / "old.db").string());
    ASSERT_TRUE(repo.ok()) << repo.error().message;
    std::string schema5 = SchemaUpToSql(SqliteMigrations(), 5);
    schema5 +=
        "INSERT INTO projects (id, name, name_key, task_type, status, labels_json, "
        "instructions_text, instructions_url, datasource_kind, datasource_path, "
        "datasource_pattern, item_limit, shuffle_seed, created_by, created_at) VALUES (7, 'Old', "
        "'old', 'multiclass', 'running', '[\"Cat\"]', '', '', 'local', '/data/old', '**/*.jpg', "
        "10, 3, 1, 5);"
        "INSERT INTO items (project_id, path, size_bytes, width, height, format, state, "
        "created_at) VALUES (7, 'a.jpg', 1, 2, 3, 'jpeg', 'unlabeled', 5), (7, 'b.jpg', 1, 2, 3, "
        "'jpeg', 'labeled', 5);";
    ASSERT_TRUE((*repo)->ExecForTest(schema5).ok());

    auto version = (*repo)->Migrate();
    ASSERT_TRUE(version.ok()) << version.error().message;
    EXPECT_GE(*version, 6);
    auto project = (*repo)->GetProject(7);
    ASSERT_TRUE(project.ok()) << project.error().message;
    EXPECT_GT(project->datasource.id, 0);
    EXPECT_EQ(project->datasource.path, "/data/old");
    EXPECT_EQ(project->datasource.pattern, "**/*.jpg");
    EXPECT_EQ(project->datasource.created_at, 5);
    EXPECT_FALSE(project->refresh.enabled);
    EXPECT_EQ(project->refresh.interval_s, 3600);
    auto sources = (*repo)->ListDatasources(7);
    ASSERT_EQ(sources->size(), 1u);
    ItemFilter primary;
    primary.source_id = project->datasource.id;
    EXPECT_EQ((*repo)->ListItems(7, primary)->size(), 2u);
    EXPECT_EQ((*repo)->GetProgress(7, 0)->labeled, 1);
}

// A database made while leases were columns of `items` (schema 7): migration 0008 moves the
// live and expired leases of unlabeled items into `leases` and leaves the old columns empty.
TEST(MigrationsTest, LeasesMigrationMovesLeasesOutOfItems) {
    TempDir dir;
    auto repo = SqliteRepository::Open((dir.path() / "old.db").string());
    ASSERT_TRUE(repo.ok()) << repo.error().message;
    ASSERT_TRUE((*repo)->ExecForTest(Schema7WithLeasesSql(SqliteMigrations())).ok());
    ExpectLeasesMovedByMigration8(**repo);
}

}  // namespace
}  // namespace tessera
