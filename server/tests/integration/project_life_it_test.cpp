// Project life over HTTP (issue 9): PATCH /projects/{id} (name, instructions, labels with the
// three choices, renames), pausing that hands pages back, and the Data tab's item filters.
#include <set>

#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;

class ProjectLifeIt : public IntegrationTest {
protected:
    // Owner `admin`, labeler `lara`, a running project over `images` images.
    void SetUpProject(int images, const json& labels = {"Cat", "Dog"}) {
        WriteImages(images);
        ASSERT_NO_FATAL_FAILURE(StartServer());
        admin_ = std::make_unique<HttpClient>(Admin());
        CreateUser(*admin_, "lara", "lara-password", "labeler");
        lara_ = std::make_unique<HttpClient>(LoginAs("lara", "lara-password"));
        project_id_ = CreateIngestedProject(*admin_, "Life", labels)["id"];
        StartProject(*admin_, project_id_);
    }

    HttpResponse Patch(const json& body) {
        return admin_->SendJson("PATCH", ProjectPath(project_id_), body);
    }

    json Next(HttpClient& client, int count) {
        auto response =
            client.SendJson("POST", ProjectPath(project_id_, "/next"), {{"count", count}});
        EXPECT_EQ(response.status, 200u) << response.body;
        return response.Json();
    }

    HttpResponse Submit(HttpClient& client, std::int64_t item, const std::string& lease,
                        const json& labels) {
        return client.SendJson(
            "PUT", ProjectPath(project_id_, "/items/" + std::to_string(item) + "/annotation"),
            {{"lease", lease}, {"labels", labels}});
    }

    // Labels the next `answers.size()` items lara is given (pages of one), one answer each;
    // returns their ids.
    std::vector<std::int64_t> Label(const std::vector<json>& answers) {
        std::vector<std::int64_t> ids;
        for (const json& answer : answers) {
            json page = Next(*lara_, 1);
            std::int64_t id = page["items"][0]["id"];
            auto stored = Submit(*lara_, id, page["lease"], answer);
            EXPECT_EQ(stored.status, 200u) << stored.body;
            ids.push_back(id);
        }
        return ids;
    }

    // Ids of every item matching `query`, following next_after to the end.
    std::set<std::int64_t> Items(const std::string& query) {
        std::set<std::int64_t> ids;
        std::string after;
        for (int pages = 0; pages < 100; ++pages) {
            auto response =
                admin_->Get(ProjectPath(project_id_, "/items?limit=2&" + query + after));
            EXPECT_EQ(response.status, 200u) << query << ": " << response.body;
            json body = response.Json();
            for (const auto& item : body["items"]) {
                ids.insert(item["id"].get<std::int64_t>());
            }
            if (body["next_after"].is_null()) {
                return ids;
            }
            after = "&after=" + std::to_string(body["next_after"].get<std::int64_t>());
        }
        ADD_FAILURE() << "never ended: " << query;
        return ids;
    }

    json Project() { return admin_->Get(ProjectPath(project_id_)).Json(); }

    json LabelCounts() {
        json out = json::object();
        const json dashboard = admin_->Get(ProjectPath(project_id_, "/dashboard")).Json();
        for (const auto& c : dashboard["labels"]) {
            if (c["count"].get<std::int64_t>() != 0) {
                out[c["label"].get<std::string>()] = c["count"];
            }
        }
        return out;
    }

    std::unique_ptr<HttpClient> admin_;
    std::unique_ptr<HttpClient> lara_;
    std::int64_t project_id_ = 0;
};

TEST_P(ProjectLifeIt, PatchEditsNameAndInstructionsAndKeepsDeletedNamesReserved) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject(1));
    ASSERT_EQ(admin_->SendJson("POST", "/api/v1/projects", ProjectBody("Taken")).status, 201u);
    auto gone = admin_->SendJson("POST", "/api/v1/projects", ProjectBody("Gone"));
    ASSERT_EQ(gone.status, 201u);
    ASSERT_EQ(admin_->Send("DELETE", ProjectPath(gone.Json()["id"])).status, 204u);

    auto edited = Patch(
        {{"name", "  Life 2 "},
         {"instructions", {{"text", "Box **every** cat."}, {"url", "https://example.com/guide"}}}});
    ASSERT_EQ(edited.status, 200u) << edited.body;
    EXPECT_EQ(edited.Json()["name"], "Life 2");
    EXPECT_EQ(edited.Json()["instructions"]["text"], "Box **every** cat.");
    EXPECT_EQ(edited.Json()["instructions"]["url"], "https://example.com/guide");
    EXPECT_EQ(Patch({{"instructions", {{"text", "Only text"}}}}).Json()["instructions"]["url"],
              "https://example.com/guide");

    for (const char* used : {"taken", "GONE"}) {
        auto conflict = Patch({{"name", used}});
        EXPECT_EQ(conflict.status, 409u) << used;
        EXPECT_EQ(conflict.Json()["error"]["code"], "conflict");
    }
    EXPECT_EQ(Project()["name"], "Life 2");
    // Creating a project keeps refusing the deleted name too.
    EXPECT_EQ(admin_->SendJson("POST", "/api/v1/projects", ProjectBody("gone")).status, 409u);
}

TEST_P(ProjectLifeIt, BadPatchesAre400NamingTheFieldAndLabelersAreRefused) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject(1));
    auto field_of = [&](const json& body) {
        auto response = Patch(body);
        EXPECT_EQ(response.status, 400u) << body.dump() << ": " << response.body;
        return response.Json()["error"]["field"].get<std::string>();
    };
    EXPECT_EQ(field_of({{"name", ""}}), "name");
    EXPECT_EQ(field_of({{"name", 7}}), "name");
    EXPECT_EQ(field_of({{"instructions", {{"url", "ftp://x"}}}}), "instructions.url");
    EXPECT_EQ(field_of({{"instructions", "text"}}), "instructions");
    EXPECT_EQ(field_of({{"colour", "red"}}), "colour");
    EXPECT_EQ(field_of({{"labels", {"Cat", "Dog", "Other"}}}), "on_new_labels");
    EXPECT_EQ(field_of({{"labels", {"Cat", "Dog"}}, {"on_new_labels", "sometimes"}}),
              "on_new_labels");
    EXPECT_EQ(field_of({{"labels", json::array()}, {"on_new_labels", "continue"}}), "labels");
    EXPECT_EQ(field_of({{"labels", {"a/b"}}, {"on_new_labels", "continue"}}), "labels");
    EXPECT_EQ(field_of({{"rename", {{"Cat", "Kitty"}}}}), "rename");
    EXPECT_EQ(field_of({{"labels", {"Kitty", "Dog"}},
                        {"rename", {{"Horse", "Kitty"}}},
                        {"on_new_labels", "continue"}}),
              "rename");
    EXPECT_EQ(Patch(json::object()).status, 400u);
    EXPECT_EQ(lara_->SendJson("PATCH", ProjectPath(project_id_), {{"name", "Mine"}}).status, 403u);
    EXPECT_EQ(admin_->SendJson("PATCH", ProjectPath(project_id_ + 100), {{"name", "X"}}).status,
              404u);
    EXPECT_EQ(Project()["name"], "Life");
}

TEST_P(ProjectLifeIt, ContinueAddsAClassWhileRunningAndKeepsEveryAnswer) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject(3));
    std::vector<std::int64_t> ids = Label({{"Cat"}, {"Dog"}});
    auto added = Patch({{"labels", {"Cat", "Dog", "Other"}}, {"on_new_labels", "continue"}});
    ASSERT_EQ(added.status, 200u) << added.body;
    EXPECT_EQ(added.Json()["label_list"].size(), 3u);
    EXPECT_EQ(added.Json()["progress"]["labeled"], 2);
    EXPECT_EQ(added.Json()["status"], "running");
    // The new class is usable at once.
    json page = Next(*lara_, 1);
    EXPECT_EQ(Submit(*lara_, page["items"][0]["id"], page["lease"], {"Other"}).status, 200u);
    EXPECT_EQ(LabelCounts(), (json{{"Cat", 1}, {"Dog", 1}, {"Other", 1}}));

    // Anything that rewrites or restarts stored answers waits for a pause.
    for (const json& body :
         {json{{"labels", {"Kitty", "Dog", "Other"}},
               {"rename", {{"Cat", "Kitty"}}},
               {"on_new_labels", "continue"}},
          json{{"labels", {"Cat", "Dog", "Other"}}, {"on_new_labels", "restart_keep"}}}) {
        auto refused = Patch(body);
        EXPECT_EQ(refused.status, 409u) << refused.body;
        EXPECT_NE(refused.body.find("pause"), std::string::npos) << refused.body;
    }
}

TEST_P(ProjectLifeIt, RenameRewritesAnswersCountsAndTheLabelFilter) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject(3));
    std::vector<std::int64_t> ids = Label({{"Cat"}, {"Dog"}});
    ASSERT_EQ(admin_->Send("POST", ProjectPath(project_id_, "/pause")).status, 200u);
    auto renamed = Patch({{"labels", {"Kitty", "Dog"}},
                          {"rename", {{"Cat", "Kitty"}}},
                          {"on_new_labels", "continue"}});
    ASSERT_EQ(renamed.status, 200u) << renamed.body;
    EXPECT_EQ(renamed.Json()["label_list"][0]["path"], "Kitty");
    EXPECT_EQ(LabelCounts(), (json{{"Kitty", 1}, {"Dog", 1}}));
    auto answer =
        lara_->Get(ProjectPath(project_id_, "/items/" + std::to_string(ids[0]) + "/annotation"));
    ASSERT_EQ(answer.status, 200u) << answer.body;
    EXPECT_EQ(answer.Json()["labels"], json({"Kitty"}));
    EXPECT_EQ(Items("label=Kitty"), std::set<std::int64_t>{ids[0]});
    EXPECT_TRUE(Items("label=Cat").empty());
}

TEST_P(ProjectLifeIt, RemovingAClassInUseIsRefusedWithTheCountUnlessRestartClear) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject(3));
    Label({{"Dog"}, {"Dog"}, {"Cat"}});
    ASSERT_EQ(admin_->Send("POST", ProjectPath(project_id_, "/pause")).status, 200u);
    auto refused = Patch({{"labels", {"Cat"}}, {"on_new_labels", "continue"}});
    ASSERT_EQ(refused.status, 409u) << refused.body;
    EXPECT_NE(refused.Json()["error"]["message"].get<std::string>().find("'Dog' is used 2"),
              std::string::npos)
        << refused.body;
    EXPECT_EQ(Project()["label_list"].size(), 2u);

    auto cleared = Patch({{"labels", {"Cat", "Other"}}, {"on_new_labels", "restart_clear"}});
    ASSERT_EQ(cleared.status, 200u) << cleared.body;
    json progress = cleared.Json()["progress"];
    EXPECT_EQ(progress["labeled"], 0);
    EXPECT_EQ(progress["unlabeled"], 3);
    EXPECT_EQ(LabelCounts(), json::object());
    EXPECT_EQ(Items("state=labeled"), std::set<std::int64_t>{});
}

TEST_P(ProjectLifeIt, RestartKeepQueuesEverythingWithTheOldAnswersAsPrelabels) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject(2));
    std::vector<std::int64_t> ids = Label({{"Cat"}, {"Dog"}});
    ASSERT_EQ(admin_->Send("POST", ProjectPath(project_id_, "/pause")).status, 200u);
    auto kept = Patch({{"labels", {"Cat", "Dog", "Unknown"}}, {"on_new_labels", "restart_keep"}});
    ASSERT_EQ(kept.status, 200u) << kept.body;
    EXPECT_EQ(kept.Json()["progress"]["unlabeled"], 2);
    EXPECT_EQ(kept.Json()["progress"]["labeled"], 0);
    StartProject(*admin_, project_id_);
    json page = Next(*lara_, 6);
    ASSERT_EQ(page["items"].size(), 2u);
    auto shown =
        lara_->Get(ProjectPath(project_id_, "/items/" + std::to_string(ids[0]) + "/annotation"));
    ASSERT_EQ(shown.status, 200u) << shown.body;
    EXPECT_EQ(shown.Json()["labels"], json({"Cat"}));
    EXPECT_EQ(shown.Json()["source"], "prelabel");
    EXPECT_EQ(Submit(*lara_, ids[0], page["lease"], {"Unknown"}).status, 200u);
    EXPECT_EQ(LabelCounts(), (json{{"Unknown", 1}}));
}

TEST_P(ProjectLifeIt, PausingHandsPagesBackAndBlocksLabeling) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject(4));
    json page = Next(*lara_, 1);
    ASSERT_EQ(page["items"].size(), 1u);
    EXPECT_EQ(Project()["progress"]["in_progress"], 1);
    ASSERT_EQ(admin_->Send("POST", ProjectPath(project_id_, "/pause")).status, 200u);
    EXPECT_EQ(Project()["progress"]["in_progress"], 0);
    EXPECT_EQ(Project()["progress"]["unlabeled"], 4);

    auto submit = Submit(*lara_, page["items"][0]["id"], page["lease"], {"Cat"});
    EXPECT_EQ(submit.status, 409u);
    EXPECT_NE(submit.body.find("paused"), std::string::npos) << submit.body;
    auto next = lara_->SendJson("POST", ProjectPath(project_id_, "/next"), {{"count", 1}});
    EXPECT_EQ(next.status, 409u);
    EXPECT_NE(next.body.find("paused"), std::string::npos) << next.body;

    StartProject(*admin_, project_id_);
    EXPECT_EQ(Next(*lara_, 9)["items"].size(), 4u);  // the page came back to the queue
    // The old lease stays dead after the restart.
    EXPECT_EQ(Submit(*lara_, page["items"][0]["id"], page["lease"], {"Cat"}).status, 409u);
}

TEST_P(ProjectLifeIt, TheLabelFilterFindsSubclasses) {
    ASSERT_NO_FATAL_FAILURE(
        SetUpProject(5, json::parse(R"([{"name": "Animal", "children": ["Cat", "Dog"]}, "Car"])")));
    std::vector<std::int64_t> ids =
        Label({{"Animal"}, {"Animal/Cat"}, {"Animal/Dog"}, {"Car"}, {"Animal/Cat"}});
    // Items() pages by two: keyset pagination over the merged subtree.
    EXPECT_EQ(Items("label=Animal"), (std::set<std::int64_t>{ids[0], ids[1], ids[2], ids[4]}));
    EXPECT_EQ(Items("label=Animal/Cat"), (std::set<std::int64_t>{ids[1], ids[4]}));
    EXPECT_EQ(Items("label=Car"), std::set<std::int64_t>{ids[3]});
    EXPECT_TRUE(Items("label=Anim").empty());
}

TEST_P(ProjectLifeIt, ItemFiltersCombineAndPage) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject(8));
    CreateUser(*admin_, "leo", "leo-password-", "labeler");
    HttpClient leo = LoginAs("leo", "leo-password-");
    std::vector<std::int64_t> by_lara = Label({{"Cat"}, {"Dog"}, {"Cat"}});
    json page = Next(leo, 4);
    ASSERT_EQ(page["items"].size(), 4u);
    std::int64_t leo_cat = page["items"][0]["id"];
    std::int64_t leo_skip = page["items"][1]["id"];
    std::set<std::int64_t> leo_open = {page["items"][2]["id"], page["items"][3]["id"]};
    ASSERT_EQ(Submit(leo, leo_cat, page["lease"], {"Cat"}).status, 200u);
    ASSERT_EQ(leo.SendJson("POST",
                           ProjectPath(project_id_, "/items/" + std::to_string(leo_skip) + "/skip"),
                           {{"lease", page["lease"]}})
                  .status,
              204u);
    std::int64_t leo_id = -1;
    const json users = admin_->Get("/api/v1/users").Json();
    for (const auto& u : users["users"]) {
        if (u["username"] == "leo") {
            leo_id = u["id"];
        }
    }

    EXPECT_EQ(Items("label=Cat"), (std::set<std::int64_t>{by_lara[0], by_lara[2], leo_cat}));
    EXPECT_EQ(Items("label=Cat&labeler=lara"), (std::set<std::int64_t>{by_lara[0], by_lara[2]}));
    EXPECT_EQ(Items("labeler=" + std::to_string(leo_id)), std::set<std::int64_t>{leo_cat});
    EXPECT_EQ(Items("labeler=LEO&state=labeled"), std::set<std::int64_t>{leo_cat});
    EXPECT_EQ(Items("state=skipped"), std::set<std::int64_t>{leo_skip});
    EXPECT_EQ(Items("state=in_progress"), leo_open);
    EXPECT_EQ(Items("state=labeled").size(), 4u);
    EXPECT_EQ(Items("state=unlabeled").size(), 3u);  // the leased ones included
    EXPECT_EQ(Items("q=IMG").size(), 8u);
    EXPECT_EQ(Items("q=img7.jp").size(), 1u);
    EXPECT_EQ(Items("q=img7&state=skipped&label=Cat").size(), 0u);

    EXPECT_EQ(admin_->Get(ProjectPath(project_id_, "/items?state=done")).Json()["error"]["field"],
              "state");
    EXPECT_EQ(
        admin_->Get(ProjectPath(project_id_, "/items?labeler=nobody")).Json()["error"]["field"],
        "labeler");
    EXPECT_EQ(admin_->Get(ProjectPath(project_id_, "/items?limit=0")).status, 400u);
}

TESSERA_INSTANTIATE_BACKENDS(ProjectLifeIt);

}  // namespace
}  // namespace tessera::testing
