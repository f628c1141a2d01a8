// Conformance for project life (issue 9): pausing, editing a project and its labels, and the
// Data tab's item filters. Registered with the rest of RepositoryConformance.
#include <algorithm>
#include <map>
#include <set>

#include "storage/repository_conformance.hpp"

namespace tessera {
namespace {

std::string Labels(const std::vector<std::string>& labels) {
    std::string out = "{\"labels\":[";
    for (std::size_t i = 0; i < labels.size(); ++i) {
        out += (i ? ",\"" : "\"") + labels[i] + "\"";
    }
    return out + "]}";
}

std::map<std::string, std::int64_t> Distribution(Repository& repo, Id project_id) {
    std::map<std::string, std::int64_t> out;
    auto counts = repo.LabelDistribution(project_id);
    EXPECT_TRUE(counts.ok());
    for (const LabelCount& c : counts.ok() ? *counts : std::vector<LabelCount>{}) {
        if (c.count != 0) {
            out[c.label] = c.count;
        }
    }
    return out;
}

// Every page of FindItems followed to the end: the paths found.
std::vector<std::string> FindAll(Repository& repo, Id project_id, ItemFilter filter) {
    std::vector<std::string> out;
    for (int pages = 0; pages < 1000; ++pages) {
        auto page = repo.FindItems(project_id, filter);
        EXPECT_TRUE(page.ok()) << page.error().message;
        if (!page.ok()) {
            return out;
        }
        for (const Item& item : page->items) {
            out.push_back(item.path);
        }
        if (!page->next_after) {
            return out;
        }
        EXPECT_GT(*page->next_after, filter.after_id);
        filter.after_id = *page->next_after;
    }
    ADD_FAILURE() << "FindItems never ended";
    return out;
}

LabelChange Change(const std::string& labels_json, LabelRestart restart) {
    LabelChange change;
    change.labels_json = labels_json;
    change.restart = restart;
    change.now = kT0 + 50'000;
    return change;
}

Status EditLabels(Repository& repo, Id project_id, LabelChange change) {
    ProjectEdit edit;
    edit.labels = std::move(change);
    return repo.EditProject(project_id, edit);
}

}  // namespace

TEST_P(RepositoryConformance, PausingReleasesEveryLease) {
    Project p = AddProject("Paused", 6);
    User alice = AddUser("alice");
    User bob = AddUser("bob");
    std::vector<Item> a = Lease(p.id, alice.id, 2, "la", kT0);
    std::vector<Item> b = Lease(p.id, bob.id, 2, "lb", kT0);
    ASSERT_EQ(a.size() + b.size(), 4u);
    EXPECT_EQ(repo_->GetProgress(p.id, kT0 + 1)->in_progress, 4);

    ASSERT_TRUE(repo_->SetProjectStatus(p.id, ProjectStatus::kPaused).ok());
    EXPECT_EQ(repo_->GetProject(p.id)->status, ProjectStatus::kPaused);
    auto progress = repo_->GetProgress(p.id, kT0 + 1);
    EXPECT_EQ(progress->in_progress, 0);
    EXPECT_EQ(progress->unlabeled, 6);
    EXPECT_EQ(repo_->SubmitAnnotation(Submit(p.id, a[0].id, alice.id, "la", {"Cat"}, kT0 + 2))
                  .error()
                  .code,
              ErrorCode::kLeaseInvalid);
    // Back to running: the released pages are in the queue again.
    ASSERT_TRUE(repo_->SetProjectStatus(p.id, ProjectStatus::kRunning).ok());
    EXPECT_EQ(Lease(p.id, bob.id, 10, "lb2", kT0 + 3).size(), 6u);
    EXPECT_EQ(repo_->SetProjectStatus(9999, ProjectStatus::kPaused).error().code,
              ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, EditProjectKeepsNamesReservedAndChangesOnlyWhatIsSet) {
    Project p = AddProject("Edited", 1);
    Project other = AddProject("Taken", 0);
    Project gone = AddProject("Gone", 0);
    ASSERT_TRUE(repo_->DeleteProject(gone.id, kT0).ok());

    ProjectEdit edit;
    edit.instructions_text = "Box every cat.";
    ASSERT_TRUE(repo_->EditProject(p.id, edit).ok());
    Project read = *repo_->GetProject(p.id);
    EXPECT_EQ(read.instructions_text, "Box every cat.");
    EXPECT_EQ(read.name, "Edited");
    EXPECT_EQ(read.labels_json, p.labels_json);

    for (const char* used : {"taken", "GONE"}) {
        ProjectEdit rename;
        rename.name = used;
        rename.instructions_url = "https://example.com/not-applied";
        EXPECT_EQ(repo_->EditProject(p.id, rename).error().code, ErrorCode::kConflict) << used;
        EXPECT_EQ(repo_->GetProject(p.id)->instructions_url, "") << "half-applied: " << used;
    }
    ProjectEdit own_case;
    own_case.name = "EDITED";
    ASSERT_TRUE(repo_->EditProject(p.id, own_case).ok());
    EXPECT_EQ(repo_->GetProject(p.id)->name, "EDITED");
    // The old name is now free again (only names in use or deleted are reserved).
    ProjectEdit moved;
    moved.name = "Renamed";
    ASSERT_TRUE(repo_->EditProject(p.id, moved).ok());
    Project again;
    again.name = "Edited";
    again.labels_json = "[]";
    again.created_at = kT0;
    EXPECT_TRUE(repo_->CreateProject(again).ok());
    EXPECT_EQ(repo_->EditProject(gone.id, edit).error().code, ErrorCode::kNotFound);
    (void)other;
}

TEST_P(RepositoryConformance, RenamingAClassRewritesAnswersDraftsCountersAndIndex) {
    Project p = AddProject("Renamed", 5);
    User u = AddUser("u");
    std::vector<Item> page = Lease(p.id, u.id, 4, "t", kT0);
    ASSERT_EQ(page.size(), 4u);
    const std::vector<std::vector<std::string>> answers = {
        {"Cat"}, {"Cat", "Dog"}, {"Cat/Tabby"}, {"Caterpillar"}};
    for (std::size_t i = 0; i < answers.size(); ++i) {
        ASSERT_TRUE(
            repo_->SubmitAnnotation(Submit(p.id, page[i].id, u.id, "t", answers[i], kT0 + 1)).ok());
    }
    ASSERT_TRUE(repo_->SaveDraft(p.id, page[0].id, u.id, Labels({"Dog", "Cat"}), kT0 + 2).ok());
    ImportRequest prelabel;
    prelabel.project_id = p.id;
    prelabel.now = kT0 + 3;
    prelabel.annotations.push_back({page[3].id, Labels({"Cat/Tabby"}), {}, 0.5});
    ASSERT_TRUE(repo_->ApplyImport(prelabel).ok());

    LabelChange change = Change(R"(["Kitty","Dog","Caterpillar"])", LabelRestart::kContinue);
    change.renames = {{"Cat", "Kitty"}};
    ASSERT_TRUE(EditLabels(*repo_, p.id, change).ok());

    EXPECT_EQ(Distribution(*repo_, p.id),
              (std::map<std::string, std::int64_t>{
                  {"Kitty", 2}, {"Kitty/Tabby", 1}, {"Dog", 1}, {"Caterpillar", 1}}));
    EXPECT_EQ(repo_->GetAnnotation(p.id, page[1].id, u.id)->payload_json, Labels({"Kitty", "Dog"}));
    EXPECT_EQ(repo_->GetAnnotation(p.id, page[2].id, u.id)->payload_json, Labels({"Kitty/Tabby"}));
    EXPECT_EQ(repo_->GetAnnotation(p.id, page[3].id, u.id)->payload_json, Labels({"Caterpillar"}));
    EXPECT_EQ(repo_->GetPrelabel(p.id, page[3].id)->payload_json, Labels({"Kitty/Tabby"}));
    EXPECT_EQ(repo_->GetDraft(p.id, page[0].id, u.id)->payload_json, Labels({"Dog", "Kitty"}));
    EXPECT_EQ(repo_->GetProject(p.id)->labels_json, R"(["Kitty","Dog","Caterpillar"])");

    ItemFilter kitty;
    kitty.label = "Kitty";
    EXPECT_EQ(FindAll(*repo_, p.id, kitty).size(), 2u);
    kitty.label = "Cat";
    EXPECT_TRUE(FindAll(*repo_, p.id, kitty).empty());
    kitty.label = "Kitty/Tabby";
    EXPECT_EQ(FindAll(*repo_, p.id, kitty), std::vector<std::string>{page[2].path});
}

TEST_P(RepositoryConformance, RenamingAShapeClassRewritesRepeatedLabels) {
    Project p = AddProject("Shapes", 1);
    User u = AddUser("u");
    std::vector<Item> page = Lease(p.id, u.id, 1, "t", kT0);
    SubmitRequest r =
        Submit(p.id, page[0].id, u.id, "t", {"Cat", "Cat", "Cat", "Cat/Tabby"}, kT0 + 1);
    r.payload_json = R"({"shapes":[{"label":"Cat","type":"box"},{"label":"Cat","type":"box"},)"
                     R"({"label":"Cat","type":"box"},{"label":"Cat/Tabby","type":"box"}]})";
    ASSERT_TRUE(repo_->SubmitAnnotation(r).ok());
    LabelChange change =
        Change(R"([{"name":"Kitty","children":["Tabby"]}])", LabelRestart::kContinue);
    change.renames = {{"Cat", "Kitty"}};
    change.shapes = true;
    ASSERT_TRUE(EditLabels(*repo_, p.id, change).ok());
    EXPECT_EQ(repo_->GetAnnotation(p.id, page[0].id, u.id)->payload_json,
              R"({"shapes":[{"label":"Kitty","type":"box"},{"label":"Kitty","type":"box"},)"
              R"({"label":"Kitty","type":"box"},{"label":"Kitty/Tabby","type":"box"}]})");
    EXPECT_EQ(Distribution(*repo_, p.id),
              (std::map<std::string, std::int64_t>{{"Kitty", 3}, {"Kitty/Tabby", 1}}));
}

TEST_P(RepositoryConformance, RemovingAClassInUseIsRefusedUnlessEverythingRestarts) {
    Project p = AddProject("Removed", 3);
    User u = AddUser("u");
    std::vector<Item> page = Lease(p.id, u.id, 2, "t", kT0);
    ASSERT_TRUE(repo_->SubmitAnnotation(Submit(p.id, page[0].id, u.id, "t", {"Dog"}, kT0)).ok());
    ASSERT_TRUE(repo_->SubmitAnnotation(Submit(p.id, page[1].id, u.id, "t", {"Dog"}, kT0)).ok());
    for (LabelRestart restart : {LabelRestart::kContinue, LabelRestart::kKeep}) {
        LabelChange change = Change(R"(["Cat"])", restart);
        change.removed = {"Dog"};
        Status refused = EditLabels(*repo_, p.id, change);
        ASSERT_FALSE(refused.ok());
        ASSERT_EQ(refused.error().code, ErrorCode::kConflict);
        EXPECT_NE(refused.error().message.find("'Dog' is used 2 time"), std::string::npos)
            << refused.error().message;
        EXPECT_EQ(repo_->GetProject(p.id)->labels_json, p.labels_json);
        EXPECT_EQ(repo_->GetProgress(p.id, kT0)->labeled, 2);
    }
    LabelChange clear = Change(R"(["Cat"])", LabelRestart::kClear);
    clear.removed = {"Dog"};
    ASSERT_TRUE(EditLabels(*repo_, p.id, clear).ok());
    EXPECT_EQ(repo_->GetProject(p.id)->labels_json, R"(["Cat"])");
    // A class nothing counts may go with "continue".
    LabelChange unused = Change(R"(["Other"])", LabelRestart::kContinue);
    unused.removed = {"Cat"};
    EXPECT_TRUE(EditLabels(*repo_, p.id, unused).ok());
}

TEST_P(RepositoryConformance, RestartClearReturnsEverythingToTheQueueWithoutLabels) {
    Project p = AddProject("Clear", 6);
    ASSERT_TRUE(
        repo_->InsertItems(p.id, {{"bad.jpg", 1, 0, 0, "", ItemState::kError, "x"}}, kT0).ok());
    User u = AddUser("u");
    std::vector<Item> page = Lease(p.id, u.id, 4, "t", kT0);
    ASSERT_TRUE(repo_->SubmitAnnotation(Submit(p.id, page[0].id, u.id, "t", {"Cat"}, kT0)).ok());
    ASSERT_TRUE(repo_->SubmitAnnotation(Submit(p.id, page[1].id, u.id, "t", {"Dog"}, kT0)).ok());
    ASSERT_TRUE(repo_->SkipItem({p.id, page[2].id, u.id, "t", kT0}).ok());
    ImportRequest prelabel;
    prelabel.project_id = p.id;
    prelabel.now = kT0;
    prelabel.annotations.push_back({page[4 - 1].id, Labels({"Cat"}), {}, std::nullopt});
    ASSERT_TRUE(repo_->ApplyImport(prelabel).ok());

    ASSERT_TRUE(
        EditLabels(*repo_, p.id, Change(R"(["Cat","Dog","Other"])", LabelRestart::kClear)).ok());
    Progress progress = *repo_->GetProgress(p.id, kT0 + 1);
    EXPECT_EQ(progress.total, 7);
    EXPECT_EQ(progress.unlabeled, 6);  // the leased item's lease was dropped too
    EXPECT_EQ(progress.labeled + progress.skipped + progress.in_progress, 0);
    EXPECT_EQ(progress.error, 1);
    EXPECT_TRUE(Distribution(*repo_, p.id).empty());
    EXPECT_TRUE(repo_->LabelerDistribution(p.id)->empty());
    EXPECT_EQ(repo_->GetAnnotation(p.id, page[0].id, u.id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(repo_->GetPrelabel(p.id, page[3].id).error().code, ErrorCode::kNotFound);
    ItemFilter cat;
    cat.label = "Cat";
    EXPECT_TRUE(FindAll(*repo_, p.id, cat).empty());
    EXPECT_EQ(Lease(p.id, u.id, 10, "t2", kT0 + 2).size(), 6u);
    // Labeling starts over and counts from zero.
    ASSERT_EQ(*repo_->SubmitAnnotation(Submit(p.id, page[0].id, u.id, "t2", {"Other"}, kT0 + 3)),
              SubmitOutcome::kStored);
    EXPECT_EQ(Distribution(*repo_, p.id), (std::map<std::string, std::int64_t>{{"Other", 1}}));
    EXPECT_EQ(repo_->GetProgress(p.id, kT0 + 3)->labeled, 1);
}

TEST_P(RepositoryConformance, TheLabelHistoryKeepsEveryReplacedVersion) {
    Project p = AddProject("History", 3);
    User u = AddUser("u");
    User owner = AddUser("owner");
    std::vector<Item> page = Lease(p.id, u.id, 2, "t", kT0);
    const Id item = page[0].id;
    ASSERT_TRUE(repo_->SubmitAnnotation(Submit(p.id, item, u.id, "t", {"Cat"}, kT0 + 1)).ok());
    // A first answer is only the current version; a retry or an edit to the same answer
    // replaces nothing.
    EXPECT_TRUE(repo_->GetItemRecord(p.id, item)->replaced.empty());
    ASSERT_TRUE(repo_->SubmitAnnotation(Submit(p.id, item, u.id, "", {"Cat"}, kT0 + 2)).ok());
    EXPECT_TRUE(repo_->GetItemRecord(p.id, item)->replaced.empty());
    ASSERT_TRUE(repo_->SubmitAnnotation(Submit(p.id, item, u.id, "", {"Dog"}, kT0 + 3)).ok());
    // Two final imports on the other item: the second replaces the first.
    for (const char* label : {"Cat", "Dog"}) {
        ImportRequest imported;
        imported.project_id = p.id;
        imported.final = true;
        imported.now = kT0 + 4;
        imported.actor_id = owner.id;
        imported.annotations.push_back({page[1].id, Labels({label}), {label}, std::nullopt});
        ASSERT_TRUE(repo_->ApplyImport(imported).ok());
    }

    ItemRecord record = *repo_->GetItemRecord(p.id, item);
    EXPECT_EQ(record.item.id, item);
    EXPECT_EQ(record.item.state, ItemState::kLabeled);
    ASSERT_EQ(record.current.size(), 1u);
    EXPECT_EQ(record.current[0].payload_json, Labels({"Dog"}));
    EXPECT_EQ(record.current[0].author, "u");
    EXPECT_EQ(record.current[0].stored_at, kT0 + 3);
    EXPECT_EQ(record.counting, record.current[0].annotation_id);
    ASSERT_EQ(record.replaced.size(), 1u);
    const AnnotationVersion& edited = record.replaced[0];
    EXPECT_EQ(edited.annotation_id, record.current[0].annotation_id);
    EXPECT_EQ(edited.payload_json, Labels({"Cat"}));
    EXPECT_EQ(edited.author_id, u.id);
    EXPECT_EQ(edited.stored_at, kT0 + 2);  // the retry stored it again, unchanged
    EXPECT_EQ(edited.replaced_at, kT0 + 3);
    EXPECT_EQ(edited.replaced_by, u.id);
    EXPECT_EQ(edited.replaced_by_name, "u");
    EXPECT_EQ(edited.reason, "edited");
    ItemRecord imported = *repo_->GetItemRecord(p.id, page[1].id);
    ASSERT_EQ(imported.replaced.size(), 1u);
    EXPECT_EQ(imported.replaced[0].source, AnnotationSource::kImport);
    EXPECT_EQ(imported.replaced[0].payload_json, Labels({"Cat"}));
    EXPECT_EQ(imported.replaced[0].replaced_by_name, "owner");
    EXPECT_EQ(imported.replaced[0].reason, "imported");
    EXPECT_FALSE(imported.replaced[0].author_id.has_value());

    // Starting over removes every answer from the project and keeps each in the history.
    LabelChange restart = Change(R"(["Cat","Dog","Other"])", LabelRestart::kClear);
    restart.actor_id = owner.id;
    restart.now = kT0 + 5;
    ASSERT_TRUE(EditLabels(*repo_, p.id, restart).ok());
    record = *repo_->GetItemRecord(p.id, item);
    EXPECT_TRUE(record.current.empty());
    EXPECT_FALSE(record.counting.has_value());
    ASSERT_EQ(record.replaced.size(), 2u);
    EXPECT_EQ(record.replaced[1].payload_json, Labels({"Dog"}));
    EXPECT_EQ(record.replaced[1].reason, "restarted");
    EXPECT_EQ(record.replaced[1].replaced_by, owner.id);
    EXPECT_EQ(record.replaced[1].replaced_at, kT0 + 5);
    EXPECT_EQ(repo_->GetItemRecord(p.id, page[1].id)->replaced.size(), 2u);

    EXPECT_EQ(repo_->GetItemRecord(p.id, 99999).error().code, ErrorCode::kNotFound);
    Project other = AddProject("Other", 1);
    EXPECT_EQ(repo_->GetItemRecord(other.id, item).error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, RestartKeepTurnsAnswersIntoPrelabels) {
    Project p = AddProject("Keep", 4);
    User u = AddUser("u");
    std::vector<Item> page = Lease(p.id, u.id, 3, "t", kT0);
    ASSERT_TRUE(
        repo_->SubmitAnnotation(Submit(p.id, page[0].id, u.id, "t", {"Cat", "Dog"}, kT0)).ok());
    ASSERT_TRUE(repo_->SubmitAnnotation(Submit(p.id, page[1].id, u.id, "t", {"Cat"}, kT0)).ok());
    ASSERT_TRUE(repo_->SkipItem({p.id, page[2].id, u.id, "t", kT0}).ok());

    LabelChange change = Change(R"(["Kitty","Dog","Other"])", LabelRestart::kKeep);
    change.renames = {{"Cat", "Kitty"}};
    ASSERT_TRUE(EditLabels(*repo_, p.id, change).ok());
    Progress progress = *repo_->GetProgress(p.id, kT0 + 1);
    EXPECT_EQ(progress.unlabeled, 4);
    EXPECT_EQ(progress.labeled + progress.skipped, 0);
    EXPECT_TRUE(Distribution(*repo_, p.id).empty());
    EXPECT_EQ(repo_->GetAnnotation(p.id, page[0].id, u.id).error().code, ErrorCode::kNotFound);
    auto kept = repo_->GetPrelabel(p.id, page[0].id);
    ASSERT_TRUE(kept.ok()) << kept.error().message;
    EXPECT_EQ(kept->payload_json, Labels({"Kitty", "Dog"}));
    EXPECT_EQ(kept->source, AnnotationSource::kPrelabel);
    EXPECT_EQ(repo_->GetPrelabel(p.id, page[2].id).error().code, ErrorCode::kNotFound);

    std::vector<Item> again = Lease(p.id, u.id, 10, "t2", kT0 + 2);
    EXPECT_EQ(again.size(), 4u);
    ASSERT_EQ(*repo_->SubmitAnnotation(Submit(p.id, page[0].id, u.id, "t2", {"Dog"}, kT0 + 3)),
              SubmitOutcome::kStored);
    EXPECT_EQ(Distribution(*repo_, p.id), (std::map<std::string, std::int64_t>{{"Dog", 1}}));
    EXPECT_EQ(repo_->LabelerDistribution(p.id)->at(0).count, 1);
}

TEST_P(RepositoryConformance, FindItemsFiltersCombineAndPageToTheEnd) {
    Project p = AddProject("Filtered", 12);
    User alice = AddUser("alice");
    User bob = AddUser("bob");
    std::vector<Item> a = Lease(p.id, alice.id, 6, "la", kT0);
    std::vector<Item> b = Lease(p.id, bob.id, 4, "lb", kT0);
    ASSERT_EQ(a.size() + b.size(), 10u);
    std::set<std::string> alice_cat, bob_cat, dog, skipped;
    for (std::size_t i = 0; i < 4; ++i) {
        std::vector<std::string> labels =
            i % 2 ? std::vector<std::string>{"Cat", "Dog"} : std::vector<std::string>{"Cat"};
        ASSERT_TRUE(
            repo_->SubmitAnnotation(Submit(p.id, a[i].id, alice.id, "la", labels, kT0)).ok());
        alice_cat.insert(a[i].path);
        if (i % 2) {
            dog.insert(a[i].path);
        }
    }
    ASSERT_TRUE(repo_->SubmitAnnotation(Submit(p.id, b[0].id, bob.id, "lb", {"Cat"}, kT0)).ok());
    bob_cat.insert(b[0].path);
    ASSERT_TRUE(repo_->SkipItem({p.id, b[1].id, bob.id, "lb", kT0}).ok());
    skipped.insert(b[1].path);
    // Left leased: a[4], a[5], b[2], b[3] (live at kT0 + 1).
    auto paths = [&](ItemFilter f) {
        f.now = kT0 + 1;
        f.limit = 2;  // several pages each
        std::vector<std::string> found = FindAll(*repo_, p.id, f);
        return std::set<std::string>(found.begin(), found.end());
    };
    auto set_of = [](std::initializer_list<std::set<std::string>> parts) {
        std::set<std::string> out;
        for (const auto& part : parts) {
            out.insert(part.begin(), part.end());
        }
        return out;
    };
    ItemFilter f;
    f.label = "Cat";
    EXPECT_EQ(paths(f), set_of({alice_cat, bob_cat}));
    f.labeler_id = bob.id;
    EXPECT_EQ(paths(f), bob_cat);
    f = {};
    f.labeler_id = alice.id;
    EXPECT_EQ(paths(f), alice_cat);
    f.label = "Dog";
    EXPECT_EQ(paths(f), dog);
    f = {};
    f.state = ItemState::kSkipped;
    EXPECT_EQ(paths(f), skipped);
    f = {};
    f.in_progress = true;
    EXPECT_EQ(paths(f).size(), 4u);
    f.name_query = a[4].path.substr(3);
    EXPECT_EQ(paths(f), std::set<std::string>{a[4].path});
    f = {};
    f.name_query = "IMG0000";  // case-insensitive
    EXPECT_EQ(paths(f).size(), 12u);
    f.state = ItemState::kLabeled;
    EXPECT_EQ(paths(f), set_of({alice_cat, bob_cat}));
    f = {};
    f.label = "Nothing";
    EXPECT_TRUE(paths(f).empty());
    f = {};
    f.labeler_id = 424242;
    EXPECT_TRUE(paths(f).empty());
    EXPECT_EQ(repo_->FindItems(9999, {}).error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryConformance, FindItemsMatchesALabelsSubclassesOncePerItem) {
    Project p = AddProject("Tree", 7);
    User u = AddUser("u");
    std::vector<Item> page = Lease(p.id, u.id, 7, "t", kT0);
    ASSERT_EQ(page.size(), 7u);
    const std::vector<std::vector<std::string>> answers = {
        {"Animal"},  {"Animal/Cat"}, {"Animal/Cat", "Animal/Dog"}, {"Animal/Cat/Tabby"}, {"Car"},
        {"Animals"}, {"Animal/Dog"}};
    for (std::size_t i = 0; i < answers.size(); ++i) {
        ASSERT_TRUE(
            repo_->SubmitAnnotation(Submit(p.id, page[i].id, u.id, "t", answers[i], kT0 + 1)).ok());
    }
    // Sorted, as FindAll's id order is the paths' (AddProject inserts them in order); each once.
    auto sorted = [](std::vector<std::string> paths) {
        std::sort(paths.begin(), paths.end());
        return paths;
    };
    const std::vector<std::string> animals =
        sorted({page[0].path, page[1].path, page[2].path, page[3].path, page[6].path});
    for (int extra : {0, 40}) {  // one range per label merged, or checked on each row
        ItemFilter f;
        f.label = "Animal";
        f.label_subclasses = {"Animal/Cat", "Animal/Cat/Tabby", "Animal/Dog"};
        for (int i = 0; i < extra; ++i) {
            f.label_subclasses.push_back("Animal/Unused" + std::to_string(i));
        }
        f.limit = 2;  // several pages: keyset pagination over the merge
        EXPECT_EQ(FindAll(*repo_, p.id, f), animals) << extra;
        f.label = "Animal/Cat";
        f.label_subclasses = {"Animal/Cat/Tabby"};
        EXPECT_EQ(FindAll(*repo_, p.id, f), sorted({page[1].path, page[2].path, page[3].path}));
    }
    ItemFilter leaf;
    leaf.label = "Animal";  // without subclasses: the exact label only
    EXPECT_EQ(FindAll(*repo_, p.id, leaf), std::vector<std::string>{page[0].path});
}

TEST_P(RepositoryConformance, FindItemsBoundsTheWalkForFiltersNoIndexAnswers) {
    const int n = static_cast<int>(kItemScanBudget) + 50;
    Project p = AddProject("Budget", 0);
    std::vector<NewItem> items;
    items.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        items.push_back({"f" + std::to_string(100000 + i) + (i == n - 1 ? "-needle" : "") + ".png",
                         1, 1, 1, "png", ItemState::kUnlabeled, ""});
    }
    ASSERT_TRUE(repo_->InsertItems(p.id, items, kT0).ok());
    ItemFilter f;
    f.name_query = "-N";  // too short for the name index (0011_name_search.sql)
    auto first = repo_->FindItems(p.id, f);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_TRUE(first->items.empty());           // the walk stopped before reaching it...
    ASSERT_TRUE(first->next_after.has_value());  // ...and says where to go on
    f.after_id = *first->next_after;
    auto second = repo_->FindItems(p.id, f);
    ASSERT_TRUE(second.ok());
    ASSERT_EQ(second->items.size(), 1u);
    EXPECT_EQ(second->items[0].path, items.back().path);
    EXPECT_FALSE(second->next_after.has_value());
}

// A name of 3 characters or more comes from the name index (0011_name_search.sql): a rare
// name far into the project is on the first page, whatever the project holds before it.
TEST_P(RepositoryConformance, FindItemsAnswersANameFromTheNameIndex) {
    const int n = static_cast<int>(kItemScanBudget) + 50;
    Project p = AddProject("Names", 0);
    Project other = AddProject("Other names", 0);
    std::vector<NewItem> items;
    items.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        items.push_back(
            {"f" + std::to_string(100000 + i) + ".png", 1, 1, 1, "png", ItemState::kUnlabeled, ""});
    }
    items.push_back({"deep/x-Needle.png", 1, 1, 1, "png", ItemState::kUnlabeled, ""});
    items.push_back({"a_b%c\"d.png", 1, 1, 1, "png", ItemState::kUnlabeled, ""});
    items.push_back({"axbycz\"d.png", 1, 1, 1, "png", ItemState::kUnlabeled, ""});
    ASSERT_TRUE(repo_->InsertItems(p.id, items, kT0).ok());
    ASSERT_TRUE(repo_
                    ->InsertItems(other.id,
                                  {{"needle.png", 1, 1, 1, "png", ItemState::kUnlabeled, ""}}, kT0)
                    .ok());
    ItemFilter f;
    f.name_query = "NEEDLE";  // case-insensitive; the other project's needle is not this one's
    auto first = repo_->FindItems(p.id, f);
    ASSERT_TRUE(first.ok()) << first.error().message;
    ASSERT_EQ(first->items.size(), 1u);
    EXPECT_EQ(first->items[0].path, "deep/x-Needle.png");
    EXPECT_FALSE(first->next_after.has_value());
    // LIKE's wildcards and FTS5's quote are the characters themselves.
    f.name_query = "_b%c\"";
    EXPECT_EQ(FindAll(*repo_, p.id, f), std::vector<std::string>{"a_b%c\"d.png"});
    // Keyset pages over the matches, combined with another filter.
    f.name_query = "f10001";
    f.limit = 3;
    std::vector<std::string> expected;
    for (int i = 10; i < 20; ++i) {
        expected.push_back("f1000" + std::to_string(i) + ".png");
    }
    EXPECT_EQ(FindAll(*repo_, p.id, f), expected);
    f.state = ItemState::kUnlabeled;
    EXPECT_EQ(FindAll(*repo_, p.id, f), expected);
    f.state = ItemState::kLabeled;
    EXPECT_TRUE(FindAll(*repo_, p.id, f).empty());
    f = {};
    f.name_query = "no such name";
    auto none = repo_->FindItems(p.id, f);
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->items.empty());
    EXPECT_FALSE(none->next_after.has_value());
}

// A common name combined with another filter: on PostgreSQL the name is then checked on the
// other filter's rows (RareNameCandidates); on both engines the answer is the same.
TEST_P(RepositoryConformance, FindItemsCombinesACommonNameWithAnotherFilter) {
    Project p = AddProject("Common names", 0);
    std::vector<NewItem> items;
    std::vector<std::string> expected;
    for (int i = 0; i < 5000; ++i) {
        const bool labeled = i % 500 == 7;
        const std::string path = "f" + std::to_string(100000 + i) + ".png";
        items.push_back(
            {path, 1, 1, 1, "png", labeled ? ItemState::kLabeled : ItemState::kUnlabeled, ""});
        if (labeled) {
            expected.push_back(path);
        }
        if (i % 1000 == 3) {  // labeled, but not named f10...
            items.push_back(
                {"g" + std::to_string(i) + ".png", 1, 1, 1, "png", ItemState::kLabeled, ""});
        }
    }
    ASSERT_TRUE(repo_->InsertItems(p.id, items, kT0).ok());
    ItemFilter f;
    f.name_query = "F10";  // all 5,000 f-items: far more than a rare name's candidates
    f.state = ItemState::kLabeled;
    f.limit = 3;
    EXPECT_EQ(FindAll(*repo_, p.id, f), expected);
    f.state = ItemState::kUnlabeled;
    f.limit = 1000;
    EXPECT_EQ(FindAll(*repo_, p.id, f).size(), 5000u - expected.size());
}

}  // namespace tessera
