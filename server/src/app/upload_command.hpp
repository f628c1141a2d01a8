#pragma once
// `tessera upload PROJECT PATH...`: sends image files and folders to a running server with the
// tus protocol (docs/api.md "Uploads"), a few files at once, resuming interrupted uploads.
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace tessera::app {

struct UploadCommand {
    std::string server = "http://127.0.0.1:8080";  // --server, TESSERA_SERVER
    std::string token;                             // --token, TESSERA_TOKEN: an API token
    std::string project;                           // id or name ("id:N", "name:X")
    std::vector<std::filesystem::path> paths;      // files and folders
    bool overwrite = false;
    int parallel = 4;
    std::int64_t chunk_bytes = std::int64_t{8} << 20;
    // Upload URLs of unfinished files, keyed by server, project, absolute path, size and mtime,
    // so a second run resumes them instead of starting over.
    std::filesystem::path state_file;
};

struct UploadSummary {
    int uploaded = 0;
    int skipped = 0;  // already in the project (and not --overwrite)
    int failed = 0;
    std::int64_t bytes = 0;
};

// One file to send: where it is and the name it gets in the project ('/'-separated; a folder
// argument's files keep the folder's own name: "holiday/day1/a.jpg").
struct UploadFileEntry {
    std::filesystem::path path;
    std::string relative_path;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
};

// Accepted image files under `paths` (hidden ones skipped), sorted by name. kNotFound naming a
// path that does not exist.
Result<std::vector<UploadFileEntry>> CollectUploadFiles(
    const std::vector<std::filesystem::path>& paths);

// Prints a line per file and a summary to `out`, problems to `err`. An error only when nothing
// could start (bad server URL, unknown project, bad token); per-file failures are counted.
Result<UploadSummary> RunUpload(const UploadCommand& command, std::ostream& out, std::ostream& err);

}  // namespace tessera::app
