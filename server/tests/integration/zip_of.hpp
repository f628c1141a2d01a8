#pragma once
// Builds zip uploads in memory for the import integration tests.
#include <zip.h>

#include <string>
#include <utility>
#include <vector>

namespace tessera::testing {

// An in-memory zip of `files` (name, content), deflated by libzip.
inline std::string ZipOf(const std::vector<std::pair<std::string, std::string>>& files) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &error);
    zip_t* archive = zip_open_from_source(src, ZIP_TRUNCATE, &error);
    zip_source_keep(src);
    for (const auto& [name, bytes] : files) {
        zip_source_t* data = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
        zip_file_add(archive, name.c_str(), data, ZIP_FL_ENC_UTF_8);
    }
    zip_close(archive);
    zip_source_open(src);
    zip_source_seek(src, 0, SEEK_END);
    std::string out(static_cast<std::size_t>(zip_source_tell(src)), '\0');
    zip_source_seek(src, 0, SEEK_SET);
    zip_source_read(src, out.data(), out.size());
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&error);
    return out;
}

}  // namespace tessera::testing
