#include "blobs/image_renderer.hpp"

#include <vips/vips8>

#include <array>
#include <charconv>
#include <cstdint>
#include <functional>
#include <system_error>

#include "blobs/cache_keys.hpp"
#include "blobs/image_format.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using blobs_internal::OneLine;

using blobs_internal::TempSuffix;
using blobs_internal::ToDisplayable;

// A window value for a file name: fixed notation ([0-9.-] only), never an exponent.
std::string Decimal(double value) {
    std::array<char, 64> buf{};
    auto [end, ec] =
        std::to_chars(buf.data(), buf.data() + buf.size(), value, std::chars_format::fixed, 3);
    return ec == std::errc() ? std::string(buf.data(), end) : "x";
}

// Writes a rendition to a temporary file that is renamed into place, so no reader ever sees
// half an image. `write` makes the temporary file; its error is returned as it is.
Status StoreRendition(const fs::path& target, const std::function<Status(const fs::path&)>& write) {
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) {
        return Error::Internal("cannot create image cache folder: " + ec.message());
    }
    fs::path temp = target;
    temp += TempSuffix();
    Status written = write(temp);
    if (!written.ok()) {
        fs::remove(temp, ec);
        return written;
    }
    fs::rename(temp, target, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        return Error::Internal("cannot store rendition: " + ec.message());
    }
    return Status::Ok();
}

}  // namespace

ImageRenderer::ImageRenderer(fs::path cache_dir) : cache_dir_(std::move(cache_dir)) {}

fs::path ImageRenderer::CachePath(const SourceFile& source, const RenditionSpec& spec,
                                  const CacheKey& key, bool dicom) const {
    std::string spec_text = std::to_string(spec.max_side) + "q" + std::to_string(spec.quality);
    if (dicom) {
        spec_text += "f" + std::to_string(spec.dicom.frame);
        if (spec.dicom.window) {
            spec_text +=
                "w" + Decimal(spec.dicom.window->center) + "_" + Decimal(spec.dicom.window->width);
        }
    }
    std::string name = blobs_internal::VersionedName(source, key.name, spec_text);
    return blobs_internal::ShardDir(cache_dir_, key) / (name + (dicom ? ".png" : ".jpg"));
}

Result<fs::path> ImageRenderer::Render(const SourceRef& source, RenditionSpec spec,
                                       const CacheKey& key) {
    TESSERA_TRY(blobs_internal::CheckKey(key));
    if (spec.max_side < 1 || spec.quality < 1 || spec.quality > 100) {
        return Error::InvalidArgument("bad rendition size or quality");
    }
    const bool dicom = blobs_internal::HasDicomExtension(source.path);
    if (!dicom && (spec.dicom.frame != 0 || spec.dicom.window)) {
        return Error::InvalidArgument("frame and window apply to DICOM images only");
    }
    TESSERA_ASSIGN_OR_RETURN(SourceFile file, SourceFile::Open(source));
    fs::path target = CachePath(file, spec, key, dicom);
    std::error_code ec;
    if (fs::exists(target, ec)) {
        return target;
    }
    {
        std::unique_lock lock(mu_);
        done_.wait(lock, [&] { return in_flight_.count(target.string()) == 0; });
        if (fs::exists(target, ec)) {
            return target;
        }
        in_flight_.insert(target.string());
    }
    Status rendered = dicom ? RenderDicomTo(file, spec, target) : RenderTo(file, spec, target);
    {
        std::lock_guard lock(mu_);
        in_flight_.erase(target.string());
    }
    done_.notify_all();
    TESSERA_TRY(rendered);
    if (spec.dicom.window) {
        KeepWindowRendition(target);
    }
    return target;
}

void ImageRenderer::KeepWindowRendition(const fs::path& path) {
    std::lock_guard lock(mu_);
    window_renditions_.push_back(path);
    while (window_renditions_.size() > kMaxWindowRenditions) {
        std::error_code ec;
        fs::remove(window_renditions_.front(), ec);  // a client may still be reading it: fine
        window_renditions_.pop_front();
    }
}

Status ImageRenderer::RenderDicomTo(const SourceFile& source, const RenditionSpec& spec,
                                    const fs::path& target) {
    TESSERA_ASSIGN_OR_RETURN(DicomRaster raster, RenderDicom(source, spec.dicom));
    return StoreRendition(target, [&](const fs::path& temp) -> Status {
        try {
            // Not copied: raster outlives every image made from it here.
            vips::VImage image = vips::VImage::new_from_memory(
                raster.pixels.data(), raster.pixels.size(), raster.width, raster.height,
                raster.bands, VIPS_FORMAT_UCHAR);
            image = image.copy(vips::VImage::option()->set(
                "interpretation",
                raster.bands == 1 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB));
            image = image.thumbnail_image(
                spec.max_side,
                vips::VImage::option()->set("height", spec.max_side)->set("size", VIPS_SIZE_DOWN));
            image.pngsave(temp.c_str(), vips::VImage::option()->set("strip", true));
        } catch (const vips::VError& e) {
            blobs_internal::TakeVipsError();
            return Error::Internal("cannot write DICOM rendition: " + OneLine(e.what()));
        }
        return Status::Ok();
    });
}

Result<std::uintmax_t> ImageRenderer::RemoveGroup(const std::string& group) {
    return blobs_internal::RemoveGroup(cache_dir_, group);
}

Status ImageRenderer::RenderTo(const SourceFile& source, const RenditionSpec& spec,
                               const fs::path& target) {
    auto format = blobs_internal::SniffFormat(source);
    if (!format.ok()) {
        return Error::FailedPrecondition(format.error().message);
    }
    auto input = blobs_internal::VipsInput::From(source, *format);
    if (!input.ok()) {
        return blobs_internal::AsUndecodable(input.error());
    }
    return StoreRendition(target, [&](const fs::path& temp) -> Status {
        try {
            // thumbnail applies EXIF orientation and shrinks while decoding (JPEG DCT scaling,
            // pyramid levels), so a 100-megapixel source costs little.
            vips::VImage image = input->Thumbnail(
                spec.max_side,
                vips::VImage::option()->set("height", spec.max_side)->set("size", VIPS_SIZE_DOWN));
            ToDisplayable(image).jpegsave(
                temp.c_str(), vips::VImage::option()->set("Q", spec.quality)->set("strip", true));
        } catch (const vips::VError& e) {
            blobs_internal::TakeVipsError();
            return Error::FailedPrecondition("cannot decode image: " + OneLine(e.what()));
        }
        return Status::Ok();
    });
}

}  // namespace tessera
