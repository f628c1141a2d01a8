#pragma once
// A check of a DICOM file's stated lengths before DCMTK reads it. DCMTK allocates an element's
// value, or a pixel data fragment, at its stated length before reading it, and not every path
// checks that length against the bytes left: a 500-byte file stating a 4 GB element would
// allocate 4 GB. This walk reads only element headers (tag, VR, length), never values, and
// refuses any defined length that runs past its file, sequence or item. Internal to blobs.
#include <cstdint>
#include <functional>
#include <string>

#include "base/result.hpp"

namespace tessera::blobs_internal {

// A deflated dataset is inflated in memory to be walked, and refused when it inflates to more.
inline constexpr std::int64_t kMaxInflatedDicomBytes = std::int64_t{1} << 30;

// Reads `count` bytes at `offset` (fewer at the end of the file).
using DicomByteReader = std::function<std::string(std::int64_t offset, std::size_t count)>;

// kInvalidArgument naming the element whose length is impossible, or nesting over 32 levels.
// Files it cannot follow (no "DICM" magic and no recognisable first element, a malformed
// header) pass: DCMTK's parse judges those, and its element reads check the bytes
// left where this walk could not.
Status CheckDicomLengths(const DicomByteReader& read, std::int64_t size);

}  // namespace tessera::blobs_internal
