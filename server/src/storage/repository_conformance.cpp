#include "storage/repository_conformance.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

namespace tessera {
namespace {

std::string Payload(const std::vector<std::string>& labels) {
    std::string out = "{\"labels\":[";
    for (std::size_t i = 0; i < labels.size(); ++i) {
        out += (i ? ",\"" : "\"") + labels[i] + "\"";
    }
    return out + "]}";
}

std::vector<NewItem> MakeItems(int n, const std::string& prefix = "img") {
    std::vector<NewItem> items;
    for (int i = 0; i < n; ++i) {
        char name[32];
        std::snprintf(name, sizeof(name), "%06d.jpg", i);
        items.push_back({prefix + name, 1000 + i, 640, 480, "jpeg", ItemState::kUnlabeled, ""});
    }
    return items;
}

// Every item of a project, read page by page through the public API.
std::vector<Item> AllItems(Repository& repo, Id project_id) {
    std::vector<Item> out;
    ItemFilter filter;
    filter.limit = 500;
    while (true) {
        auto page = repo.ListItems(project_id, filter);
        EXPECT_TRUE(page.ok()) << page.error().message;
        if (!page.ok() || page->empty()) {
            return out;
        }
        filter.after_id = page->back().id;
        out.insert(out.end(), page->begin(), page->end());
    }
}

// Progress recomputed from the items themselves: what the counters must always equal.
Progress BruteProgress(Repository& repo, Id project_id, TimeMs now) {
    Progress p;
    for (const Item& item : AllItems(repo, project_id)) {
        ++p.total;
        switch (item.state) {
            case ItemState::kUnlabeled:
                if (!item.lease_token.empty() && item.lease_expires_at > now) {
                    ++p.in_progress;
                } else {
                    ++p.unlabeled;
                }
                break;
            case ItemState::kLabeled: ++p.labeled; break;
            case ItemState::kSkipped: ++p.skipped; break;
            case ItemState::kNeedsReview: ++p.needs_review; break;
            case ItemState::kError: ++p.error; break;
            case ItemState::kMissing: ++p.missing; break;
        }
    }
    return p;
}

std::string Show(const Progress& p) {
    return "total=" + std::to_string(p.total) + " unlabeled=" + std::to_string(p.unlabeled) +
           " in_progress=" + std::to_string(p.in_progress) +
           " labeled=" + std::to_string(p.labeled) + " skipped=" + std::to_string(p.skipped) +
           " needs_review=" + std::to_string(p.needs_review) + " error=" + std::to_string(p.error) +
           " missing=" + std::to_string(p.missing);
}

std::set<Id> Ids(const std::vector<Item>& items) {
    std::set<Id> out;
    for (const Item& i : items) {
        out.insert(i.id);
    }
    return out;
}

}  // namespace

void RepositoryConformance::SetUp() {
    auto db = GetParam().create();
    if (!db.ok() && db.error().code == ErrorCode::kFailedPrecondition) {
        GTEST_SKIP() << db.error().message;
    }
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(db).value();
    auto repo = db_->Open();
    ASSERT_TRUE(repo.ok()) << repo.error().message;
    repo_ = std::move(repo).value();
    auto version = repo_->Migrate();
    ASSERT_TRUE(version.ok()) << version.error().message;
}

void RepositoryConformance::TearDown() {
    repo_.reset();
    db_.reset();
}

User RepositoryConformance::AddUser(const std::string& name) {
    User u;
    u.username = name;
    u.role = Role::kLabeler;
    u.password_hash = "hash-" + name;
    u.created_at = kT0;
    auto created = repo_->CreateUser(u);
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created.ok() ? *created : u;
}

Project RepositoryConformance::AddProject(const std::string& name, int items, std::uint64_t seed) {
    Project p;
    p.name = name;
    p.status = ProjectStatus::kRunning;
    p.labels_json = "[\"Cat\",\"Dog\"]";
    p.datasource = {"local", "/data/" + name, "**/*.*"};
    p.created_at = kT0;
    auto created = repo_->CreateProject(p);
    EXPECT_TRUE(created.ok()) << created.error().message;
    if (!created.ok()) {
        return p;
    }
    auto inserted = repo_->InsertItems(created->id, MakeItems(items), kT0);
    EXPECT_TRUE(inserted.ok() && *inserted == items);
    EXPECT_TRUE(repo_->ShuffleItems(created->id, seed).ok());
    return *created;
}

std::vector<Item> RepositoryConformance::Lease(Id project_id, Id user_id, int count,
                                               const std::string& token, TimeMs now, TimeMs ttl) {
    auto items = repo_->LeaseNext({project_id, user_id, count, token, now, now + ttl});
    EXPECT_TRUE(items.ok()) << items.error().message;
    return items.ok() ? *items : std::vector<Item>{};
}

SubmitRequest RepositoryConformance::Submit(Id project_id, Id item_id, Id user_id,
                                            const std::string& token,
                                            std::vector<std::string> labels, TimeMs now) {
    SubmitRequest r;
    r.project_id = project_id;
    r.item_id = item_id;
    r.user_id = user_id;
    r.lease_token = token;
    r.payload_json = Payload(labels);
    r.counted_labels = std::move(labels);
    r.now = now;
    return r;
}

// --- migrations

TEST_P(RepositoryConformance, MigrateIsIdempotentAndKeepsData) {
    auto again = repo_->Migrate();
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_GE(*again, 1);
    User alice = AddUser("alice");
    if (db_->SupportsSecondHandle()) {
        auto second = db_->Open();
        ASSERT_TRUE(second.ok()) << second.error().message;
        auto version = (*second)->Migrate();
        ASSERT_TRUE(version.ok()) << version.error().message;
        EXPECT_EQ(*version, *again);
        auto found = (*second)->GetUser(alice.id);
        ASSERT_TRUE(found.ok());
        EXPECT_EQ(found->username, "alice");
    }
    EXPECT_EQ(*repo_->CountUsers(), 1);
}

TEST_P(RepositoryConformance, DatabaseNewerThanBinaryIsAnError) {
    ASSERT_TRUE(
        repo_->ExecForTest("INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)")
            .ok());
    auto version = repo_->Migrate();
    ASSERT_FALSE(version.ok());
    EXPECT_EQ(version.error().code, ErrorCode::kFailedPrecondition);
}

// --- users, sessions, tokens

TEST_P(RepositoryConformance, UsersAreUniqueCaseInsensitively) {
    User alice = AddUser("Alice");
    EXPECT_GT(alice.id, 0);
    User dup;
    dup.username = "aLiCe";
    dup.password_hash = "x";
    auto conflict = repo_->CreateUser(dup);
    ASSERT_FALSE(conflict.ok());
    EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);

    auto found = repo_->FindUserByName("ALICE");
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->id, alice.id);
    EXPECT_EQ(found->username, "Alice");
    EXPECT_EQ(found->password_hash, "hash-Alice");
    EXPECT_EQ(repo_->FindUserByName("bob").error().code, ErrorCode::kNotFound);
    EXPECT_EQ(repo_->GetUser(alice.id)->username, "Alice");
    EXPECT_EQ(repo_->GetUser(alice.id + 100).error().code, ErrorCode::kNotFound);
    AddUser("bob");
    EXPECT_EQ(*repo_->CountUsers(), 2);
}

TEST_P(RepositoryConformance, SessionsExpireExtendAndDelete) {
    User alice = AddUser("alice");
    ASSERT_TRUE(repo_->CreateSession({"h1", alice.id, "csrf", kT0, kT0 + 1000}).ok());
    auto found = repo_->FindSession("h1", kT0 + 10);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->session.user_id, alice.id);
    EXPECT_EQ(found->session.csrf_token, "csrf");
    EXPECT_EQ(found->session.expires_at, kT0 + 1000);
    EXPECT_EQ(found->user.id, alice.id);
    EXPECT_EQ(found->user.username, "alice");
    EXPECT_EQ(found->user.password_hash, "hash-alice");
    EXPECT_EQ(repo_->FindSession("h1", kT0 + 1000).error().code, ErrorCode::kNotFound);
    ASSERT_TRUE(repo_->ExtendSession("h1", kT0 + 5000).ok());
    EXPECT_TRUE(repo_->FindSession("h1", kT0 + 1000).ok());
    EXPECT_EQ(repo_->ExtendSession("nope", kT0).error().code, ErrorCode::kNotFound);
    ASSERT_TRUE(repo_->DeleteSession("h1").ok());
    EXPECT_EQ(repo_->FindSession("h1", kT0).error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, ApiTokensAreFoundByHash) {
    User alice = AddUser("alice");
    auto token = repo_->CreateApiToken({0, alice.id, "ci", "tokhash", kT0});
    ASSERT_TRUE(token.ok());
    EXPECT_GT(token->id, 0);
    auto found = repo_->FindApiToken("tokhash");
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->token.name, "ci");
    EXPECT_EQ(found->token.user_id, alice.id);
    EXPECT_EQ(found->user.id, alice.id);
    EXPECT_EQ(found->user.username, "alice");
    EXPECT_EQ(found->user.role, alice.role);
    EXPECT_EQ(repo_->FindApiToken("other").error().code, ErrorCode::kNotFound);
    EXPECT_EQ(repo_->CreateApiToken({0, alice.id, "dup", "tokhash", kT0}).error().code,
              ErrorCode::kConflict);
}

TEST_P(RepositoryConformance, ApiTokensKeepExpiryListAndRevokePerUser) {
    User alice = AddUser("alice");
    User bob = AddUser("bob");
    auto older = repo_->CreateApiToken({0, alice.id, "ci", "h-ci", kT0, kT0 + 500});
    auto newer = repo_->CreateApiToken({0, alice.id, "laptop", "h-laptop", kT0 + 1, kT0 + 900});
    auto bobs = repo_->CreateApiToken({0, bob.id, "bob", "h-bob", kT0, kT0 + 900});
    ASSERT_TRUE(older.ok() && newer.ok() && bobs.ok());
    auto found = repo_->FindApiToken("h-ci");
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->token.expires_at, kT0 + 500);
    EXPECT_EQ(found->token.created_at, kT0);

    auto listed = repo_->ListApiTokens(alice.id);
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 2u);
    EXPECT_EQ((*listed)[0].name, "laptop");  // newest first
    EXPECT_EQ((*listed)[0].expires_at, kT0 + 900);
    EXPECT_EQ((*listed)[1].id, older->id);

    // Nobody revokes another user's token, and a second revocation finds nothing.
    EXPECT_EQ(repo_->DeleteApiToken(alice.id, bobs->id).error().code, ErrorCode::kNotFound);
    ASSERT_TRUE(repo_->DeleteApiToken(alice.id, older->id).ok());
    EXPECT_EQ(repo_->DeleteApiToken(alice.id, older->id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(repo_->FindApiToken("h-ci").error().code, ErrorCode::kNotFound);

    auto deleted = repo_->DeleteUserApiTokens(alice.id);
    ASSERT_TRUE(deleted.ok());
    EXPECT_EQ(*deleted, 1);
    EXPECT_TRUE(repo_->ListApiTokens(alice.id)->empty());
    EXPECT_TRUE(repo_->FindApiToken("h-bob").ok());
}

TEST_P(RepositoryConformance, UserSessionsEndTogetherExceptTheKeptOne) {
    User alice = AddUser("alice");
    User bob = AddUser("bob");
    for (const char* hash : {"a1", "a2", "a3"}) {
        ASSERT_TRUE(repo_->CreateSession({hash, alice.id, "csrf", kT0, kT0 + 1000}).ok());
    }
    ASSERT_TRUE(repo_->CreateSession({"b1", bob.id, "csrf", kT0, kT0 + 1000}).ok());
    auto ended = repo_->DeleteUserSessions(alice.id, "a2");
    ASSERT_TRUE(ended.ok());
    EXPECT_EQ(*ended, 2);
    EXPECT_EQ(repo_->FindSession("a1", kT0).error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(repo_->FindSession("a2", kT0).ok());
    EXPECT_TRUE(repo_->FindSession("b1", kT0).ok());
    EXPECT_EQ(*repo_->DeleteUserSessions(alice.id, ""), 1);
    EXPECT_EQ(repo_->FindSession("a2", kT0).error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(repo_->FindSession("b1", kT0).ok());
}

TEST_P(RepositoryConformance, ChangePasswordEndsTheOtherSessions) {
    User alice = AddUser("alice");
    User bob = AddUser("bob");
    ASSERT_TRUE(repo_->CreateSession({"a1", alice.id, "csrf", kT0, kT0 + 1000}).ok());
    ASSERT_TRUE(repo_->CreateSession({"a2", alice.id, "csrf", kT0, kT0 + 1000}).ok());
    ASSERT_TRUE(repo_->CreateSession({"b1", bob.id, "csrf", kT0, kT0 + 1000}).ok());
    ASSERT_TRUE(repo_->ChangePassword(alice.id, "new-hash", "a2").ok());
    EXPECT_EQ(repo_->GetUser(alice.id)->password_hash, "new-hash");
    EXPECT_EQ(repo_->GetUser(bob.id)->password_hash, "hash-bob");
    EXPECT_EQ(repo_->FindSession("a1", kT0).error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(repo_->FindSession("a2", kT0).ok());
    EXPECT_TRUE(repo_->FindSession("b1", kT0).ok());
    EXPECT_EQ(repo_->ChangePassword(alice.id + 100, "x", "").error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, RolesChangeButTheLastOwnerStays) {
    User alice = AddUser("alice");
    User bob = AddUser("bob");
    ASSERT_TRUE(repo_->SetUserRole(alice.id, Role::kOwner).ok());
    EXPECT_EQ(repo_->GetUser(alice.id)->role, Role::kOwner);
    EXPECT_EQ(repo_->SetUserRole(alice.id, Role::kLabeler).error().code,
              ErrorCode::kFailedPrecondition);  // the only owner
    ASSERT_TRUE(repo_->SetUserRole(bob.id, Role::kOwner).ok());
    ASSERT_TRUE(repo_->SetUserRole(alice.id, Role::kLabeler).ok());
    EXPECT_EQ(repo_->GetUser(alice.id)->role, Role::kLabeler);
    EXPECT_TRUE(repo_->SetUserRole(bob.id, Role::kOwner).ok());  // unchanged is fine
    EXPECT_EQ(repo_->SetUserRole(bob.id + 100, Role::kOwner).error().code, ErrorCode::kNotFound);
}

// --- projects

TEST_P(RepositoryConformance, ProjectsRoundTripAndListNewestFirst) {
    Project p;
    p.name = "Pets";
    p.task_type = TaskType::kMultilabel;
    p.labels_json = "[\"Cat\"]";
    p.instructions_text = "# Label pets";
    p.instructions_url = "https://example.com";
    p.datasource = {"local", "/data/pets", "**/*.jpg"};
    p.item_limit = 1234;
    p.shuffle_seed = 0xfedcba9876543210ull;  // above INT64_MAX: must survive the round trip
    p.created_by = 3;
    p.created_at = kT0;
    auto created = repo_->CreateProject(p);
    ASSERT_TRUE(created.ok()) << created.error().message;
    auto got = repo_->GetProject(created->id);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->name, "Pets");
    EXPECT_EQ(got->task_type, TaskType::kMultilabel);
    EXPECT_EQ(got->status, ProjectStatus::kDraft);
    EXPECT_EQ(got->instructions_text, "# Label pets");
    EXPECT_EQ(got->instructions_url, "https://example.com");
    EXPECT_EQ(got->datasource.pattern, "**/*.jpg");
    EXPECT_EQ(got->item_limit, 1234);
    EXPECT_EQ(got->shuffle_seed, 0xfedcba9876543210ull);
    EXPECT_EQ(got->created_by, 3);
    EXPECT_FALSE(got->deleted_at.has_value());

    p.name = "Cars";
    p.created_at = kT0 + 1;
    ASSERT_TRUE(repo_->CreateProject(p).ok());
    auto list = repo_->ListProjects();
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].name, "Cars");
    EXPECT_EQ((*list)[1].name, "Pets");

    ASSERT_TRUE(repo_->SetProjectStatus(created->id, ProjectStatus::kPaused).ok());
    ASSERT_TRUE(repo_->SetItemLimitReached(created->id, true).ok());
    got = repo_->GetProject(created->id);
    EXPECT_EQ(got->status, ProjectStatus::kPaused);
    EXPECT_TRUE(got->item_limit_reached);
    EXPECT_EQ(repo_->SetProjectStatus(9999, ProjectStatus::kRunning).error().code,
              ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, DeletedProjectNameStaysReservedCaseInsensitively) {
    Project p = AddProject("Pets", 3);
    ASSERT_TRUE(repo_->DeleteProject(p.id, kT0 + 5).ok());
    EXPECT_EQ(repo_->GetProject(p.id).error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(repo_->ListProjects()->empty());
    EXPECT_EQ(repo_->DeleteProject(p.id, kT0 + 6).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(repo_->SetProjectStatus(p.id, ProjectStatus::kRunning).error().code,
              ErrorCode::kNotFound);

    Project again;
    again.name = "pETS";
    again.created_at = kT0;
    auto conflict = repo_->CreateProject(again);
    ASSERT_FALSE(conflict.ok());
    EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);

    // Everything addressed through the deleted project is gone too.
    EXPECT_EQ(repo_->LeaseNext({p.id, 1, 1, "t", kT0, kT0 + 10}).error().code,
              ErrorCode::kNotFound);
    EXPECT_EQ(repo_->GetProgress(p.id, kT0).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(repo_->ListItems(p.id, {}).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(repo_->InsertItems(p.id, MakeItems(1), kT0).error().code, ErrorCode::kNotFound);
}

// --- items

// Batches larger than one statement (SQLite inserts 50 rows a statement, PostgreSQL 1,000):
// every row lands once with its own fields, known paths anywhere in the batch are skipped.
TEST_P(RepositoryConformance, InsertItemsSpanningSeveralStatements) {
    Project p = AddProject("Many", 0);
    std::vector<NewItem> first = MakeItems(120);
    ASSERT_EQ(*repo_->InsertItems(p.id, first, kT0), 120);
    std::vector<NewItem> second = MakeItems(1234);  // img0..img119 again, then new ones
    second[1100].state = ItemState::kError;
    second[1100].error = "row 1100";
    second.push_back(second[1201]);  // the same new path twice in one batch
    auto inserted = repo_->InsertItems(p.id, second, kT0);
    ASSERT_TRUE(inserted.ok()) << inserted.error().message;
    EXPECT_EQ(*inserted, 1234 - 120);
    EXPECT_EQ(*repo_->CountItems(p.id), 1234);
    ItemFilter errors;
    errors.state = ItemState::kError;
    auto broken = repo_->ListItems(p.id, errors);
    ASSERT_TRUE(broken.ok());
    ASSERT_EQ(broken->size(), 1u);
    EXPECT_EQ((*broken)[0].path, second[1100].path);
    EXPECT_EQ((*broken)[0].error, "row 1100");
}

TEST_P(RepositoryConformance, InsertItemsIgnoresExistingPathsAndLists) {
    Project p = AddProject("Pets", 0);
    std::vector<NewItem> items = MakeItems(5);
    items.push_back({"broken.jpg", 10, 0, 0, "", ItemState::kError, "not an image"});
    auto inserted = repo_->InsertItems(p.id, items, kT0);
    ASSERT_TRUE(inserted.ok()) << inserted.error().message;
    EXPECT_EQ(*inserted, 6);
    // Re-ingest: known paths are skipped, a new one is added.
    items.push_back({"new.jpg", 10, 1, 1, "png", ItemState::kUnlabeled, ""});
    EXPECT_EQ(*repo_->InsertItems(p.id, items, kT0), 1);
    EXPECT_EQ(*repo_->CountItems(p.id), 7);

    ItemFilter errors;
    errors.state = ItemState::kError;
    auto broken = repo_->ListItems(p.id, errors);
    ASSERT_TRUE(broken.ok());
    ASSERT_EQ(broken->size(), 1u);
    EXPECT_EQ((*broken)[0].path, "broken.jpg");
    EXPECT_EQ((*broken)[0].error, "not an image");

    ItemFilter page;
    page.limit = 4;
    auto first = repo_->ListItems(p.id, page);
    ASSERT_EQ(first->size(), 4u);
    page.after_id = first->back().id;
    auto second = repo_->ListItems(p.id, page);
    ASSERT_EQ(second->size(), 3u);
    EXPECT_LT(first->back().id, second->front().id);

    auto item = repo_->GetItem(p.id, (*first)[1].id);
    ASSERT_TRUE(item.ok());
    EXPECT_EQ(item->path, "img000001.jpg");
    EXPECT_EQ(item->size_bytes, 1001);
    EXPECT_EQ(item->width, 640);
    EXPECT_EQ(item->format, "jpeg");
    Project other = AddProject("Other", 1);
    EXPECT_EQ(repo_->GetItem(other.id, item->id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(repo_->InsertItems(9999, items, kT0).error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, ShuffleIsDeterministicPerSeedAndPaths) {
    Project a = AddProject("A", 0);
    Project b = AddProject("B", 0);
    std::vector<NewItem> items = MakeItems(60);
    ASSERT_TRUE(repo_->InsertItems(a.id, items, kT0).ok());
    std::reverse(items.begin(), items.end());  // different insertion order, same paths
    ASSERT_TRUE(repo_->InsertItems(b.id, items, kT0).ok());
    ASSERT_TRUE(repo_->ShuffleItems(a.id, 42).ok());
    ASSERT_TRUE(repo_->ShuffleItems(b.id, 42).ok());
    EXPECT_EQ(repo_->GetProject(a.id)->shuffle_seed, 42u);

    auto order = [&](Id project_id) {
        std::vector<std::string> paths;
        for (const Item& i : Lease(project_id, 1, 100, "order", kT0)) {
            paths.push_back(i.path);
        }
        return paths;
    };
    std::vector<std::string> order_a = order(a.id);
    ASSERT_EQ(order_a.size(), 60u);
    EXPECT_EQ(order_a, order(b.id));
    std::vector<std::string> sorted = order_a;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_NE(order_a, sorted);  // actually shuffled

    ASSERT_TRUE(repo_->ReleaseLease(a.id, 1, "order").ok());
    ASSERT_TRUE(repo_->ShuffleItems(a.id, 43).ok());
    EXPECT_NE(order(a.id), order_a);
}

// --- the queue

TEST_P(RepositoryConformance, LeaseNextHandsOutEachItemOnceUntilExpiry) {
    Project p = AddProject("Pets", 10);
    User alice = AddUser("alice");
    User bob = AddUser("bob");
    std::vector<Item> a = Lease(p.id, alice.id, 4, "la", kT0);
    ASSERT_EQ(a.size(), 4u);
    for (const Item& i : a) {
        EXPECT_EQ(i.lease_token, "la");
        EXPECT_EQ(i.lease_owner, alice.id);
        EXPECT_EQ(i.lease_expires_at, kT0 + 60'000);
    }
    for (std::size_t i = 1; i < a.size(); ++i) {
        EXPECT_LE(a[i - 1].rank, a[i].rank);  // queue order
    }
    // The same user's next page (prefetch) does not repeat the held items.
    std::vector<Item> a2 = Lease(p.id, alice.id, 4, "la2", kT0 + 1);
    std::vector<Item> b = Lease(p.id, bob.id, 4, "lb", kT0 + 2);
    ASSERT_EQ(a2.size(), 4u);
    ASSERT_EQ(b.size(), 2u);
    std::set<Id> all = Ids(a);
    for (const Item& i : a2) {
        EXPECT_TRUE(all.insert(i.id).second);
    }
    for (const Item& i : b) {
        EXPECT_TRUE(all.insert(i.id).second);
    }
    EXPECT_EQ(all.size(), 10u);
    EXPECT_TRUE(Lease(p.id, bob.id, 4, "lb2", kT0 + 3).empty());

    // Alice's first page expires: exactly those items come back.
    std::vector<Item> back = Lease(p.id, bob.id, 9, "lb3", kT0 + 60'000);
    EXPECT_EQ(Ids(back), Ids(a));
    auto stored = repo_->GetItem(p.id, a[0].id);
    EXPECT_EQ(stored->lease_owner, bob.id);
    EXPECT_EQ(stored->lease_token, "lb3");
}

TEST_P(RepositoryConformance, ConcurrentLeaseNextNeverSharesAnItem) {
    constexpr int kItems = 240;
    constexpr int kThreads = 8;
    Project p = AddProject("Pets", kItems);
    std::vector<std::vector<Id>> got(kThreads);
    std::atomic<int> failures{0};
    std::atomic<int> premature_ends{0};
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0;; ++round) {
                std::string token = "t" + std::to_string(t) + "-" + std::to_string(round);
                auto items = repo_->LeaseNext({p.id, t + 1, 3, token, kT0, kT0 + 60'000});
                if (!items.ok()) {
                    ++failures;
                    return;
                }
                if (items->empty()) {
                    // Only when nothing is left: every item is on a live page by now, except
                    // those the other threads' leases in flight hold locked (PostgreSQL's SKIP
                    // LOCKED passes over them) and have not committed yet.
                    auto progress = repo_->GetProgress(p.id, kT0);
                    if (!progress.ok() || progress->unlabeled > std::int64_t{kThreads - 1} * 3) {
                        ++premature_ends;
                    }
                    return;
                }
                for (const Item& i : *items) {
                    got[t].push_back(i.id);
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(premature_ends.load(), 0) << "an empty page while items were still in the queue";
    std::set<Id> unique;
    std::size_t total = 0;
    for (const auto& ids : got) {
        total += ids.size();
        unique.insert(ids.begin(), ids.end());
    }
    EXPECT_EQ(total, static_cast<std::size_t>(kItems));
    EXPECT_EQ(unique.size(), static_cast<std::size_t>(kItems));
}

// Writers on several connections at once: on PostgreSQL each backend counts into its own
// counter shard (migrations/postgres/0004), and the dashboard must still read exact sums.
TEST_P(RepositoryConformance, ConcurrentSubmitsKeepCountersExact) {
    constexpr int kItems = 240;
    constexpr int kThreads = 8;
    const std::vector<std::string> labels{"Cat", "Dog", "Animal/Bird"};
    Project p = AddProject("Pets", kItems);
    std::vector<int> stored(kThreads, 0);
    std::vector<std::map<std::string, std::int64_t>> by_label(kThreads);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            const Id user = t + 1;
            for (int round = 0;; ++round) {
                std::string token = "s" + std::to_string(t) + "-" + std::to_string(round);
                auto items = repo_->LeaseNext({p.id, user, 3, token, kT0, kT0 + 60'000});
                if (!items.ok() || items->empty()) {
                    failures += items.ok() ? 0 : 1;
                    return;
                }
                for (const Item& i : *items) {
                    const std::string& label = labels[static_cast<std::size_t>(i.id) % 3];
                    auto outcome =
                        repo_->SubmitAnnotation(Submit(p.id, i.id, user, token, {label}, kT0 + 1));
                    if (!outcome.ok() || *outcome != SubmitOutcome::kStored) {
                        ++failures;
                        continue;
                    }
                    ++stored[t];
                    ++by_label[t][label];
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(failures.load(), 0);
    auto progress = repo_->GetProgress(p.id, kT0 + 2);
    ASSERT_TRUE(progress.ok());
    EXPECT_EQ(progress->labeled, kItems);
    EXPECT_EQ(progress->unlabeled, 0);
    EXPECT_EQ(progress->total, kItems);
    std::map<std::string, std::int64_t> expected;
    for (const auto& m : by_label) {
        for (const auto& [label, n] : m) {
            expected[label] += n;
        }
    }
    auto distribution = repo_->LabelDistribution(p.id);
    ASSERT_TRUE(distribution.ok());
    std::map<std::string, std::int64_t> actual;
    for (const LabelCount& c : *distribution) {
        actual[c.label] = c.count;
    }
    EXPECT_EQ(actual, expected);
    auto labelers = repo_->LabelerDistribution(p.id);
    ASSERT_TRUE(labelers.ok());
    std::map<Id, std::int64_t> per_user;
    for (const LabelerCount& c : *labelers) {
        per_user[c.user_id] = c.count;
    }
    for (int t = 0; t < kThreads; ++t) {
        EXPECT_EQ(per_user[t + 1], stored[t]) << "labeler " << t + 1;
    }
}

std::vector<Id> IdsOf(const std::vector<Item>& items) {
    std::vector<Id> ids;
    ids.reserve(items.size());
    for (const Item& i : items) {
        ids.push_back(i.id);
    }
    return ids;
}

// PostgreSQL's LeaseNext starts from the queue front this process last saw (the leased rows'
// dead index entries in front of it are not walked again). Items that go back behind that
// front must still come out first: at once when this process put them back, and once the
// remembered front expires (5 s) when another process did.
TEST_P(RepositoryConformance, ItemsReturnedBehindTheQueueFrontAreLeasedAgain) {
    Project p = AddProject("Pets", 20);
    std::vector<Item> first = Lease(p.id, 1, 3, "a", kT0);
    std::vector<Item> second = Lease(p.id, 2, 3, "b", kT0);
    ASSERT_EQ(first.size(), 3u);
    ASSERT_EQ(second.size(), 3u);
    ASSERT_TRUE(repo_->ReleaseLease(p.id, 1, "a").ok());
    EXPECT_EQ(IdsOf(Lease(p.id, 3, 3, "c", kT0 + 1)), IdsOf(first));

    if (db_->SupportsSecondHandle()) {
        auto other = db_->Open();
        ASSERT_TRUE(other.ok()) << other.error().message;
        std::vector<Item> fourth = Lease(p.id, 4, 3, "d", kT0 + 2);
        ASSERT_EQ(fourth.size(), 3u);
        ASSERT_TRUE((*other)->ReleaseLease(p.id, 4, "d").ok());
        EXPECT_EQ(IdsOf(Lease(p.id, 5, 3, "e", kT0 + 6000)), IdsOf(fourth));
    }

    // New items may rank anywhere; leasing to the end still hands out every item once.
    ASSERT_TRUE(repo_->InsertItems(p.id, MakeItems(10, "late"), kT0 + 7000).ok());
    std::set<Id> leased;
    for (int round = 0;; ++round) {
        std::vector<Item> page = Lease(p.id, 6, 4, "z" + std::to_string(round), kT0 + 7001 + round);
        if (page.empty()) {
            break;
        }
        for (const Item& i : page) {
            EXPECT_TRUE(leased.insert(i.id).second) << "item " << i.id << " leased twice";
        }
    }
    const std::size_t held = 3 + 3 + (db_->SupportsSecondHandle() ? 3 : 0);  // b, c, e
    EXPECT_EQ(leased.size(), 30u - held);
}

TEST_P(RepositoryConformance, RenewAndReleaseLeases) {
    Project p = AddProject("Pets", 6);
    User alice = AddUser("alice");
    User bob = AddUser("bob");
    std::vector<Item> page = Lease(p.id, alice.id, 4, "la", kT0);
    auto renewed = repo_->RenewLease(p.id, alice.id, "la", kT0 + 100, kT0 + 120'000);
    ASSERT_TRUE(renewed.ok());
    EXPECT_EQ(*renewed, 4);
    EXPECT_EQ(repo_->GetItem(p.id, page[0].id)->lease_expires_at, kT0 + 120'000);
    EXPECT_EQ(repo_->RenewLease(p.id, bob.id, "la", kT0, kT0 + 1).error().code,
              ErrorCode::kLeaseInvalid);
    EXPECT_EQ(repo_->RenewLease(p.id, alice.id, "nope", kT0, kT0 + 1).error().code,
              ErrorCode::kLeaseInvalid);
    // Expired leases cannot be renewed.
    EXPECT_EQ(repo_->RenewLease(p.id, alice.id, "la", kT0 + 120'000, kT0 + 200'000).error().code,
              ErrorCode::kLeaseInvalid);

    std::vector<Item> page2 = Lease(p.id, alice.id, 4, "lc", kT0 + 200);
    ASSERT_EQ(page2.size(), 2u);
    ASSERT_TRUE(
        repo_->SubmitAnnotation(Submit(p.id, page2[0].id, alice.id, "lc", {"Cat"}, kT0 + 300))
            .ok());
    // Releasing by someone else does nothing; by the owner returns the unsubmitted item only.
    ASSERT_TRUE(repo_->ReleaseLease(p.id, bob.id, "lc").ok());
    EXPECT_TRUE(Lease(p.id, bob.id, 4, "lb", kT0 + 400).empty());
    ASSERT_TRUE(repo_->ReleaseLease(p.id, alice.id, "lc").ok());
    std::vector<Item> back = Lease(p.id, bob.id, 4, "lb2", kT0 + 500);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].id, page2[1].id);
}

TEST_P(RepositoryConformance, SubmitStoresRetriesAndEdits) {
    Project p = AddProject("Pets", 3);
    User alice = AddUser("alice");
    User bob = AddUser("bob");
    std::vector<Item> page = Lease(p.id, alice.id, 2, "la", kT0);
    const Id item = page[0].id;

    // Not Bob's lease, and no earlier answer by Bob.
    auto stolen = repo_->SubmitAnnotation(Submit(p.id, item, bob.id, "la", {"Dog"}, kT0 + 1));
    ASSERT_FALSE(stolen.ok());
    EXPECT_EQ(stolen.error().code, ErrorCode::kLeaseInvalid);
    EXPECT_EQ(
        repo_->SubmitAnnotation(Submit(p.id, item, alice.id, "", {"Dog"}, kT0 + 1)).error().code,
        ErrorCode::kLeaseInvalid);

    SubmitRequest first = Submit(p.id, item, alice.id, "la", {"Cat"}, kT0 + 10);
    EXPECT_EQ(*repo_->SubmitAnnotation(first), SubmitOutcome::kStored);
    Item labeled = *repo_->GetItem(p.id, item);
    EXPECT_EQ(labeled.state, ItemState::kLabeled);
    EXPECT_TRUE(labeled.lease_token.empty());
    first.now = kT0 + 20;  // the client retried after a lost response
    EXPECT_EQ(*repo_->SubmitAnnotation(first), SubmitOutcome::kUnchanged);
    auto own = repo_->GetAnnotation(p.id, item, alice.id);
    ASSERT_TRUE(own.ok());
    EXPECT_EQ(own->payload_json, Payload({"Cat"}));
    EXPECT_EQ(own->updated_at, kT0 + 10);
    EXPECT_EQ(own->source, AnnotationSource::kHuman);
    EXPECT_EQ(own->author_id, alice.id);

    // Editing one's own answer later, without a lease, while the item is labeled.
    auto edit = repo_->SubmitAnnotation(Submit(p.id, item, alice.id, "", {"Dog"}, kT0 + 30));
    ASSERT_TRUE(edit.ok());
    EXPECT_EQ(*edit, SubmitOutcome::kUpdated);
    own = repo_->GetAnnotation(p.id, item, alice.id);
    EXPECT_EQ(own->payload_json, Payload({"Dog"}));
    EXPECT_EQ(own->updated_at, kT0 + 30);
    EXPECT_EQ(repo_->GetAnnotation(p.id, item, bob.id).error().code, ErrorCode::kNotFound);

    // Expired lease and no earlier answer: rejected.
    auto late =
        repo_->SubmitAnnotation(Submit(p.id, page[1].id, alice.id, "la", {"Cat"}, kT0 + 60'000));
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.error().code, ErrorCode::kLeaseInvalid);
    EXPECT_EQ(
        repo_->SubmitAnnotation(Submit(p.id, 99999, alice.id, "la", {"Cat"}, kT0)).error().code,
        ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, DraftsArePerUserAndEndWithTheSubmit) {
    Project p = AddProject("Drafts", 2);
    User alice = AddUser("alice");
    User bob = AddUser("bob");
    std::vector<Item> page = Lease(p.id, alice.id, 1, "la", kT0);
    const Id item = page[0].id;
    EXPECT_EQ(repo_->GetDraft(p.id, item, alice.id).error().code, ErrorCode::kNotFound);

    ASSERT_TRUE(repo_->SaveDraft(p.id, item, alice.id, R"({"shapes":[1]})", kT0 + 1).ok());
    ASSERT_TRUE(repo_->SaveDraft(p.id, item, alice.id, R"({"shapes":[2]})", kT0 + 2).ok());
    ASSERT_TRUE(repo_->SaveDraft(p.id, item, bob.id, R"({"shapes":[3]})", kT0 + 3).ok());
    auto draft = repo_->GetDraft(p.id, item, alice.id);
    ASSERT_TRUE(draft.ok()) << draft.error().message;
    EXPECT_EQ(draft->payload_json, R"({"shapes":[2]})");
    EXPECT_EQ(draft->updated_at, kT0 + 2);
    EXPECT_EQ(repo_->GetDraft(p.id, item, bob.id)->payload_json, R"({"shapes":[3]})");

    Project other = AddProject("Other", 1);
    EXPECT_EQ(repo_->SaveDraft(other.id, item, alice.id, "{}", kT0).error().code,
              ErrorCode::kNotFound);
    EXPECT_EQ(repo_->SaveDraft(p.id, 99999, alice.id, "{}", kT0).error().code,
              ErrorCode::kNotFound);
    EXPECT_EQ(repo_->GetDraft(other.id, item, alice.id).error().code, ErrorCode::kNotFound);

    // A rejected submit keeps the draft; an accepted one deletes only the submitter's.
    EXPECT_FALSE(
        repo_->SubmitAnnotation(Submit(p.id, item, alice.id, "zz", {"Cat"}, kT0 + 4)).ok());
    EXPECT_TRUE(repo_->GetDraft(p.id, item, alice.id).ok());
    ASSERT_TRUE(repo_->SubmitAnnotation(Submit(p.id, item, alice.id, "la", {"Cat"}, kT0 + 5)).ok());
    EXPECT_EQ(repo_->GetDraft(p.id, item, alice.id).error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(repo_->GetDraft(p.id, item, bob.id).ok());
}

TEST_P(RepositoryConformance, SkipMarksSkippedAndRetryIsNoOp) {
    Project p = AddProject("Pets", 3);
    User alice = AddUser("alice");
    User bob = AddUser("bob");
    std::vector<Item> page = Lease(p.id, alice.id, 1, "la", kT0);
    const Id item = page[0].id;
    EXPECT_EQ(repo_->SkipItem({p.id, item, bob.id, "la", kT0 + 1}).error().code,
              ErrorCode::kLeaseInvalid);
    ASSERT_TRUE(repo_->SkipItem({p.id, item, alice.id, "la", kT0 + 1}).ok());
    ASSERT_TRUE(repo_->SkipItem({p.id, item, alice.id, "la", kT0 + 2}).ok());  // retry
    EXPECT_EQ(repo_->SkipItem({p.id, item, bob.id, "la", kT0 + 3}).error().code,
              ErrorCode::kLeaseInvalid);
    Item skipped = *repo_->GetItem(p.id, item);
    EXPECT_EQ(skipped.state, ItemState::kSkipped);
    EXPECT_TRUE(skipped.lease_token.empty());
    // Skipped items are not handed out again.
    std::set<Id> rest = Ids(Lease(p.id, bob.id, 9, "lb", kT0 + 4));
    EXPECT_EQ(rest.size(), 2u);
    EXPECT_EQ(rest.count(item), 0u);
    Progress progress = *repo_->GetProgress(p.id, kT0 + 5);
    EXPECT_EQ(progress.skipped, 1);
    EXPECT_EQ(progress.in_progress, 2);
}

TEST_P(RepositoryConformance, ListUserAnnotationsNewestFirstWithPaging) {
    Project p = AddProject("Pets", 5);
    User alice = AddUser("alice");
    User bob = AddUser("bob");
    std::vector<Item> page = Lease(p.id, alice.id, 4, "la", kT0);
    for (int i = 0; i < 4; ++i) {
        ASSERT_TRUE(repo_
                        ->SubmitAnnotation(Submit(p.id, page[i].id, alice.id, "la", {"Cat"},
                                                  kT0 + TimeMs{10} * (i + 1)))
                        .ok());
    }
    std::vector<Item> bobs = Lease(p.id, bob.id, 1, "lb", kT0);
    ASSERT_TRUE(
        repo_->SubmitAnnotation(Submit(p.id, bobs[0].id, bob.id, "lb", {"Dog"}, kT0 + 5)).ok());
    // Editing the oldest answer makes it the newest.
    ASSERT_TRUE(
        repo_->SubmitAnnotation(Submit(p.id, page[0].id, alice.id, "", {"Dog"}, kT0 + 100)).ok());

    auto history = repo_->ListUserAnnotations(p.id, alice.id, 3, 0);
    ASSERT_TRUE(history.ok());
    ASSERT_EQ(history->size(), 3u);
    EXPECT_EQ((*history)[0].first.id, page[0].id);
    EXPECT_EQ((*history)[0].second.payload_json, Payload({"Dog"}));
    EXPECT_EQ((*history)[1].first.id, page[3].id);
    EXPECT_EQ((*history)[2].first.id, page[2].id);
    auto older = repo_->ListUserAnnotations(p.id, alice.id, 3, (*history)[2].second.updated_at);
    ASSERT_EQ(older->size(), 1u);
    EXPECT_EQ((*older)[0].first.id, page[1].id);
    EXPECT_EQ((*older)[0].first.path, page[1].path);
}

// Random operations from several labelers; after each step the counters must equal a
// brute-force recount of the items and of the answers the test itself recorded.
TEST_P(RepositoryConformance, CountersStayExactUnderMixedOperations) {
    constexpr int kItems = 40;
    Project p = AddProject("Pets", kItems);
    std::vector<NewItem> broken{{"bad.jpg", 1, 0, 0, "", ItemState::kError, "truncated"}};
    ASSERT_TRUE(repo_->InsertItems(p.id, broken, kT0).ok());
    std::vector<User> users{AddUser("u0"), AddUser("u1"), AddUser("u2")};
    const std::vector<std::string> labels{"Cat", "Dog", "Animal/Bird"};

    std::mt19937_64 rng(20240611);
    std::map<std::pair<Id, Id>, std::vector<std::string>> answers;  // (item, user) -> labels
    std::map<Id, std::vector<std::pair<Id, std::string>>> held;     // user -> (item, token)
    TimeMs now = kT0;
    int tokens = 0;
    for (int step = 0; step < 150; ++step) {
        now += 1000;
        const User& u = users[rng() % users.size()];
        const int action = static_cast<int>(rng() % 10);
        if (action < 3 || held[u.id].empty()) {
            std::string token = "tok" + std::to_string(++tokens);
            // Short leases so some expire and come back.
            for (const Item& i : Lease(p.id, u.id, 1 + static_cast<int>(rng() % 3), token, now,
                                       (rng() % 4 == 0) ? 1500 : 60'000)) {
                held[u.id].emplace_back(i.id, token);
            }
        } else if (action < 8) {
            auto [item, token] = held[u.id].back();
            held[u.id].pop_back();
            std::vector<std::string> chosen;
            for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
                chosen.push_back(labels[rng() % labels.size()]);
            }
            auto outcome = repo_->SubmitAnnotation(Submit(p.id, item, u.id, token, chosen, now));
            if (outcome.ok()) {
                answers[{item, u.id}] = chosen;
            } else {
                EXPECT_EQ(outcome.error().code, ErrorCode::kLeaseInvalid);  // lease expired
            }
        } else if (action < 9) {
            auto [item, token] = held[u.id].back();
            held[u.id].pop_back();
            Status s = repo_->SkipItem({p.id, item, u.id, token, now});
            EXPECT_TRUE(s.ok() || s.error().code == ErrorCode::kLeaseInvalid);
        } else if (!answers.empty()) {
            // Edit one of this user's earlier answers, if any.
            for (auto& [key, old] : answers) {
                if (key.second == u.id) {
                    std::vector<std::string> chosen{labels[rng() % labels.size()]};
                    auto outcome =
                        repo_->SubmitAnnotation(Submit(p.id, key.first, u.id, "", chosen, now));
                    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
                    EXPECT_EQ(*outcome, SubmitOutcome::kUpdated);
                    old = chosen;
                    break;
                }
            }
        }

        Progress expected = BruteProgress(*repo_, p.id, now);
        auto actual = repo_->GetProgress(p.id, now);
        ASSERT_TRUE(actual.ok());
        ASSERT_EQ(Show(*actual), Show(expected)) << "after step " << step;
        ASSERT_EQ(*repo_->CountItems(p.id), kItems + 1);

        std::map<std::string, std::int64_t> label_truth;
        std::map<Id, std::int64_t> labeler_truth;
        for (const auto& [key, chosen] : answers) {
            ++labeler_truth[key.second];
            for (const std::string& l : chosen) {
                ++label_truth[l];
            }
        }
        std::map<std::string, std::int64_t> label_actual;
        auto label_counts = repo_->LabelDistribution(p.id);
        ASSERT_TRUE(label_counts.ok());
        for (const LabelCount& c : *label_counts) {
            label_actual[c.label] = c.count;
        }
        ASSERT_EQ(label_actual, label_truth) << "after step " << step;
        std::map<Id, std::int64_t> labeler_actual;
        auto labeler_counts = repo_->LabelerDistribution(p.id);
        ASSERT_TRUE(labeler_counts.ok());
        for (const LabelerCount& c : *labeler_counts) {
            labeler_actual[c.user_id] = c.count;
            EXPECT_EQ(c.username, "u" + std::to_string(c.user_id - users[0].id));
        }
        ASSERT_EQ(labeler_actual, labeler_truth) << "after step " << step;
    }
    EXPECT_GT(answers.size(), 10u);  // the walk really labeled things
}

// ApplyImport counts item states without the per-row trigger on PostgreSQL
// (migrations/postgres/0003): prelabels, final imports over every item state, an item twice in
// one request, a re-import over earlier import labels and a failed import must all leave the
// counters equal to a recount, and later submits must be counted by the trigger again.
TEST_P(RepositoryConformance, ImportsKeepCountersExact) {
    Project p = AddProject("Imported", 10);
    ASSERT_TRUE(
        repo_->InsertItems(p.id, {{"bad.jpg", 1, 0, 0, "", ItemState::kError, "x"}}, kT0).ok());
    User u = AddUser("u0");
    TimeMs now = kT0 + 1000;
    std::map<std::string, std::int64_t> label_truth;
    std::map<Id, std::int64_t> labeler_truth;
    auto expect_exact = [&](const std::string& when) {
        auto progress = repo_->GetProgress(p.id, now);
        ASSERT_TRUE(progress.ok());
        EXPECT_EQ(Show(*progress), Show(BruteProgress(*repo_, p.id, now))) << when;
        auto label_counts = repo_->LabelDistribution(p.id);
        auto labeler_counts = repo_->LabelerDistribution(p.id);
        ASSERT_TRUE(label_counts.ok() && labeler_counts.ok());
        std::map<std::string, std::int64_t> labels;
        for (const LabelCount& c : *label_counts) {
            labels[c.label] = c.count;
        }
        EXPECT_EQ(labels, label_truth) << when;
        std::map<Id, std::int64_t> labelers;
        for (const LabelerCount& c : *labeler_counts) {
            labelers[c.user_id] = c.count;
        }
        EXPECT_EQ(labelers, labeler_truth) << when;
    };

    // One item labeled by a human, one skipped, one leased (in progress), the rest unlabeled.
    std::vector<Item> leased = Lease(p.id, u.id, 3, "t1", now);
    ASSERT_EQ(leased.size(), 3u);
    ASSERT_EQ(*repo_->SubmitAnnotation(Submit(p.id, leased[0].id, u.id, "t1", {"Cat"}, now)),
              SubmitOutcome::kStored);
    ASSERT_TRUE(repo_->SkipItem({p.id, leased[1].id, u.id, "t1", now}).ok());
    label_truth["Cat"] = 1;
    labeler_truth[u.id] = 1;
    expect_exact("after the human answer");

    std::vector<Item> items = AllItems(*repo_, p.id);
    ASSERT_EQ(items.size(), 11u);
    auto request = [&](bool final, const std::vector<Id>& ids, const std::string& label) {
        ImportRequest r;
        r.project_id = p.id;
        r.final = final;
        r.now = now;
        for (Id id : ids) {
            r.annotations.push_back({id, Payload({label}), {label}, std::nullopt});
        }
        return r;
    };
    // The three items leased above first, the error item last.
    std::vector<Id> all;
    all.reserve(items.size());
    for (const Item& i : leased) {
        all.push_back(i.id);
    }
    for (const Item& i : items) {
        if (i.state == ItemState::kUnlabeled && !Ids(leased).contains(i.id)) {
            all.push_back(i.id);
        }
    }
    all.push_back(items.back().id);
    ASSERT_EQ(all.size(), 11u);

    // Prelabels change no counter, however often they are replaced.
    for (int round = 0; round < 2; ++round) {
        auto applied = repo_->ApplyImport(request(false, all, "Dog"));
        ASSERT_TRUE(applied.ok()) << applied.error().message;
        EXPECT_EQ(applied->stored, 11);
        EXPECT_EQ(applied->replaced, round == 0 ? 0 : 11);
        expect_exact("after prelabel import " + std::to_string(round));
    }

    // Final: the labeled, skipped and leased items, three unlabeled ones, the first one twice,
    // and the error item.
    std::vector<Id> first(all.begin(), all.begin() + 6);
    first.push_back(all.front());
    first.push_back(all.back());
    auto applied = repo_->ApplyImport(request(true, first, "Dog"));
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    EXPECT_EQ(applied->stored, 8);
    EXPECT_EQ(applied->replaced, 1);  // the duplicate replaces its own first annotation
    label_truth["Dog"] = 7;
    expect_exact("after the final import");

    // Re-import over those labels plus two more items: the earlier import labels are replaced.
    std::vector<Id> second(all.begin(), all.begin() + 8);
    applied = repo_->ApplyImport(request(true, second, "Cat"));
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    EXPECT_EQ(applied->replaced, 6);
    label_truth["Dog"] = 1;  // the error item keeps its import
    label_truth["Cat"] = 1 + 8;
    expect_exact("after the re-import");

    // A failing import (an item of no project) changes nothing.
    std::vector<Id> failing{all[8], all[9], all.back() + 1000};
    EXPECT_EQ(repo_->ApplyImport(request(true, failing, "Dog")).error().code, ErrorCode::kNotFound);
    expect_exact("after the failed import");

    // Later writers are counted by the trigger again: label the last unlabeled items.
    now += 1000;
    std::vector<Item> rest = Lease(p.id, u.id, 10, "t2", now);
    ASSERT_EQ(rest.size(), 2u);
    for (const Item& i : rest) {
        ASSERT_EQ(*repo_->SubmitAnnotation(Submit(p.id, i.id, u.id, "t2", {"Dog"}, now)),
                  SubmitOutcome::kStored);
    }
    label_truth["Dog"] += 2;
    labeler_truth[u.id] += 2;
    expect_exact("after submits following the imports");
    auto progress = repo_->GetProgress(p.id, now);
    ASSERT_TRUE(progress.ok());
    EXPECT_EQ(progress->labeled, 11);
}

TEST_P(RepositoryConformance, ExportStreamsLabeledItemsInPages) {
    constexpr int kItems = 5003;  // more than one 5000-row page
    Project p = AddProject("Pets", kItems);
    User alice = AddUser("alice");
    // Label everything in bulk through SQL both dialects share; the queue is tested elsewhere.
    ASSERT_TRUE(repo_
                    ->ExecForTest(
                        "INSERT INTO annotations (project_id, item_id, author_id, source, "
                        "payload_json, created_at, updated_at) SELECT project_id, id, " +
                        std::to_string(alice.id) +
                        ", 'human', '{\"labels\":[\"Cat\"]}', 5, 6 FROM items WHERE project_id = " +
                        std::to_string(p.id) +
                        "; UPDATE items SET state = 'labeled', result_annotation_id = (SELECT "
                        "a.id FROM annotations a WHERE a.item_id = items.id) WHERE project_id = " +
                        std::to_string(p.id) + " AND path <> 'img000007.jpg';")
                    .ok());
    std::vector<ExportRow> rows;
    ASSERT_TRUE(repo_
                    ->ForEachExportRow(p.id,
                                       [&](const ExportRow& row) {
                                           rows.push_back(row);
                                           return true;
                                       })
                    .ok());
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(kItems - 1));
    for (std::size_t i = 1; i < rows.size(); ++i) {
        ASSERT_LT(rows[i - 1].item.id, rows[i].item.id);
    }
    EXPECT_EQ(rows[0].author, "alice");
    EXPECT_EQ(rows[0].annotation.payload_json, "{\"labels\":[\"Cat\"]}");
    EXPECT_EQ(rows[0].annotation.item_id, rows[0].item.id);
    EXPECT_EQ(rows[0].item.state, ItemState::kLabeled);
    // Every field an export may write matches what the item and annotation readers return.
    const ExportRow& last = rows.back();
    auto item = repo_->GetItem(p.id, last.item.id);
    ASSERT_TRUE(item.ok());
    EXPECT_EQ(last.item.project_id, p.id);
    EXPECT_EQ(last.item.path, item->path);
    EXPECT_EQ(last.item.size_bytes, item->size_bytes);
    EXPECT_EQ(last.item.width, item->width);
    EXPECT_EQ(last.item.height, item->height);
    EXPECT_EQ(last.item.format, item->format);
    EXPECT_EQ(last.item.created_at, item->created_at);
    auto annotation = repo_->GetAnnotation(p.id, last.item.id, alice.id);
    ASSERT_TRUE(annotation.ok());
    EXPECT_EQ(last.annotation.id, annotation->id);
    EXPECT_EQ(last.annotation.project_id, p.id);
    EXPECT_EQ(last.annotation.item_id, last.item.id);
    EXPECT_EQ(last.annotation.author_id, std::optional<Id>(alice.id));
    EXPECT_EQ(last.annotation.source, AnnotationSource::kHuman);
    EXPECT_FALSE(last.annotation.confidence.has_value());
    EXPECT_EQ(last.annotation.created_at, 5);
    EXPECT_EQ(last.annotation.updated_at, 6);
    for (const ExportRow& row : rows) {
        ASSERT_NE(row.item.path, "img000007.jpg");
    }

    int seen = 0;
    ASSERT_TRUE(repo_->ForEachExportRow(p.id, [&](const ExportRow&) { return ++seen < 10; }).ok());
    EXPECT_EQ(seen, 10);
    EXPECT_EQ(repo_->ForEachExportRow(9999, [](const ExportRow&) { return true; }).error().code,
              ErrorCode::kNotFound);
}

// Export pages are ranges of item ids: a project whose ids are spread between another
// project's (ingests running side by side) still comes out whole, in order, once each, across
// pages that hold a few rows or none.
TEST_P(RepositoryConformance, ExportOfInterleavedIdsIsWholeAndOrdered) {
    Project a = AddProject("Busy", 0);
    Project b = AddProject("Sparse", 0);
    Project empty = AddProject("Empty", 0);
    for (int round = 0; round < 7; ++round) {
        const std::string tag = "r" + std::to_string(round) + "-";
        ASSERT_TRUE(repo_->InsertItems(a.id, MakeItems(3000, tag), kT0).ok());
        ASSERT_TRUE(repo_->InsertItems(b.id, MakeItems(7, tag), kT0).ok());
    }
    ASSERT_TRUE(
        repo_
            ->ExecForTest("INSERT INTO annotations (project_id, item_id, source, "
                          "payload_json, created_at, updated_at) SELECT project_id, id, "
                          "'import', '{\"labels\":[\"Cat\"]}', 5, 6 FROM items; UPDATE "
                          "items SET state = 'labeled', result_annotation_id = (SELECT a.id "
                          "FROM annotations a WHERE a.item_id = items.id);")
            .ok());
    std::vector<Id> exported;
    ASSERT_TRUE(repo_
                    ->ForEachExportRow(b.id,
                                       [&](const ExportRow& row) {
                                           EXPECT_EQ(row.item.project_id, b.id);
                                           exported.push_back(row.item.id);
                                           return true;
                                       })
                    .ok());
    std::vector<Id> expected;
    for (const Item& i : AllItems(*repo_, b.id)) {
        expected.push_back(i.id);
    }
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(expected.size(), 49u);
    EXPECT_GT(expected.back() - expected.front(), 3 * 5000);  // spans several pages
    EXPECT_EQ(exported, expected);
    int rows = 0;
    ASSERT_TRUE(
        repo_->ForEachExportRow(empty.id, [&](const ExportRow&) { return ++rows > 0; }).ok());
    EXPECT_EQ(rows, 0);
}

// --- jobs

TEST_P(RepositoryConformance, JobsClaimOldestAndReclaimStale) {
    Project p = AddProject("Pets", 0);
    Job ingest;
    ingest.kind = "ingest";
    ingest.project_id = p.id;
    ingest.payload_json = "{\"full\":true}";
    ingest.created_at = kT0;
    auto first = repo_->EnqueueJob(ingest);
    ASSERT_TRUE(first.ok());
    ingest.created_at = kT0 + 1;
    auto second = repo_->EnqueueJob(ingest);
    Job train = ingest;
    train.kind = "train";
    auto third = repo_->EnqueueJob(train);
    ASSERT_TRUE(second.ok() && third.ok());

    auto none = repo_->ClaimJob({"export"}, "w1", kT0 + 10, kT0);
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value());
    auto claimed = repo_->ClaimJob({"ingest", "export"}, "w1", kT0 + 10, kT0);
    ASSERT_TRUE(claimed.ok() && claimed->has_value());
    EXPECT_EQ((*claimed)->id, first->id);
    EXPECT_EQ((*claimed)->state, JobState::kRunning);
    EXPECT_EQ((*claimed)->worker, "w1");
    EXPECT_EQ((*claimed)->payload_json, "{\"full\":true}");
    auto next = repo_->ClaimJob({"ingest"}, "w2", kT0 + 11, kT0);
    EXPECT_EQ((**next).id, second->id);
    EXPECT_FALSE(repo_->ClaimJob({"ingest"}, "w2", kT0 + 12, kT0)->has_value());

    ASSERT_TRUE(repo_->UpdateJobProgress(first->id, 5, 10, kT0 + 500).ok());
    auto got = repo_->GetJob(first->id);
    EXPECT_EQ(got->progress_done, 5);
    EXPECT_EQ(got->progress_total, 10);
    EXPECT_EQ(got->heartbeat_at, kT0 + 500);
    // w2's job went silent at kT0 + 11; w1's heartbeat is fresh. Only w2's is reclaimed.
    auto reclaimed = repo_->ClaimJob({"ingest"}, "w3", kT0 + 1000, kT0 + 400);
    ASSERT_TRUE(reclaimed.ok() && reclaimed->has_value());
    EXPECT_EQ((**reclaimed).id, second->id);
    EXPECT_EQ((**reclaimed).worker, "w3");
    EXPECT_FALSE(repo_->ClaimJob({"ingest"}, "w4", kT0 + 1000, kT0 + 400)->has_value());

    ASSERT_TRUE(repo_->FinishJob(first->id, JobState::kFailed, "disk full", kT0 + 2000).ok());
    got = repo_->GetJob(first->id);
    EXPECT_EQ(got->state, JobState::kFailed);
    EXPECT_EQ(got->error, "disk full");
    EXPECT_EQ(got->finished_at, kT0 + 2000);
    // Finished jobs are never reclaimed, however old.
    ASSERT_TRUE(repo_->FinishJob(second->id, JobState::kDone, "", kT0 + 2000).ok());
    EXPECT_FALSE(repo_->ClaimJob({"ingest"}, "w5", kT0 + 9999, kT0 + 9999)->has_value());

    auto list = repo_->ListJobs(p.id);
    ASSERT_EQ(list->size(), 3u);
    EXPECT_EQ((*list)[2].id, first->id);  // newest first
    EXPECT_EQ(repo_->GetJob(9999).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(repo_->FinishJob(9999, JobState::kDone, "", kT0).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(repo_->UpdateJobProgress(9999, 1, 1, kT0).error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, ConcurrentClaimsTakeEachJobOnce) {
    constexpr int kJobs = 30;
    for (int i = 0; i < kJobs; ++i) {
        Job j;
        j.kind = "ingest";
        j.created_at = kT0 + i;
        ASSERT_TRUE(repo_->EnqueueJob(j).ok());
    }
    std::vector<std::vector<Id>> got(4);
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            while (true) {
                auto job = repo_->ClaimJob({"ingest"}, "w" + std::to_string(t), kT0 + 100, kT0);
                if (!job.ok() || !job->has_value()) {
                    return;
                }
                got[t].push_back((**job).id);
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    std::set<Id> unique;
    std::size_t total = 0;
    for (const auto& ids : got) {
        total += ids.size();
        unique.insert(ids.begin(), ids.end());
    }
    EXPECT_EQ(total, static_cast<std::size_t>(kJobs));
    EXPECT_EQ(unique.size(), static_cast<std::size_t>(kJobs));
}

// --- operations

namespace {

std::int64_t CountOf(const std::vector<std::pair<std::string, std::int64_t>>& counts,
                     const std::string& state) {
    for (const auto& [name, n] : counts) {
        if (name == state) {
            return n;
        }
    }
    return 0;
}

}  // namespace

TEST_P(RepositoryConformance, OpsCountsSumLiveProjectsAndJobsByState) {
    User alice = AddUser("alice");
    Project pets = AddProject("Pets", 5);
    Project cars = AddProject("Cars", 3);
    Project gone = AddProject("Gone", 7);
    ASSERT_TRUE(repo_->DeleteProject(gone.id, kT0 + 1).ok());
    auto page = Lease(pets.id, alice.id, 2, "ops", kT0 + 1);
    ASSERT_EQ(page.size(), 2u);
    for (const Item& item : page) {
        ASSERT_TRUE(
            repo_->SubmitAnnotation(Submit(pets.id, item.id, alice.id, "ops", {"Cat"}, kT0 + 2))
                .ok());
    }
    Job job;
    job.kind = "ingest";
    job.project_id = cars.id;
    job.payload_json = "{}";
    job.created_at = kT0;
    ASSERT_TRUE(repo_->EnqueueJob(job).ok());
    ASSERT_TRUE(repo_->EnqueueJob(job).ok());
    auto claimed = repo_->ClaimJob({"ingest"}, "w1", kT0 + 3, kT0);
    ASSERT_TRUE(claimed.ok() && claimed->has_value());

    auto counts = repo_->CountForOps();
    ASSERT_TRUE(counts.ok()) << counts.error().message;
    EXPECT_EQ(CountOf(counts->items_by_state, "labeled"), 2);
    EXPECT_EQ(CountOf(counts->items_by_state, "unlabeled"), 3 + 3);  // the deleted 7 are left out
    EXPECT_EQ(CountOf(counts->jobs_by_state, "queued"), 1);
    EXPECT_EQ(CountOf(counts->jobs_by_state, "running"), 1);

    PoolStats pool = repo_->PoolStatus();
    EXPECT_GE(pool.connections, 1);
    EXPECT_EQ(pool.in_use + pool.idle, pool.connections);
    EXPECT_EQ(pool.in_use, 0);  // nothing runs between calls
    EXPECT_EQ(pool.waiting, 0);
}

}  // namespace tessera
