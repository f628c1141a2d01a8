#include "services/manifest_source.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include "base/percent_decode.hpp"
#include "base/text.hpp"
#include "blobs/glob.hpp"
#include "blobs/source_file.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

// An MLTable's own folder is small; a listing this long is something else.
constexpr int kMaxMlTableEntries = 10000;
constexpr std::size_t kMaxMlTableBytes = 1 << 20;

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && Lower(text.substr(0, prefix.size())) == prefix;
}

// azureml://subscriptions/S/resourcegroups/R/workspaces/W/datastores/NAME/paths/REL and the
// short azureml://datastores/NAME/paths/REL.
Result<ManifestTarget> ParseAzureMl(std::string_view rest) {
    const std::string lower = Lower(rest);
    const std::size_t at = lower.starts_with("datastores/") ? 0 : lower.find("/datastores/");
    if (at == std::string::npos) {
        return Error::InvalidArgument("an azureml:// reference needs /datastores/NAME/paths/…");
    }
    const std::size_t name_start = at == 0 ? 11 : at + 12;
    const std::size_t paths = lower.find("/paths/", name_start);
    if (paths == std::string::npos || paths == name_start) {
        return Error::InvalidArgument("an azureml:// reference needs /datastores/NAME/paths/…");
    }
    return ManifestTarget{std::string(rest.substr(name_start, paths - name_start)),
                          std::string(rest.substr(paths + 7))};
}

}  // namespace

Result<ManifestTarget> ParseManifestReference(std::string_view reference) {
    if (StartsWithNoCase(reference, "http://") || StartsWithNoCase(reference, "https://")) {
        return Error::InvalidArgument(kManifestUrlsOff);
    }
    if (StartsWithNoCase(reference, "azureml://")) {
        TESSERA_ASSIGN_OR_RETURN(ManifestTarget target, ParseAzureMl(reference.substr(10)));
        auto decoded = PercentDecode(target.path);
        if (!decoded) {
            return Error::InvalidArgument("the reference has a malformed %-escape");
        }
        target.path = *decoded;
        return target;
    }
    if (StartsWithNoCase(reference, "amldatastore://")) {
        std::string_view rest = reference.substr(15);
        const std::size_t slash = rest.find('/');
        if (slash == std::string_view::npos || slash == 0) {
            return Error::InvalidArgument("an AmlDatastore:// reference needs NAME/path");
        }
        auto decoded = PercentDecode(rest.substr(slash + 1));
        if (!decoded) {
            return Error::InvalidArgument("the reference has a malformed %-escape");
        }
        return ManifestTarget{std::string(rest.substr(0, slash)), *decoded};
    }
    if (const std::size_t scheme = reference.find("://"); scheme != std::string_view::npos) {
        return Error::InvalidArgument("references of the form " +
                                      std::string(reference.substr(0, scheme)) +
                                      ":// cannot be read; use a path relative to the manifest");
    }
    std::string path(reference);
    std::replace(path.begin(), path.end(), '\\', '/');  // Windows-written manifests
    return ManifestTarget{"", path};
}

namespace {

fs::path CommonPrefix(const fs::path& a, const fs::path& b) {
    fs::path out;
    for (auto ai = a.begin(), bi = b.begin(); ai != a.end() && bi != b.end() && *ai == *bi;
         ++ai, ++bi) {
        out /= *ai;
    }
    return out;
}

Result<std::string> ReadSmallFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error::InvalidArgument("the MLTable file cannot be read");
    }
    std::string text(kMaxMlTableBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxMlTableBytes) {
        return Error::InvalidArgument("the MLTable file is larger than 1 MiB");
    }
    return text;
}

bool HasManifestExtension(const fs::path& file, ManifestFormat format) {
    const std::string ext = Lower(file.extension().string());
    return format == ManifestFormat::kCsv ? (ext == ".csv" || ext == ".tsv")
                                          : (ext == ".jsonl" || ext == ".json");
}

// One `paths:` entry as canonical files inside `folder`.
Status AddMlTablePath(const fs::path& folder, const MlTablePath& entry, ManifestFormat format,
                      std::vector<fs::path>& files) {
    std::error_code ec;
    if (entry.kind == MlTablePath::Kind::kFile) {
        fs::path file = fs::weakly_canonical(folder / entry.value, ec);
        if (ec || !IsBeneath(file, folder)) {
            return Error::InvalidArgument("MLTable path \"" + entry.value +
                                          "\" leaves the MLTable's folder");
        }
        if (!fs::is_regular_file(file, ec)) {
            return Error::InvalidArgument("MLTable path \"" + entry.value +
                                          "\" names no file next to the MLTable file");
        }
        files.push_back(file);
        return Status::Ok();
    }
    std::optional<Glob> glob;
    fs::path base = folder;
    if (entry.kind == MlTablePath::Kind::kPattern) {
        TESSERA_ASSIGN_OR_RETURN(glob, Glob::Parse(entry.value));
    } else {
        base = fs::weakly_canonical(folder / entry.value, ec);
        if (ec || !IsBeneath(base, folder) || !fs::is_directory(base, ec)) {
            return Error::InvalidArgument("MLTable folder \"" + entry.value +
                                          "\" is not a folder inside the MLTable's folder");
        }
    }
    std::vector<fs::path> found;
    int seen = 0;
    for (fs::recursive_directory_iterator it(base, ec), end; !ec && it != end; it.increment(ec)) {
        if (++seen > kMaxMlTableEntries) {
            return Error::InvalidArgument("the MLTable's folder holds more than 10000 entries");
        }
        if (!it->is_regular_file(ec)) {
            continue;
        }
        const std::string relative = it->path().lexically_relative(base).generic_string();
        const bool wanted =
            glob ? glob->Matches(relative) : HasManifestExtension(it->path(), format);
        fs::path real = fs::canonical(it->path(), ec);
        if (wanted && !ec && IsBeneath(real, folder)) {
            found.push_back(real);
        }
        ec.clear();
    }
    std::sort(found.begin(), found.end());
    if (found.empty()) {
        return Error::InvalidArgument("MLTable " + std::string(glob ? "pattern" : "folder") +
                                      " \"" + entry.value + "\" matches no file");
    }
    files.insert(files.end(), found.begin(), found.end());
    return Status::Ok();
}

}  // namespace

Result<fs::path> ResolveManifestReference(std::string_view reference, const ManifestRoots& roots) {
    TESSERA_ASSIGN_OR_RETURN(ManifestTarget target, ParseManifestReference(Trim(reference)));
    fs::path root = roots.manifest_dir;
    if (!target.datastore.empty()) {
        auto it = roots.datastores.find(target.datastore);
        if (it == roots.datastores.end()) {
            return Error::InvalidArgument("datastore \"" + target.datastore +
                                          "\" is not mapped to a folder (add it to the "
                                          "datasource's \"datastores\")");
        }
        root = it->second;
    }
    if (target.path.empty() || HasControlCharacter(target.path)) {
        return Error::InvalidArgument("the image reference has no usable path");
    }
    fs::path given(target.path);
    fs::path joined = given.is_absolute() && target.datastore.empty()
                          ? given.lexically_normal()
                          : (root / given.relative_path()).lexically_normal();
    // Absolute paths may point into any of the reference folders, as our own CSV export
    // writes them; every other form stays in its own folder.
    bool inside = IsBeneath(joined, root);
    if (given.is_absolute() && target.datastore.empty()) {
        for (const auto& [name, folder] : roots.datastores) {
            if (!inside && IsBeneath(joined, folder)) {
                inside = true;
                root = folder;
            }
        }
    }
    if (!inside) {
        return Error::PermissionDenied("the image reference leaves its folder");
    }
    std::error_code ec;
    fs::path real = fs::canonical(joined, ec);
    if (ec) {
        return Error::NotFound("no such file");
    }
    if (!IsBeneath(real, root)) {
        return Error::PermissionDenied("the image reference resolves outside its folder");
    }
    if (!fs::is_regular_file(real, ec)) {
        return Error::NotFound("not a file");
    }
    return real;
}

Result<ResolvedManifest> ManifestFiles(const fs::path& path, ManifestFormat format) {
    ResolvedManifest out;
    out.path = path;
    if (format == ManifestFormat::kMlTable) {
        TESSERA_ASSIGN_OR_RETURN(MlTableFiles table, ListMlTableFiles(path));
        out.path = table.folder;
        out.files = std::move(table.files);
        out.read_format = table.format;
    } else {
        out.files = {path};
        out.read_format = format;
    }
    out.roots.manifest_dir = out.path.parent_path();
    if (format == ManifestFormat::kMlTable) {
        out.roots.manifest_dir = out.path;
    }
    return out;
}

fs::path CommonManifestRoot(const ManifestRoots& roots) {
    fs::path common = roots.manifest_dir;
    for (const auto& [name, folder] : roots.datastores) {
        common = CommonPrefix(common, folder);
    }
    return common;
}

Result<MlTableFiles> ListMlTableFiles(const fs::path& path) {
    std::error_code ec;
    MlTableFiles out;
    fs::path file = path;
    if (fs::is_directory(path, ec)) {
        file = path / "MLTable";
        if (!fs::is_regular_file(file, ec)) {
            return Error::InvalidArgument("the folder holds no file named MLTable",
                                          "datasource.path");
        }
    }
    file = fs::canonical(file, ec);
    if (ec) {
        return Error::InvalidArgument("the MLTable file does not exist", "datasource.path");
    }
    out.folder = file.parent_path();
    TESSERA_ASSIGN_OR_RETURN(std::string yaml, ReadSmallFile(file));
    auto table = ParseMlTable(yaml);
    if (!table.ok()) {
        return Error::InvalidArgument(table.error().message, "datasource.path");
    }
    out.format = table->format;
    for (const MlTablePath& entry : table->paths) {
        Status added = AddMlTablePath(out.folder, entry, out.format, out.files);
        if (!added.ok()) {
            return Error::InvalidArgument(added.error().message, "datasource.path");
        }
    }
    return out;
}

}  // namespace tessera
