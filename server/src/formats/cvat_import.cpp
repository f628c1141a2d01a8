#include "formats/cvat_import.hpp"

#include <cmath>
#include <numbers>
#include <sstream>
#include <unordered_map>

#include "base/text.hpp"
#include "formats/xml_stream.hpp"

namespace tessera {

namespace {

bool ParseDouble(const std::string& text, double& out) {
    try {
        std::size_t used = 0;
        out = std::stod(text, &used);
        return used == text.size() && std::isfinite(out);
    } catch (const std::exception&) {
        return false;
    }
}

// An attribute as a finite number (as std::stod reads it, the whole value); nullopt when absent
// or anything else.
std::optional<double> AttributeNumber(const XmlStartTag& tag, std::string_view name) {
    double v = 0;
    const std::string_view text = tag.Attribute(name);
    if (text.empty() || !ParseDouble(std::string(text), v)) {
        return std::nullopt;
    }
    return v;
}

std::optional<int> AttributeInt(const XmlStartTag& tag, std::string_view name) {
    auto v = AttributeNumber(tag, name);
    if (!v || *v != std::floor(*v) || std::abs(*v) > 1e9) {
        return std::nullopt;
    }
    return static_cast<int>(*v);
}

// Extends the last run when `start` continues it.
void AddRun(MaskRle& mask, std::int64_t start, std::int64_t length) {
    const std::size_t n = mask.runs.size();
    if (n >= 2 && mask.runs[n - 2] + mask.runs[n - 1] == start) {
        mask.runs[n - 1] += length;
    } else {
        mask.runs.push_back(start);
        mask.runs.push_back(length);
    }
}

Result<Shape> ParseCvatMask(const XmlStartTag& shape, const std::optional<ImageSize>& image) {
    if (!image) {
        return Error::InvalidArgument("a mask needs the <image>'s width and height");
    }
    auto left = AttributeInt(shape, "left");
    auto top = AttributeInt(shape, "top");
    auto width = AttributeInt(shape, "width");
    auto height = AttributeInt(shape, "height");
    if (!left || !top || !width || !height || *width <= 0 || *height <= 0) {
        return Error::InvalidArgument("needs whole-pixel left, top and positive width, height");
    }
    TESSERA_ASSIGN_OR_RETURN(MaskRle mask, CvatMaskToImage(std::string(shape.Attribute("rle")),
                                                           *left, *top, *width, *height, *image));
    Shape out;
    out.label = shape.Attribute("label");
    out.geometry = std::move(mask);
    return out;
}

// Reads one <annotations> file after another as a stream of tags: each <image> becomes a record
// when its end tag is read, so memory holds the records kept, never the document.
class CvatReader {
public:
    Status Read(const std::string& path, std::istream& in) {
        path_ = path;
        any_ = true;
        return StreamXml(in, path,
                         {[this](const XmlStartTag& tag) { return Start(tag); },
                          [this](std::string_view name, int depth) {
                              End(name, depth);
                              return Status::Ok();
                          }});
    }

    Result<ParsedImport> Finish() && {
        if (!any_) {
            return Error::InvalidArgument("no CVAT annotations .xml file in the upload");
        }
        // Known only now: which names the upload's subsets repeat.
        subsets_.MarkRepeated(out_.records, names_);
        return std::move(out_);
    }

private:
    Status Start(const XmlStartTag& tag) {
        if (tag.depth() == 1) {
            if (tag.name() != "annotations") {
                return Error::InvalidArgument(path_ + ": no <annotations> element");
            }
        } else if (tag.depth() == 2 && tag.name() == "image") {
            StartImage(tag);
        } else if (tag.depth() == 3 && in_image_ && !skip_image_) {
            AddShape(tag);
        }
        return Status::Ok();
    }

    void End(std::string_view name, int depth) {
        if (depth != 2 || name != "image" || !in_image_) {
            return;
        }
        if (!skip_image_ && !bad_) {
            out_.records.push_back(std::move(record_));
            names_.push_back(std::move(name_));
        }
        in_image_ = false;
    }

    void StartImage(const XmlStartTag& tag) {
        in_image_ = true;
        skip_image_ = false;
        bad_ = false;
        record_ = ImportRecord{};
        record_.row = ++row_;
        record_.file = path_;
        name_ = tag.Attribute("name");
        const std::string_view subset = tag.Attribute("subset");
        record_.name = subset.empty() ? name_ : std::string(subset) + "/" + name_;
        subsets_.Note(name_, subset);
        record_.size =
            ImportImageSize(AttributeNumber(tag, "width"), AttributeNumber(tag, "height"));
        if (name_.empty()) {
            out_.errors.push_back({row_, path_ + ": <image> without a name"});
            skip_image_ = true;
        }
    }

    // <box> (rotated ones become polygons), <polygon>, <mask> and <ellipse> (as a polygon, as
    // CVAT's own COCO export keeps it); <tag> is an image-level label (ImportRecord::tags);
    // other children of <image> (<polyline>, <points>, <cuboid>, <skeleton>) are counted as
    // dropped.
    void AddShape(const XmlStartTag& shape) {
        const std::string_view kind = shape.name();
        const std::string label(shape.Attribute("label"));
        auto fail = [&](const std::string& message) {
            out_.errors.push_back(
                {row_, record_.name + ": " + std::string(kind) + " \"" + label + "\": " + message});
            bad_ = true;
        };
        if (kind == "box") {
            auto xtl = AttributeNumber(shape, "xtl");
            auto ytl = AttributeNumber(shape, "ytl");
            auto xbr = AttributeNumber(shape, "xbr");
            auto ybr = AttributeNumber(shape, "ybr");
            if (!xtl || !ytl || !xbr || !ybr) {
                fail("needs numeric xtl, ytl, xbr, ybr");
                return;
            }
            const double rotation = AttributeNumber(shape, "rotation").value_or(0);
            if (rotation == 0) {
                record_.shapes.push_back(MakeBoxShape(label, *xtl, *ytl, *xbr, *ybr));
                return;
            }
            Shape s;
            s.label = label;
            s.geometry = Polygon{{RotatedBox(*xtl, *ytl, *xbr, *ybr, rotation)}};
            record_.shapes.push_back(std::move(s));
        } else if (kind == "ellipse") {
            auto cx = AttributeNumber(shape, "cx");
            auto cy = AttributeNumber(shape, "cy");
            auto rx = AttributeNumber(shape, "rx");
            auto ry = AttributeNumber(shape, "ry");
            if (!cx || !cy || !rx || !ry) {
                fail("needs numeric cx, cy, rx, ry");
                return;
            }
            Shape s;
            s.label = label;
            s.geometry = Polygon{
                {EllipseRing(*cx, *cy, *rx, *ry, AttributeNumber(shape, "rotation").value_or(0))}};
            record_.shapes.push_back(std::move(s));
        } else if (kind == "polygon") {
            auto ring = ParseCvatPoints(std::string(shape.Attribute("points")));
            if (!ring.ok()) {
                fail(ring.error().message);
                return;
            }
            Shape s;
            s.label = label;
            s.geometry = Polygon{{std::move(ring).value()}};
            record_.shapes.push_back(std::move(s));
        } else if (kind == "tag") {
            if (label.empty()) {
                fail("needs a label");
                return;
            }
            record_.tags.push_back(label);
        } else if (kind == "mask") {
            auto mask = ParseCvatMask(shape, record_.size);
            if (!mask.ok()) {
                fail(mask.error().message);
                return;
            }
            if (!std::get<MaskRle>(mask->geometry).runs.empty()) {
                record_.shapes.push_back(std::move(mask).value());
            }
        } else {
            ++record_.dropped[std::string(kind)];
        }
    }

    ParsedImport out_;
    std::vector<std::string> names_;  // each record's image name, without its subset
    SubsetNames subsets_;
    std::string path_;  // the file being read
    bool any_ = false;
    int row_ = 0;
    // The <image> being read.
    ImportRecord record_;
    std::string name_;
    bool in_image_ = false;
    bool skip_image_ = false;  // no name: its shapes are not read
    bool bad_ = false;         // a shape had an error: the record is left out
};

}  // namespace

Result<MaskRle> CvatMaskToImage(const std::string& rle, int left, int top, int box_width,
                                int box_height, ImageSize image) {
    MaskRle mask;
    const std::int64_t box_pixels = std::int64_t{box_width} * box_height;
    std::int64_t at = 0;  // index into the box, row-major
    bool set = false;     // CVAT starts with a run of unset pixels
    std::stringstream counts(rle);
    std::string token;
    while (std::getline(counts, token, ',')) {
        double count = 0;
        // A count past 2^50 is no mask's (and would not fit the cast below).
        constexpr double kMaxCount = 1125899906842624.0;
        const std::string_view trimmed = TrimmedView(token);
        if (trimmed.empty() || !ParseDouble(std::string(trimmed), count) || count < 0 ||
            count > kMaxCount || count != std::floor(count)) {
            return Error::InvalidArgument("mask rle must be comma-separated whole counts");
        }
        const auto n = static_cast<std::int64_t>(count);
        if (n > box_pixels - at) {
            return Error::InvalidArgument("mask rle covers more than its " +
                                          std::to_string(box_width) + "x" +
                                          std::to_string(box_height) + " box");
        }
        // A set run may span several box rows: cut it at each row's end.
        for (std::int64_t i = at; set && i < at + n;) {
            const std::int64_t row = i / box_width;
            const std::int64_t col = i % box_width;
            const std::int64_t take = std::min<std::int64_t>(box_width - col, at + n - i);
            const std::int64_t y = top + row;
            const std::int64_t x0 = std::max<std::int64_t>(left + col, 0);
            const std::int64_t x1 = std::min<std::int64_t>(left + col + take, image.width);
            if (y >= 0 && y < image.height && x1 > x0) {
                AddRun(mask, y * image.width + x0, x1 - x0);
            }
            i += take;
        }
        at += n;
        set = !set;
    }
    return mask;
}

Result<Ring> ParseCvatPoints(const std::string& text) {
    Ring ring;
    std::stringstream pairs(text);
    std::string pair;
    while (std::getline(pairs, pair, ';')) {
        const std::size_t comma = pair.find(',');
        ImagePoint p;
        if (comma == std::string::npos || !ParseDouble(pair.substr(0, comma), p.x) ||
            !ParseDouble(pair.substr(comma + 1), p.y)) {
            return Error::InvalidArgument("points must be \"x,y;x,y;...\"");
        }
        ring.push_back(p);
    }
    return ring;
}

Result<ParsedImport> ParseCvat(const std::vector<ImportFile>& files) {
    CvatReader reader;
    TESSERA_TRY(ForEachImportFile(files, [&](const std::string& path, std::istream& bytes) {
        return ImportEndsWith(path, ".xml") ? reader.Read(path, bytes) : Status::Ok();
    }));
    return std::move(reader).Finish();
}

Result<ParsedImport> ParseCvatUpload(const ImportUpload& upload) {
    CvatReader reader;
    TESSERA_TRY(upload.ForEach([&](const std::string& path, std::istream& bytes) {
        return ImportEndsWith(path, ".xml") ? reader.Read(path, bytes) : Status::Ok();
    }));
    return std::move(reader).Finish();
}

}  // namespace tessera
