#pragma once
// The small images the ingest benchmarks (ingest_bench, manifest_bench) copy N times: a
// gradient made with libvips and encoded once, optionally with an EXIF orientation.
#include <vips/vips8>

#include <cstddef>
#include <string>

namespace tessera::bench {

// A `width` x `height` sRGB gradient encoded as `ext` (".jpg", ".png").
inline std::string EncodeSample(int width, int height, const char* ext, int orientation = 1) {
    vips::VImage image =
        (vips::VImage::xyz(width, height)[0] * (255.0 / width))
            .bandjoin(
                {vips::VImage::black(width, height) + 40, vips::VImage::black(width, height) + 200})
            .cast(VIPS_FORMAT_UCHAR)
            .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
    if (orientation != 1) {
        image.set("orientation", orientation);
    }
    void* buffer = nullptr;
    std::size_t size = 0;
    image.write_to_buffer(ext, &buffer, &size);
    std::string out(static_cast<char*>(buffer), size);
    g_free(buffer);
    return out;
}

}  // namespace tessera::bench
