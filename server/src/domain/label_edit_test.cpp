#include "domain/label_edit.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tessera {
namespace {

LabelTree Tree(const char* json) {
    auto tree = LabelTree::FromJson(nlohmann::json::parse(json));
    EXPECT_TRUE(tree.ok()) << tree.error().message;
    return tree.ok() ? *tree : LabelTree{};
}

TEST(LabelEditTest, AddedClassesAreListedAndNothingElse) {
    auto plan = PlanLabelEdit(Tree(R"(["Cat","Dog"])"), Tree(R"(["Cat","Dog","Other"])"), {});
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    EXPECT_EQ(plan->added, std::vector<std::string>{"Other"});
    EXPECT_TRUE(plan->removed.empty());
    EXPECT_TRUE(plan->renames.empty());
}

TEST(LabelEditTest, RemovedClassesIncludeTheirSubclasses) {
    auto plan = PlanLabelEdit(Tree(R"([{"name":"Animal","children":["Cat"]},"Car"])"),
                              Tree(R"(["Car"])"), {});
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    EXPECT_EQ(plan->removed, (std::vector<std::string>{"Animal", "Animal/Cat"}));
}

TEST(LabelEditTest, RenameMovesSubclassesAndDeeperRenamesComeFirst) {
    auto plan = PlanLabelEdit(Tree(R"([{"name":"Animal","children":["Cat","Dog"]}])"),
                              Tree(R"([{"name":"Beast","children":["Kitty","Dog"]}])"),
                              {{"Animal", "Beast"}, {"Animal/Cat", "Beast/Kitty"}});
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    ASSERT_EQ(plan->renames.size(), 2u);
    EXPECT_EQ(plan->renames[0].from, "Animal/Cat");
    EXPECT_EQ(RenamedPath(plan->renames, "Animal/Dog"), "Beast/Dog");
    EXPECT_EQ(RenamedPath(plan->renames, "Animal/Cat"), "Beast/Kitty");
    EXPECT_EQ(RenamedPath(plan->renames, "Animals"), "Animals");  // not under "Animal/"
    EXPECT_TRUE(plan->removed.empty());
    EXPECT_TRUE(plan->added.empty());
}

TEST(LabelEditTest, BadRenamesNameTheField) {
    const LabelTree old_tree = Tree(R"(["Cat","Dog"])");
    for (const auto& [renames, new_json] :
         std::vector<std::pair<std::map<std::string, std::string>, const char*>>{
             {{{"Horse", "Pony"}}, R"(["Cat","Dog","Pony"])"},  // not a class
             {{{"Cat", "Kitty"}}, R"(["Cat","Dog","Kitty"])"},  // still there
             {{{"Cat", "Kitty"}}, R"(["Dog"])"},                // target missing
             {{{"Cat", "Dog"}}, R"(["Dog"])"},                  // onto an existing class
         }) {
        auto plan = PlanLabelEdit(old_tree, Tree(new_json), renames);
        ASSERT_FALSE(plan.ok()) << new_json;
        EXPECT_EQ(plan.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(plan.error().field, "rename");
    }
}

TEST(LabelEditTest, RenameWhoseSubclassHasNoPlaceIsRefused) {
    auto plan = PlanLabelEdit(Tree(R"([{"name":"Animal","children":["Cat"]}])"),
                              Tree(R"(["Beast"])"), {{"Animal", "Beast"}});
    ASSERT_FALSE(plan.ok());
    EXPECT_NE(plan.error().message.find("Beast/Cat"), std::string::npos);
}

}  // namespace
}  // namespace tessera
