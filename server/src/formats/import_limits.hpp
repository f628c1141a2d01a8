#pragma once
// Bounds on what one import may cost the server, whatever the upload claims. An upload is
// small on the wire but may expand: JSON or XML nested millions deep (every level is a heap
// node, and recursive parsers overflow the stack), a zip whose entries inflate to gigabytes, a
// mask PNG whose header promises a huge canvas. Each limit is checked before the expensive
// step and named in its error, so the user knows what to change. docs/formats/import.md lists
// them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace tessera {

// Containers (JSON objects and arrays) or elements (XML) open at once. The deepest format we
// read (COCO segmentation polygons, CVAT tracks) needs under 10.
inline constexpr int kMaxImportNesting = 64;
// Pixels of one mask PNG (about 5,800 x 5,800, or 8,192 x 4,096); decoding holds ~8 bytes a
// pixel.
inline constexpr std::int64_t kMaxMaskPixels = std::int64_t{1} << 25;
// One line of a streamed JSONL file.
inline constexpr std::size_t kMaxJsonlLineBytes = std::size_t{64} << 20;
// Uncompressed bytes of all the files of a zip read whole (VOC, YOLO, LabelMe, masks, ...).
inline constexpr std::uint64_t kMaxImportTotalBytes = std::uint64_t{512} << 20;

// Files of one zip, and the bytes of its central directory, as the archive's end record states
// them: libzip reads the whole directory when it opens the archive, ~300 bytes of memory an
// entry besides its name, so the claim is checked before it is opened (a 100 MB zip of empty
// files is 10^6 entries; 4 GiB of directory would be 9 * 10^7). 10^6 label files is a dataset
// the size of ImageNet's training set sent in one upload (a YOLO or VOC file is ~120 bytes of
// directory); bigger ones go in several.
inline constexpr std::uint64_t kMaxZipEntries = 1'000'000;
inline constexpr std::uint64_t kMaxZipDirectoryBytes = std::uint64_t{256} << 20;

// One element of a streamed JSON array (a COCO image, category or annotation; a Label Studio
// task), as text and as values; outside those elements, one token (a string, a number). The
// biggest real element is the segmentation of one object in a 20,000 x 20,000 image: a polygon
// tracing a ragged outline pixel by pixel has some 10^5-10^6 points (2 values and under 20
// bytes a point), an uncompressed RLE a value a run (a few runs a column, 20,000 columns), a
// compressed RLE one string of a few MB. The limits leave room above that (2^22 values is a
// polygon of two million points) and bound the built element: measured at the limit, ~130 MB
// for numbers and ~420 MB at worst, for an element of nothing but "{}" (a node costs 16-80
// bytes); a 64 MiB string costs ~380 MB while nlohmann's lexer copies it for its message.
inline constexpr std::size_t kMaxJsonElementBytes = std::size_t{64} << 20;
inline constexpr std::size_t kMaxJsonElementValues = std::size_t{1} << 22;

// One tag of a streamed XML file (CVAT) with its attributes, or one comment, declaration or
// processing instruction: expat holds a whole tag before handing it over. The biggest real one
// is a CVAT shape of one object in a 20,000 x 20,000 image: a polygon's `points` of 10^5-10^6
// points (under 20 bytes a point), a mask's `rle` of a few runs a row (a few MB). Text between
// tags is never held (expat passes it on in pieces and the reader drops it), so it has no limit.
inline constexpr std::size_t kMaxXmlTagBytes = std::size_t{64} << 20;

// kInvalidArgument "<what> nests deeper than 64 levels ..." when JSON text opens more than
// kMaxImportNesting objects/arrays at once. Strings are skipped; invalid JSON is left to the
// parser.
Status CheckJsonNesting(std::string_view text, const std::string& what);
// The same for XML: elements open at once (comments, CDATA, processing instructions and
// declarations are skipped).
Status CheckXmlNesting(std::string_view text, const std::string& what);
// The error for a nesting limit, for the streaming readers that count it themselves.
Error NestingTooDeep(const std::string& what);
// kPayloadTooLarge "<what> is longer than 64 MiB, the limit for one element of a streamed JSON
// file" (`what` names the element: "annotations[7]") and "<what> holds more than 4194304
// values, ...".
Error JsonElementTooLong(const std::string& what);
Error JsonElementTooManyValues(const std::string& what);

}  // namespace tessera
