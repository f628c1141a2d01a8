#include "blobs/image_probe.hpp"

#include <vips/vips8>

#include <system_error>

#include "blobs/image_format.hpp"

namespace tessera {
namespace {

using blobs_internal::TakeVipsError;

Result<ImageInfo> ReadHeader(const std::filesystem::path& path, ImageInfo info) {
    try {
        // Sequential access: vips reads the header now and would stream pixels only on demand.
        vips::VImage image = vips::VImage::new_from_file(
            path.c_str(), vips::VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL));
        info.width = image.width();
        info.height = image.height();
        if (vips_image_get_orientation_swap(image.get_image())) {
            std::swap(info.width, info.height);
        }
    } catch (const vips::VError& e) {
        TakeVipsError();
        return Error::InvalidArgument("cannot read image header: " +
                                      blobs_internal::OneLine(e.what()));
    }
    if (info.width <= 0 || info.height <= 0) {
        return Error::InvalidArgument("image header has no size");
    }
    return info;
}

}  // namespace

Result<ImageInfo> VipsImageProber::Probe(const std::filesystem::path& path) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        return Error::InvalidArgument("cannot read file: " + ec.message());
    }
    ImageInfo info;
    info.size_bytes = static_cast<std::int64_t>(size);
    if (blobs_internal::HasDicomExtension(path)) {
        return Error::FailedPrecondition("DICOM support arrives with a later issue");
    }
    if (size == 0) {
        return Error::InvalidArgument("file is empty");
    }
    TESSERA_ASSIGN_OR_RETURN(info.format, blobs_internal::SniffFormat(path));
    return ReadHeader(path, std::move(info));
}

}  // namespace tessera
