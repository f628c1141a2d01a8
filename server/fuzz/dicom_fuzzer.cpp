// DICOM files (blobs/dicom_image.hpp): the parser, every codec DCMTK registers, OpenJPEG for
// JPEG 2000 frames and the rendering. The bytes are one file; each run renders its first frame
// with the default window, then its second frame with a window of its own.
#include "blobs/dicom_image.hpp"
#include "targets.hpp"

namespace tessera::fuzz {

void FuzzDicom(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    (void)RenderDicomBytes(bytes, DicomView{});
    (void)RenderDicomBytes(bytes, DicomView{1, DicomWindow{40, 400}});
}

}  // namespace tessera::fuzz
