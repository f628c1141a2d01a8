// Runs the conformance suite on PostgreSQL, each test in its own throwaway database.
// Needs TESSERA_TEST_PG_URL (scripts/pg_test_cluster.sh start DIR prints one); without it the
// tests are skipped, unless TESSERA_REQUIRE_PG=1 makes that a failure.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>

#include "storage/postgres/pg_conn.hpp"
#include "storage/postgres/pg_db.hpp"
#include "storage/postgres/postgres_repository.hpp"
#include "storage/repository_conformance.hpp"
#include "storage/sql/pg_array.hpp"

namespace tessera {
namespace {

std::string Env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

// The same server, another database: replaces the URL's path, or appends dbname=.
std::string WithDatabase(const std::string& url, const std::string& db) {
    const std::size_t scheme = url.find("://");
    if (scheme == std::string::npos) {
        return url + " dbname=" + db;
    }
    const std::size_t query = url.find('?', scheme + 3);
    const std::size_t slash = url.find('/', scheme + 3);
    const std::size_t path_end = query == std::string::npos ? url.size() : query;
    const std::size_t path_begin =
        (slash == std::string::npos || slash > path_end) ? path_end : slash;
    return url.substr(0, path_begin) + "/" + db + url.substr(path_end);
}

// Unique across the parallel test processes ctest starts: pid plus a per-process counter.
std::string FreshDatabaseName() {
    static std::atomic<int> counter{0};
    return "tessera_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
}

class PgDatabase final : public BackendDatabase {
public:
    static Result<std::unique_ptr<BackendDatabase>> Create() {
        const std::string url = Env("TESSERA_TEST_PG_URL");
        if (url.empty()) {
            if (Env("TESSERA_REQUIRE_PG") == "1") {
                return Error::Unavailable("TESSERA_REQUIRE_PG=1 but TESSERA_TEST_PG_URL is unset");
            }
            return Error::FailedPrecondition(
                "PostgreSQL tests skipped: set TESSERA_TEST_PG_URL (see "
                "scripts/pg_test_cluster.sh)");
        }
        TESSERA_ASSIGN_OR_RETURN(auto admin, PgConn::Connect(url));
        std::unique_ptr<PgDatabase> db(new PgDatabase(url, FreshDatabaseName(), std::move(admin)));
        // An identifier cannot be a bound parameter; the name is [a-z0-9_] we made ourselves.
        TESSERA_TRY(db->admin_->ExecScript("CREATE DATABASE " + db->name_));
        db->created_ = true;
        return std::unique_ptr<BackendDatabase>(std::move(db));
    }

    ~PgDatabase() override {
        if (created_) {
            Status dropped =
                admin_->ExecScript("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
            if (!dropped.ok()) {
                ADD_FAILURE() << "could not drop " << name_ << ": " << dropped.error().message;
            }
        }
    }

    Result<std::unique_ptr<SqlRepository>> Open() override {
        TESSERA_ASSIGN_OR_RETURN(auto repo, PostgresRepository::Open(WithDatabase(url_, name_), 8));
        return std::unique_ptr<SqlRepository>(std::move(repo));
    }
    bool SupportsSecondHandle() const override { return true; }
    std::string Url() const { return WithDatabase(url_, name_); }

private:
    PgDatabase(std::string url, std::string name, std::unique_ptr<PgConn> admin)
        : url_(std::move(url)), name_(std::move(name)), admin_(std::move(admin)) {}

    std::string url_;
    std::string name_;
    std::unique_ptr<PgConn> admin_;
    bool created_ = false;
};

INSTANTIATE_TEST_SUITE_P(Postgres, RepositoryConformance,
                         ::testing::Values(ConformanceBackend{"pg", &PgDatabase::Create}),
                         [](const ::testing::TestParamInfo<ConformanceBackend>& info) {
                             return info.param.name;
                         });

TEST(PgArrayTest, QuotesEveryTextElement) {
    EXPECT_EQ(PgTextArray({}), "{}");
    EXPECT_EQ(PgTextArray({"a", "", "b,c", "q\"u\\o", "NULL", "{x}"}),
              "{\"a\",\"\",\"b,c\",\"q\\\"u\\\\o\",\"NULL\",\"{x}\"}");
    EXPECT_EQ(PgIntArray({1, -2, 3}), "{1,-2,3}");
}

TEST(PgUrlTest, ReplacesTheDatabase) {
    EXPECT_EQ(WithDatabase("postgresql://postgres@127.0.0.1:5432/postgres", "t1"),
              "postgresql://postgres@127.0.0.1:5432/t1");
    EXPECT_EQ(WithDatabase("postgresql://h:1/postgres?sslmode=disable", "t1"),
              "postgresql://h:1/t1?sslmode=disable");
    EXPECT_EQ(WithDatabase("postgresql://h:1", "t1"), "postgresql://h:1/t1");
    EXPECT_EQ(WithDatabase("host=h port=1", "t1"), "host=h port=1 dbname=t1");
}

// A fresh database of its own for each test, skipped where no PostgreSQL is given.
class PgFreshDatabaseTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto created = PgDatabase::Create();
        if (!created.ok() && created.error().code == ErrorCode::kFailedPrecondition) {
            GTEST_SKIP() << created.error().message;
        }
        ASSERT_TRUE(created.ok()) << created.error().message;
        database_ = std::move(created).value();
        SetUpOnDatabase();
    }

    // What a derived fixture sets up once the database exists (not called when skipped).
    virtual void SetUpOnDatabase() {}

    std::string Url() const { return static_cast<const PgDatabase&>(*database_).Url(); }

    std::unique_ptr<BackendDatabase> database_;  // a base member: outlives the derived ones
};

// The repository over that database, not yet migrated.
class PgRepositoryTest : public PgFreshDatabaseTest {
protected:
    void SetUpOnDatabase() override {
        auto repo = database_->Open();
        ASSERT_TRUE(repo.ok()) << repo.error().message;
        repo_ = std::move(repo).value();
    }

    std::unique_ptr<SqlRepository> repo_;
};
using PgMigrationsTest = PgRepositoryTest;
using PgBulkInsertTest = PgRepositoryTest;

// A database made while leases were columns of `items` (schema 7): migration 0008 moves the
// leases of unlabeled items into `leases` and drops the columns.
TEST_F(PgMigrationsTest, LeasesMigrationMovesLeasesOutOfItems) {
    ASSERT_TRUE(repo_->ExecForTest(Schema7WithLeasesSql(PostgresMigrations())).ok());
    ExpectLeasesMovedByMigration8(*repo_);
}

// Where pg_trgm cannot be installed (here: a function of its name is in the way; in the field,
// no contrib files or no CREATE privilege on the database), migration 0011 goes on without the
// name index and name search keeps the bounded walk: the same answers, over more pages.
TEST_F(PgMigrationsTest, NameSearchWorksWithoutPgTrgm) {
    ASSERT_TRUE(repo_
                    ->ExecForTest("CREATE FUNCTION similarity(text, text) RETURNS real "
                                  "LANGUAGE sql AS 'SELECT 0::real'")
                    .ok());
    auto version = repo_->Migrate();
    ASSERT_TRUE(version.ok()) << version.error().message;
    Project p;
    p.name = "p";
    auto created = repo_->CreateProject(p);
    ASSERT_TRUE(created.ok());
    const int n = static_cast<int>(kItemScanBudget) + 50;
    std::vector<NewItem> items;
    items.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        items.push_back({"f" + std::to_string(100000 + i) + (i == n - 1 ? "-needle" : "") + ".png",
                         1, 1, 1, "png", ItemState::kUnlabeled, ""});
    }
    ASSERT_TRUE(repo_->InsertItems(created->id, items, 1).ok());
    ItemFilter f;
    f.name_query = "NEEDLE";
    auto first = repo_->FindItems(created->id, f);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_TRUE(first->items.empty());  // walked, not looked up
    ASSERT_TRUE(first->next_after.has_value());
    f.after_id = *first->next_after;
    auto second = repo_->FindItems(created->id, f);
    ASSERT_TRUE(second.ok()) << second.error().message;
    ASSERT_EQ(second->items.size(), 1u);
    EXPECT_EQ(second->items[0].path, items.back().path);
}

// Migration 0012 moves the name index to item_names: a database made at schema 11 gets its
// items' names, and inserts, renames and deletes of items keep the table in step, while a
// submit (which updates the item row) does not touch it.
TEST_F(PgMigrationsTest, ItemNamesFollowTheItems) {
    ASSERT_TRUE(repo_->ExecForTest(SchemaUpToSql(PostgresMigrations(), 11)).ok());
    Project p;
    p.name = "p";
    auto created = repo_->CreateProject(p);
    ASSERT_TRUE(created.ok()) << created.error().message;
    const Id id = created->id;
    ASSERT_TRUE(repo_
                    ->InsertItems(id,
                                  {{"Old/Needle-1.png", 1, 1, 1, "png", ItemState::kUnlabeled, ""},
                                   {"old/hay.png", 1, 1, 1, "png", ItemState::kUnlabeled, ""}},
                                  1)
                    .ok());
    auto version = repo_->Migrate();
    ASSERT_TRUE(version.ok()) << version.error().message;
    EXPECT_GE(*version, 12);
    // Raises (and so fails ExecForTest) unless item_names holds exactly each item's lower(path).
    const std::string in_step =
        "DO $$ BEGIN IF EXISTS (SELECT project_id, id, lower(path) FROM items EXCEPT SELECT "
        "project_id, item_id, name FROM item_names) OR EXISTS (SELECT project_id, item_id, name "
        "FROM item_names EXCEPT SELECT project_id, id, lower(path) FROM items) THEN RAISE "
        "EXCEPTION 'item_names out of step'; END IF; END $$";
    ASSERT_TRUE(repo_->ExecForTest(in_step).ok());
    ItemFilter f;
    f.name_query = "needle";
    auto found = repo_->FindItems(id, f);
    ASSERT_TRUE(found.ok()) << found.error().message;
    ASSERT_EQ(found->items.size(), 1u);
    EXPECT_EQ(found->items[0].path, "Old/Needle-1.png");

    ASSERT_TRUE(repo_
                    ->InsertItems(id,
                                  {{"new/needle-2.png", 1, 1, 1, "png", ItemState::kUnlabeled, ""},
                                   {"new/straw.png", 1, 1, 1, "png", ItemState::kUnlabeled, ""}},
                                  2)
                    .ok());
    ASSERT_TRUE(repo_
                    ->ExecForTest(
                        "UPDATE items SET path = 'Moved/Hay-NEEDLE.png' WHERE path = 'old/hay.png'")
                    .ok());
    ASSERT_TRUE(repo_->ExecForTest("DELETE FROM items WHERE path = 'new/straw.png'").ok());
    ASSERT_TRUE(
        repo_->ExecForTest("UPDATE items SET state = 'labeled' WHERE path LIKE 'new/%'").ok());
    ASSERT_TRUE(repo_->ExecForTest(in_step).ok());
    f.limit = 10;
    auto all = repo_->FindItems(id, f);
    ASSERT_TRUE(all.ok()) << all.error().message;
    std::vector<std::string> paths;
    for (const Item& item : all->items) {
        paths.push_back(item.path);
    }
    EXPECT_EQ(paths, (std::vector<std::string>{"Old/Needle-1.png", "Moved/Hay-NEEDLE.png",
                                               "new/needle-2.png"}));
}

// Round-trips awkward text through the array path the bulk insert uses.
TEST_F(PgBulkInsertTest, AwkwardPathsSurviveBulkInsert) {
    ASSERT_TRUE(repo_->Migrate().ok());
    Project p;
    p.name = "p";
    auto created = repo_->CreateProject(p);
    ASSERT_TRUE(created.ok());
    std::vector<NewItem> items{
        {"a \"quoted\" \\ path,{x}.jpg", 1, 1, 1, "jpeg", ItemState::kUnlabeled, ""},
        {"NULL", 1, 1, 1, "", ItemState::kUnlabeled, ""},
        {"ünïcødé/名前.png", 1, 1, 1, "png", ItemState::kUnlabeled, ""}};
    ASSERT_EQ(*repo_->InsertItems(created->id, items, 1), 3);
    auto listed = repo_->ListItems(created->id, {});
    ASSERT_EQ(listed->size(), 3u);
    EXPECT_EQ((*listed)[0].path, items[0].path);
    EXPECT_EQ((*listed)[1].path, "NULL");
    EXPECT_EQ((*listed)[2].path, items[2].path);
}

// --- PgDb: BEGIN goes out with the first statement, COMMIT with QueryAndCommit's.

template <typename T>
Status AsStatus(const Result<T>& result) {
    return result.ok() ? Status::Ok() : Status(result.error());
}

class PgDbTest : public PgFreshDatabaseTest {
protected:
    void SetUpOnDatabase() override {
        // One connection: every transaction below runs on the same session, so state a
        // broken pipeline left behind would show in the next test step.
        auto db = PgDb::Open(Url(), 1);
        ASSERT_TRUE(db.ok()) << db.error().message;
        db_ = std::move(db).value();
        ASSERT_TRUE(db_->Write([](SqlConn& conn) {
                           return conn.ExecScript("CREATE TABLE t (k int PRIMARY KEY)");
                       })
                        .ok());
    }

    Status Insert(SqlConn& conn, int k) {
        return AsStatus(conn.Exec("INSERT INTO t (k) VALUES ($1)", {std::int64_t{k}}));
    }

    std::int64_t Count() {
        std::int64_t n = -1;
        Status read = db_->Read([&](SqlConn& conn) -> Status {
            TESSERA_ASSIGN_OR_RETURN(SqlRows rows, conn.Query("SELECT count(*) FROM t", {}));
            n = rows.at(0).Int(0);
            return Status::Ok();
        });
        EXPECT_TRUE(read.ok()) << read.error().message;
        return n;
    }

    std::unique_ptr<PgDb> db_;
};

TEST_F(PgDbTest, FailedFirstStatementRollsBackAndItsPreparedStatementIsReused) {
    // Its very first run prepares the INSERT and fails on the key in the same pipeline.
    ASSERT_TRUE(db_->Write([&](SqlConn& conn) { return Insert(conn, 1); }).ok());
    ASSERT_TRUE(db_->Write([&](SqlConn& conn) {
                       return AsStatus(
                           conn.Exec("INSERT INTO t (k) SELECT $1::int", {std::int64_t{1}}));
                   })
                    .error()
                    .code == ErrorCode::kConflict);
    // The same text again: prepared already, so it must not be prepared a second time.
    EXPECT_TRUE(db_->Write([&](SqlConn& conn) {
                       return AsStatus(
                           conn.Exec("INSERT INTO t (k) SELECT $1::int", {std::int64_t{2}}));
                   })
                    .ok());
    // A failure later in a transaction undoes the statements before it.
    Status failed = db_->Write([&](SqlConn& conn) -> Status {
        TESSERA_TRY(Insert(conn, 10));
        return Insert(conn, 1);
    });
    EXPECT_EQ(failed.error().code, ErrorCode::kConflict);
    EXPECT_EQ(Count(), 2);
}

TEST_F(PgDbTest, QueryAndCommitCommitsOrRollsBackTheWholeTransaction) {
    ASSERT_TRUE(
        db_->Write([&](SqlConn& conn) -> Status {
               TESSERA_TRY(Insert(conn, 1));
               TESSERA_ASSIGN_OR_RETURN(
                   SqlRows rows, conn.QueryAndCommit("INSERT INTO t (k) VALUES ($1) RETURNING k",
                                                     {std::int64_t{2}}));
               EXPECT_EQ(rows.at(0).Int(0), 2);
               // After the commit a statement runs on its own and sees both rows.
               TESSERA_ASSIGN_OR_RETURN(SqlRows after, conn.Query("SELECT count(*) FROM t", {}));
               EXPECT_EQ(after.at(0).Int(0), 2);
               return Status::Ok();
           })
            .ok());
    Status failed = db_->Write([&](SqlConn& conn) -> Status {
        TESSERA_TRY(Insert(conn, 3));
        return AsStatus(
            conn.QueryAndCommit("INSERT INTO t (k) VALUES ($1) RETURNING k", {std::int64_t{1}}));
    });
    EXPECT_EQ(failed.error().code, ErrorCode::kConflict);
    EXPECT_EQ(Count(), 2);  // 3 was rolled back with the failed statement
}

TEST_F(PgDbTest, WorkThatIgnoresAFailedStatementDoesNotCommit) {
    Status result = db_->Write([&](SqlConn& conn) -> Status {
        TESSERA_TRY(Insert(conn, 1));
        (void)Insert(conn, 1);  // fails: the transaction is now aborted on the server
        return Status::Ok();
    });
    EXPECT_EQ(result.error().code, ErrorCode::kInternal);
    EXPECT_EQ(Count(), 0);
}

TEST_F(PgDbTest, TransactionsWithoutStatementsAndSessionSettings) {
    EXPECT_TRUE(db_->Write([](SqlConn&) { return Status::Ok(); }).ok());
    EXPECT_EQ(db_->Write([](SqlConn&) -> Status { return Error::NotFound("x"); }).error().code,
              ErrorCode::kNotFound);
    std::string parallel;
    ASSERT_TRUE(db_->Read([&](SqlConn& conn) -> Status {
                       TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                                                conn.Query("SELECT current_setting("
                                                           "'max_parallel_workers_per_gather')",
                                                           {}));
                       parallel = rows.at(0).Text(0);
                       return Status::Ok();
                   })
                    .ok());
    EXPECT_EQ(parallel, "0");
    EXPECT_EQ(Count(), 0);
}

}  // namespace
}  // namespace tessera
