#include "formats/zip_import.hpp"

#include <zip.h>

#include <memory>

namespace tessera {

bool LooksLikeZip(const std::string& body) {
    return body.size() >= 4 && body.compare(0, 4, "PK\x03\x04", 4) == 0;
}

Result<std::vector<ImportFile>> ReadImportZip(const std::string& body) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(body.data(), body.size(), 0, &error);
    if (source == nullptr) {
        zip_error_fini(&error);
        return Error::InvalidArgument("cannot read the zip archive");
    }
    zip_t* raw = zip_open_from_source(source, ZIP_RDONLY, &error);
    if (raw == nullptr) {
        std::string message = zip_error_strerror(&error);
        zip_source_free(source);
        zip_error_fini(&error);
        return Error::InvalidArgument("not a valid zip archive: " + message);
    }
    zip_error_fini(&error);
    std::unique_ptr<zip_t, decltype(&zip_discard)> archive(raw, &zip_discard);
    std::vector<ImportFile> files;
    const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
    for (zip_int64_t i = 0; i < count; ++i) {
        zip_stat_t stat;
        zip_stat_init(&stat);
        if (zip_stat_index(archive.get(), i, 0, &stat) != 0 || stat.name == nullptr) {
            return Error::InvalidArgument("corrupt zip entry #" + std::to_string(i));
        }
        std::string name = stat.name;
        if (name.empty() || name.back() == '/' || name.starts_with("__MACOSX/")) {
            continue;
        }
        if (stat.size > kMaxImportEntryBytes) {
            return Error::InvalidArgument("zip entry too large: " + name);
        }
        std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file(
            zip_fopen_index(archive.get(), i, 0), &zip_fclose);
        if (!file) {
            return Error::InvalidArgument("cannot open zip entry " + name);
        }
        std::string bytes(static_cast<std::size_t>(stat.size), '\0');
        const zip_int64_t got = zip_fread(file.get(), bytes.data(), bytes.size());
        if (got < 0 || static_cast<zip_uint64_t>(got) != stat.size) {
            return Error::InvalidArgument("cannot read zip entry " + name);
        }
        files.push_back({std::move(name), std::move(bytes)});
    }
    return files;
}

Result<std::vector<ImportFile>> ReadImportBody(std::string body, const std::string& name) {
    if (LooksLikeZip(body)) {
        return ReadImportZip(body);
    }
    std::vector<ImportFile> files;
    files.push_back({name, std::move(body)});
    return files;
}

}  // namespace tessera
