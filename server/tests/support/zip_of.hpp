#pragma once
// Builds zip archives for tests (uploads, import fixtures): in memory with ZipOf, or on disk
// with WriteZipFile. Deflated by libzip, names stored as UTF-8. A libzip failure fails the test.
#include <gtest/gtest.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace tessera::testing {

// An in-memory zip of `count` entries whose names `name_of(i)` gives and whose bytes
// `bytes_of(i)` points to (kept alive by the caller until the zip is built).
template <typename NameOf, typename BytesOf>
std::string BuildZip(int count, NameOf name_of, BytesOf bytes_of) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &error);
    zip_t* archive = zip_open_from_source(src, ZIP_TRUNCATE, &error);
    if (archive == nullptr) {
        ADD_FAILURE() << "libzip could not open an in-memory archive";
        zip_source_free(src);
        zip_error_fini(&error);
        return {};
    }
    zip_source_keep(src);
    for (int i = 0; i < count; ++i) {
        const std::string name = name_of(i);
        const std::string& bytes = bytes_of(i);
        zip_source_t* data = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
        if (zip_file_add(archive, name.c_str(), data, ZIP_FL_ENC_UTF_8) < 0) {
            ADD_FAILURE() << "libzip could not add " << name;
            zip_source_free(data);
        }
    }
    if (zip_close(archive) != 0) {
        ADD_FAILURE() << "libzip could not close the archive";
    }
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

// An in-memory zip of `files` (name, content); a name ending in '/' is a folder entry.
inline std::string ZipOf(const std::vector<std::pair<std::string, std::string>>& files) {
    return BuildZip(
        static_cast<int>(files.size()), [&](int i) { return files[i].first; },
        [&](int i) -> const std::string& { return files[i].second; });
}

// A small upload that inflates to `count` x `each` zero bytes (a zip bomb in miniature), as
// `<prefix>0.txt`, `<prefix>1.txt`, ...: one buffer of zeros serves every entry.
inline std::string ZeroZip(int count, std::size_t each, const std::string& prefix) {
    const std::string zeros(each, '\0');
    return BuildZip(
        count, [&](int i) { return prefix + std::to_string(i) + ".txt"; },
        [&](int) -> const std::string& { return zeros; });
}

// The same archive written to `path`.
inline void WriteZipFile(const std::filesystem::path& path,
                         const std::vector<std::pair<std::string, std::string>>& files) {
    std::ofstream out(path, std::ios::binary);
    out << ZipOf(files);
    ASSERT_TRUE(out.good()) << "could not write " << path;
}

}  // namespace tessera::testing
