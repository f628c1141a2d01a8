// The JSON request codecs: the body of POST /api/v1/projects (the richest request), a label
// list, and a label tree, from any bytes a client can send.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "domain/label_tree.hpp"
#include "http/json_codec.hpp"
#include "targets.hpp"

namespace tessera::fuzz {

void FuzzJsonCodec(const std::uint8_t* data, std::size_t size) {
    const nlohmann::json body = nlohmann::json::parse(Bytes(data, size), nullptr, false);
    if (body.is_discarded()) {
        return;
    }
    (void)http::ProjectSpecFromJson(body);
    (void)http::StringListFromJson(body, "labels");
    if (body.is_object() && body.contains("labels")) {
        auto tree = LabelTree::FromJson(body["labels"]);
        if (tree.ok()) {
            (void)tree.value().ToJson().dump();
        }
    }
}

}  // namespace tessera::fuzz
