#include "formats/coco_import.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

namespace tessera {

namespace {

using nlohmann::json;

struct CocoImage {
    std::string file_name;
    int width = 0;
    int height = 0;
    std::size_t record = 0;
};

double Num(const json& value) {
    return value.is_number() ? value.get<double>() : NAN;
}

// The largest coordinate among all boxes and polygons; Azure's flavour stays within 0-1.
double MaxCoordinate(const json& annotations) {
    double max = 0;
    for (const json& a : annotations) {
        if (a.contains("bbox") && a["bbox"].is_array() && a["bbox"].size() == 4) {
            max = std::max({max, Num(a["bbox"][0]) + Num(a["bbox"][2]),
                            Num(a["bbox"][1]) + Num(a["bbox"][3])});
        }
        if (a.contains("segmentation") && a["segmentation"].is_array()) {
            for (const json& ring : a["segmentation"]) {
                if (!ring.is_array()) {
                    continue;
                }
                for (const json& v : ring) {
                    max = std::max(max, Num(v));
                }
            }
        }
    }
    return max;
}

bool AllSizesZero(const json& images) {
    for (const json& image : images) {
        if (image.value("width", 0.0) != 0 || image.value("height", 0.0) != 0) {
            return false;
        }
    }
    return true;
}

Result<Polygon> ReadPolygon(const json& segmentation) {
    Polygon polygon;
    for (const json& flat : segmentation) {
        if (!flat.is_array() || flat.size() % 2 != 0) {
            return Error::InvalidArgument("segmentation ring must be [x1, y1, x2, y2, ...]");
        }
        Ring ring;
        for (std::size_t i = 0; i + 1 < flat.size(); i += 2) {
            ring.push_back({Num(flat[i]), Num(flat[i + 1])});
        }
        polygon.rings.push_back(std::move(ring));
    }
    return polygon;
}

Result<MaskRle> ReadRle(const json& rle, const CocoImage& image) {
    const json& size = rle.contains("size") ? rle["size"] : json();
    int height = image.height;
    int width = image.width;
    if (size.is_array() && size.size() == 2 && size[0].is_number() && size[1].is_number()) {
        height = size[0].get<int>();
        width = size[1].get<int>();
    }
    if (width <= 0 || height <= 0) {
        return Error::InvalidArgument("RLE segmentation needs the image size");
    }
    std::vector<std::int64_t> counts;
    if (rle["counts"].is_string()) {
        TESSERA_ASSIGN_OR_RETURN(counts, DecodeCocoRleString(rle["counts"].get<std::string>()));
    } else if (rle["counts"].is_array()) {
        for (const json& c : rle["counts"]) {
            if (!c.is_number_integer() || c.get<std::int64_t>() < 0) {
                return Error::InvalidArgument("RLE counts must be non-negative integers");
            }
            counts.push_back(c.get<std::int64_t>());
        }
    } else {
        return Error::InvalidArgument("RLE counts missing");
    }
    std::int64_t total = 0;
    for (std::int64_t c : counts) {
        total += c;
    }
    if (total != static_cast<std::int64_t>(width) * height) {
        return Error::InvalidArgument("RLE counts do not cover the image");
    }
    return ColumnRunsToMask(counts, width, height);
}

Status ParseOneFile(const ImportFile& file, CocoFlavor flavor, ParsedImport& out) {
    json doc = json::parse(file.bytes, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return Error::InvalidArgument(file.path + ": not a JSON object");
    }
    if (!doc.contains("images") || !doc["images"].is_array()) {
        return Error::InvalidArgument(file.path + ": COCO file without an \"images\" list");
    }
    const json empty = json::array();
    const json& annotations =
        doc.contains("annotations") && doc["annotations"].is_array() ? doc["annotations"] : empty;
    std::map<std::int64_t, std::string> categories;
    if (doc.contains("categories") && doc["categories"].is_array()) {
        for (const json& c : doc["categories"]) {
            if (c.contains("id") && c["id"].is_number_integer() && c.contains("name") &&
                c["name"].is_string()) {
                categories[c["id"].get<std::int64_t>()] = c["name"].get<std::string>();
            }
        }
    }
    bool normalized = flavor == CocoFlavor::kAzure;
    if (flavor == CocoFlavor::kDetect) {
        normalized = AllSizesZero(doc["images"]) && !annotations.empty() &&
                     MaxCoordinate(annotations) <= 1.5;
    }
    std::map<std::int64_t, CocoImage> images;
    for (const json& image : doc["images"]) {
        const int row = static_cast<int>(out.records.size() + out.errors.size()) + 1;
        if (!image.is_object() || !image.contains("id") || !image["id"].is_number_integer() ||
            !image.contains("file_name") || !image["file_name"].is_string()) {
            out.errors.push_back({row, file.path + ": image without integer id or file_name"});
            continue;
        }
        CocoImage info{image["file_name"].get<std::string>(),
                       static_cast<int>(image.value("width", 0.0)),
                       static_cast<int>(image.value("height", 0.0)), out.records.size()};
        ImportRecord record;
        record.row = row;
        record.name = info.file_name;
        record.space = normalized ? CoordSpace::kNormalized : CoordSpace::kPixel;
        if (info.width > 0 && info.height > 0) {
            record.size = ImageSize{info.width, info.height};
        }
        images[image["id"].get<std::int64_t>()] = info;
        out.records.push_back(std::move(record));
    }
    for (std::size_t i = 0; i < annotations.size(); ++i) {
        const json& a = annotations[i];
        const std::string where = file.path + ": annotations[" + std::to_string(i) + "]";
        if (!a.is_object() || !a.contains("image_id") || !a["image_id"].is_number_integer()) {
            out.errors.push_back({0, where + ": no integer image_id"});
            continue;
        }
        auto image = images.find(a["image_id"].get<std::int64_t>());
        if (image == images.end()) {
            out.errors.push_back({0, where + ": image_id not in \"images\""});
            continue;
        }
        ImportRecord& record = out.records[image->second.record];
        auto category = categories.end();
        if (a.contains("category_id") && a["category_id"].is_number_integer()) {
            category = categories.find(a["category_id"].get<std::int64_t>());
        }
        if (category == categories.end()) {
            out.errors.push_back({record.row, where + ": unknown category_id"});
            continue;
        }
        Shape shape;
        shape.label = category->second;
        if (a.contains("score") && a["score"].is_number()) {
            shape.confidence = a["score"].get<double>();
        }
        const json& seg = a.contains("segmentation") ? a["segmentation"] : json();
        if (seg.is_array() && !seg.empty()) {
            auto polygon = ReadPolygon(seg);
            if (!polygon.ok()) {
                out.errors.push_back({record.row, where + ": " + polygon.error().message});
                continue;
            }
            shape.geometry = std::move(polygon).value();
        } else if (seg.is_object()) {
            auto mask = ReadRle(seg, image->second);
            if (!mask.ok()) {
                out.errors.push_back({record.row, where + ": " + mask.error().message});
                continue;
            }
            shape.geometry = std::move(mask).value();
        } else if (a.contains("bbox") && a["bbox"].is_array() && a["bbox"].size() == 4) {
            const json& b = a["bbox"];
            shape.geometry = Box{Num(b[0]), Num(b[1]), Num(b[2]), Num(b[3])};
        } else {
            out.errors.push_back({record.row, where + ": neither bbox nor segmentation"});
            continue;
        }
        record.shapes.push_back(std::move(shape));
    }
    return Status::Ok();
}

}  // namespace

Result<std::vector<std::int64_t>> DecodeCocoRleString(const std::string& counts) {
    // pycocotools' rleFrString: 5 bits per char (offset 48), continuation bit 0x20, sign bit
    // 0x10 on the last char; from the third count on, values are deltas to the count two back.
    std::vector<std::int64_t> out;
    std::size_t p = 0;
    while (p < counts.size()) {
        std::int64_t x = 0;
        int k = 0;
        bool more = true;
        while (more) {
            if (p >= counts.size() || k > 12) {
                return Error::InvalidArgument("malformed compressed RLE counts");
            }
            const std::int64_t c = static_cast<std::int64_t>(counts[p]) - 48;
            if (c < 0 || c > 63) {
                return Error::InvalidArgument("malformed compressed RLE counts");
            }
            x |= (c & 0x1f) << (5 * k);
            more = (c & 0x20) != 0;
            ++p;
            ++k;
            if (!more && (c & 0x10) != 0) {
                x |= -(static_cast<std::int64_t>(1) << (5 * k));
            }
        }
        if (out.size() > 2) {
            x += out[out.size() - 2];
        }
        if (x < 0) {
            return Error::InvalidArgument("malformed compressed RLE counts");
        }
        out.push_back(x);
    }
    return out;
}

MaskRle ColumnRunsToMask(const std::vector<std::int64_t>& counts, int width, int height) {
    // Column-major runs to per-pixel rows, then row-major runs: masks are at most one image.
    std::vector<std::vector<std::pair<int, int>>> rows(static_cast<std::size_t>(height));
    std::int64_t pos = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (i % 2 == 1) {
            for (std::int64_t j = pos; j < pos + counts[i]; ++j) {
                const int x = static_cast<int>(j / height);
                const int y = static_cast<int>(j % height);
                auto& row = rows[static_cast<std::size_t>(y)];
                if (!row.empty() && row.back().second == x) {
                    row.back().second = x + 1;
                } else {
                    row.push_back({x, x + 1});
                }
            }
        }
        pos += counts[i];
    }
    MaskRle mask;
    for (int y = 0; y < height; ++y) {
        for (const auto& [x0, x1] : rows[static_cast<std::size_t>(y)]) {
            const std::int64_t start = static_cast<std::int64_t>(y) * width + x0;
            const std::size_t n = mask.runs.size();
            if (n >= 2 && mask.runs[n - 2] + mask.runs[n - 1] == start) {
                mask.runs[n - 1] += x1 - x0;
            } else {
                mask.runs.push_back(start);
                mask.runs.push_back(x1 - x0);
            }
        }
    }
    return mask;
}

Result<ParsedImport> ParseCoco(const std::vector<ImportFile>& files, CocoFlavor flavor) {
    ParsedImport out;
    bool any = false;
    for (const ImportFile& file : files) {
        if (!ImportEndsWith(file.path, ".json")) {
            continue;
        }
        any = true;
        TESSERA_TRY(ParseOneFile(file, flavor, out));
    }
    if (!any) {
        return Error::InvalidArgument("no COCO .json file in the upload");
    }
    return out;
}

}  // namespace tessera
