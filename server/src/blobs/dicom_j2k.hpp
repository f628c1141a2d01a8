#pragma once
// JPEG 2000 frames of DICOM files (transfer syntaxes 1.2.840.10008.1.2.4.90 and .91), which
// DCMTK's free codecs do not decode: the frame's fragments are decoded with OpenJPEG into a
// native (uncompressed) single-frame dataset that DCMTK then renders. Internal to blobs.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>

#include <memory>

#include "base/result.hpp"

namespace tessera::blobs_internal {

// `dataset` holds encapsulated JPEG 2000 pixel data of `frames` frames, whose stated rows,
// columns and samples were checked against the limits. kFailedPrecondition (with OpenJPEG's
// reason) when the frame cannot be decoded or does not match the stated size.
Result<std::unique_ptr<DcmDataset>> DecodeJpeg2000Frame(DcmDataset& dataset, int frame, int frames);

}  // namespace tessera::blobs_internal
