#pragma once
// Where an item's image comes from and how its cached renditions and tile pyramid are named.
// All of a project's cache entries form one group ("p<id>"), removed when the project is
// deleted (cache_purge_job.hpp).
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "blobs/cache_key.hpp"
#include "blobs/source_file.hpp"
#include "domain/model.hpp"

namespace tessera {

inline std::string ProjectCacheGroup(Id project_id) {
    return "p" + std::to_string(project_id);
}

// {"p<project>", "i<item><suffix>"}, e.g. suffix "-thumb"; the pyramid uses no suffix.
inline CacheKey ItemCacheKey(Id project_id, Id item_id, std::string_view suffix = {}) {
    return {ProjectCacheGroup(project_id), "i" + std::to_string(item_id) + std::string(suffix)};
}

// The item's file in a local datasource, with the root it must stay beneath: blobs open it with
// SourceFile, which refuses a file that now resolves outside (a link planted after ingest).
// Item paths come from our own folder walk, but they are stored data: anything that could step
// outside the datasource is kFailedPrecondition before the disk is touched, as is a datasource
// kind that has no files.
inline Result<SourceRef> ItemSourcePath(const Project& project, const Item& item) {
    std::filesystem::path relative(item.path);
    bool safe = !relative.empty() && !relative.is_absolute();
    for (const auto& part : relative) {
        safe = safe && part != "..";
    }
    // A manifest project's items are relative to its folder too (manifest_source.hpp), and an
    // upload datasource is the project's folder in the data dir (upload_service.hpp).
    const std::string& kind = project.datasource.kind;
    if ((kind != "local" && kind != "manifest" && kind != "upload") || !safe) {
        return Error::FailedPrecondition("the image source cannot be read");
    }
    std::filesystem::path root(project.datasource.path);
    return SourceRef{root, root / relative};
}

// A source file that is gone (kNotFound from the renderer, the pyramid or the opener) is, to
// the client, an item that exists without an image: kFailedPrecondition. Other errors pass.
inline Error ItemSourceError(const Error& e) {
    if (e.code == ErrorCode::kNotFound) {
        return Error::FailedPrecondition("the source image is missing");
    }
    return e;
}

}  // namespace tessera
