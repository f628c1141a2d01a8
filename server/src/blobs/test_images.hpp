#pragma once
// Test helpers: a private temp folder and small images written with libvips.
#include <filesystem>
#include <string>

#include "support/temp_dir.hpp"  // TempDir, once here for the blobs tests

namespace tessera::testing {

// Writes an image of the given size (creating folders); the format follows the extension (.jpg,
// .png, .tif). `orientation` (1-8) is stored as EXIF orientation for JPEG. `bands` 4 adds alpha.
void WriteImage(const std::filesystem::path& path, int width, int height, int orientation = 1,
                int bands = 3);
// A minimal 24-bit BMP, written byte by byte.
void WriteBmp(const std::filesystem::path& path, int width, int height);
void WriteText(const std::filesystem::path& path, const std::string& text);
// Keeps the first `bytes` bytes.
void Truncate(const std::filesystem::path& path, std::size_t bytes);
// Reads the size of any image vips can load (for checking renditions).
std::pair<int, int> ImageSize(const std::filesystem::path& path);

}  // namespace tessera::testing
