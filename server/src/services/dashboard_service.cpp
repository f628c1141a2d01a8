#include "services/dashboard_service.hpp"

#include <algorithm>

#include "domain/label_tree.hpp"

namespace tessera {

DashboardService::DashboardService(Repository& repo, const Clock& clock)
    : repo_(repo), clock_(clock) {}

Result<DashboardView> DashboardService::Get(const User& /*actor*/, Id project_id) {
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    DashboardView view;
    // Jobs before the figures: a job shown done has its items counted (as ProjectService::Get).
    TESSERA_ASSIGN_OR_RETURN(view.jobs, repo_.ListJobs(project_id));
    TESSERA_ASSIGN_OR_RETURN(view.progress, repo_.GetProgress(project_id, clock_.NowMs()));
    TESSERA_ASSIGN_OR_RETURN(auto counted, repo_.LabelDistribution(project_id));
    TESSERA_ASSIGN_OR_RETURN(LabelTree tree, LabelTreeOf(project));
    // Every label in display order, zeros included, so the chart shows unused classes too.
    for (const auto& node : tree.nodes()) {
        LabelCount lc{node.path, 0};
        for (const auto& c : counted) {
            if (c.label == node.path) {
                lc.count = c.count;
            }
        }
        view.labels.push_back(lc);
    }
    TESSERA_ASSIGN_OR_RETURN(view.labelers, repo_.LabelerDistribution(project_id));
    std::stable_sort(
        view.labelers.begin(), view.labelers.end(),
        [](const LabelerCount& a, const LabelerCount& b) { return a.count > b.count; });
    return view;
}

}  // namespace tessera
