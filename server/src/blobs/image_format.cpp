#include "blobs/image_format.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <vips/vips8>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

#include "base/text.hpp"

namespace tessera::blobs_internal {
namespace {

// vips_foreign_find_load names the loader class, e.g. "VipsForeignLoadJpegFile".
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kLoaders{{
    {"VipsForeignLoadJpeg", "jpeg"},
    {"VipsForeignLoadPng", "png"},
    {"VipsForeignLoadTiff", "tiff"},
}};

bool StartsWithBmpMagic(const SourceFile& file) {
    return file.ReadPrefix(2) == "BM";
}

// A fresh libvips source over the opened file. Reopening /proc/self/fd/N gives the same file
// (never a name looked up again) with its own read offset, so sources made one after another
// (sniffing, then loading) cannot disturb each other's position. libvips keeps a duplicate of
// the descriptor it gets.
vips::VSource SourceOf(int fd) {
    std::string self = "/proc/self/fd/" + std::to_string(fd);
    int own = ::open(self.c_str(), O_RDONLY | O_CLOEXEC);
    if (own < 0) {
        return vips::VSource::new_from_descriptor(fd);
    }
    try {
        vips::VSource source = vips::VSource::new_from_descriptor(own);
        ::close(own);
        return source;
    } catch (...) {
        ::close(own);
        throw;
    }
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

Result<std::string> SniffFormat(const SourceFile& file) {
    // ImageMagick, our only BMP reader, has no descriptor loader here: judge BMP by its magic
    // and let the decoder refuse a fake.
    if (StartsWithBmpMagic(file)) {
        return std::string("bmp");
    }
    const char* loader = nullptr;
    try {
        vips::VSource source = SourceOf(file.fd());
        loader = vips_foreign_find_load_source(source.get_source());
    } catch (const vips::VError&) {
        loader = nullptr;
    }
    if (loader == nullptr) {
        TakeVipsError();
        return Error::InvalidArgument("not a readable image (accepted: JPEG, PNG, TIFF, BMP)");
    }
    std::string_view name = loader;
    for (const auto& [prefix, format] : kLoaders) {
        if (name.starts_with(prefix)) {
            return std::string(format);
        }
    }
    return Error::InvalidArgument("unsupported image format (" + std::string(name) +
                                  "); accepted: JPEG, PNG, TIFF, BMP");
}

Result<VipsInput> VipsInput::From(const SourceFile& file, const std::string& format) {
    VipsInput input;
    input.fd_ = file.fd();
    if (format == "bmp") {
        TESSERA_ASSIGN_OR_RETURN(input.bytes_, file.ReadAll());
        input.from_bytes_ = true;
    }
    return input;
}

vips::VImage VipsInput::Load(vips::VOption* options) const {
    if (from_bytes_) {
        return vips::VImage::new_from_buffer(bytes_.data(), bytes_.size(), "", options);
    }
    return vips::VImage::new_from_source(SourceOf(fd_), "", options);
}

vips::VImage VipsInput::Thumbnail(int width, vips::VOption* options) const {
    if (from_bytes_) {
        // Not copied: bytes_ outlives the images made from it.
        std::unique_ptr<VipsBlob, void (*)(VipsBlob*)> blob(
            vips_blob_new(nullptr, bytes_.data(), bytes_.size()),
            [](VipsBlob* b) { vips_area_unref(VIPS_AREA(b)); });
        return vips::VImage::thumbnail_buffer(blob.get(), width, options);
    }
    return vips::VImage::thumbnail_source(SourceOf(fd_), width, options);
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
