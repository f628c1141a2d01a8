#pragma once
// Source images decoded for an ML backbone (issue 10; docs/design/ml.md, "Backbones"): the whole
// image squashed to the network's input size, 8-bit RGB. libvips shrinks while it decodes (JPEG
// DCT scaling), so a large photo costs little more than a small one.
#include <cstdint>
#include <vector>

#include "base/result.hpp"
#include "blobs/source_file.hpp"

namespace tessera {

struct RgbPixels {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;  // rows top to bottom, R G B interleaved
};

// EXIF orientation applied, alpha flattened on white, grey and CMYK made sRGB, 16-bit cast to
// 8. Errors: kInvalidArgument for a size outside 1..4096; kFailedPrecondition ("cannot decode
// image: ...") for a file libvips cannot read, or a BMP over the decoder's limits. DICOM files
// are not read here (ML assist leaves DICOM out, as Azure did).
Result<RgbPixels> DecodeForModel(const SourceFile& file, int width, int height);

}  // namespace tessera
