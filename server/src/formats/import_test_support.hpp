#pragma once
// Helpers of the importer tests: the shared format samples (../shared/datasets; a test fails
// when they are absent, support/datasets.hpp), reading folders as an upload would list them, temp
// dirs and zips for uploads on disk, and small PNGs written by hand.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "formats/import_record_import.hpp"
#include "support/datasets.hpp"
#include "support/temp_dir.hpp"
#include "support/zip_of.hpp"

namespace tessera::testing {

inline const std::filesystem::path kSamples =
    std::filesystem::path(TESSERA_SHARED_DATASETS) / "format-samples";
inline const std::filesystem::path kBccd = std::filesystem::path(TESSERA_SHARED_DATASETS) / "bccd";

#define REQUIRE_SAMPLES(dir) TESSERA_REQUIRE_DATASET(dir)

// Every regular file under `root`, named relative to it (as a zip of the folder would).
inline std::vector<ImportFile> FilesUnder(const std::filesystem::path& root) {
    std::vector<ImportFile> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) {
            files.push_back({std::filesystem::relative(entry.path(), root).generic_string(),
                             ReadAll(entry.path())});
        }
    }
    std::sort(files.begin(), files.end(),
              [](const ImportFile& a, const ImportFile& b) { return a.path < b.path; });
    return files;
}

inline void WriteFile(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

// A deflated zip of `files` at `path` (support/zip_of.hpp).
inline void WriteZip(const std::filesystem::path& path, const std::vector<ImportFile>& files) {
    std::vector<std::pair<std::string, std::string>> entries;
    entries.reserve(files.size());
    for (const ImportFile& f : files) {
        entries.emplace_back(f.path, f.bytes);
    }
    WriteZipFile(path, entries);
}

// The same records (row, name, size, space, shapes, labels, path-only reason) and row errors.
inline void ExpectSameImport(const ParsedImport& a, const ParsedImport& b) {
    ASSERT_EQ(a.records.size(), b.records.size());
    for (std::size_t i = 0; i < a.records.size(); ++i) {
        const ImportRecord& x = a.records[i];
        const ImportRecord& y = b.records[i];
        EXPECT_EQ(x.row, y.row);
        EXPECT_EQ(x.name, y.name);
        EXPECT_EQ(x.size.has_value(), y.size.has_value()) << x.name;
        if (x.size && y.size) {
            EXPECT_EQ(x.size->width, y.size->width) << x.name;
            EXPECT_EQ(x.size->height, y.size->height) << x.name;
        }
        EXPECT_EQ(x.space, y.space);
        EXPECT_EQ(x.shapes, y.shapes) << x.name;
        EXPECT_EQ(x.labels, y.labels) << x.name;
        EXPECT_EQ(x.path_only_reason, y.path_only_reason) << x.name;
    }
    ASSERT_EQ(a.errors.size(), b.errors.size());
    for (std::size_t i = 0; i < a.errors.size(); ++i) {
        EXPECT_EQ(a.errors[i].row, b.errors[i].row);
        EXPECT_EQ(a.errors[i].message, b.errors[i].message);
    }
}

// A PNG of `color_type` (0 gray, 2 RGB) and `depth` bits whose rows are `rows` (filter 0).
inline std::string TestPng(int width, int height, int color_type, int depth,
                           const std::string& rows) {
    auto be32 = [](std::string& s, std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            s.push_back(static_cast<char>((v >> shift) & 0xff));
        }
    };
    auto chunk = [&](std::string& out, const std::string& type, const std::string& data) {
        be32(out, static_cast<std::uint32_t>(data.size()));
        const std::string body = type + data;
        out += body;
        be32(out, static_cast<std::uint32_t>(
                      crc32(0, reinterpret_cast<const Bytef*>(body.data()), body.size())));
    };
    const std::size_t stride = rows.size() / static_cast<std::size_t>(height);
    std::string raw;
    for (int y = 0; y < height; ++y) {
        raw.push_back('\0');
        raw.append(rows, static_cast<std::size_t>(y) * stride, stride);
    }
    uLongf size = compressBound(raw.size());
    std::string z(size, '\0');
    compress(reinterpret_cast<Bytef*>(z.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
             raw.size());
    z.resize(size);
    std::string ihdr;
    be32(ihdr, static_cast<std::uint32_t>(width));
    be32(ihdr, static_cast<std::uint32_t>(height));
    ihdr.push_back(static_cast<char>(depth));
    ihdr.push_back(static_cast<char>(color_type));
    ihdr += std::string(3, '\0');
    std::string out = "\x89PNG\r\n\x1a\n";
    chunk(out, "IHDR", ihdr);
    chunk(out, "IDAT", z);
    chunk(out, "IEND", "");
    return out;
}

// An 8-bit gray PNG of `pixels`, row-major.
inline std::string GrayPng(int width, int height, const std::vector<std::uint8_t>& pixels) {
    return TestPng(width, height, 0, 8, std::string(pixels.begin(), pixels.end()));
}

// The polygon of a shape the test knows to be one (std::get throws otherwise, failing it).
inline const Polygon& PolygonOf(const Shape& shape) {
    return std::get<Polygon>(shape.geometry);
}

}  // namespace tessera::testing
