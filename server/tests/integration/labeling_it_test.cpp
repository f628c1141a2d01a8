// Leases, submit/skip semantics, concurrency between labelers, lease expiry, dashboard.
#include <future>
#include <set>
#include <thread>

#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class LabelingIt : public IntegrationTest {
protected:
    // Owner `admin` plus labelers `lara` and `leo`, a running project over `images` images.
    void SetUpProject(int images, const EnvList& env = {}) {
        WriteImages(images);
        ASSERT_NO_FATAL_FAILURE(StartServer(env));
        admin_ = std::make_unique<HttpClient>(Admin());
        CreateUser(*admin_, "lara", "lara-password", "labeler");
        CreateUser(*admin_, "leo", "leo-password-", "labeler");
        project_id_ = CreateIngestedProject(*admin_, "Labeling")["id"];
        StartProject(*admin_, project_id_);
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

    static std::set<std::int64_t> Ids(const json& page) {
        std::set<std::int64_t> ids;
        for (const auto& item : page["items"]) {
            ids.insert(item["id"].get<std::int64_t>());
        }
        return ids;
    }

    std::unique_ptr<HttpClient> admin_;
    std::int64_t project_id_ = 0;
};

TEST_P(LabelingIt, TwoLabelersNeverGetTheSameItem) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject(6));
    HttpClient lara = LoginAs("lara", "lara-password");
    HttpClient leo = LoginAs("leo", "leo-password-");
    // Both ask at the same moment.
    auto lara_page = std::async(std::launch::async, [&] { return Next(lara, 4); });
    auto leo_page = std::async(std::launch::async, [&] { return Next(leo, 4); });
    json a = lara_page.get();
    json b = leo_page.get();
    auto ids_a = Ids(a);
    auto ids_b = Ids(b);
    EXPECT_EQ(ids_a.size() + ids_b.size(), 6u);
    for (auto id : ids_a) {
        EXPECT_EQ(ids_b.count(id), 0u) << "item " << id << " leased twice";
    }
    EXPECT_NE(a["lease"], b["lease"]);
    json empty = Next(*admin_, 1);
    EXPECT_EQ(empty["lease"], "");
    EXPECT_TRUE(empty["items"].empty());
    auto first = a["items"][0];
    EXPECT_EQ(
        first["image_url"],
        ProjectPath(project_id_, "/items/" + std::to_string(first["id"].get<int>()) + "/image"));
}

TEST_P(LabelingIt, ExpiredLeasesReturnItemsToTheQueue) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject(2, {{"TESSERA_LEASE_SECONDS", "1"}}));
    HttpClient lara = LoginAs("lara", "lara-password");
    HttpClient leo = LoginAs("leo", "leo-password-");
    json held = Next(lara, 4);
    ASSERT_EQ(held["items"].size(), 2u);
    EXPECT_TRUE(Next(leo, 4)["items"].empty());
    // Waits for the event (the items coming back to the queue), not a fixed time: the lease
    // runs on the server's real clock, and a loaded machine may take longer than its 1 s.
    json taken;
    const auto give_up = std::chrono::steady_clock::now() + 60s;
    do {
        std::this_thread::sleep_for(100ms);
        taken = Next(leo, 4);
    } while (taken["items"].empty() && std::chrono::steady_clock::now() < give_up);
    EXPECT_EQ(Ids(taken), Ids(held));
    auto late = Submit(lara, held["items"][0]["id"], held["lease"], {"Cat"});
    EXPECT_EQ(late.status, 409u);
    EXPECT_EQ(late.Json()["error"]["code"], "lease_invalid");
    auto renew = lara.Send(
        "POST", ProjectPath(project_id_, "/leases/" + held["lease"].get<std::string>() + "/renew"));
    EXPECT_EQ(renew.status, 409u);
}

TEST_P(LabelingIt, SubmitIsIdempotentAndValidated) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject(2));
    HttpClient lara = LoginAs("lara", "lara-password");
    HttpClient leo = LoginAs("leo", "leo-password-");
    json page = Next(lara, 1);
    ASSERT_EQ(page["items"].size(), 1u);
    std::int64_t item = page["items"][0]["id"];
    std::string lease = page["lease"];

    auto wrong_label = Submit(lara, item, lease, {"Horse"});
    EXPECT_EQ(wrong_label.status, 400u);
    EXPECT_NE(wrong_label.Json()["error"]["message"].get<std::string>().find("Horse"),
              std::string::npos);
    auto not_yours = Submit(leo, item, lease, {"Cat"});
    EXPECT_EQ(not_yours.status, 409u);
    EXPECT_EQ(not_yours.Json()["error"]["code"], "lease_invalid");

    auto stored = Submit(lara, item, lease, {"Cat"});
    ASSERT_EQ(stored.status, 200u) << stored.body;
    // The whole body, as docs/api.md gives it: the labels echoed as stored.
    EXPECT_EQ(stored.Json(),
              json({{"outcome", "stored"}, {"item_id", item}, {"labels", json::array({"Cat"})}}));
    auto retry = Submit(lara, item, lease, {"Cat"});
    EXPECT_EQ(retry.status, 200u);
    EXPECT_EQ(retry.Json()["outcome"], "unchanged");
    auto edit = Submit(lara, item, "", {"Dog"});
    EXPECT_EQ(edit.status, 200u);
    EXPECT_EQ(edit.Json()["outcome"], "updated");
    EXPECT_EQ(edit.Json()["labels"], json({"Dog"}));

    auto mine =
        lara.Get(ProjectPath(project_id_, "/items/" + std::to_string(item) + "/annotation"));
    EXPECT_EQ(mine.status, 200u);
    EXPECT_EQ(mine.Json()["labels"], json({"Dog"}));
    // Leo has no answer of his own for the item (lara's is not his to see): "none yet", 204
    // with an empty body, not an error (docs/api.md).
    auto his = leo.Get(ProjectPath(project_id_, "/items/" + std::to_string(item) + "/annotation"));
    EXPECT_EQ(his.status, 204u);
    EXPECT_EQ(his.body, "");
    auto history = lara.Get(ProjectPath(project_id_, "/history"));
    ASSERT_EQ(history.Json()["items"].size(), 1u);
    EXPECT_EQ(history.Json()["items"][0]["item"]["id"], item);
}

TEST_P(LabelingIt, AnItemShowsItsAnswersAndEveryEarlierVersion) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject(2));
    HttpClient lara = LoginAs("lara", "lara-password");
    HttpClient leo = LoginAs("leo", "leo-password-");
    json page = Next(lara, 1);
    const std::int64_t item = page["items"][0]["id"];
    ASSERT_EQ(Submit(lara, item, page["lease"], {"Cat"}).status, 200u);
    ASSERT_EQ(Submit(lara, item, "", {"Dog"}).status, 200u);
    const std::string path = ProjectPath(project_id_, "/items/" + std::to_string(item));

    auto record = admin_->Get(path);
    ASSERT_EQ(record.status, 200u) << record.body;
    json body = record.Json();
    EXPECT_EQ(body["item"]["id"], item);
    EXPECT_EQ(body["item"]["state"], "labeled");
    ASSERT_EQ(body["answers"].size(), 1u) << body.dump();
    const json& answer = body["answers"][0];
    EXPECT_EQ(answer["author"], "lara");
    EXPECT_EQ(answer["source"], "human");
    EXPECT_EQ(answer["labels"], json({"Dog"}));
    EXPECT_EQ(answer["counts"], true);
    ASSERT_EQ(body["history"].size(), 1u);
    const json& earlier = body["history"][0];
    EXPECT_EQ(earlier["labels"], json({"Cat"}));
    EXPECT_EQ(earlier["author"], "lara");
    EXPECT_EQ(earlier["replaced_by"], "lara");
    EXPECT_EQ(earlier["reason"], "edited");
    EXPECT_EQ(earlier["annotation_id"], answer["annotation_id"]);
    EXPECT_LE(earlier["stored_at"].get<std::int64_t>(), earlier["replaced_at"].get<std::int64_t>());

    // Lara sees her own; Leo sees the item but not her answer.
    EXPECT_EQ(lara.Get(path).Json(), body);
    json his = leo.Get(path).Json();
    EXPECT_EQ(his["item"]["id"], item);
    EXPECT_TRUE(his["answers"].empty()) << his.dump();
    EXPECT_TRUE(his["history"].empty());

    EXPECT_EQ(admin_->Get(ProjectPath(project_id_, "/items/999999")).status, 404u);
    EXPECT_EQ(admin_->Get(ProjectPath(project_id_ + 1000, "/items/" + std::to_string(item))).status,
              404u);
    EXPECT_EQ(admin_->Get(ProjectPath(project_id_, "/items/x")).status, 400u);
}

TEST_P(LabelingIt, SkipAndReleaseAndDashboardCounts) {
    ASSERT_NO_FATAL_FAILURE(SetUpProject(4));
    HttpClient lara = LoginAs("lara", "lara-password");
    json page = Next(lara, 4);
    ASSERT_EQ(page["items"].size(), 4u);
    std::string lease = page["lease"];
    std::vector<std::int64_t> items;
    for (const auto& item : page["items"]) {
        items.push_back(item["id"]);
    }
    EXPECT_EQ(Submit(lara, items[0], lease, {"Cat"}).status, 200u);
    EXPECT_EQ(Submit(lara, items[1], lease, {"Dog"}).status, 200u);
    auto skip = lara.SendJson(
        "POST", ProjectPath(project_id_, "/items/" + std::to_string(items[2]) + "/skip"),
        {{"lease", lease}});
    EXPECT_EQ(skip.status, 204u);
    EXPECT_EQ(lara.Send("DELETE", ProjectPath(project_id_, "/leases/" + lease)).status, 204u);

    auto dashboard = admin_->Get(ProjectPath(project_id_, "/dashboard"));
    ASSERT_EQ(dashboard.status, 200u);
    json view = dashboard.Json();
    EXPECT_EQ(view["progress"]["total"], 4);
    EXPECT_EQ(view["progress"]["labeled"], 2);
    EXPECT_EQ(view["progress"]["skipped"], 1);
    EXPECT_EQ(view["progress"]["unlabeled"], 1);  // released back to the queue
    EXPECT_EQ(view["progress"]["in_progress"], 0);
    EXPECT_EQ(view["labels"],
              json::parse(R"([{"label":"Cat","count":1},{"label":"Dog","count":1}])"));
    ASSERT_EQ(view["labelers"].size(), 1u);
    EXPECT_EQ(view["labelers"][0]["username"], "lara");
    EXPECT_EQ(view["labelers"][0]["count"], 2);
    // The released item is leasable again.
    json again = Next(lara, 1);
    ASSERT_EQ(again["items"].size(), 1u);
    EXPECT_EQ(again["items"][0]["id"], items[3]);
}

TESSERA_INSTANTIATE_BACKENDS(LabelingIt);

}  // namespace
}  // namespace tessera::testing
