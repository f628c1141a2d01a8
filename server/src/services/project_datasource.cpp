// ProjectService's datasource side: resolving a user-given folder against the allowed roots,
// the folder browser over those roots, and the dry run that counts what an ingest would find.
#include <algorithm>
#include <system_error>

#include "base/text.hpp"
#include "blobs/local_source.hpp"
#include "services/permissions.hpp"
#include "services/project_service.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

bool IsUnder(const fs::path& path, const fs::path& root) {
    auto p = path.begin();
    for (auto r = root.begin(); r != root.end(); ++r, ++p) {
        if (r->empty()) {
            continue;  // trailing separator
        }
        if (p == path.end() || *p != *r) {
            return false;
        }
    }
    return true;
}

// The root holding `canonical`, or null.
const fs::path* RootOf(const std::vector<fs::path>& roots, const fs::path& canonical) {
    for (const auto& root : roots) {
        if (IsUnder(canonical, root)) {
            return &root;
        }
    }
    return nullptr;
}

}  // namespace

Result<fs::path> ProjectService::ResolveLocalPath(const std::string& path) const {
    if (path.empty()) {
        return Error::InvalidArgument("datasource path is required", "datasource.path");
    }
    if (HasControlCharacter(path)) {
        return Error::InvalidArgument("datasource path has a control character", "datasource.path");
    }
    fs::path given(path);
    if (!given.is_absolute()) {
        return Error::InvalidArgument("datasource path must be absolute (start with /): " + path,
                                      "datasource.path");
    }
    std::error_code ec;
    // canonical() resolves every symlink, so a link pointing outside a root is caught below.
    fs::path canonical = fs::canonical(given, ec);
    if (ec) {
        return Error::InvalidArgument("datasource path does not exist: " + path, "datasource.path");
    }
    if (!fs::is_directory(canonical, ec)) {
        return Error::InvalidArgument("datasource path is not a folder: " + path,
                                      "datasource.path");
    }
    if (RootOf(settings_.allowed_roots, canonical) == nullptr) {
        return Error::PermissionDenied("datasource path is outside the allowed roots: " + path);
    }
    // Checked here so the wizard says so before Create, not the ingest job after it.
    fs::directory_iterator probe(canonical, ec);
    if (ec) {
        return Error::InvalidArgument(
            "the server cannot read the folder " + path + ": " + ec.message(), "datasource.path");
    }
    return canonical;
}

Result<FolderListing> ProjectService::ListFolders(const User& actor,
                                                  const std::string& path) const {
    TESSERA_TRY(RequireOwner(actor, "browse the server's folders"));
    FolderListing listing;
    for (const auto& root : settings_.allowed_roots) {
        listing.roots.push_back(root.string());
    }
    if (path.empty()) {
        return listing;
    }
    TESSERA_ASSIGN_OR_RETURN(fs::path folder, ResolveLocalPath(path));
    listing.path = folder.string();
    const fs::path* root = RootOf(settings_.allowed_roots, folder);
    if (root != nullptr && folder != *root && folder.has_parent_path()) {
        listing.parent = folder.parent_path().string();
    }
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name.front() == '.') {
            continue;  // hidden: the globs skip them too
        }
        std::error_code entry_ec;
        if (!it->is_directory(entry_ec)) {
            continue;
        }
        // A symlink is listed by where it really is, and only when that is inside a root.
        fs::path real = fs::canonical(it->path(), entry_ec);
        if (entry_ec || RootOf(settings_.allowed_roots, real) == nullptr) {
            continue;
        }
        if (listing.folders.size() == kMaxListedFolders) {
            listing.truncated = true;
            break;
        }
        listing.folders.push_back({name, real.string()});
    }
    if (ec) {
        return Error::InvalidArgument(
            "the server cannot list the folder " + path + ": " + ec.message(), "datasource.path");
    }
    std::sort(listing.folders.begin(), listing.folders.end(),
              [](const FolderEntry& a, const FolderEntry& b) { return a.name < b.name; });
    return listing;
}

Result<DatasourcePreview> ProjectService::PreviewDatasource(const User& actor,
                                                            const std::string& path,
                                                            const std::string& pattern) const {
    TESSERA_TRY(RequireOwner(actor, "preview a datasource"));
    TESSERA_TRY(ValidatePattern(pattern));
    TESSERA_ASSIGN_OR_RETURN(fs::path folder, ResolveLocalPath(path));
    DatasourcePreview preview;
    preview.path = folder.string();
    TESSERA_ASSIGN_OR_RETURN(WalkStats stats,
                             WalkLocalSource(
                                 folder, pattern,
                                 [&](const LocalFile& file) {
                                     if (preview.count == kMaxPreviewCount) {
                                         return false;
                                     }
                                     ++preview.count;
                                     if (preview.examples.size() < kPreviewExamples) {
                                         preview.examples.push_back(file.relative_path);
                                     }
                                     return true;
                                 },
                                 settings_.preview_entry_budget));
    preview.scan_limited = stats.entry_budget_spent;
    preview.capped = stats.stopped || stats.entry_budget_spent;
    return preview;
}

}  // namespace tessera
