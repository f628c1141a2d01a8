#pragma once
// Figures for the project dashboard: progress by state, label and labeler distributions.
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/model.hpp"
#include "storage/repository.hpp"

namespace tessera {

struct DashboardView {
    Progress progress;
    std::vector<LabelCount> labels;      // every label in the tree, zero counts included
    std::vector<LabelerCount> labelers;  // most items first
    std::vector<Job> jobs;
};

class DashboardService {
public:
    DashboardService(Repository& repo, const Clock& clock);
    Result<DashboardView> Get(const User& actor, Id project_id);

private:
    Repository& repo_;
    const Clock& clock_;
};

}  // namespace tessera
