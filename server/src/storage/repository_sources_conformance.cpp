// Conformance tests of datasources, items' sources, missing items and refresh settings
// (docs/design/datasources.md), run on every backend like repository_conformance.cpp.
#include <map>
#include <set>

#include "storage/repository_conformance.hpp"

namespace tessera {
namespace {

std::vector<NewItem> Named(const std::vector<std::string>& paths, Id source_id = 0) {
    std::vector<NewItem> items;
    for (const std::string& path : paths) {
        NewItem item{path, 100, 64, 48, "jpeg", ItemState::kUnlabeled, ""};
        item.source_id = source_id;
        items.push_back(item);
    }
    return items;
}

std::map<std::string, KnownItem> Known(Repository& repo, Id project_id) {
    std::map<std::string, KnownItem> out;
    Status status = repo.ForEachKnownItem(project_id, [&](const KnownItem& item) {
        out.emplace(item.path, item);
        return true;
    });
    EXPECT_TRUE(status.ok()) << status.error().message;
    return out;
}

std::map<std::string, Item> ItemsByPath(Repository& repo, Id project_id, ItemFilter filter = {}) {
    filter.limit = 1000;
    auto items = repo.ListItems(project_id, filter);
    EXPECT_TRUE(items.ok()) << items.error().message;
    std::map<std::string, Item> out;
    for (const Item& item : items.ok() ? *items : std::vector<Item>{}) {
        out.emplace(item.path, item);
    }
    return out;
}

}  // namespace

TEST_P(RepositoryConformance, ProjectsKeepTheirPrimaryDatasourceAsARow) {
    Project p = AddProject("Pets", 0);
    EXPECT_GT(p.datasource.id, 0);
    auto read = repo_->GetProject(p.id);
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(read->datasource.id, p.datasource.id);
    EXPECT_EQ(read->datasource.kind, "local");
    EXPECT_EQ(read->datasource.path, "/data/Pets");
    EXPECT_EQ(read->datasource.pattern, "**/*.*");
    EXPECT_EQ(read->datasource.config_json, "{}");
    EXPECT_TRUE(read->datasource.secret.empty());

    // A secret is bytes: NUL and high bytes survive both backends.
    Datasource blob;
    blob.kind = "azure_blob";
    blob.pattern = "**/*.jpg";
    blob.config_json = R"({"account_url":"https://a.blob.core.windows.net","container":"c"})";
    blob.secret = std::string("k\0\xff\x01z", 5);
    blob.created_at = kT0 + 5;
    auto added = repo_->AddDatasource(p.id, blob);
    ASSERT_TRUE(added.ok()) << added.error().message;
    EXPECT_GT(added->id, p.datasource.id);

    auto sources = repo_->ListDatasources(p.id);
    ASSERT_TRUE(sources.ok()) << sources.error().message;
    ASSERT_EQ(sources->size(), 2u);
    EXPECT_EQ((*sources)[0].id, p.datasource.id);
    const Datasource& second = (*sources)[1];
    EXPECT_EQ(second.id, added->id);
    EXPECT_EQ(second.kind, "azure_blob");
    EXPECT_EQ(second.config_json, blob.config_json);
    EXPECT_EQ(second.secret, blob.secret);
    EXPECT_EQ(second.created_at, kT0 + 5);

    // The primary stays the first one, in project lists too.
    auto projects = repo_->ListProjects();
    ASSERT_TRUE(projects.ok());
    ASSERT_EQ(projects->size(), 1u);
    EXPECT_EQ((*projects)[0].datasource.id, p.datasource.id);
    EXPECT_EQ(repo_->GetProject(p.id)->datasource.id, p.datasource.id);

    EXPECT_EQ(repo_->AddDatasource(p.id + 100, blob).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(repo_->ListDatasources(p.id + 100).error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, ItemsKnowTheirSource) {
    Project p = AddProject("Pets", 0);
    Datasource extra{"local", "/data/more", "**/*.*"};
    auto second = repo_->AddDatasource(p.id, extra);
    ASSERT_TRUE(second.ok()) << second.error().message;
    ASSERT_TRUE(repo_->InsertItems(p.id, Named({"a.jpg", "b.jpg"}), kT0).ok());
    // Naming the primary explicitly stores the same as naming none.
    ASSERT_TRUE(repo_->InsertItems(p.id, Named({"c.jpg"}, p.datasource.id), kT0).ok());
    ASSERT_TRUE(repo_->InsertItems(p.id, Named({"x.jpg", "y.jpg"}, second->id), kT0).ok());
    // Paths are unique per project: the same path from another source is not added twice.
    EXPECT_EQ(*repo_->InsertItems(p.id, Named({"a.jpg"}, second->id), kT0), 0);

    auto all = ItemsByPath(*repo_, p.id);
    ASSERT_EQ(all.size(), 5u);
    EXPECT_EQ(all["a.jpg"].source_id, 0);
    EXPECT_EQ(all["c.jpg"].source_id, 0);
    EXPECT_EQ(all["x.jpg"].source_id, second->id);
    EXPECT_EQ(repo_->GetItem(p.id, all["y.jpg"].id)->source_id, second->id);

    ItemFilter primary_only;
    primary_only.source_id = p.datasource.id;
    auto primary = ItemsByPath(*repo_, p.id, primary_only);
    EXPECT_EQ(primary.size(), 3u);
    EXPECT_EQ(primary.count("x.jpg"), 0u);
    ItemFilter second_only;
    second_only.source_id = second->id;
    auto secondary = ItemsByPath(*repo_, p.id, second_only);
    ASSERT_EQ(secondary.size(), 2u);
    EXPECT_EQ(secondary.count("x.jpg"), 1u);
    ItemFilter none;
    none.source_id = second->id + 100;
    EXPECT_TRUE(ItemsByPath(*repo_, p.id, none).empty());

    auto known = Known(*repo_, p.id);
    ASSERT_EQ(known.size(), 5u);
    EXPECT_EQ(known["a.jpg"].source_id, p.datasource.id);  // resolved, not 0
    EXPECT_EQ(known["x.jpg"].source_id, second->id);
    EXPECT_EQ(known["b.jpg"].size_bytes, 100);
    EXPECT_FALSE(known["b.jpg"].missing);
    EXPECT_EQ(
        repo_->ForEachKnownItem(p.id + 100, [](const KnownItem&) { return true; }).error().code,
        ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, ForEachKnownItemPagesThroughLargeProjectsAndStops) {
    Project p = AddProject("Big", 12'345);
    std::int64_t seen = 0;
    Id last = 0;
    bool ordered = true;
    ASSERT_TRUE(repo_
                    ->ForEachKnownItem(p.id,
                                       [&](const KnownItem& item) {
                                           ordered = ordered && item.id > last;
                                           last = item.id;
                                           ++seen;
                                           return true;
                                       })
                    .ok());
    EXPECT_EQ(seen, 12'345);
    EXPECT_TRUE(ordered);
    std::int64_t stopped_at = 0;
    ASSERT_TRUE(
        repo_->ForEachKnownItem(p.id, [&](const KnownItem&) { return ++stopped_at < 3; }).ok());
    EXPECT_EQ(stopped_at, 3);
}

TEST_P(RepositoryConformance, ForEachKnownItemInFolderGivesTheFoldersOwnItemsOnly) {
    Project p = AddProject("Folders", 0);
    std::vector<std::string> paths = {"a.jpg",       "d/x.jpg",     "d/y.jpg",  "d/e/z.jpg",
                                      "d.b/w.jpg",   "d0",          "d/e0.jpg", "z.jpg",
                                      "d/e/f/q.jpg", "d/e/f/r.jpg", "e/g/h.jpg"};
    // More sub-folders between the top folder's files than one page after a sub-folder holds.
    for (int i = 0; i < 40; ++i) {
        paths.push_back("m" + std::to_string(10 + i) + "/1.jpg");
        paths.push_back("m" + std::to_string(10 + i) + "/2.jpg");
        paths.push_back("m" + std::to_string(10 + i) + "z.jpg");
    }
    ASSERT_TRUE(repo_->InsertItems(p.id, Named(paths), kT0).ok());
    auto can = repo_->CanListKnownItemsByFolder();
    ASSERT_TRUE(can.ok()) << can.error().message;
    auto in = [&](const std::string& folder) {
        std::vector<std::string> out;
        Status status = repo_->ForEachKnownItemInFolder(p.id, folder, [&](const KnownItem& item) {
            out.push_back(item.path);
            return true;
        });
        EXPECT_TRUE(status.ok()) << status.error().message;
        return out;
    };
    if (!*can) {  // a PostgreSQL database with a language's collation
        EXPECT_EQ(repo_->ForEachKnownItemInFolder(p.id, "", [](const KnownItem&) { return true; })
                      .error()
                      .code,
                  ErrorCode::kFailedPrecondition);
        return;
    }
    std::vector<std::string> top = {"a.jpg", "d0"};
    for (int i = 0; i < 40; ++i) {
        top.push_back("m" + std::to_string(10 + i) + "z.jpg");
    }
    top.push_back("z.jpg");
    EXPECT_EQ(in(""), top);
    EXPECT_EQ(in("d"), (std::vector<std::string>{"d/e0.jpg", "d/x.jpg", "d/y.jpg"}));
    EXPECT_EQ(in("d/e"), std::vector<std::string>{"d/e/z.jpg"});
    EXPECT_EQ(in("d/e/f"), (std::vector<std::string>{"d/e/f/q.jpg", "d/e/f/r.jpg"}));
    EXPECT_EQ(in("d.b"), std::vector<std::string>{"d.b/w.jpg"});
    EXPECT_TRUE(in("e").empty());
    EXPECT_TRUE(in("nowhere").empty());
    int stopped_at = 0;
    ASSERT_TRUE(
        repo_
            ->ForEachKnownItemInFolder(p.id, "", [&](const KnownItem&) { return ++stopped_at < 3; })
            .ok());
    EXPECT_EQ(stopped_at, 3);
    EXPECT_EQ(repo_->ForEachKnownItemInFolder(p.id + 100, "", [](const KnownItem&) { return true; })
                  .error()
                  .code,
              ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, MissingItemsLeaveTheQueueAndComeBackAsTheyWere) {
    Project p = AddProject("Pets", 0);
    ASSERT_TRUE(repo_->InsertItems(p.id, Named({"a.jpg", "b.jpg", "c.jpg", "d.jpg"}), kT0).ok());
    ASSERT_TRUE(repo_->ShuffleItems(p.id, 3).ok());
    User alice = AddUser("alice");
    auto all = ItemsByPath(*repo_, p.id);
    // a: labeled; the others unlabeled; then lease everything that is left.
    std::vector<Item> leased = Lease(p.id, alice.id, 4, "t1", kT0);
    ASSERT_EQ(leased.size(), 4u);
    ASSERT_TRUE(
        repo_->SubmitAnnotation(Submit(p.id, all["a.jpg"].id, alice.id, "t1", {"Cat"}, kT0 + 1))
            .ok());

    const std::vector<Id> gone{all["a.jpg"].id, all["b.jpg"].id, all["c.jpg"].id};
    auto marked = repo_->SetItemsMissing(p.id, gone, true);
    ASSERT_TRUE(marked.ok()) << marked.error().message;
    EXPECT_EQ(*marked, 3);
    EXPECT_EQ(*repo_->SetItemsMissing(p.id, gone, true), 0);  // already missing

    auto progress = repo_->GetProgress(p.id, kT0 + 2);
    ASSERT_TRUE(progress.ok());
    EXPECT_EQ(progress->total, 4);
    EXPECT_EQ(progress->missing, 3);
    EXPECT_EQ(progress->labeled, 0);
    EXPECT_EQ(progress->in_progress, 1);  // d keeps its lease
    EXPECT_EQ(progress->unlabeled, 0);
    auto now_missing = ItemsByPath(*repo_, p.id, ItemFilter{ItemState::kMissing});
    EXPECT_EQ(now_missing.size(), 3u);
    EXPECT_TRUE(now_missing["b.jpg"].lease_token.empty());  // their leases ended
    EXPECT_TRUE(Known(*repo_, p.id)["c.jpg"].missing);

    // Released pages do not bring missing items back into the queue.
    ASSERT_TRUE(repo_->ReleaseLease(p.id, alice.id, "t1").ok());
    std::vector<Item> next = Lease(p.id, alice.id, 4, "t2", kT0 + 3);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].path, "d.jpg");

    auto restored = repo_->SetItemsMissing(p.id, {all["a.jpg"].id, all["b.jpg"].id}, false);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ(*restored, 2);
    auto back = ItemsByPath(*repo_, p.id);
    EXPECT_EQ(back["a.jpg"].state, ItemState::kLabeled);  // its label was kept
    EXPECT_EQ(back["b.jpg"].state, ItemState::kUnlabeled);
    EXPECT_EQ(back["c.jpg"].state, ItemState::kMissing);
    progress = repo_->GetProgress(p.id, kT0 + 4);
    EXPECT_EQ(progress->missing, 1);
    EXPECT_EQ(progress->labeled, 1);
    EXPECT_EQ(progress->total, 4);
    std::vector<Item> again = Lease(p.id, alice.id, 4, "t3", kT0 + 4);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].path, "b.jpg");

    // Ids of another project are ignored.
    Project other = AddProject("Other", 1);
    EXPECT_EQ(*repo_->SetItemsMissing(other.id, {all["d.jpg"].id}, true), 0);
    EXPECT_EQ(repo_->SetItemsMissing(p.id + 100, gone, true).error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, RefreshSettingsAreStoredPerProject) {
    Project p = AddProject("Pets", 0);
    EXPECT_FALSE(p.refresh.enabled);
    EXPECT_EQ(p.refresh.interval_s, RefreshSettings::kDefaultIntervalS);
    auto read = repo_->GetProject(p.id);
    EXPECT_FALSE(read->refresh.enabled);
    EXPECT_EQ(read->refresh.interval_s, 3600);
    EXPECT_FALSE(read->refresh.last_at.has_value());

    RefreshSettings settings;
    settings.enabled = true;
    settings.interval_s = 120;
    ASSERT_TRUE(repo_->SetRefreshSettings(p.id, settings).ok());
    ASSERT_TRUE(repo_->RecordRefresh(p.id, kT0 + 9).ok());
    read = repo_->GetProject(p.id);
    EXPECT_TRUE(read->refresh.enabled);
    EXPECT_EQ(read->refresh.interval_s, 120);
    EXPECT_EQ(read->refresh.last_at, kT0 + 9);
    EXPECT_EQ((*repo_->ListProjects())[0].refresh.interval_s, 120);

    Project created;
    created.name = "Hourly";
    created.labels_json = "[\"Cat\"]";
    created.datasource = {"local", "/data/h", "**/*.*"};
    created.refresh.enabled = true;
    created.refresh.interval_s = 600;
    auto stored = repo_->CreateProject(created);
    ASSERT_TRUE(stored.ok()) << stored.error().message;
    EXPECT_TRUE(repo_->GetProject(stored->id)->refresh.enabled);
    EXPECT_EQ(repo_->GetProject(stored->id)->refresh.interval_s, 600);

    EXPECT_EQ(repo_->SetRefreshSettings(p.id + 100, settings).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(repo_->RecordRefresh(p.id + 100, kT0).error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, FolderStampsAreReplacedPerDatasource) {
    Project p = AddProject("Pets", 0);
    Project q = AddProject("Cars", 0);
    const Id source = p.datasource.id;
    EXPECT_TRUE(repo_->ListFolderStamps(source)->empty());
    const std::int64_t big = std::int64_t{1'765'000'000} * 1'000'000'000 + 123;  // ns, 2025
    ASSERT_TRUE(
        repo_
            ->ReplaceFolderStamps(
                source, {{"b/c", big, big + 1}, {"", FolderStamp::kReadAgain, 5}, {"b", 7, 8}})
            .ok());
    ASSERT_TRUE(repo_->ReplaceFolderStamps(q.datasource.id, {{"", 1, 1}}).ok());
    auto stamps = repo_->ListFolderStamps(source);
    ASSERT_TRUE(stamps.ok()) << stamps.error().message;
    ASSERT_EQ(stamps->size(), 3u);
    EXPECT_EQ((*stamps)[0].path, "");
    EXPECT_EQ((*stamps)[0].mtime_ns, FolderStamp::kReadAgain);
    EXPECT_EQ((*stamps)[1].path, "b");
    EXPECT_EQ((*stamps)[2].path, "b/c");
    EXPECT_EQ((*stamps)[2].mtime_ns, big);
    EXPECT_EQ((*stamps)[2].ctime_ns, big + 1);

    ASSERT_TRUE(repo_->ReplaceFolderStamps(source, {{"b", 9, 9}}).ok());
    stamps = repo_->ListFolderStamps(source);
    ASSERT_EQ(stamps->size(), 1u);
    EXPECT_EQ((*stamps)[0].mtime_ns, 9);
    EXPECT_EQ(repo_->ListFolderStamps(q.datasource.id)->size(), 1u);  // the other's stay
}

TEST_P(RepositoryConformance, PruneFinishedJobsKeepsTheNewestOfAKind) {
    Project p = AddProject("Pets", 0);
    Project other = AddProject("Other", 0);
    auto enqueue = [&](Id project_id, const std::string& kind, TimeMs at) {
        Job job;
        job.kind = kind;
        job.project_id = project_id;
        job.payload_json = "{}";
        job.created_at = at;
        auto stored = repo_->EnqueueJob(job);
        EXPECT_TRUE(stored.ok()) << stored.error().message;
        return stored->id;
    };
    std::vector<Id> refreshes;
    for (int i = 0; i < 5; ++i) {
        refreshes.push_back(enqueue(p.id, "refresh", kT0 + i));
        ASSERT_TRUE(repo_
                        ->FinishJob(refreshes.back(), i == 2 ? JobState::kFailed : JobState::kDone,
                                    "", kT0 + i)
                        .ok());
    }
    const Id queued = enqueue(p.id, "refresh", kT0 + 10);  // not finished: kept
    const Id ingest = enqueue(p.id, "ingest", kT0);
    ASSERT_TRUE(repo_->FinishJob(ingest, JobState::kDone, "", kT0).ok());
    const Id elsewhere = enqueue(other.id, "refresh", kT0);
    ASSERT_TRUE(repo_->FinishJob(elsewhere, JobState::kDone, "", kT0).ok());

    auto pruned = repo_->PruneFinishedJobs(p.id, "refresh", 2);
    ASSERT_TRUE(pruned.ok()) << pruned.error().message;
    EXPECT_EQ(*pruned, 3);
    std::set<Id> left;
    auto jobs = repo_->ListJobs(p.id);
    ASSERT_TRUE(jobs.ok());
    for (const Job& job : *jobs) {
        left.insert(job.id);
    }
    EXPECT_EQ(left, (std::set<Id>{refreshes[3], refreshes[4], queued, ingest}));
    EXPECT_EQ(repo_->ListJobs(other.id)->size(), 1u);
    EXPECT_EQ(*repo_->PruneFinishedJobs(p.id, "refresh", 2), 0);
}

}  // namespace tessera
