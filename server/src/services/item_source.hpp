#pragma once
// Items of a project's other datasources (its uploads folder beside the folder it was created
// on): the code that reads an item's file works with "the project as its datasource sees it",
// the project with that datasource in the primary's place, so ItemSourcePath and
// DatasourceOpener resolve the item against the right root.
#include "base/result.hpp"
#include "blobs/image_source.hpp"
#include "domain/model.hpp"
#include "storage/repository.hpp"

namespace tessera {

// `project` itself for items of its primary datasource (no read); otherwise a copy whose
// datasource is the item's. kFailedPrecondition when the item's datasource is gone.
Result<Project> ProjectForItem(Repository& repo, const Project& project, const Item& item);

class DatasourceOpener;

// Where an item's file is, resolved against its own datasource (ProjectForItem): through
// `opener` (a blob's cached copy, a fetched URL) when there is one, else the local path
// (ItemSourcePath). Every reader of item files starts here.
Result<SourceRef> LocateItemFile(Repository& repo, DatasourceOpener* opener, const Project& project,
                                 const Item& item);
// The same, opened.
Result<SourceFile> OpenItemFile(Repository& repo, DatasourceOpener* opener, const Project& project,
                                const Item& item);

}  // namespace tessera
