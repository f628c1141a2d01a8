#include "blobs/dicom_probe.hpp"

#include "blobs/dicom_image.hpp"

namespace tessera::blobs_internal {

Result<ImageInfo> ProbeDicom(const SourceFile& file, ImageInfo info) {
    if (info.size_bytes == 0) {
        return Error::InvalidArgument("file is empty");
    }
    TESSERA_ASSIGN_OR_RETURN(DicomInfo dicom, ReadDicomInfo(file));
    info.format = "dicom";
    info.width = dicom.columns;
    info.height = dicom.rows;
    return info;
}

}  // namespace tessera::blobs_internal
