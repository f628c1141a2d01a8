#include "formats/zip_import.hpp"

#include <zip.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <streambuf>

#include "formats/import_limits.hpp"

namespace tessera {

namespace {

using Archive = std::unique_ptr<zip_t, decltype(&zip_discard)>;

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

// The zip's end records (APPNOTE 4.3.14-16), enough to know what libzip will read on open.
constexpr std::string_view kEndMagic = "PK\x05\x06";
constexpr std::string_view kZip64LocatorMagic = "PK\x06\x07";
constexpr std::string_view kZip64EndMagic = "PK\x06\x06";
constexpr std::size_t kEndBytes = 22;
constexpr std::size_t kMaxCommentBytes = 0xFFFF;
constexpr std::size_t kZip64LocatorBytes = 20;
constexpr std::size_t kZip64EndBytes = 56;

// `count` bytes of the archive from `offset`; fewer (or none) past its end.
using ReadAt = std::function<std::string(std::uint64_t offset, std::size_t count)>;

std::uint64_t LittleEndian(std::string_view bytes, std::size_t at, std::size_t width) {
    std::uint64_t value = 0;
    for (std::size_t i = width; i-- > 0;) {
        value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
    }
    return value;
}

struct DirectoryClaim {
    std::uint64_t entries = 0;
    std::uint64_t bytes = 0;
};

// What the end record at `at` of `tail` claims. When a ZIP64 locator precedes it, the ZIP64
// record's counts replace the fields that hold the "see ZIP64" marker (all ones), as libzip
// reads them; where both records give a count, the larger is taken.
DirectoryClaim ClaimOf(std::string_view tail, std::size_t at, const ReadAt& read) {
    const std::uint64_t entries =
        std::max(LittleEndian(tail, at + 8, 2), LittleEndian(tail, at + 10, 2));
    const std::uint64_t bytes = LittleEndian(tail, at + 12, 4);
    if (at < kZip64LocatorBytes || tail.substr(at - kZip64LocatorBytes, 4) != kZip64LocatorMagic) {
        return {entries, bytes};
    }
    const std::string record =
        read(LittleEndian(tail, at - kZip64LocatorBytes + 8, 8), kZip64EndBytes);
    if (record.size() != kZip64EndBytes || !record.starts_with(kZip64EndMagic)) {
        return {entries, bytes};
    }
    return {std::max({entries == 0xFFFF ? 0 : entries, LittleEndian(record, 24, 8),
                      LittleEndian(record, 32, 8)}),
            std::max(bytes == 0xFFFFFFFF ? 0 : bytes, LittleEndian(record, 40, 8))};
}

// libzip's open reads the whole central directory into memory, so its size is checked first,
// on the archive's own claim. libzip tries every end record signature in the archive's tail
// (a comment may hold more), so the largest claim of any counts.
Status CheckDirectory(std::uint64_t size, const ReadAt& read) {
    const std::uint64_t span = kEndBytes + kMaxCommentBytes + kZip64LocatorBytes;
    const std::uint64_t tail_offset = size > span ? size - span : 0;
    const std::string tail = read(tail_offset, static_cast<std::size_t>(size - tail_offset));
    DirectoryClaim most;
    for (std::size_t at = tail.find(kEndMagic);
         at != std::string::npos && at + kEndBytes <= tail.size();
         at = tail.find(kEndMagic, at + 1)) {
        const DirectoryClaim claim = ClaimOf(tail, at, read);
        most.entries = std::max(most.entries, claim.entries);
        most.bytes = std::max(most.bytes, claim.bytes);
    }
    if (most.entries > kMaxZipEntries) {
        return Error{ErrorCode::kPayloadTooLarge,
                     "the zip lists " + std::to_string(most.entries) +
                         " files and folders, over the limit of " + std::to_string(kMaxZipEntries) +
                         " a zip; send fewer files at once",
                     {}};
    }
    if (most.bytes > kMaxZipDirectoryBytes) {
        return Error{ErrorCode::kPayloadTooLarge,
                     "the zip's directory of files is " +
                         std::to_string((most.bytes + kMiB - 1) / kMiB) +
                         " MiB, over the limit of " + std::to_string(kMaxZipDirectoryBytes / kMiB) +
                         " MiB; send fewer files at once",
                     {}};
    }
    return Status::Ok();
}

Result<Archive> OpenArchive(zip_source_t* source, zip_error_t& error) {
    zip_t* raw = zip_open_from_source(source, ZIP_RDONLY, &error);
    if (raw == nullptr) {
        std::string message = zip_error_strerror(&error);
        zip_source_free(source);
        zip_error_fini(&error);
        return Error::InvalidArgument("not a valid zip archive: " + message);
    }
    zip_error_fini(&error);
    return Archive(raw, &zip_discard);
}

// The archive over `body`, which must outlive it.
Result<Archive> OpenBuffer(const std::string& body) {
    TESSERA_TRY(CheckDirectory(body.size(), [&body](std::uint64_t offset, std::size_t count) {
        return offset < body.size() ? body.substr(static_cast<std::size_t>(offset), count)
                                    : std::string();
    }));
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(body.data(), body.size(), 0, &error);
    if (source == nullptr) {
        zip_error_fini(&error);
        return Error::InvalidArgument("cannot read the zip archive");
    }
    return OpenArchive(source, error);
}

Result<Archive> OpenFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) {
        return Error::InvalidArgument("cannot read the zip archive");
    }
    const auto size = static_cast<std::uint64_t>(in.tellg());
    TESSERA_TRY(CheckDirectory(size, [&in](std::uint64_t offset, std::size_t count) {
        std::string bytes(count, '\0');
        in.clear();
        in.seekg(static_cast<std::streamoff>(offset));
        in.read(bytes.data(), static_cast<std::streamsize>(count));
        bytes.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
        return bytes;
    }));
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_file_create(path.c_str(), 0, -1, &error);
    if (source == nullptr) {
        zip_error_fini(&error);
        return Error::InvalidArgument("cannot read the zip archive");
    }
    return OpenArchive(source, error);
}

// The entry's name and size; no name for directories and macOS resource forks.
struct Entry {
    std::string name;
    zip_uint64_t size = 0;
    bool skip = false;
};

Result<Entry> StatEntry(zip_t* archive, zip_int64_t index) {
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive, index, 0, &stat) != 0 || stat.name == nullptr) {
        return Error::InvalidArgument("corrupt zip entry #" + std::to_string(index));
    }
    Entry entry{stat.name, stat.size, false};
    entry.skip =
        entry.name.empty() || entry.name.back() == '/' || entry.name.starts_with("__MACOSX/");
    return entry;
}

Error ZipTooLarge(std::uint64_t total) {
    return Error{ErrorCode::kPayloadTooLarge,
                 "the zip's files add up to more than " +
                     std::to_string(kMaxImportTotalBytes / kMiB) + " MiB uncompressed (at least " +
                     std::to_string((total + kMiB - 1) / kMiB) +
                     " MiB), the limit for a zip read whole; send fewer or smaller files at once",
                 {}};
}

Result<std::vector<ImportFile>> ReadAllEntries(zip_t* archive) {
    std::vector<ImportFile> files;
    const zip_int64_t count = zip_get_num_entries(archive, 0);
    // Sizes from the archive's directory, checked before anything is inflated: a few MB of zip
    // can claim gigabytes. Reads stop at the stated size, so a lying entry cannot exceed it.
    std::uint64_t total = 0;
    for (zip_int64_t i = 0; i < count; ++i) {
        TESSERA_ASSIGN_OR_RETURN(Entry entry, StatEntry(archive, i));
        if (entry.skip) {
            continue;
        }
        if (entry.size > kMaxImportEntryBytes) {
            return ImportFileTooLarge(entry.name, entry.size);
        }
        total += entry.size;
        if (total > kMaxImportTotalBytes) {
            return ZipTooLarge(total);
        }
    }
    for (zip_int64_t i = 0; i < count; ++i) {
        TESSERA_ASSIGN_OR_RETURN(Entry entry, StatEntry(archive, i));
        if (entry.skip) {
            continue;
        }
        std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file(zip_fopen_index(archive, i, 0),
                                                                &zip_fclose);
        if (!file) {
            return Error::InvalidArgument("cannot open zip entry " + entry.name);
        }
        std::string bytes(static_cast<std::size_t>(entry.size), '\0');
        const zip_int64_t got = zip_fread(file.get(), bytes.data(), bytes.size());
        if (got < 0 || static_cast<zip_uint64_t>(got) != entry.size) {
            return Error::InvalidArgument("cannot read zip entry " + entry.name);
        }
        files.push_back({std::move(entry.name), std::move(bytes)});
    }
    return files;
}

// An entry inflated on demand, 64 KiB at a time. A read error ends the stream early and is
// remembered so the caller can name the entry instead of reporting a truncated file.
class ZipEntryBuf final : public std::streambuf {
public:
    explicit ZipEntryBuf(zip_file_t* file) : file_(file) {}
    bool failed() const { return failed_; }
    std::string error() const { return zip_error_strerror(zip_file_get_error(file_)); }

protected:
    int_type underflow() override {
        if (gptr() < egptr()) {
            return traits_type::to_int_type(*gptr());
        }
        if (failed_) {
            return traits_type::eof();
        }
        const zip_int64_t got = zip_fread(file_, buffer_.data(), buffer_.size());
        if (got < 0) {
            failed_ = true;
        }
        if (got <= 0) {
            return traits_type::eof();
        }
        setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
        return traits_type::to_int_type(*gptr());
    }

private:
    zip_file_t* file_;
    std::array<char, std::size_t{64} * 1024> buffer_{};
    bool failed_ = false;
};

Status VisitEntries(zip_t* archive, const ZipEntryVisitor& visit) {
    const zip_int64_t count = zip_get_num_entries(archive, 0);
    for (zip_int64_t i = 0; i < count; ++i) {
        TESSERA_ASSIGN_OR_RETURN(Entry entry, StatEntry(archive, i));
        if (entry.skip) {
            continue;
        }
        std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file(zip_fopen_index(archive, i, 0),
                                                                &zip_fclose);
        if (!file) {
            return Error::InvalidArgument("cannot open zip entry " + entry.name);
        }
        ZipEntryBuf buffer(file.get());
        std::istream bytes(&buffer);
        Status visited = visit(entry.name, bytes);
        if (buffer.failed()) {
            return Error::InvalidArgument("cannot read zip entry " + entry.name + ": " +
                                          buffer.error());
        }
        TESSERA_TRY(visited);
    }
    return Status::Ok();
}

}  // namespace

Error ImportFileTooLarge(const std::string& name, std::uint64_t size) {
    return Error{ErrorCode::kPayloadTooLarge,
                 name + " is too large to read whole: " + std::to_string((size + kMiB - 1) / kMiB) +
                     " MiB, over the limit of " + std::to_string(kMaxImportEntryBytes / kMiB) +
                     " MiB a file for this format (coco, cvat and jsonl files are streamed and "
                     "have no such limit)",
                 {}};
}

bool LooksLikeZip(const std::string& body) {
    return body.size() >= 4 && body.compare(0, 4, "PK\x03\x04", 4) == 0;
}

Result<std::vector<ImportFile>> ReadImportZip(const std::string& body) {
    TESSERA_ASSIGN_OR_RETURN(Archive archive, OpenBuffer(body));
    return ReadAllEntries(archive.get());
}

Result<std::vector<ImportFile>> ReadImportBody(std::string body, const std::string& name) {
    if (LooksLikeZip(body)) {
        return ReadImportZip(body);
    }
    std::vector<ImportFile> files;
    files.push_back({name, std::move(body)});
    return files;
}

bool FileLooksLikeZip(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string magic(4, '\0');
    in.read(magic.data(), 4);
    return in.gcount() == 4 && LooksLikeZip(magic);
}

Result<std::vector<ImportFile>> ReadImportZipFile(const std::filesystem::path& path) {
    TESSERA_ASSIGN_OR_RETURN(Archive archive, OpenFile(path));
    return ReadAllEntries(archive.get());
}

Status ForEachZipEntry(const std::string& body, const ZipEntryVisitor& visit) {
    TESSERA_ASSIGN_OR_RETURN(Archive archive, OpenBuffer(body));
    return VisitEntries(archive.get(), visit);
}

Status ForEachZipEntryInFile(const std::filesystem::path& path, const ZipEntryVisitor& visit) {
    TESSERA_ASSIGN_OR_RETURN(Archive archive, OpenFile(path));
    return VisitEntries(archive.get(), visit);
}

}  // namespace tessera
