#include "blobs/image_renderer.hpp"

#include <vips/vips8>

#include <cstdint>
#include <system_error>

#include "blobs/cache_keys.hpp"
#include "blobs/image_format.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using blobs_internal::OneLine;

using blobs_internal::TempSuffix;
using blobs_internal::ToDisplayable;

}  // namespace

ImageRenderer::ImageRenderer(fs::path cache_dir) : cache_dir_(std::move(cache_dir)) {}

fs::path ImageRenderer::CachePath(const SourceFile& source, const RenditionSpec& spec,
                                  const CacheKey& key) const {
    std::string spec_text = std::to_string(spec.max_side) + "q" + std::to_string(spec.quality);
    std::string name = blobs_internal::VersionedName(source, key.name, spec_text);
    return blobs_internal::ShardDir(cache_dir_, key) / (name + ".jpg");
}

Result<fs::path> ImageRenderer::Render(const SourceRef& source, RenditionSpec spec,
                                       const CacheKey& key) {
    TESSERA_TRY(blobs_internal::CheckKey(key));
    if (spec.max_side < 1 || spec.quality < 1 || spec.quality > 100) {
        return Error::InvalidArgument("bad rendition size or quality");
    }
    if (blobs_internal::HasDicomExtension(source.path)) {
        return Error::FailedPrecondition("DICOM support arrives with a later issue");
    }
    TESSERA_ASSIGN_OR_RETURN(SourceFile file, SourceFile::Open(source));
    fs::path target = CachePath(file, spec, key);
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
    Status rendered = RenderTo(file, spec, target);
    {
        std::lock_guard lock(mu_);
        in_flight_.erase(target.string());
    }
    done_.notify_all();
    TESSERA_TRY(rendered);
    return target;
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
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) {
        return Error::Internal("cannot create image cache folder: " + ec.message());
    }
    fs::path temp = target;
    temp += TempSuffix();
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
        fs::remove(temp, ec);
        return Error::FailedPrecondition("cannot decode image: " + OneLine(e.what()));
    }
    fs::rename(temp, target, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        return Error::Internal("cannot store rendition: " + ec.message());
    }
    return Status::Ok();
}

}  // namespace tessera
