#include "services/item_source.hpp"

namespace tessera {

Result<Project> ProjectForItem(Repository& repo, const Project& project, const Item& item) {
    if (item.source_id == 0 || item.source_id == project.datasource.id) {
        return project;
    }
    // A project has a handful of datasources: listing them is one small read.
    TESSERA_ASSIGN_OR_RETURN(std::vector<Datasource> sources, repo.ListDatasources(project.id));
    for (Datasource& source : sources) {
        if (source.id == item.source_id) {
            Project seen = project;
            seen.datasource = std::move(source);
            return seen;
        }
    }
    return Error::FailedPrecondition("the image's datasource is gone");
}

}  // namespace tessera
