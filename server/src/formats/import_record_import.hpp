#pragma once
// What every importer produces: per-image records in the file's own coordinate space, before
// they are matched to items, converted to pixels and validated (services/import_service).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "domain/shapes.hpp"

namespace tessera {

// One file of an upload: the body itself, or one entry of a .zip.
struct ImportFile {
    std::string path;  // '/'-separated, as named in the archive (or the upload's name)
    std::string bytes;
};

enum class CoordSpace {
    kPixel,       // image pixels, origin at the top-left corner of the top-left pixel
    kNormalized,  // 0-1 of the image width/height; converted with the matched item's size
};

struct ImportRecord {
    int row = 0;       // 1-based position in the upload, as the report names it
    std::string name;  // path or file name as the file gives it
    // True when `name` has no image extension (YOLO names labels by the image's stem).
    bool match_stem = false;
    // Set when the name's file name alone is ambiguous within the upload (a CVAT project export
    // whose subsets repeat an image name): the record then matches by path only, and this says
    // why when no path fits.
    std::string path_only_reason;
    std::optional<ImageSize> size;  // when the file states it
    CoordSpace space = CoordSpace::kPixel;
    std::vector<Shape> shapes;
    std::vector<std::string> labels;  // classification formats (JSONL)
    // Image-level tags (CVAT's <tag>): the image's labels in a classification project; in a
    // shape project they describe the image rather than outline anything, and are counted as
    // dropped ("tag") instead of failing the row (ImportService).
    std::vector<std::string> tags;
    std::string file;  // the upload's file the record was read from
    // Shapes read but not imported, by kind ("polyline", "points", "__ignore__", ...): shapes
    // Tessera cannot draw and regions the tool itself marks as not a class. The report counts
    // them; a record whose every shape was dropped is reported and not applied.
    std::map<std::string, int> dropped;
    // Mask pixels holding the void value (VOC's 255, or its colour 224,224,192) where the label
    // map names no class for it: left unlabeled, counted in the report.
    std::int64_t void_pixels = 0;
    // The score of image-level labels (a Label Studio choices prediction); shapes carry their own.
    std::optional<double> confidence;
    // A classifier's probability for every class (Azure AutoML model output, "probs" with
    // "labels"): the import picks the labels by the project's task type (FoldScores).
    std::vector<std::pair<std::string, double>> label_scores;
};

struct ImportRowError {
    int row = 0;
    std::string message;
};

// A row that was read but holds nothing to import (a CSV row with an empty label cell): it is
// reported with the unmatched rows and does not block the import.
struct ImportSkipped {
    int row = 0;
    std::string name;
    std::string reason;
};

struct ParsedImport {
    std::vector<ImportRecord> records;
    std::vector<ImportRowError> errors;  // rows that could not be read at all
    std::vector<ImportSkipped> skipped;
};

// Image names that the subsets of one upload repeat (a CVAT project export or a Datumaro
// dataset with train/ and val/ both holding img0.jpg): such records match by path only.
class SubsetNames {
public:
    // An image `name` (without its subset) read in `subset` ("" for none).
    void Note(const std::string& name, std::string_view subset);
    // Sets path_only_reason on each record whose name (names[i] for records[i]) occurs in
    // several subsets.
    void MarkRepeated(std::vector<ImportRecord>& records,
                      const std::vector<std::string>& names) const;

private:
    struct Seen {
        std::string first;
        bool several = false;
    };
    std::map<std::string, Seen> seen_;
};

// Helpers shared by the parsers.
std::string ImportBaseName(std::string_view path);
std::string ImportStem(std::string_view path);
bool ImportEndsWith(std::string_view text, std::string_view suffix);  // case-insensitive
Shape MakeBoxShape(std::string label, double x0, double y0, double x1, double y1);
// An image size a file states, when both sides are finite and between 1 and kMaxImportImageSide
// (a larger or fractional-overflowing number is ignored, not cast: casting an out-of-range double
// to int is undefined behaviour). Fractions round to the nearest pixel.
inline constexpr double kMaxImportImageSide = 1 << 24;
std::optional<ImageSize> ImportImageSize(std::optional<double> width, std::optional<double> height);
// An ellipse (centre, radii, rotation in degrees clockwise on screen) as a polygon whose edges
// stay within 1 px of the curve: labelme2coco's rule for circles, n = max(12, pi / acos(1 - 1/r))
// with r the larger radius, rounded up to a multiple of 4 so that the extreme points are
// vertices (an unrotated ellipse's bounding box is exact).
Ring EllipseRing(double cx, double cy, double rx, double ry, double rotation_degrees = 0);
// A box (corners xtl, ytl, xbr, ybr) turned `degrees` clockwise on screen about its centre, as
// CVAT rotates boxes: its four corners from the top-left one.
Ring RotatedBox(double xtl, double ytl, double xbr, double ybr, double degrees);

}  // namespace tessera
