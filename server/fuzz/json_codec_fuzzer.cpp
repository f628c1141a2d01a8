// The JSON request codecs: the body of POST /api/v1/projects (the richest request), a label
// list, and a label tree, from any bytes a client can send.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "domain/label_tree.hpp"
#include "fuzz_input.hpp"
#include "http/json_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tessera;
    const nlohmann::json body = nlohmann::json::parse(fuzz::Bytes(data, size), nullptr, false);
    if (body.is_discarded()) {
        return 0;
    }
    (void)http::ProjectSpecFromJson(body);
    (void)http::StringListFromJson(body, "labels");
    if (body.is_object() && body.contains("labels")) {
        auto tree = LabelTree::FromJson(body["labels"]);
        if (tree.ok()) {
            (void)tree.value().ToJson().dump();
        }
    }
    return 0;
}
