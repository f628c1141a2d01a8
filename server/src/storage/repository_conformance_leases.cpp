// Conformance for leases in their own table (migration 0008): an item is never on two live
// pages, expired pages are taken over, and the in-progress figures follow every way a lease
// ends. Registered with the rest of RepositoryConformance.
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "storage/repository_conformance.hpp"

namespace tessera {
namespace {

std::set<Id> IdSet(const std::vector<Item>& items) {
    std::set<Id> out;
    for (const Item& i : items) {
        out.insert(i.id);
    }
    return out;
}

std::set<Id> InProgressIds(Repository& repo, Id project_id, TimeMs now) {
    ItemFilter f;
    f.in_progress = true;
    f.now = now;
    f.limit = 1000;
    auto page = repo.FindItems(project_id, f);
    EXPECT_TRUE(page.ok()) << page.error().message;
    return page.ok() ? IdSet(page->items) : std::set<Id>{};
}

std::int64_t InProgress(Repository& repo, Id project_id, TimeMs now) {
    auto progress = repo.GetProgress(project_id, now);
    EXPECT_TRUE(progress.ok()) << progress.error().message;
    return progress.ok() ? progress->in_progress : -1;
}

// One lease of one item as a labeler received it: live from `now` until `expires_at`.
struct Grant {
    TimeMs now = 0;
    TimeMs expires_at = 0;
};

}  // namespace

// Eight labelers on several connections lease pages under one logical clock; a third of the
// pages are abandoned and expire, and are taken over by whoever leases after their expiry.
// Whatever the interleaving, no two grants of an item may be live at the same moment, and
// every item ends labeled exactly once.
TEST_P(RepositoryConformance, ConcurrentLeasesNeverOverlapWhileExpiredPagesAreTakenOver) {
    constexpr int kItems = 120;
    constexpr int kThreads = 8;
    constexpr TimeMs kTtl = 40;
    Project p = AddProject("Pets", kItems);
    std::atomic<TimeMs> clock{kT0};
    std::atomic<bool> done{false};
    std::atomic<int> failures{0};
    std::mutex mu;
    std::map<Id, std::vector<Grant>> grants;
    std::map<Id, int> stored;
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937 random(static_cast<unsigned>(t) + 1);
            const Id user = t + 1;
            for (int round = 0; round < 2000 && !done; ++round) {
                const std::string token = "t" + std::to_string(t) + "-" + std::to_string(round);
                const TimeMs now = clock.fetch_add(1);
                auto page = repo_->LeaseNext({p.id, user, 3, token, now, now + kTtl});
                if (!page.ok()) {
                    ++failures;
                    return;
                }
                if (page->empty()) {
                    // Everything left is on someone's page: let time pass so pages expire.
                    clock.fetch_add(kTtl / 4);
                    auto progress = repo_->GetProgress(p.id, clock.load());
                    done = progress.ok() && progress->labeled == kItems;
                    continue;
                }
                {
                    std::lock_guard<std::mutex> lock(mu);
                    for (const Item& i : *page) {
                        grants[i.id].push_back({now, now + kTtl});
                    }
                }
                if (random() % 3 == 0) {
                    continue;  // abandoned: the page expires
                }
                for (const Item& i : *page) {
                    auto outcome = repo_->SubmitAnnotation(
                        Submit(p.id, i.id, user, token, {"Cat"}, clock.fetch_add(1)));
                    if (outcome.ok() && *outcome == SubmitOutcome::kStored) {
                        std::lock_guard<std::mutex> lock(mu);
                        ++stored[i.id];
                    } else if (!outcome.ok() && outcome.error().code != ErrorCode::kLeaseInvalid) {
                        ++failures;  // a page that expired while being labeled is refused
                    }
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(failures.load(), 0);
    for (const auto& [item, list] : grants) {
        for (std::size_t a = 0; a < list.size(); ++a) {
            for (std::size_t b = a + 1; b < list.size(); ++b) {
                const bool apart =
                    list[a].expires_at <= list[b].now || list[b].expires_at <= list[a].now;
                EXPECT_TRUE(apart) << "item " << item << " was on two live pages: [" << list[a].now
                                   << ", " << list[a].expires_at << ") and [" << list[b].now << ", "
                                   << list[b].expires_at << ")";
            }
        }
    }
    EXPECT_EQ(stored.size(), static_cast<std::size_t>(kItems));
    for (const auto& [item, n] : stored) {
        EXPECT_EQ(n, 1) << "item " << item;
    }
    auto progress = repo_->GetProgress(p.id, clock.load());
    ASSERT_TRUE(progress.ok());
    EXPECT_EQ(progress->labeled, kItems);
    EXPECT_EQ(progress->in_progress, 0);
    EXPECT_TRUE(InProgressIds(*repo_, p.id, clock.load()).empty());
}

// The in-progress count and the Data tab's in_progress filter follow each way a lease ends:
// expiry (at the caller's clock), submit, skip, take-over, release, a missing item, pause.
TEST_P(RepositoryConformance, InProgressFollowsEveryWayALeaseEnds) {
    Project p = AddProject("Pets", 10);
    User alice = AddUser("alice");
    User bob = AddUser("bob");
    User carol = AddUser("carol");
    std::vector<Item> a = Lease(p.id, alice.id, 3, "la", kT0);
    std::vector<Item> b = Lease(p.id, bob.id, 2, "lb", kT0, 1000);
    ASSERT_EQ(a.size(), 3u);
    ASSERT_EQ(b.size(), 2u);
    std::set<Id> both = IdSet(a);
    both.merge(IdSet(b));
    EXPECT_EQ(InProgress(*repo_, p.id, kT0 + 1), 5);
    EXPECT_EQ(repo_->GetProgress(p.id, kT0 + 1)->unlabeled, 5);
    EXPECT_EQ(InProgressIds(*repo_, p.id, kT0 + 1), both);

    // Bob's page expires: it no longer counts, though the item still shows his lease.
    EXPECT_EQ(InProgress(*repo_, p.id, kT0 + 1000), 3);
    EXPECT_EQ(InProgressIds(*repo_, p.id, kT0 + 1000), IdSet(a));
    auto expired = repo_->GetItem(p.id, b[0].id);
    EXPECT_EQ(expired->lease_owner, bob.id);
    EXPECT_EQ(expired->lease_expires_at, kT0 + 1000);

    ASSERT_TRUE(
        repo_->SubmitAnnotation(Submit(p.id, a[0].id, alice.id, "la", {"Cat"}, kT0 + 1001)).ok());
    ASSERT_TRUE(repo_->SkipItem({p.id, a[1].id, alice.id, "la", kT0 + 1002}).ok());
    EXPECT_EQ(InProgress(*repo_, p.id, kT0 + 1003), 1);
    EXPECT_TRUE(repo_->GetItem(p.id, a[0].id)->lease_token.empty());
    EXPECT_TRUE(repo_->GetItem(p.id, a[1].id)->lease_token.empty());

    // Carol takes over Bob's expired items and the rest of the queue, not Alice's live one.
    std::vector<Item> c = Lease(p.id, carol.id, 9, "lc", kT0 + 1003);
    ASSERT_EQ(c.size(), 7u);
    std::set<Id> carols = IdSet(c);
    for (const Item& i : b) {
        EXPECT_TRUE(carols.count(i.id)) << "expired item " << i.id << " not taken over";
    }
    EXPECT_FALSE(carols.count(a[2].id));
    EXPECT_EQ(InProgress(*repo_, p.id, kT0 + 1004), 8);
    // Bob's late submit under the lease Carol took over is refused.
    EXPECT_EQ(repo_->SubmitAnnotation(Submit(p.id, b[0].id, bob.id, "lb", {"Cat"}, kT0 + 1004))
                  .error()
                  .code,
              ErrorCode::kLeaseInvalid);

    ASSERT_TRUE(repo_->ReleaseLease(p.id, alice.id, "la").ok());
    EXPECT_EQ(InProgress(*repo_, p.id, kT0 + 1005), 7);
    ASSERT_EQ(*repo_->SetItemsMissing(p.id, {c[0].id}, true), 1);
    EXPECT_EQ(InProgress(*repo_, p.id, kT0 + 1005), 6);
    EXPECT_TRUE(repo_->GetItem(p.id, c[0].id)->lease_token.empty());
    ASSERT_EQ(*repo_->SetItemsMissing(p.id, {c[0].id}, false), 1);
    EXPECT_EQ(InProgress(*repo_, p.id, kT0 + 1005), 6);  // back in the queue, unleased

    ASSERT_TRUE(repo_->SetProjectStatus(p.id, ProjectStatus::kPaused).ok());
    EXPECT_EQ(InProgress(*repo_, p.id, kT0 + 1006), 0);
    EXPECT_TRUE(InProgressIds(*repo_, p.id, kT0 + 1006).empty());
    auto progress = repo_->GetProgress(p.id, kT0 + 1006);
    EXPECT_EQ(progress->unlabeled, 8);
    EXPECT_EQ(progress->labeled, 1);
    EXPECT_EQ(progress->skipped, 1);
}

}  // namespace tessera

namespace tessera {

std::string SchemaUpToSql(const std::vector<Migration>& migrations, int version) {
    std::string sql =
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL);";
    for (const Migration& m : migrations) {
        if (m.version <= version) {
            sql += std::string(m.sql) + ";\nINSERT INTO schema_migrations VALUES (" +
                   std::to_string(m.version) + ", 0);\n";
        }
    }
    return sql;
}

std::string Schema7WithLeasesSql(const std::vector<Migration>& migrations) {
    const std::string sql = SchemaUpToSql(migrations, 7);
    // live.jpg: a live lease (until 2000); old.jpg: expired at 500; free.jpg: none; done.jpg:
    // labeled, with lease columns a lease should not have left behind (not moved).
    return sql +
           "INSERT INTO projects (id, name, name_key, task_type, status, labels_json, "
           "instructions_text, instructions_url, datasource_kind, datasource_path, "
           "datasource_pattern, item_limit, shuffle_seed, created_by, created_at) VALUES (7, "
           "'Old', 'old', 'multiclass', 'running', '[\"Cat\"]', '', '', 'local', '/data/old', "
           "'**/*.jpg', 10, 3, 1, 5);"
           "INSERT INTO items (id, project_id, path, size_bytes, width, height, format, state, "
           "rank, lease_token, lease_owner, lease_expires_at, created_at) VALUES "
           "(1, 7, 'live.jpg', 1, 2, 3, 'jpeg', 'unlabeled', 10, 'tok', 3, 2000, 5), "
           "(2, 7, 'old.jpg', 1, 2, 3, 'jpeg', 'unlabeled', 20, 'gone', 3, 500, 5), "
           "(3, 7, 'free.jpg', 1, 2, 3, 'jpeg', 'unlabeled', 30, NULL, NULL, NULL, 5), "
           "(4, 7, 'done.jpg', 1, 2, 3, 'jpeg', 'labeled', 40, 'stale', 3, 2000, 5);";
}

void ExpectLeasesMovedByMigration8(SqlRepository& repo) {
    auto version = repo.Migrate();
    ASSERT_TRUE(version.ok()) << version.error().message;
    EXPECT_GE(*version, 8);
    auto live = repo.GetItem(7, 1);
    ASSERT_TRUE(live.ok()) << live.error().message;
    EXPECT_EQ(live->lease_token, "tok");
    EXPECT_EQ(live->lease_owner, 3);
    EXPECT_EQ(live->lease_expires_at, 2000);
    EXPECT_TRUE(repo.GetItem(7, 4)->lease_token.empty());
    auto progress = repo.GetProgress(7, 1000);
    ASSERT_TRUE(progress.ok()) << progress.error().message;
    EXPECT_EQ(progress->in_progress, 1);
    EXPECT_EQ(progress->unlabeled, 2);
    EXPECT_EQ(progress->labeled, 1);
    // The queue passes over the live lease and takes over the expired one.
    auto page = repo.LeaseNext({7, 4, 5, "new", 1000, 61'000});
    ASSERT_TRUE(page.ok()) << page.error().message;
    EXPECT_EQ(IdSet(*page), (std::set<Id>{2, 3}));
    // The holder of the moved lease can still submit under it.
    SubmitRequest submit;
    submit.project_id = 7;
    submit.item_id = 1;
    submit.user_id = 3;
    submit.lease_token = "tok";
    submit.payload_json = "{\"labels\":[\"Cat\"]}";
    submit.counted_labels = {"Cat"};
    submit.now = 1500;
    auto outcome = repo.SubmitAnnotation(submit);
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    EXPECT_EQ(*outcome, SubmitOutcome::kStored);
    EXPECT_EQ(repo.GetProgress(7, 1500)->in_progress, 2);
}

}  // namespace tessera

namespace tessera {

// No lease statement picks an item that a concurrent lease took after the statement began, so
// none has to run again (PostgreSQL checks each picked row again once it holds the row's lock,
// migration 0010; SQLite has one writer). Without that check on PostgreSQL, 50 labelers ran a
// second statement for one page in ten (docs/PERFORMANCE.md).
TEST_P(RepositoryConformance, ConcurrentLeasesAreNeverRefused) {
    constexpr int kItems = 600;
    constexpr int kThreads = 8;
    Project p = AddProject("Pets", kItems);
    std::atomic<int> failures{0};
    std::atomic<int> leased{0};
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0;; ++round) {
                std::string token = "r" + std::to_string(t) + "-" + std::to_string(round);
                auto items = repo_->LeaseNext({p.id, t + 1, 2, token, kT0, kT0 + 60'000});
                if (!items.ok()) {
                    ++failures;
                    return;
                }
                if (items->empty()) {
                    return;
                }
                leased += static_cast<int>(items->size());
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(leased.load(), kItems);
    EXPECT_EQ(repo_->LeaseStatus().refused, 0)
        << "a lease statement picked items that a concurrent lease had taken";
}

}  // namespace tessera
