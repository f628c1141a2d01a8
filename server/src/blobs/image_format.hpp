#pragma once
// Which of our accepted formats a file holds, judged by its content (never by its name alone).
// Internal to blobs: shared by the prober and the renderer.
#include <filesystem>
#include <string>
#include <vips/vips8>

#include "base/result.hpp"

namespace tessera::blobs_internal {

// "jpeg", "png", "tiff" or "bmp". kInvalidArgument with a reason for anything else.
Result<std::string> SniffFormat(const std::filesystem::path& path);

// .dcm / .dicom (any case): recognised, but not decoded yet.
bool HasDicomExtension(const std::filesystem::path& path);

// The pending libvips error text (thread-local in vips), cleared; "" when none.
std::string TakeVipsError();
// A libvips message on one line without trailing whitespace.
std::string OneLine(std::string text);

// Browsers need 8-bit sRGB (or grey) without alpha. Every step is a point operation, so a
// sequential pipeline still streams. Shared by renditions and tile pyramids.
vips::VImage ToDisplayable(vips::VImage image);

}  // namespace tessera::blobs_internal
