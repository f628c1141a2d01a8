#pragma once
// Helpers of the importer tests: the shared format samples (../shared/datasets, skipped when
// absent), reading folders as an upload would list them, and small PNGs written by hand.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "formats/import_record_import.hpp"

namespace tessera::testing {

inline const std::filesystem::path kSamples =
    std::filesystem::path(TESSERA_SHARED_DATASETS) / "format-samples";
inline const std::filesystem::path kBccd = std::filesystem::path(TESSERA_SHARED_DATASETS) / "bccd";

#define REQUIRE_SAMPLES(dir)                                                          \
    if (!std::filesystem::exists(dir)) {                                              \
        GTEST_SKIP() << "shared dataset " << (dir) << " absent (../shared/datasets)"; \
    }

inline std::string ReadAll(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

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

}  // namespace tessera::testing
