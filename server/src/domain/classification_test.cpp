#include "domain/classification.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tessera {
namespace {

LabelTree Tree() {
    return *LabelTree::FromJson(
        nlohmann::json::parse(R"([{"name": "Animal", "children": ["Cat", "Dog"]}, "Car"])"));
}

TEST(ClassificationTest, MulticlassNeedsExactlyOne) {
    auto tree = Tree();
    EXPECT_TRUE(ValidateClassification(TaskType::kMulticlass, tree, {"Animal/Cat"}).ok());
    EXPECT_FALSE(ValidateClassification(TaskType::kMulticlass, tree, {}).ok());
    EXPECT_FALSE(ValidateClassification(TaskType::kMulticlass, tree, {"Car", "Animal"}).ok());
}

TEST(ClassificationTest, MultilabelDedupsAndOrdersByTree) {
    auto r = ValidateClassification(TaskType::kMultilabel, Tree(), {"Car", "Animal/Dog", "Car"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, (std::vector<std::string>{"Animal/Dog", "Car"}));
}

TEST(ClassificationTest, UnknownLabelIsNamed) {
    auto r = ValidateClassification(TaskType::kMultilabel, Tree(), {"Cat"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "label 'Cat' is not in this project");
}

TEST(ClassificationTest, PayloadRoundTrip) {
    auto payload = ClassificationPayload({"Animal/Cat", "Car"});
    EXPECT_EQ(payload, R"({"labels":["Animal/Cat","Car"]})");
    EXPECT_EQ(*ParseClassificationPayload(payload),
              (std::vector<std::string>{"Animal/Cat", "Car"}));
}

}  // namespace
}  // namespace tessera
