// PATCH /projects/{id} bodies: one small parser per field, so a new field (refresh settings)
// is one more function and one more name in kPatchFields.
#include <array>
#include <string_view>

#include "http/json_codec.hpp"
#include "http/json_io.hpp"

namespace tessera::http {
namespace {

using nlohmann::json;

// "refresh" is parsed by RefreshChangeFromJson and applied by RefreshService; "ml_assist" by
// MlChangeFromJson and MlService.
constexpr std::array<std::string_view, 7> kPatchFields = {
    "name", "instructions", "labels", "rename", "on_new_labels", "refresh", "ml_assist"};

Status RejectUnknownFields(const json& body) {
    for (const auto& [key, value] : body.items()) {
        if (std::find(kPatchFields.begin(), kPatchFields.end(), key) == kPatchFields.end()) {
            return Error::InvalidArgument(
                "unknown field '" + key +
                    "'; a project patch may set name, instructions, labels, rename, "
                    "on_new_labels, refresh and ml_assist",
                key);
        }
    }
    if (body.empty()) {
        return Error::InvalidArgument("the patch changes nothing; send at least one field");
    }
    return Status::Ok();
}

Status ParseName(const json& body, ProjectPatch& patch) {
    TESSERA_ASSIGN_OR_RETURN(patch.name, OptionalString(body, "name"));
    return Status::Ok();
}

Status ParseInstructions(const json& body, ProjectPatch& patch) {
    auto it = body.find("instructions");
    if (it == body.end()) {
        return Status::Ok();
    }
    if (!it->is_object()) {
        return Error::InvalidArgument("instructions must be an object with text and/or url",
                                      "instructions");
    }
    auto text = OptionalString(*it, "text");
    if (!text.ok()) {
        return Error::InvalidArgument("instructions.text must be a string", "instructions.text");
    }
    auto url = OptionalString(*it, "url");
    if (!url.ok()) {
        return Error::InvalidArgument("instructions.url must be a string", "instructions.url");
    }
    patch.instructions_text = *text;
    patch.instructions_url = *url;
    return Status::Ok();
}

Status ParseLabels(const json& body, ProjectPatch& patch) {
    auto it = body.find("labels");
    if (it == body.end()) {
        return Status::Ok();
    }
    TESSERA_ASSIGN_OR_RETURN(patch.labels, LabelTree::FromJson(*it));
    return Status::Ok();
}

Status ParseRename(const json& body, ProjectPatch& patch) {
    auto it = body.find("rename");
    if (it == body.end()) {
        return Status::Ok();
    }
    if (!it->is_object()) {
        return Error::InvalidArgument(
            R"(rename must be an object of old path to new path, e.g. {"Cat": "Kitty"})", "rename");
    }
    for (const auto& [from, to] : it->items()) {
        if (!to.is_string()) {
            return Error::InvalidArgument("rename: the new path of '" + from + "' must be a string",
                                          "rename");
        }
        patch.rename[from] = to.get<std::string>();
    }
    return Status::Ok();
}

Status ParseOnNewLabels(const json& body, ProjectPatch& patch) {
    auto it = body.find("on_new_labels");
    if (it == body.end()) {
        return Status::Ok();
    }
    patch.on_new_labels =
        it->is_string() ? ParseLabelRestart(it->get<std::string>()) : std::optional<LabelRestart>();
    if (!patch.on_new_labels) {
        return Error::InvalidArgument(
            "on_new_labels must be restart_clear, restart_keep or continue", "on_new_labels");
    }
    return Status::Ok();
}

}  // namespace

Result<ProjectPatch> ProjectPatchFromJson(const json& body) {
    TESSERA_TRY(RejectUnknownFields(body));
    ProjectPatch patch;
    TESSERA_TRY(ParseName(body, patch));
    TESSERA_TRY(ParseInstructions(body, patch));
    TESSERA_TRY(ParseLabels(body, patch));
    TESSERA_TRY(ParseRename(body, patch));
    TESSERA_TRY(ParseOnNewLabels(body, patch));
    return patch;
}

}  // namespace tessera::http
