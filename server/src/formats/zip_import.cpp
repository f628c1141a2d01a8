#include "formats/zip_import.hpp"

#include <zip.h>

#include <array>
#include <fstream>
#include <memory>
#include <streambuf>

#include "formats/import_limits.hpp"

namespace tessera {

namespace {

using Archive = std::unique_ptr<zip_t, decltype(&zip_discard)>;

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
    constexpr std::uint64_t kMiB = 1u << 20;
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
    constexpr std::uint64_t kMiB = 1u << 20;
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
