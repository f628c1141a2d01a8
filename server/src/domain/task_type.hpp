#pragma once
#include <optional>
#include <string_view>

namespace tessera {

// Chosen at project creation; never changes afterwards.
enum class TaskType { kMulticlass, kMultilabel, kBbox, kPolygon, kSemantic };

std::string_view TaskTypeName(TaskType type);
std::optional<TaskType> ParseTaskType(std::string_view name);
bool IsClassification(TaskType type);

enum class ProjectStatus { kDraft, kRunning, kPaused };
std::string_view ProjectStatusName(ProjectStatus status);
std::optional<ProjectStatus> ParseProjectStatus(std::string_view name);

// Stored state of an item. "in progress" is not stored: it is an unlabeled item with a live
// lease. kError marks a file that could not be read; kMissing one gone from its source.
enum class ItemState { kUnlabeled, kLabeled, kSkipped, kNeedsReview, kError, kMissing };
std::string_view ItemStateName(ItemState state);
std::optional<ItemState> ParseItemState(std::string_view name);

enum class Role { kOwner, kLabeler };
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

}  // namespace tessera
