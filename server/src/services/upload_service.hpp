#pragma once
// Resumable uploads of image files into a project (the tus protocol's server side without the
// HTTP: http/handlers/upload_handlers.cpp speaks tus and calls this). docs/design/uploads.md.
//
// On disk, under <root> = <data_dir>/uploads:
//   <root>/<project_id>/.partial/<upload_id>        the bytes received so far
//   <root>/<project_id>/.partial/<upload_id>.json   what the upload is: length, relative path,
//                                                   overwrite, who, when it expires
//   <root>/<project_id>/<relative path>             a finished file, moved there atomically
// The offset of an upload is the size of its partial file, so the record and the bytes never
// disagree after a crash. Folders starting with '.' are never listed as images (blobs/glob.hpp),
// so partial files are not mistaken for items.
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "blobs/image_probe.hpp"
#include "domain/model.hpp"
#include "storage/repository.hpp"

namespace tessera {

struct UploadSettings {
    std::filesystem::path root;                           // <data_dir>/uploads
    std::int64_t max_file_bytes = std::int64_t{4} << 30;  // Tus-Max-Size
    // Bytes announced by the unfinished uploads of one project together: a disk quota for what
    // is in flight.
    std::int64_t max_pending_bytes_per_project = std::int64_t{64} << 30;
    int max_pending_uploads_per_project = 1000;
    TimeMs expire_after_ms = TimeMs{24} * 3600 * 1000;  // since the last byte received
};

struct NewUpload {
    std::int64_t length = 0;
    std::string relative_path;  // '/'-separated, as the browser or CLI named the file
    bool overwrite = false;     // replace a finished file of that name
};

struct UploadInfo {
    std::string id;
    Id project_id = 0;
    std::int64_t offset = 0;
    std::int64_t length = 0;
    std::string relative_path;
    bool overwrite = false;
    Id created_by = 0;
    TimeMs expires_at = 0;
    // Set once the last byte arrived and the file became an item; `replaced` when it overwrote
    // a finished file of the same name (whose item stays, with its labels).
    bool complete = false;
    bool replaced = false;
};

// The bytes of one PATCH: a file the HTTP server stored the body in, or the body itself.
struct UploadChunk {
    std::filesystem::path file;  // used when not empty
    std::string_view bytes;
    std::int64_t size() const;
};

// kInvalidArgument naming the problem, else the normalized path ('/'-separated, no "." parts).
// Refused: empty, absolute, "..", parts starting with '.', backslashes, control characters,
// over 1024 bytes or 255 a part, and extensions that are not images (blobs/local_source.hpp).
Result<std::string> ValidateUploadPath(std::string_view relative_path);

class UploadService {
public:
    UploadService(Repository& repo, const Clock& clock, Random& random, ImageProber& prober,
                  UploadSettings settings);

    const UploadSettings& settings() const { return settings_; }

    // Owners only. kConflict when the finished file exists and `overwrite` is false (the UI
    // skips it); kPayloadTooLarge over max_file_bytes or the project's pending quota;
    // kFailedPrecondition when the project holds its item limit.
    Result<UploadInfo> Create(const User& actor, Id project_id, const NewUpload& upload);
    // kNotFound for unknown, expired, finished or other projects' uploads.
    Result<UploadInfo> Get(const User& actor, Id project_id, const std::string& upload_id);
    // Appends the chunk at `offset`. kConflict when offset is not the upload's offset or another
    // request is writing to it; kPayloadTooLarge past the declared length. On the last byte the
    // file is probed, moved into place and inserted as an item: an unreadable image is a
    // kInvalidArgument and the upload is removed.
    Result<UploadInfo> Append(const User& actor, Id project_id, const std::string& upload_id,
                              std::int64_t offset, const UploadChunk& chunk);
    // Removes an unfinished upload (tus termination).
    Status Terminate(const User& actor, Id project_id, const std::string& upload_id);
    // Removes unfinished uploads whose expiry passed; returns how many. `tessera serve` calls it
    // at start, and Create does every `expire_after_ms / 24` of the Clock, so no timer thread is
    // needed.
    std::int64_t RemoveExpired();

private:
    struct Located {
        std::filesystem::path data;
        std::filesystem::path record;
    };
    Status CheckAccess(const User& actor, Id project_id);
    Result<Located> Locate(Id project_id, const std::string& upload_id) const;
    Result<UploadInfo> Load(Id project_id, const std::string& upload_id) const;
    Status Save(const UploadInfo& info) const;
    Status CheckQuota(Id project_id, std::int64_t length) const;
    Result<UploadInfo> Finish(UploadInfo info);
    // The project's "upload" datasource (its folder under the data dir), added on the first
    // finished upload; 0 when the project's primary datasource already is that folder.
    Result<Id> UploadSourceId(Id project_id, const std::filesystem::path& root);
    std::filesystem::path ProjectDir(Id project_id) const;
    std::filesystem::path PartialDir(Id project_id) const;
    // Claims the upload for one writer; false when another request holds it.
    bool Claim(const std::string& upload_id);
    void Release(const std::string& upload_id);

    Repository& repo_;
    const Clock& clock_;
    Random& random_;
    ImageProber& prober_;
    UploadSettings settings_;
    std::mutex mutex_;  // guards busy_ and makes Create's quota check and record one step
    std::set<std::string> busy_;
    TimeMs next_sweep_ = 0;    // guarded by mutex_
    std::mutex source_mutex_;  // one process adds a project's upload datasource once
};

}  // namespace tessera
