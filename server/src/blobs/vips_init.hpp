#pragma once
// libvips process setup. The app calls InitVips once at start, before any image is probed or
// rendered; later calls are no-ops. Tests call it too (it is idempotent and thread-safe).
#include "base/result.hpp"

namespace tessera {

// Starts libvips with small operation caches (we render each image once and keep the result
// on disk, so vips' own cache only costs memory) and restricts the loaders to the formats we
// accept: anything else inside a file named .jpg (SVG, PDF, ...) never reaches a parser.
Status InitVips(const char* argv0);

}  // namespace tessera
