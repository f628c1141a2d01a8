#include "blobs/model_input.hpp"

#include <vips/vips8>

#include "blobs/image_format.hpp"

namespace tessera {

namespace {
constexpr int kMaxModelSide = 4096;
}  // namespace

Result<RgbPixels> DecodeForModel(const SourceFile& file, int width, int height) {
    if (width < 1 || height < 1 || width > kMaxModelSide || height > kMaxModelSide) {
        return Error::InvalidArgument("a model input size must be 1 to 4096 pixels a side");
    }
    auto format = blobs_internal::SniffFormat(file);
    if (!format.ok()) {
        return Error::FailedPrecondition(format.error().message);
    }
    auto input = blobs_internal::VipsInput::From(file, *format);
    if (!input.ok()) {
        return blobs_internal::AsUndecodable(input.error());
    }
    try {
        // FORCE: both sides exactly as asked, the aspect ratio not kept. A CNN backbone takes
        // the whole picture squashed rather than a centre crop that could cut an object off.
        vips::VImage image = input->Thumbnail(
            width, vips::VImage::option()->set("height", height)->set("size", VIPS_SIZE_FORCE));
        image = blobs_internal::ToDisplayable(image);
        if (image.bands() == 1) {
            // Grey to RGB by copying the band: exact, where a colourspace round trip through
            // Lab moves values by one.
            image = vips::VImage::bandjoin(std::vector<vips::VImage>{image, image, image});
        }
        if (image.bands() != 3 || image.width() != width || image.height() != height) {
            return Error::FailedPrecondition("cannot decode image: unexpected bands or size");
        }
        std::size_t size = 0;
        void* memory = image.write_to_memory(&size);
        const auto* bytes = static_cast<const std::uint8_t*>(memory);
        RgbPixels out{width, height, std::vector<std::uint8_t>(bytes, bytes + size)};
        g_free(memory);
        return out;
    } catch (const vips::VError& e) {
        blobs_internal::TakeVipsError();
        return Error::FailedPrecondition("cannot decode image: " +
                                         blobs_internal::OneLine(e.what()));
    }
}

}  // namespace tessera
