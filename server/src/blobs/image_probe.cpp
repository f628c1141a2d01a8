#include "blobs/image_probe.hpp"

#include <vips/vips8>

#include "blobs/dicom_probe.hpp"
#include "blobs/image_format.hpp"

namespace tessera {
namespace {

using blobs_internal::TakeVipsError;

Result<ImageInfo> ReadHeader(const SourceFile& file, ImageInfo info) {
    TESSERA_ASSIGN_OR_RETURN(auto input, blobs_internal::VipsInput::From(file, info.format));
    try {
        // Sequential access: vips reads the header now and would stream pixels only on demand.
        vips::VImage image =
            input.Load(vips::VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL));
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

Result<ImageInfo> VipsImageProber::Probe(const SourceRef& source) {
    auto file = SourceFile::Open(source);
    if (!file.ok()) {
        return Error::InvalidArgument("cannot read file: " + file.error().message);
    }
    ImageInfo info;
    info.size_bytes = file->size();
    if (blobs_internal::HasDicomExtension(source.path)) {
        return blobs_internal::ProbeDicom(*file, std::move(info));
    }
    if (info.size_bytes == 0) {
        return Error::InvalidArgument("file is empty");
    }
    TESSERA_ASSIGN_OR_RETURN(info.format, blobs_internal::SniffFormat(*file));
    return ReadHeader(*file, std::move(info));
}

}  // namespace tessera
