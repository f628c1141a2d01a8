#pragma once
// DTO <-> domain: the JSON shapes of docs/api.md. Pure functions, no I/O.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "domain/model.hpp"
#include "services/dashboard_service.hpp"
#include "services/labeling_service.hpp"
#include "services/project_service.hpp"
#include "services/refresh_service.hpp"

namespace tessera::http {

nlohmann::json UserToJson(const User& user);
nlohmann::json ProgressToJson(const Progress& progress);
nlohmann::json JobToJson(const Job& job);
nlohmann::json RefreshToJson(const RefreshSettings& refresh);
nlohmann::json ProjectToJson(const Project& project, const Progress& progress,
                             const std::vector<Job>& jobs);
nlohmann::json ProjectViewToJson(const ProjectView& view);
// Includes image_url and thumbnail_url under /api/v1/projects/{project}/items/{id}/.
nlohmann::json ItemToJson(const Item& item);
nlohmann::json PageToJson(const Page& page);
nlohmann::json AnnotationViewToJson(const AnnotationView& view);
// GET /projects/{id}/items/{item_id}: {"item", "answers": [...], "history": [...]}.
nlohmann::json ItemRecordToJson(const ItemRecord& record);
nlohmann::json DashboardToJson(const DashboardView& view);
std::string_view SubmitOutcomeName(SubmitOutcome outcome);

// The body of POST /api/v1/projects. Field errors name the JSON path ("datasource.path").
Result<ProjectSpec> ProjectSpecFromJson(const nlohmann::json& body);
// The "refresh" member of PATCH /api/v1/projects/{id}: {"enabled", "interval_s"}, both optional.
Result<RefreshSettingsChange> RefreshChangeFromJson(const nlohmann::json& refresh);
// PATCH /projects/{id} (project_patch_codec.cpp); unknown fields are refused by name.
Result<ProjectPatch> ProjectPatchFromJson(const nlohmann::json& body);
// A JSON array of strings, e.g. "labels".
Result<std::vector<std::string>> StringListFromJson(const nlohmann::json& body,
                                                    const std::string& field);

}  // namespace tessera::http
