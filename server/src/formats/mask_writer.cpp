#include "formats/mask_writer.hpp"

#include <algorithm>

namespace tessera {

std::vector<Rgb> VocPalette(std::size_t entries) {
    std::vector<Rgb> palette(entries);
    for (std::size_t i = 0; i < entries; ++i) {
        std::size_t c = i;
        int r = 0;
        int g = 0;
        int b = 0;
        for (int bit = 7; bit >= 0; --bit) {
            r |= static_cast<int>(c & 1) << bit;
            g |= static_cast<int>((c >> 1) & 1) << bit;
            b |= static_cast<int>((c >> 2) & 1) << bit;
            c >>= 3;
        }
        palette[i] = {static_cast<std::uint8_t>(r), static_cast<std::uint8_t>(g),
                      static_cast<std::uint8_t>(b)};
    }
    return palette;
}

std::string LabelMapText(const ExportCategories& categories) {
    std::vector<Rgb> palette = VocPalette(std::min(categories.names.size(), kMaxMaskClasses) + 1);
    std::string text = "# label:color_rgb:parts:actions\n";
    auto line = [&](const std::string& name, const Rgb& c) {
        text += name + ":" + std::to_string(c.r) + "," + std::to_string(c.g) + "," +
                std::to_string(c.b) + "::\n";
    };
    line("background", palette[0]);
    for (std::size_t i = 0; i < categories.names.size() && i < kMaxMaskClasses; ++i) {
        line(categories.names[i], palette[i + 1]);
    }
    return text;
}

std::string MaskEntryName(const ExportImage& image) {
    return "SegmentationClass/" + PathStem(image.file_name) + ".png";
}

Status WriteMaskPng(const ExportImage& image, const ExportCategories& categories, ByteSink& out) {
    if (categories.names.size() > kMaxMaskClasses) {
        return Error::FailedPrecondition("an 8-bit mask holds at most 255 labels");
    }
    if (image.width <= 0 || image.height <= 0) {
        return Error::Internal("image " + image.file_name + " has no known size");
    }
    struct ClassSpan {
        RowSpan span;
        std::uint8_t value = 0;
    };
    std::vector<ClassSpan> spans;
    for (const Shape& shape : image.shapes) {
        const MaskRle* mask = std::get_if<MaskRle>(&shape.geometry);
        if (mask == nullptr) {
            return Error::Internal("image " + image.file_name +
                                   " holds a box or polygon in a mask export");
        }
        int index = categories.IndexOf(shape.label);
        if (index < 0) {
            return Error::Internal("image " + image.file_name + " has a mask labeled '" +
                                   shape.label + "', which is not a project label");
        }
        TESSERA_ASSIGN_OR_RETURN(std::vector<RowSpan> rows,
                                 MaskRowSpans(*mask, image.width, image.height));
        for (const RowSpan& r : rows) {
            spans.push_back({r, static_cast<std::uint8_t>(index + 1)});
        }
    }
    std::sort(spans.begin(), spans.end(), [](const ClassSpan& a, const ClassSpan& b) {
        return a.span.y != b.span.y ? a.span.y < b.span.y : a.span.x0 < b.span.x0;
    });
    IndexedPngWriter png(out, image.width, image.height, VocPalette(categories.names.size() + 1));
    TESSERA_TRY(png.Begin());
    std::vector<std::uint8_t> row(static_cast<std::size_t>(image.width));
    std::size_t next = 0;
    for (int y = 0; y < image.height; ++y) {
        std::fill(row.begin(), row.end(), 0);
        // Masks of different labels never overlap (shapes.hpp); if they did, the later wins.
        for (; next < spans.size() && spans[next].span.y == y; ++next) {
            const ClassSpan& s = spans[next];
            std::fill(row.begin() + s.span.x0, row.begin() + s.span.x1, s.value);
        }
        TESSERA_TRY(png.WriteRow(row));
    }
    return png.Finish();
}

}  // namespace tessera
