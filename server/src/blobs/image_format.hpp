#pragma once
// Which of our accepted formats a file holds, judged by its content (never by its name alone).
// Internal to blobs: shared by the prober and the renderer.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vips/vips8>

#include "base/result.hpp"
#include "blobs/source_file.hpp"

namespace tessera::blobs_internal {

// "jpeg", "png", "tiff" or "bmp". kInvalidArgument with a reason for anything else.
Result<std::string> SniffFormat(const SourceFile& file);

// BMP alone is decoded whole, by ImageMagick (this libvips has no streaming BMP loader): ~8
// bytes a pixel in its pixel cache, with the file's bytes read whole as well. The limits are the
// import masks' (formats/import_limits.hpp): 8,192 x 4,096 pixels covers any camera's frame,
// and the file of the biggest BMP of that size (32 bits a pixel) with room for headers, palette
// and colour profile. JPEG, PNG and TIFF are streamed and have neither limit.
inline constexpr std::int64_t kMaxBmpPixels = std::int64_t{1} << 25;
inline constexpr std::int64_t kMaxBmpBytes = 4 * kMaxBmpPixels + (std::int64_t{1} << 20);

// What libvips reads an opened source file through: its descriptor, or for BMP its bytes (the
// ImageMagick loader of this libvips reads no descriptors). Never a file name, which could be
// swapped after SourceFile checked it. Images made from it may read from it lazily: keep the
// input alive while they are used. Load and Thumbnail throw vips::VError like libvips.
class VipsInput {
public:
    // kInternal when a BMP cannot be read into memory. kInvalidArgument naming the limit, before
    // anything but its header is read, for a BMP whose header states over kMaxBmpPixels or whose
    // file is over kMaxBmpBytes.
    static Result<VipsInput> From(const SourceFile& file, const std::string& format);

    vips::VImage Load(vips::VOption* options = nullptr) const;
    vips::VImage Thumbnail(int width, vips::VOption* options) const;

private:
    int fd_ = -1;        // the SourceFile's, which outlives this
    std::string bytes_;  // BMP only
    bool from_bytes_ = false;
};

// For renditions and tiles, which answer kFailedPrecondition for a file they cannot decode:
// From's kInvalidArgument (a BMP over the limits) becomes that; other errors stay.
Error AsUndecodable(Error error);

// .dcm / .dicom (any case): probed and rendered with DCMTK (blobs/dicom_image.hpp), not libvips.
bool HasDicomExtension(const std::filesystem::path& path);

// The pending libvips error text (thread-local in vips), cleared; "" when none.
std::string TakeVipsError();
// A libvips message on one line without trailing whitespace.
std::string OneLine(std::string text);

// Browsers need 8-bit sRGB (or grey) without alpha. Every step is a point operation, so a
// sequential pipeline still streams. Shared by renditions and tile pyramids.
vips::VImage ToDisplayable(vips::VImage image);

}  // namespace tessera::blobs_internal
