// Image sizes and radii that other tools' files state are numbers an outsider controls: a size
// far past int, negative, NaN-like or fractional must never be cast to int unchecked (that is
// undefined behaviour, and the fuzzer found it in VOC's <size>). An out-of-range size is
// ignored (the image's own size is read at ingest), never wrapped into a plausible one.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "formats/cvat_import.hpp"
#include "formats/import_record_import.hpp"
#include "formats/jsonl_import.hpp"
#include "formats/labelme_import.hpp"
#include "formats/segment_anything_import.hpp"
#include "formats/voc_import.hpp"

namespace tessera {
namespace {

const std::vector<std::string> kHostileSides = {"1e12",  "-640", "0",         "0.2",
                                                "1e400", "nan",  "4294967936"};

using Sides = std::optional<std::pair<int, int>>;

Sides SidesOf(const std::optional<ImageSize>& size) {
    return size ? Sides(std::pair{size->width, size->height}) : std::nullopt;
}

Sides OnlyRecordSize(const Result<ParsedImport>& parsed) {
    EXPECT_TRUE(parsed.ok());
    if (!parsed.ok() || parsed->records.size() != 1) {
        ADD_FAILURE() << "expected one record";
        return std::pair{-1, -1};
    }
    return SidesOf(parsed->records[0].size);
}

TEST(StatedSizeTest, SidesOutsideWhatAnImageCanHaveAreIgnored) {
    EXPECT_EQ(SidesOf(ImportImageSize(640, 480)), std::pair(640, 480));
    EXPECT_EQ(SidesOf(ImportImageSize(640.4, 479.6)), std::pair(640, 480));
    EXPECT_EQ(SidesOf(ImportImageSize(kMaxImportImageSide, 1)), std::pair(1 << 24, 1));
    EXPECT_FALSE(ImportImageSize(kMaxImportImageSide + 1, 1));
    EXPECT_FALSE(ImportImageSize(1e12, 5));
    EXPECT_FALSE(ImportImageSize(5, -5));
    EXPECT_FALSE(ImportImageSize(5, 0.2));
    EXPECT_FALSE(ImportImageSize(std::numeric_limits<double>::infinity(), 5));
    EXPECT_FALSE(ImportImageSize(NAN, 5));
    EXPECT_FALSE(ImportImageSize(std::nullopt, 5));
}

TEST(StatedSizeTest, VocSizeElement) {
    for (const std::string& side : kHostileSides) {
        const std::string xml = "<annotation><filename>a.jpg</filename><size><width>" + side +
                                "</width><height>480</height></size></annotation>";
        EXPECT_EQ(OnlyRecordSize(ParseVoc({{"a.xml", xml}}, VocConvention::kCorners)), std::nullopt)
            << side;
    }
    const std::string fine =
        "<annotation><filename>a.jpg</filename><size><width>640</width><height>480</height>"
        "</size></annotation>";
    EXPECT_EQ(OnlyRecordSize(ParseVoc({{"a.xml", fine}}, VocConvention::kDevkit)),
              std::pair(640, 480));
}

TEST(StatedSizeTest, MitLabelMeImageSize) {
    for (const std::string& side : kHostileSides) {
        const std::string xml = "<annotation><filename>a.jpg</filename><imagesize><nrows>" + side +
                                "</nrows><ncols>640</ncols></imagesize></annotation>";
        EXPECT_EQ(OnlyRecordSize(ParseLabelMe({{"a.xml", xml}})), std::nullopt) << side;
    }
}

TEST(StatedSizeTest, LabelmeJsonImageWidth) {
    for (const char* side : {"1e12", "-640", "0", "4294967936", "\"640\"", "null"}) {
        const std::string doc = R"({"imagePath": "a.jpg", "shapes": [], "imageHeight": 480, )"
                                R"("imageWidth": )" +
                                std::string(side) + "}";
        EXPECT_EQ(OnlyRecordSize(ParseLabelMe({{"a.json", doc}})), std::nullopt) << side;
    }
    const std::string fine =
        R"({"imagePath": "a.jpg", "shapes": [], "imageHeight": 480, "imageWidth": 640})";
    EXPECT_EQ(OnlyRecordSize(ParseLabelMe({{"a.json", fine}})), std::pair(640, 480));
}

TEST(StatedSizeTest, CvatImageAttributes) {
    for (const std::string& side : kHostileSides) {
        const std::string xml = R"(<annotations><image id="0" name="a.jpg" width=")" + side +
                                R"(" height="480"></image></annotations>)";
        EXPECT_EQ(OnlyRecordSize(ParseCvat({{"annotations.xml", xml}})), std::nullopt) << side;
    }
}

TEST(StatedSizeTest, AzureJsonlImageDetails) {
    for (const char* side : {"1e12", "-640", "0", "4294967936", "\"1e12px\"", "\"px\""}) {
        const std::string line =
            R"({"image_url": "AmlDatastore://ds/a.jpg", "label": [], "image_details": )"
            R"({"format": "jpg", "height": 480, "width": )" +
            std::string(side) + "}}\n";
        EXPECT_EQ(OnlyRecordSize(ParseJsonl({{"labels.jsonl", line}})), std::nullopt) << side;
    }
    const std::string fine =
        R"({"image_url": "AmlDatastore://ds/a.jpg", "label": [], "image_details": )"
        R"({"format": "jpg", "height": "480px", "width": "640px"}})"
        "\n";
    EXPECT_EQ(OnlyRecordSize(ParseJsonl({{"labels.jsonl", fine}})), std::pair(640, 480));
}

TEST(StatedSizeTest, SegmentAnythingSizesDoNotWrap) {
    // 2^32 + 640 would wrap to 640 and match the image: refused instead.
    const std::string doc =
        R"({"image": {"file_name": "a.jpg", "width": 4294967936, "height": 480},)"
        R"( "annotations": []})";
    auto parsed = ParseSegmentAnything({{"a.json", doc}}, "thing");
    ASSERT_TRUE(parsed.ok());
    EXPECT_TRUE(parsed->records.empty());
    ASSERT_EQ(parsed->errors.size(), 1u);
    EXPECT_NE(parsed->errors[0].message.find("width and height"), std::string::npos);
}

TEST(StatedSizeTest, AbsurdEllipseRadiiGiveABoundedRing) {
    for (double r : {1e20, 1e300, 3e8}) {
        const Ring ring = EllipseRing(0, 0, r, r);
        EXPECT_GE(ring.size(), 12u) << r;
        EXPECT_LE(ring.size(), 4096u) << r;
    }
}

}  // namespace
}  // namespace tessera
