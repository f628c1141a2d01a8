#pragma once
// Size and format of an image read straight from its first bytes, without opening a decoder:
// what lets ingest probe tens of thousands of files a second. It answers only when it is sure
// libvips would answer the same (VipsImageProber, image_probe.hpp): anything unusual (a
// compression libjpeg refuses, an odd EXIF, a PNG with its own orientation, a TIFF layout it
// does not know, a size over a limit) is kUndecided, and the caller asks VipsImageProber, so
// results never get worse than the decoder's. DICOM is not read here.
//
// Every length and offset in the bytes is checked against the bytes held and the file size:
// the input is hostile (server/fuzz target `header_probe`).
#include <cstdint>
#include <string>
#include <string_view>

#include "blobs/image_probe.hpp"

namespace tessera {

struct HeaderProbe {
    enum class Outcome {
        kDecided,    // `info` holds width, height (as displayed) and format
        kNeedMore,   // call again with the first `bytes_needed` bytes
        kUndecided,  // ask the decoder; `why` says what stopped us (for logs and tests)
    };
    Outcome outcome = Outcome::kUndecided;
    ImageInfo info;                 // size_bytes is the file_size passed in
    std::int64_t bytes_needed = 0;  // kNeedMore: more than the prefix held, at most file_size
    std::string why;                // kUndecided
};

// Never asks for more than this: headers larger than that go to the decoder.
inline constexpr std::int64_t kMaxHeaderProbeBytes = std::int64_t{16} << 20;

// `prefix` is the start of a file of `file_size` bytes (all of it when shorter).
HeaderProbe ProbeHeader(std::string_view prefix, std::int64_t file_size);

}  // namespace tessera
