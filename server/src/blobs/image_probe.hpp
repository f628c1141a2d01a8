#pragma once
// Reads an image's size and format from its header, without decoding pixels, so that ingesting
// a million files costs a million small reads.
#include <cstdint>
#include <filesystem>
#include <string>

#include "base/result.hpp"

namespace tessera {

struct ImageInfo {
    int width = 0;  // as displayed: EXIF orientation 5-8 swaps width and height
    int height = 0;
    std::string format;  // "jpeg", "png", "bmp", "tiff", "dicom"
    std::int64_t size_bytes = 0;
};

class ImageProber {
public:
    virtual ~ImageProber() = default;
    // Thread-safe. kInvalidArgument (with the reason) for corrupt, unreadable or unsupported
    // files; kFailedPrecondition for DICOM, which is recognised but not decoded yet.
    virtual Result<ImageInfo> Probe(const std::filesystem::path& path) = 0;
};

// Needs InitVips (blobs/vips_init.hpp).
class VipsImageProber final : public ImageProber {
public:
    Result<ImageInfo> Probe(const std::filesystem::path& path) override;
};

}  // namespace tessera
