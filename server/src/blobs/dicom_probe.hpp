#pragma once
// The ingest probe of .dcm / .dicom files: size from the DICOM header (up to the pixel data),
// refusing transfer syntaxes that are not decoded and sizes over the limits (dicom_image.hpp).
#include "base/result.hpp"
#include "blobs/image_probe.hpp"
#include "blobs/source_file.hpp"

namespace tessera::blobs_internal {

// `info` carries the file's size; format becomes "dicom". kInvalidArgument with the reason.
Result<ImageInfo> ProbeDicom(const SourceFile& file, ImageInfo info);

}  // namespace tessera::blobs_internal
