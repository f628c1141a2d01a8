#include "services/item_source.hpp"

#include "services/datasource_opener.hpp"
#include "services/item_cache.hpp"

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

Result<SourceRef> LocateItemFile(Repository& repo, DatasourceOpener* opener, const Project& project,
                                 const Item& item) {
    TESSERA_ASSIGN_OR_RETURN(const Project seen, ProjectForItem(repo, project, item));
    return opener != nullptr ? opener->ItemFile(seen, item) : ItemSourcePath(seen, item);
}

Result<SourceFile> OpenItemFile(Repository& repo, DatasourceOpener* opener, const Project& project,
                                const Item& item) {
    TESSERA_ASSIGN_OR_RETURN(const SourceRef ref, LocateItemFile(repo, opener, project, item));
    return SourceFile::Open(ref);
}

}  // namespace tessera
