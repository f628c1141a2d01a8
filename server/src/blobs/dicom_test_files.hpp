#pragma once
// Test helpers: DICOM files made at test time, with DCMTK's API (exact pixel values, multi-frame,
// palette colour, JPEG 2000 through OpenJPEG's encoder) and DCMTK's command-line tools
// (img2dcm, dcmcjpeg, dcmcjpls, dcmcrle, dcmconv) for the other transfer syntaxes. No DICOM
// file is committed.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tessera::testing {

struct DicomSpec {
    int rows = 4;
    int columns = 4;
    int frames = 1;
    int samples = 1;  // 1 (grey or palette indices) or 3 (RGB, interleaved)
    int bits = 16;    // bits allocated: 8 or 16; bits stored = bits
    bool is_signed = false;
    std::string photometric = "MONOCHROME2";
    // rows * columns * samples * frames values, frame after frame.
    std::vector<std::int32_t> values;
    std::optional<double> slope;
    std::optional<double> intercept;
    std::optional<std::pair<double, double>> window;  // centre, width
    std::string modality = "CT";
    std::string patient_name = "Doe^Jane";  // must never reach the API
    // PALETTE COLOR: 256 entries (16 bits each) of red, green, blue.
    std::vector<std::uint16_t> red;
    std::vector<std::uint16_t> green;
    std::vector<std::uint16_t> blue;
};

// A gradient of `rows` x `columns` from `low` to `high` (rounded), repeated per frame.
std::vector<std::int32_t> Gradient(int rows, int columns, int low, int high);

// Writes explicit VR little endian (uncompressed). Fails the test on error.
void WriteDicom(const std::filesystem::path& path, const DicomSpec& spec);
// Writes JPEG 2000 (lossless: 1.2.840.10008.1.2.4.90, else .91), one fragment per frame,
// encoded with OpenJPEG.
void WriteJpeg2000Dicom(const std::filesystem::path& path, const DicomSpec& spec, bool lossless);
// Writes an uncompressed dataset whose meta header states `transfer_syntax_uid` (a refusal).
void WriteDicomClaiming(const std::filesystem::path& path, const DicomSpec& spec,
                        const std::string& transfer_syntax_uid);
// Runs a DCMTK tool: `tool` with `options`, then `in` and `out` (quoted). Fails the test when
// it exits non-zero.
void RunDcmtkTool(const std::string& tool, const std::string& options,
                  const std::filesystem::path& in, const std::filesystem::path& out);

}  // namespace tessera::testing
