#pragma once
// Where a manifest's image references point (docs/formats/manifests.md): a path relative to the
// manifest's folder (or absolute, inside that folder or a mapped datastore), Azure's
// `azureml://subscriptions/…/workspaces/…/datastores/NAME/paths/REL`,
// `azureml://datastores/NAME/paths/REL` and `AmlDatastore://NAME/REL`, each mapped onto a local
// folder the project's creator named for NAME. A reference never leaves its folder: ".." that
// climbs out, or a symlink whose target lies outside, is refused. Here references resolve to
// local files; http(s) URLs (blobs/url_fetch.hpp) and datastores in Azure Blob Storage are
// resolved by the manifest job.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "formats/manifest_reader.hpp"
#include "services/import_service.hpp"

namespace tessera {

// What the creator asked for: the "manifest" datasource's fields besides kind and path.
struct ManifestSpec {
    ManifestFormat format = ManifestFormat::kCsv;
    ManifestMapping mapping;
    ImportMode import_as = ImportMode::kPrelabel;
    std::map<std::string, std::string> datastores;  // NAME -> folder path as given
    // NAME -> an Azure Blob container as the API gave it (the azure_blob datasource's object,
    // JSON text): validated and sealed at creation, stored as a datasource of the project.
    std::map<std::string, std::string> azure_datastores;
};

// The folders references resolve in, all canonical.
struct ManifestRoots {
    std::filesystem::path manifest_dir;
    std::map<std::string, std::filesystem::path> datastores;
};

// A manifest datasource checked at creation: its files, the folders references resolve in
// and the folder items are relative to.
struct ResolvedManifest {
    std::filesystem::path path;  // canonical: the CSV/JSONL file, or the MLTable file's folder
    std::vector<std::filesystem::path> files;  // what is read, in order (one unless MLTable)
    ManifestFormat read_format = ManifestFormat::kCsv;  // of `files`
    ManifestRoots roots;
    std::filesystem::path common_root;  // the project's datasource path
};

// The "format" of a manifest datasource; kInvalidArgument (field datasource.format) naming the
// three there are. Inline: the JSON codecs call it, and the fuzz build links them without the
// services library.
inline Result<ManifestFormat> ManifestFormatFromName(std::string_view name) {
    auto format = ParseManifestFormat(name);
    if (!format) {
        return Error::InvalidArgument(
            "datasource.format must be csv, jsonl or mltable for a manifest, not \"" +
                std::string(name) + "\"",
            "datasource.format");
    }
    return *format;
}

// The message for http(s) references when the admin allows no host to fetch from.
inline constexpr const char* kManifestUrlsOff =
    "fetching http(s) URLs is off: this server reads manifest images from its own folders "
    "only; copy the images under an allowed root and reference them by relative path or a "
    "mapped datastore";

// A reference split into the datastore it names ("" for the manifest's folder) and the path in
// it (%-decoded; absolute or relative for the manifest's folder).
struct ManifestTarget {
    std::string datastore;
    std::string path;
};
// kInvalidArgument for a form that is not understood or an http(s) URL.
Result<ManifestTarget> ParseManifestReference(std::string_view reference);

// The canonical path of the file `reference` names. Errors (row-level, naming no server path
// beyond the reference itself): kInvalidArgument for a form that is not understood, an
// unmapped datastore or an http(s) URL; kPermissionDenied when it leaves its folder; kNotFound
// when no such file exists.
Result<std::filesystem::path> ResolveManifestReference(std::string_view reference,
                                                       const ManifestRoots& roots);

// The deepest folder holding every root (the manifest's folder and the datastore folders): the
// project's datasource path, which items' paths are relative to.
std::filesystem::path CommonManifestRoot(const ManifestRoots& roots);

// The files an MLTable names, canonical and inside its folder, and how to read them.
// `path` is the MLTable file or the folder holding one.
struct MlTableFiles {
    std::filesystem::path folder;
    std::vector<std::filesystem::path> files;
    ManifestFormat format = ManifestFormat::kJsonl;
};
Result<MlTableFiles> ListMlTableFiles(const std::filesystem::path& path);

// The files to read for a manifest at canonical `path` (an MLTable's through ListMlTableFiles),
// with roots.manifest_dir set; datastores and common_root are the caller's.
Result<ResolvedManifest> ManifestFiles(const std::filesystem::path& path, ManifestFormat format);

}  // namespace tessera
