#include "blobs/image_format.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <vips/vips8>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <memory>
#include <optional>
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

std::uint32_t LittleEndian(std::string_view bytes, std::size_t at, std::size_t width) {
    std::uint32_t value = 0;
    for (std::size_t i = width; i-- > 0;) {
        value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
    }
    return value;
}

// The pixels a BMP's header states: the file header (14 bytes), then the DIB header's size
// and, for the OS/2 1.x header of 12 bytes, 16-bit width and height, for every later one signed
// 32-bit (a negative height is a top-down image). Unknown when the header is cut short: the
// decoder judges that file.
std::optional<std::pair<std::int64_t, std::int64_t>> BmpStatedSize(std::string_view header) {
    constexpr std::size_t kHeaderBytes = 26;
    if (header.size() < kHeaderBytes) {
        return std::nullopt;
    }
    if (LittleEndian(header, 14, 4) == 12) {
        return std::pair<std::int64_t, std::int64_t>{LittleEndian(header, 18, 2),
                                                     LittleEndian(header, 20, 2)};
    }
    auto side = [&](std::size_t at) {
        const auto value =
            static_cast<std::int64_t>(static_cast<std::int32_t>(LittleEndian(header, at, 4)));
        return value < 0 ? -value : value;
    };
    return std::pair{side(18), side(22)};
}

// A BMP is read and decoded whole: its stated size and its file are checked first.
Status CheckBmpLimits(const SourceFile& file) {
    if (auto size = BmpStatedSize(file.ReadPrefix(26));
        size && size->first * size->second > kMaxBmpPixels) {
        return Error::InvalidArgument(
            "BMP of " + std::to_string(size->first) + " x " + std::to_string(size->second) +
            " pixels is over the limit of " + std::to_string(kMaxBmpPixels) +
            " pixels a BMP (decoded whole in memory); convert it to PNG or TIFF");
    }
    if (file.size() > kMaxBmpBytes) {
        constexpr std::int64_t kMiB = std::int64_t{1} << 20;
        return Error::InvalidArgument(
            "BMP file of " + std::to_string((file.size() + kMiB - 1) / kMiB) +
            " MiB is over the limit of " + std::to_string(kMaxBmpBytes / kMiB) +
            " MiB a BMP (read whole in memory); convert it to PNG or TIFF");
    }
    return Status::Ok();
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
        TESSERA_TRY(CheckBmpLimits(file));
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

Error AsUndecodable(Error error) {
    if (error.code == ErrorCode::kInvalidArgument) {
        error.code = ErrorCode::kFailedPrecondition;
    }
    return error;
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
