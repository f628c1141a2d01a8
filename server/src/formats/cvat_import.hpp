#pragma once
// CVAT for images 1.1 XML: <image name width height [subset]> with <box label xtl ytl xbr ybr>,
// <polygon label points="x,y;x,y;..."> and <mask label rle left top width height> in pixels
// (CVAT's corners are continuous coordinates, the same as ours). Polylines, points, cuboids,
// ellipses and tags are not shapes we draw: they are skipped.
//
// A mask's rle is CVAT's own: comma-separated run lengths over the box left, top, width x
// height (whole pixels), row-major, alternating unset and set pixels, starting with unset. It
// becomes a mask over the whole image (clipped to it), which needs the image's width and height.
//
// A project export names each image's subset: the record is named "<subset>/<name>", and when
// one name appears in several subsets, it matches by that path only (never by file name alone).
//
// Each file is streamed (formats/xml_stream, libexpat): memory holds the records read, not the
// document, so a million-box export needs no whole-file copy or tree.
#include <vector>

#include "formats/import_record_import.hpp"
#include "formats/import_upload.hpp"

namespace tessera {

// Every *.xml among `files`; each must have an <annotations> root. Rows count <image>s in file
// order. Malformed XML is one error naming the file, line and byte.
Result<ParsedImport> ParseCvat(const std::vector<ImportFile>& files);
// The same over an upload, read from disk one file or zip entry at a time.
Result<ParsedImport> ParseCvatUpload(const ImportUpload& upload);

// "x1,y1;x2,y2;..." to points; kInvalidArgument for anything else.
Result<Ring> ParseCvatPoints(const std::string& text);

// CVAT's mask RLE inside the box at (left, top) of box_width x box_height pixels, as runs over an
// image of `image` size (pixels outside the image dropped). kInvalidArgument for counts that are
// not numbers or cover more than the box.
Result<MaskRle> CvatMaskToImage(const std::string& rle, int left, int top, int box_width,
                                int box_height, ImageSize image);

}  // namespace tessera
