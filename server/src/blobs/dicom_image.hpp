#pragma once
// DICOM images (.dcm, .dicom) decoded with DCMTK, JPEG 2000 frames with OpenJPEG. Reads go
// through an opened SourceFile's descriptor (or bytes in memory), never a file name.
//
// Covered: uncompressed little and big endian, explicit and implicit VR, deflated; JPEG
// baseline, extended and lossless; JPEG-LS; RLE; JPEG 2000 (lossless and lossy). Photometric
// interpretations MONOCHROME1/2, RGB, YBR_* and PALETTE COLOR, rendered as 8-bit grey or RGB.
// Any other transfer syntax is refused naming its UID and name.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "blobs/source_file.hpp"

namespace tessera {

// Decoding limits, checked against the header before pixel data is read or decoded. A frame of
// 8,192 x 8,192 covers digital mammography and radiography; 2^31 samples in all covers a
// 512 x 512 CT series of several thousand slices. The file limit bounds the pixel data DCMTK
// keeps in memory while decoding one frame.
inline constexpr std::int64_t kMaxDicomFramePixels = std::int64_t{1} << 26;
inline constexpr std::int64_t kMaxDicomSamples = std::int64_t{1} << 31;
inline constexpr std::int64_t kMaxDicomFileBytes = std::int64_t{2} << 30;

struct DicomWindow {
    double center = 0;
    double width = 1;  // > 0
};

// What the window/level tool starts from: the file's first Window Center/Width pair, its first
// VOI LUT, or the frame's minimum and maximum (after rescale).
enum class DicomWindowSource { kFile, kVoiLut, kMinMax, kNone };
const char* DicomWindowSourceName(DicomWindowSource source);

struct DicomInfo {
    int rows = 0;
    int columns = 0;
    int frames = 1;
    int samples_per_pixel = 1;
    int bits_allocated = 0;
    int bits_stored = 0;
    bool is_signed = false;
    std::string photometric;  // e.g. "MONOCHROME2"
    std::string transfer_syntax_uid;
    std::string transfer_syntax_name;
    std::string modality;
    std::string study_description;
    std::string series_description;
    std::optional<std::pair<double, double>> pixel_spacing;  // row, column spacing in mm
    double rescale_slope = 1;
    double rescale_intercept = 0;
    std::string rescale_type;  // e.g. "HU"; "" when absent
    // Filled by ReadDicomMetadata (which decodes the first frame); by ReadDicomInfo only from
    // the file's Window Center/Width.
    std::optional<DicomWindow> default_window;
    DicomWindowSource window_source = DicomWindowSource::kNone;

    bool IsMonochrome() const { return photometric.starts_with("MONOCHROME"); }
};

// One rendered frame: 8-bit grey (bands 1) or RGB (bands 3), rows top to bottom.
struct DicomRaster {
    int width = 0;
    int height = 0;
    int bands = 1;
    std::vector<std::uint8_t> pixels;  // width * height * bands
};

struct DicomView {
    int frame = 0;                      // 0-based
    std::optional<DicomWindow> window;  // monochrome only; default window when absent
};

// The header up to the pixel data: size, frames, transfer syntax, descriptive tags.
// kInvalidArgument (with the reason) for a corrupt file, a transfer syntax that is not decoded
// (naming it) or a size over the limits.
Result<DicomInfo> ReadDicomInfo(const SourceFile& file);
// As ReadDicomInfo, plus the default window as rendering applies it (decodes the first frame
// of a monochrome image when the file states no window). kFailedPrecondition when the pixel
// data cannot be decoded.
Result<DicomInfo> ReadDicomMetadata(const SourceFile& file);
// Renders one frame. kInvalidArgument for a frame out of range or a window on a colour image;
// kFailedPrecondition (with the reason) when the file cannot be decoded.
Result<DicomRaster> RenderDicom(const SourceFile& file, const DicomView& view);
// The same over bytes in memory (the fuzz target; tests).
Result<DicomRaster> RenderDicomBytes(std::string_view bytes, const DicomView& view);

// .dcm / .dicom, any case: the names ingest treats as DICOM.
bool IsDicomPath(const std::filesystem::path& path);

// True when the bytes start like a DICOM Part 10 file ("DICM" after the 128-byte preamble).
bool LooksLikeDicom(std::string_view prefix);

}  // namespace tessera
