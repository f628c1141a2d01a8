// The shape validator as a submit or draft reaches it: any JSON the client sends as "shapes",
// validated for every drawing task type against a small tree on a 640x480 image, and what it
// accepts written back out.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "domain/label_tree.hpp"
#include "domain/shapes.hpp"
#include "targets.hpp"

namespace tessera::fuzz {
namespace {

const LabelTree& Tree() {
    static const LabelTree kTree = [] {
        auto built =
            LabelTree::Build({{"RBC", {}}, {"WBC", {{"Neutrophil", {}}}}, {"Platelets", {}}});
        if (!built.ok()) {
            std::abort();  // a fixed, valid tree: cannot fail
        }
        return built.value();
    }();
    return kTree;
}

}  // namespace

void FuzzShapes(const std::uint8_t* data, std::size_t size) {
    const nlohmann::json body = nlohmann::json::parse(Bytes(data, size), nullptr, false);
    if (body.is_discarded()) {
        return;
    }
    auto shapes = ShapesFromJson(body);
    if (!shapes.ok()) {
        return;
    }
    for (TaskType type : {TaskType::kBbox, TaskType::kPolygon, TaskType::kSemantic}) {
        auto valid = ValidateShapes(type, Tree(), ImageSize{640, 480}, shapes.value());
        if (valid.ok()) {
            (void)ShapesToJson(valid.value()).dump();
        }
    }
}

}  // namespace tessera::fuzz
