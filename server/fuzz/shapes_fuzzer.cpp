// The shape validator as a submit or draft reaches it: any JSON the client sends as "shapes",
// validated for every drawing task type against a small tree on a 640x480 image, and what it
// accepts written back out.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "domain/label_tree.hpp"
#include "domain/shapes.hpp"
#include "fuzz_input.hpp"

namespace {

const tessera::LabelTree& Tree() {
    static const tessera::LabelTree tree = [] {
        auto built = tessera::LabelTree::Build(
            {{"RBC", {}}, {"WBC", {{"Neutrophil", {}}}}, {"Platelets", {}}});
        if (!built.ok()) {
            std::abort();  // a fixed, valid tree: cannot fail
        }
        return built.value();
    }();
    return tree;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tessera;
    const nlohmann::json body = nlohmann::json::parse(fuzz::Bytes(data, size), nullptr, false);
    if (body.is_discarded()) {
        return 0;
    }
    auto shapes = ShapesFromJson(body);
    if (!shapes.ok()) {
        return 0;
    }
    for (TaskType type : {TaskType::kBbox, TaskType::kPolygon, TaskType::kSemantic}) {
        auto valid = ValidateShapes(type, Tree(), ImageSize{640, 480}, shapes.value());
        if (valid.ok()) {
            (void)ShapesToJson(valid.value()).dump();
        }
    }
    return 0;
}
