#pragma once
// An RgbImage as an OpenCV matrix at a backbone's input size: what OnnxBackbone and
// HandcraftedBackbone both do first. Included only by those two (OpenCV stays inside `ml`'s
// backbones).
#include <cstddef>
#include <opencv2/core.hpp>

#include "base/result.hpp"
#include "ml/backbone.hpp"

namespace tessera::ml {

// `image` (the batch's `index`th, for the error) resized to `width` × `height`, 8-bit RGB.
// InvalidArgument when it is empty or its pixels do not match its size.
Result<cv::Mat> ResizedRgb(const RgbImage& image, std::size_t index, int width, int height);

}  // namespace tessera::ml
