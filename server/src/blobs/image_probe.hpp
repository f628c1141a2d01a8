#pragma once
// Reads an image's size and format from its header, without decoding pixels, so that ingesting
// a million files costs a million small reads.
#include <cstdint>
#include <filesystem>
#include <string>

#include "base/result.hpp"
#include "blobs/source_file.hpp"

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
    // Thread-safe. Reads only through SourceFile (source_file.hpp). kInvalidArgument (with the
    // reason) for corrupt, unreadable or unsupported files, and for files that resolve outside
    // the root. DICOM (.dcm, .dicom) is probed from its header (blobs/dicom_probe.hpp).
    virtual Result<ImageInfo> Probe(const SourceRef& source) = 0;
};

// Needs InitVips (blobs/vips_init.hpp).
class VipsImageProber final : public ImageProber {
public:
    Result<ImageInfo> Probe(const SourceRef& source) override;
};

}  // namespace tessera
