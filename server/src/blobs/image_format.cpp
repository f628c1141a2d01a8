#include "blobs/image_format.hpp"

#include <vips/vips8>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <fstream>
#include <string_view>
#include <utility>

namespace tessera::blobs_internal {
namespace {

// vips_foreign_find_load names the loader class, e.g. "VipsForeignLoadJpegFile".
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kLoaders{{
    {"VipsForeignLoadJpeg", "jpeg"},
    {"VipsForeignLoadPng", "png"},
    {"VipsForeignLoadTiff", "tiff"},
}};
constexpr std::string_view kMagickLoader = "VipsForeignLoadMagick";

bool StartsWithBmpMagic(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    char magic[2] = {};
    in.read(magic, 2);
    return in.gcount() == 2 && magic[0] == 'B' && magic[1] == 'M';
}

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace

std::string TakeVipsError() {
    std::string text = vips_error_buffer();
    vips_error_clear();
    return OneLine(std::move(text));
}

std::string OneLine(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

Result<std::string> SniffFormat(const std::filesystem::path& path) {
    const char* loader = vips_foreign_find_load(path.c_str());
    if (loader == nullptr) {
        std::string reason = TakeVipsError();
        return Error::InvalidArgument("not a readable image" +
                                      (reason.empty() ? std::string() : ": " + reason));
    }
    std::string_view name = loader;
    for (const auto& [prefix, format] : kLoaders) {
        if (name.starts_with(prefix)) {
            return std::string(format);
        }
    }
    if (name.starts_with(kMagickLoader) && StartsWithBmpMagic(path)) {
        return std::string("bmp");
    }
    return Error::InvalidArgument("unsupported image format (" + std::string(name) +
                                  "); accepted: JPEG, PNG, TIFF, BMP");
}

bool HasDicomExtension(const std::filesystem::path& path) {
    std::string ext = Lower(path.extension().string());
    return ext == ".dcm" || ext == ".dicom";
}

vips::VImage ToDisplayable(vips::VImage image) {
    if (image.has_alpha()) {
        image = image.flatten(vips::VImage::option()->set("background", 255.0));
    }
    VipsInterpretation interp = image.interpretation();
    if (interp == VIPS_INTERPRETATION_GREY16 || interp == VIPS_INTERPRETATION_B_W) {
        image = image.colourspace(VIPS_INTERPRETATION_B_W);
    } else if (interp != VIPS_INTERPRETATION_sRGB || image.bands() != 3) {
        image = image.colourspace(VIPS_INTERPRETATION_sRGB);
    }
    if (image.format() != VIPS_FORMAT_UCHAR) {
        image = image.cast(VIPS_FORMAT_UCHAR);
    }
    return image;
}

}  // namespace tessera::blobs_internal
