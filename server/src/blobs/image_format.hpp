#pragma once
// Which of our accepted formats a file holds, judged by its content (never by its name alone).
// Internal to blobs: shared by the prober and the renderer.
#include <filesystem>
#include <string>
#include <vips/vips8>

#include "base/result.hpp"
#include "blobs/source_file.hpp"

namespace tessera::blobs_internal {

// "jpeg", "png", "tiff" or "bmp". kInvalidArgument with a reason for anything else.
Result<std::string> SniffFormat(const SourceFile& file);

// What libvips reads an opened source file through: its descriptor, or for BMP its bytes (the
// ImageMagick loader of this libvips reads no descriptors). Never a file name, which could be
// swapped after SourceFile checked it. Images made from it may read from it lazily: keep the
// input alive while they are used. Load and Thumbnail throw vips::VError like libvips.
class VipsInput {
public:
    // kInternal when a BMP cannot be read into memory.
    static Result<VipsInput> From(const SourceFile& file, const std::string& format);

    vips::VImage Load(vips::VOption* options = nullptr) const;
    vips::VImage Thumbnail(int width, vips::VOption* options) const;

private:
    int fd_ = -1;        // the SourceFile's, which outlives this
    std::string bytes_;  // BMP only
    bool from_bytes_ = false;
};

// .dcm / .dicom (any case): recognised, but not decoded yet.
bool HasDicomExtension(const std::filesystem::path& path);

// The pending libvips error text (thread-local in vips), cleared; "" when none.
std::string TakeVipsError();
// A libvips message on one line without trailing whitespace.
std::string OneLine(std::string text);

// Browsers need 8-bit sRGB (or grey) without alpha. Every step is a point operation, so a
// sequential pipeline still streams. Shared by renditions and tile pyramids.
vips::VImage ToDisplayable(vips::VImage image);

}  // namespace tessera::blobs_internal
