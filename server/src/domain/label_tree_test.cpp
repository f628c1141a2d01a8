#include "domain/label_tree.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "domain/model.hpp"

namespace tessera {
namespace {

std::string Describe(const LabelTree& tree) {
    std::string out;
    for (const auto& n : tree.nodes()) {
        out += n.path + "@" + std::to_string(n.depth);
        if (n.key) {
            out += "#" + std::to_string(*n.key);
        }
        out += ";";
    }
    return out;
}

TEST(LabelTreeTest, FlattensDepthFirstAndAssignsKeysToFirstNine) {
    auto tree = LabelTree::FromJson(nlohmann::json::parse(R"([
        {"name": "Animal", "children": [{"name": "Cat"}, {"name": "Dog"}]},
        " Car ", "a", "b", "c", "d", "e", "f", "g"])"));
    ASSERT_TRUE(tree.ok()) << tree.error().message;
    EXPECT_EQ(Describe(*tree),
              "Animal@0#1;Animal/Cat@1#2;Animal/Dog@1#3;Car@0#4;a@0#5;b@0#6;c@0#7;d@0#8;e@0#9;"
              "f@0;g@0;");
    EXPECT_TRUE(tree->Contains("Animal/Cat"));
    EXPECT_FALSE(tree->Contains("Cat"));
}

TEST(LabelTreeTest, RejectsCaseInsensitiveSiblingDuplicates) {
    auto tree = LabelTree::FromJson(nlohmann::json::parse(R"(["Cat", "cat"])"));
    ASSERT_FALSE(tree.ok());
    EXPECT_NE(tree.error().message.find("duplicate label 'cat'"), std::string::npos);
}

TEST(LabelTreeTest, AllowsSameNameUnderDifferentParents) {
    auto tree = LabelTree::FromJson(nlohmann::json::parse(
        R"([{"name": "A", "children": ["X"]}, {"name": "B", "children": ["X"]}])"));
    EXPECT_TRUE(tree.ok());
}

TEST(LabelTreeTest, SixLevelsAllowedSevenRejected) {
    auto nest = [](int levels) {
        nlohmann::json j = nlohmann::json::array({nlohmann::json{{"name", "L"}}});
        for (int i = 1; i < levels; ++i) {
            j = nlohmann::json::array({nlohmann::json{{"name", "L"}, {"children", j}}});
        }
        return j;
    };
    EXPECT_TRUE(LabelTree::FromJson(nest(6)).ok());
    EXPECT_FALSE(LabelTree::FromJson(nest(7)).ok());
}

TEST(LabelTreeTest, RejectsBadNames) {
    EXPECT_FALSE(LabelTree::FromJson(nlohmann::json::parse(R"(["  "])")).ok());
    EXPECT_FALSE(LabelTree::FromJson(nlohmann::json::parse(R"(["a/b"])")).ok());
    EXPECT_FALSE(LabelTree::FromJson(nlohmann::json::parse(R"([42])")).ok());
    EXPECT_FALSE(LabelTree::FromJson(nlohmann::json::parse(R"({"a": 1})")).ok());
}

TEST(LabelTreeTest, JsonRoundTrip) {
    auto tree = LabelTree::FromJson(
        nlohmann::json::parse(R"([{"name": "Animal", "children": [{"name": "Cat"}]}, "Car"])"));
    ASSERT_TRUE(tree.ok());
    EXPECT_EQ(tree->ToJson().dump(),
              R"([{"children":[{"name":"Cat"}],"name":"Animal"},{"name":"Car"}])");
}

TEST(LabelTreeOfTest, ReadsTheStoredTree) {
    Project project;
    project.id = 3;
    project.labels_json = R"([{"name":"Animal","children":[{"name":"Cat"}]}])";
    auto tree = LabelTreeOf(project);
    ASSERT_TRUE(tree.ok()) << tree.error().message;
    EXPECT_EQ(Describe(*tree), "Animal@0#1;Animal/Cat@1#2;");
}

TEST(LabelTreeOfTest, MalformedStoredJsonIsAnInternalErrorNamingTheProject) {
    Project project;
    project.id = 7;
    project.labels_json = "[{\"name\":";
    auto tree = LabelTreeOf(project);
    ASSERT_FALSE(tree.ok());
    EXPECT_EQ(tree.error().code, ErrorCode::kInternal);
    EXPECT_EQ(tree.error().message, "stored label tree of project 7 is not valid JSON");
}

TEST(LabelTreeOfTest, StoredJsonThatIsNoTreeIsAnError) {
    Project project;
    project.labels_json = R"({"name":"Cat"})";
    EXPECT_FALSE(LabelTreeOf(project).ok());
}

}  // namespace
}  // namespace tessera
