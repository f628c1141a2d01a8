#include "domain/task_type.hpp"

#include <array>
#include <utility>

namespace tessera {
namespace {

template <typename E, std::size_t N>
std::optional<E> Lookup(const std::array<std::pair<E, std::string_view>, N>& table,
                        std::string_view name) {
    for (const auto& [value, text] : table) {
        if (text == name) {
            return value;
        }
    }
    return std::nullopt;
}

template <typename E, std::size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
    for (const auto& [v, text] : table) {
        if (v == value) {
            return text;
        }
    }
    return "unknown";
}

constexpr std::array<std::pair<TaskType, std::string_view>, 5> kTaskTypes{{
    {TaskType::kMulticlass, "multiclass"},
    {TaskType::kMultilabel, "multilabel"},
    {TaskType::kBbox, "bbox"},
    {TaskType::kPolygon, "polygon"},
    {TaskType::kSemantic, "semantic"},
}};

constexpr std::array<std::pair<ProjectStatus, std::string_view>, 3> kStatuses{{
    {ProjectStatus::kDraft, "draft"},
    {ProjectStatus::kRunning, "running"},
    {ProjectStatus::kPaused, "paused"},
}};

constexpr std::array<std::pair<ItemState, std::string_view>, 6> kItemStates{{
    {ItemState::kUnlabeled, "unlabeled"},
    {ItemState::kLabeled, "labeled"},
    {ItemState::kSkipped, "skipped"},
    {ItemState::kNeedsReview, "needs_review"},
    {ItemState::kError, "error"},
    {ItemState::kMissing, "missing"},
}};

constexpr std::array<std::pair<Role, std::string_view>, 2> kRoles{{
    {Role::kOwner, "owner"},
    {Role::kLabeler, "labeler"},
}};

}  // namespace

std::string_view TaskTypeName(TaskType type) {
    return NameOf(kTaskTypes, type);
}
std::optional<TaskType> ParseTaskType(std::string_view name) {
    return Lookup(kTaskTypes, name);
}
bool IsClassification(TaskType type) {
    return type == TaskType::kMulticlass || type == TaskType::kMultilabel;
}

std::string_view ProjectStatusName(ProjectStatus status) {
    return NameOf(kStatuses, status);
}
std::optional<ProjectStatus> ParseProjectStatus(std::string_view name) {
    return Lookup(kStatuses, name);
}

std::string_view ItemStateName(ItemState state) {
    return NameOf(kItemStates, state);
}
std::optional<ItemState> ParseItemState(std::string_view name) {
    return Lookup(kItemStates, name);
}

std::string_view RoleName(Role role) {
    return NameOf(kRoles, role);
}
std::optional<Role> ParseRole(std::string_view name) {
    return Lookup(kRoles, name);
}

}  // namespace tessera
