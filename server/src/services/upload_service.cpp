#include "services/upload_service.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "base/text.hpp"
#include "blobs/local_source.hpp"
#include "services/permissions.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxPathBytes = 1024;
constexpr std::size_t kMaxPartBytes = 255;
constexpr std::size_t kIdBytes = 16;  // random bytes of an upload id (32 hex digits)

bool IsUploadId(const std::string& id) {
    return id.size() == 2 * kIdBytes && std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

std::vector<std::string_view> SplitParts(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        std::size_t slash = path.find('/', start);
        parts.push_back(path.substr(start, slash - start));
        if (slash == std::string_view::npos) {
            return parts;
        }
        start = slash + 1;
    }
}

nlohmann::json RecordJson(const UploadInfo& info) {
    return {{"project_id", info.project_id},       {"length", info.length},
            {"relative_path", info.relative_path}, {"overwrite", info.overwrite},
            {"created_by", info.created_by},       {"expires_at", info.expires_at}};
}

// Copies the chunk onto the end of `out`.
Status CopyChunk(const UploadChunk& chunk, std::ofstream& out) {
    if (chunk.file.empty()) {
        out.write(chunk.bytes.data(), static_cast<std::streamsize>(chunk.bytes.size()));
        return Status::Ok();
    }
    std::ifstream in(chunk.file, std::ios::binary);
    if (!in) {
        return Error::Unavailable("the server cannot read the stored chunk");
    }
    std::vector<char> buffer(std::size_t{1} << 20);
    while (in && out) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        out.write(buffer.data(), in.gcount());
    }
    if (in.bad()) {
        return Error::Unavailable("the server cannot read the stored chunk");
    }
    return Status::Ok();
}

void RemoveQuietly(const fs::path& path) {
    std::error_code ec;
    fs::remove(path, ec);
}

}  // namespace

std::int64_t UploadChunk::size() const {
    if (file.empty()) {
        return static_cast<std::int64_t>(bytes.size());
    }
    std::error_code ec;
    auto size = fs::file_size(file, ec);
    return ec ? 0 : static_cast<std::int64_t>(size);
}

Result<std::string> ValidateUploadPath(std::string_view relative_path) {
    const std::string quoted = "file name '" + std::string(relative_path) + "'";
    // Browsers name a dropped folder's files by their entry's fullPath, "/folder/a.jpg": the
    // leading '/' is the root of what was dropped, not of the server's disk.
    if (relative_path.starts_with('/')) {
        relative_path.remove_prefix(1);
    }
    if (relative_path.empty()) {
        return Error::InvalidArgument("file name is empty", "filename");
    }
    if (relative_path.size() > kMaxPathBytes) {
        return Error::InvalidArgument("file name is over 1024 bytes", "filename");
    }
    if (HasControlCharacter(relative_path)) {
        return Error::InvalidArgument("file name has a control character", "filename");
    }
    if (relative_path.find('\\') != std::string_view::npos) {
        return Error::InvalidArgument(quoted + " has a '\\'; separate folders with '/'",
                                      "filename");
    }
    if (relative_path.starts_with('/')) {
        return Error::InvalidArgument(quoted + " is absolute; it must be relative", "filename");
    }
    for (std::string_view part : SplitParts(relative_path)) {
        if (part.empty()) {
            return Error::InvalidArgument(
                quoted + " has an empty folder name ('//' or a '/' at the end)", "filename");
        }
        if (part == "." || part == "..") {
            return Error::InvalidArgument(quoted + " has a '" + std::string(part) +
                                              "' part; it must stay inside the project's folder",
                                          "filename");
        }
        if (part.starts_with('.')) {
            return Error::InvalidArgument(
                quoted + " has a part starting with '.'; hidden files are not images", "filename");
        }
        if (part.size() > kMaxPartBytes) {
            return Error::InvalidArgument(quoted + " has a part over 255 bytes", "filename");
        }
    }
    if (!HasAcceptedExtension(relative_path)) {
        return Error::InvalidArgument(
            quoted +
                " is not an accepted image type (.jpg .jpeg .jpe .jfif .png .bmp .tif .tiff .dcm "
                ".dicom)",
            "filename");
    }
    return std::string(relative_path);
}

UploadService::UploadService(Repository& repo, const Clock& clock, Random& random,
                             ImageProber& prober, UploadSettings settings)
    : repo_(repo),
      clock_(clock),
      random_(random),
      prober_(prober),
      settings_(std::move(settings)) {}

fs::path UploadService::ProjectDir(Id project_id) const {
    return settings_.root / std::to_string(project_id);
}

fs::path UploadService::PartialDir(Id project_id) const {
    return ProjectDir(project_id) / ".partial";
}

Status UploadService::CheckAccess(const User& actor, Id project_id) {
    TESSERA_TRY(RequireOwner(actor, "upload images"));
    TESSERA_TRY(repo_.GetProject(project_id));
    return Status::Ok();
}

Result<UploadService::Located> UploadService::Locate(Id project_id,
                                                     const std::string& upload_id) const {
    if (!IsUploadId(upload_id)) {
        return Error::NotFound("no upload " + upload_id + " in this project");
    }
    const fs::path dir = PartialDir(project_id);
    return Located{dir / upload_id, dir / (upload_id + ".json")};
}

Result<UploadInfo> UploadService::Load(Id project_id, const std::string& upload_id) const {
    TESSERA_ASSIGN_OR_RETURN(Located where, Locate(project_id, upload_id));
    const std::string gone = "no upload " + upload_id +
                             " in this project (finished, cancelled or expired); start it again";
    std::ifstream in(where.record);
    if (!in) {
        return Error::NotFound(gone);
    }
    nlohmann::json record = nlohmann::json::parse(in, nullptr, false);
    std::error_code ec;
    const auto size = fs::file_size(where.data, ec);
    if (record.is_discarded() || !record.is_object() || ec) {
        return Error::NotFound(gone);  // half-written by a process that died
    }
    UploadInfo info;
    info.id = upload_id;
    info.project_id = record.value("project_id", Id{0});
    info.length = record.value("length", std::int64_t{0});
    info.relative_path = record.value("relative_path", std::string());
    info.overwrite = record.value("overwrite", false);
    info.created_by = record.value("created_by", Id{0});
    info.expires_at = record.value("expires_at", TimeMs{0});
    info.offset = static_cast<std::int64_t>(size);
    if (info.project_id != project_id || info.expires_at <= clock_.NowMs()) {
        return Error::NotFound(gone);
    }
    return info;
}

Status UploadService::Save(const UploadInfo& info) const {
    TESSERA_ASSIGN_OR_RETURN(Located where, Locate(info.project_id, info.id));
    const fs::path temp = where.record.string() + ".tmp";
    {
        std::ofstream out(temp, std::ios::trunc);
        out << RecordJson(info).dump();
        if (!out.flush()) {
            RemoveQuietly(temp);
            return Error::Unavailable("the server cannot store the upload's record");
        }
    }
    std::error_code ec;
    fs::rename(temp, where.record, ec);
    if (ec) {
        RemoveQuietly(temp);
        return Error::Unavailable("the server cannot store the upload's record: " + ec.message());
    }
    return Status::Ok();
}

Status UploadService::CheckQuota(Id project_id, std::int64_t length) const {
    std::int64_t pending_bytes = 0;
    int pending_uploads = 0;
    std::error_code ec;
    const TimeMs now = clock_.NowMs();
    for (const auto& entry : fs::directory_iterator(PartialDir(project_id), ec)) {
        const std::string name = entry.path().filename().string();
        if (!name.ends_with(".json")) {
            continue;
        }
        std::ifstream in(entry.path());
        nlohmann::json record = nlohmann::json::parse(in, nullptr, false);
        if (!record.is_object() || record.value("expires_at", TimeMs{0}) <= now) {
            continue;  // RemoveExpired takes it away
        }
        pending_bytes += record.value("length", std::int64_t{0});
        ++pending_uploads;
    }
    if (pending_uploads >= settings_.max_pending_uploads_per_project) {
        return Error{ErrorCode::kTooManyRequests,
                     "the project has " + std::to_string(pending_uploads) +
                         " unfinished uploads, the most allowed; finish or cancel some first",
                     {}};
    }
    if (pending_bytes + length > settings_.max_pending_bytes_per_project) {
        return Error{ErrorCode::kPayloadTooLarge,
                     "unfinished uploads of this project would hold over " +
                         std::to_string(settings_.max_pending_bytes_per_project) +
                         " bytes; finish or cancel some first",
                     "Upload-Length"};
    }
    return Status::Ok();
}

Result<UploadInfo> UploadService::Create(const User& actor, Id project_id,
                                         const NewUpload& upload) {
    TESSERA_TRY(CheckAccess(actor, project_id));
    TESSERA_ASSIGN_OR_RETURN(std::string path, ValidateUploadPath(upload.relative_path));
    if (upload.length < 0) {
        return Error::InvalidArgument("Upload-Length must be 0 or more", "Upload-Length");
    }
    if (upload.length > settings_.max_file_bytes) {
        return Error{ErrorCode::kPayloadTooLarge,
                     "'" + path + "' is " + std::to_string(upload.length) +
                         " bytes, over the limit of " + std::to_string(settings_.max_file_bytes) +
                         " bytes a file",
                     "Upload-Length"};
    }
    std::error_code ec;
    if (!upload.overwrite && fs::exists(ProjectDir(project_id) / path, ec)) {
        return Error::Conflict("'" + path +
                               "' already exists in this project; upload it with overwrite to "
                               "replace it");
    }
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    TESSERA_ASSIGN_OR_RETURN(std::int64_t items, repo_.CountItems(project_id));
    if (items >= project.item_limit) {
        return Error::FailedPrecondition("the project holds its limit of " +
                                         std::to_string(project.item_limit) + " items");
    }

    bool sweep = false;
    {
        std::lock_guard lock(mutex_);
        const TimeMs now = clock_.NowMs();
        sweep = now >= next_sweep_;
        if (sweep) {
            next_sweep_ = now + std::max<TimeMs>(1, settings_.expire_after_ms / 24);
        }
    }
    if (sweep) {
        RemoveExpired();
    }
    std::lock_guard lock(mutex_);
    TESSERA_TRY(CheckQuota(project_id, upload.length));
    fs::create_directories(PartialDir(project_id), ec);
    if (ec) {
        return Error::Unavailable("the server cannot create the upload folder: " + ec.message());
    }
    UploadInfo info;
    info.id = random_.HexToken(kIdBytes);
    info.project_id = project_id;
    info.length = upload.length;
    info.relative_path = path;
    info.overwrite = upload.overwrite;
    info.created_by = actor.id;
    info.expires_at = clock_.NowMs() + settings_.expire_after_ms;
    TESSERA_ASSIGN_OR_RETURN(Located where, Locate(project_id, info.id));
    {
        std::ofstream data(where.data, std::ios::binary | std::ios::trunc);
        if (!data) {
            return Error::Unavailable("the server cannot create the upload's file");
        }
    }
    if (Status saved = Save(info); !saved.ok()) {
        RemoveQuietly(where.data);
        return saved.error();
    }
    if (upload.length == 0) {
        return Finish(std::move(info));  // nothing to wait for (and an empty file is refused)
    }
    return info;
}

Result<UploadInfo> UploadService::Get(const User& actor, Id project_id,
                                      const std::string& upload_id) {
    TESSERA_TRY(CheckAccess(actor, project_id));
    return Load(project_id, upload_id);
}

bool UploadService::Claim(const std::string& upload_id) {
    std::lock_guard lock(mutex_);
    return busy_.insert(upload_id).second;
}

void UploadService::Release(const std::string& upload_id) {
    std::lock_guard lock(mutex_);
    busy_.erase(upload_id);
}

Result<UploadInfo> UploadService::Append(const User& actor, Id project_id,
                                         const std::string& upload_id, std::int64_t offset,
                                         const UploadChunk& chunk) {
    TESSERA_TRY(CheckAccess(actor, project_id));
    if (!Claim(upload_id)) {
        return Error::Conflict("another request is writing to upload " + upload_id +
                               "; wait for it, then ask for the offset again");
    }
    struct Releaser {
        UploadService* service;
        const std::string& id;
        ~Releaser() { service->Release(id); }
    } releaser{this, upload_id};

    TESSERA_ASSIGN_OR_RETURN(UploadInfo info, Load(project_id, upload_id));
    if (offset != info.offset) {
        return Error::Conflict("Upload-Offset is " + std::to_string(offset) +
                               " but the server has " + std::to_string(info.offset) +
                               " bytes of this upload; ask for the offset (HEAD) and resume from "
                               "there");
    }
    const std::int64_t size = chunk.size();
    if (info.offset + size > info.length) {
        return Error{ErrorCode::kPayloadTooLarge,
                     "the chunk of " + std::to_string(size) + " bytes at offset " +
                         std::to_string(offset) + " goes past the Upload-Length of " +
                         std::to_string(info.length),
                     "body"};
    }
    TESSERA_ASSIGN_OR_RETURN(Located where, Locate(project_id, upload_id));
    Status copied = Status::Ok();
    {
        std::ofstream out(where.data, std::ios::binary | std::ios::app);
        copied = out ? CopyChunk(chunk, out) : Error::Unavailable("cannot open the upload's file");
        if (copied.ok() && !out.flush()) {
            copied = Error::Unavailable("the server cannot store the chunk (disk full?)");
        }
    }
    if (!copied.ok()) {
        std::error_code ec;  // back to the last whole chunk, so the client resumes from there
        fs::resize_file(where.data, static_cast<std::uintmax_t>(info.offset), ec);
        return copied.error();
    }
    info.offset += size;
    info.expires_at = clock_.NowMs() + settings_.expire_after_ms;
    TESSERA_TRY(Save(info));
    if (info.offset == info.length) {
        return Finish(std::move(info));
    }
    return info;
}

Result<UploadInfo> UploadService::Finish(UploadInfo info) {
    TESSERA_ASSIGN_OR_RETURN(Located where, Locate(info.project_id, info.id));
    const auto discard = [&where] {
        RemoveQuietly(where.record);
        RemoveQuietly(where.data);
    };
    const fs::path dir = ProjectDir(info.project_id);
    const fs::path target = dir / info.relative_path;
    std::error_code ec;
    const bool exists = fs::exists(target, ec);
    if (exists && !info.overwrite) {
        discard();
        return Error::Conflict("'" + info.relative_path +
                               "' was finished by another upload meanwhile; upload it with "
                               "overwrite to replace it");
    }
    NewItem item;
    item.path = info.relative_path;
    const fs::path root = fs::canonical(dir, ec);
    auto probed = prober_.Probe(SourceRef{root, root / ".partial" / info.id});
    if (probed.ok()) {
        item.size_bytes = probed->size_bytes;
        item.width = probed->width;
        item.height = probed->height;
        item.format = probed->format;
    } else {
        discard();
        return Error::InvalidArgument(
            "'" + info.relative_path +
                "' is not an image the server can read: " + probed.error().message,
            "file");
    }
    fs::create_directories(target.parent_path(), ec);
    if (!ec) {
        fs::rename(where.data, target, ec);  // atomic: labelers never see half a file
    }
    if (ec) {
        discard();
        return Error::InvalidArgument(
            "cannot place '" + info.relative_path +
                "' (a file is in the way of its folders?): " + ec.message(),
            "filename");
    }
    RemoveQuietly(where.record);
    TESSERA_ASSIGN_OR_RETURN(item.source_id, UploadSourceId(info.project_id, root));
    TESSERA_ASSIGN_OR_RETURN(std::int64_t inserted,
                             repo_.InsertItems(info.project_id, {item}, clock_.NowMs()));
    if (inserted == 0) {
        // The file replaced an item's: its size and format are the new file's. Renditions and
        // tiles are cached under the file's mtime and size (blobs/cache_keys.hpp), so the next
        // request renders the new file and drops the old entries.
        TESSERA_TRY(repo_.UpdateItemImage(info.project_id, item));
    }
    info.complete = true;
    info.replaced = inserted == 0;
    return info;
}

Result<Id> UploadService::UploadSourceId(Id project_id, const fs::path& root) {
    std::lock_guard lock(source_mutex_);
    TESSERA_ASSIGN_OR_RETURN(std::vector<Datasource> sources, repo_.ListDatasources(project_id));
    for (const Datasource& source : sources) {
        if (source.kind == "upload" || (source.kind == "local" && fs::path(source.path) == root)) {
            // The primary is stored as 0 by InsertItems either way.
            return source.id;
        }
    }
    Datasource uploads;
    uploads.kind = "upload";
    uploads.path = root.string();
    uploads.pattern = "**/*.*";
    uploads.created_at = clock_.NowMs();
    TESSERA_ASSIGN_OR_RETURN(Datasource added, repo_.AddDatasource(project_id, uploads));
    return added.id;
}

Status UploadService::Terminate(const User& actor, Id project_id, const std::string& upload_id) {
    TESSERA_TRY(CheckAccess(actor, project_id));
    if (!Claim(upload_id)) {
        return Error::Conflict("another request is writing to upload " + upload_id +
                               "; cancel it again once that one is done");
    }
    TESSERA_ASSIGN_OR_RETURN(Located where, Locate(project_id, upload_id));
    auto loaded = Load(project_id, upload_id);
    if (loaded.ok()) {
        RemoveQuietly(where.record);
        RemoveQuietly(where.data);
    }
    Release(upload_id);
    if (!loaded.ok()) {
        return loaded.error();
    }
    return Status::Ok();
}

std::int64_t UploadService::RemoveExpired() {
    std::int64_t removed = 0;
    const TimeMs now = clock_.NowMs();
    std::error_code ec;
    for (const auto& project : fs::directory_iterator(settings_.root, ec)) {
        std::error_code inner;
        if (!project.is_directory(inner)) {
            continue;
        }
        for (const auto& entry : fs::directory_iterator(project.path() / ".partial", inner)) {
            const fs::path& path = entry.path();
            if (path.extension() != ".json") {
                continue;
            }
            std::ifstream in(path);
            nlohmann::json record = nlohmann::json::parse(in, nullptr, false);
            in.close();
            if (record.is_object() && record.value("expires_at", TimeMs{0}) > now) {
                continue;
            }
            const std::string id = path.stem().string();
            if (!Claim(id)) {
                continue;  // being written right now, so not abandoned
            }
            RemoveQuietly(path);
            RemoveQuietly(path.parent_path() / id);
            Release(id);
            ++removed;
        }
    }
    return removed;
}

}  // namespace tessera
