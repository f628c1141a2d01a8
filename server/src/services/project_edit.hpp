#pragma once
// PATCH /projects/{id}: what an owner may change on a project once it exists. Kept apart from
// project_service.hpp so each part of the patch stays a small function.
#include <map>
#include <optional>
#include <string>

#include "domain/label_tree.hpp"
#include "storage/repository.hpp"

namespace tessera {

// Fields left unset stay as they are.
struct ProjectPatch {
    std::optional<std::string> name;
    std::optional<std::string> instructions_text;
    std::optional<std::string> instructions_url;
    std::optional<LabelTree> labels;            // the whole new tree
    std::map<std::string, std::string> rename;  // old path -> new path; needs `labels`
    // Required with `labels`: what happens to the answers stored so far (Azure's three choices).
    std::optional<LabelRestart> on_new_labels;
};

// "restart_clear", "restart_keep", "continue"; nullopt for anything else.
std::optional<LabelRestart> ParseLabelRestart(const std::string& text);

}  // namespace tessera
