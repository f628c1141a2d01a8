#include "ml/opencv_image.hpp"

#include <opencv2/imgproc.hpp>
#include <string>

namespace tessera::ml {

Result<cv::Mat> ResizedRgb(const RgbImage& image, std::size_t index, int width, int height) {
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() !=
            static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3) {
        return Error::InvalidArgument("image " + std::to_string(index) +
                                      " is empty or its pixels do not match its size");
    }
    const cv::Mat source(image.height, image.width, CV_8UC3,
                         const_cast<std::uint8_t*>(image.pixels.data()));
    cv::Mat sized;
    // INTER_AREA averages when shrinking (no aliasing from a photo's fine detail); bilinear when
    // a small image is enlarged.
    const bool shrinking = image.width > width || image.height > height;
    cv::resize(source, sized, cv::Size(width, height), 0, 0,
               shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    return sized;
}

}  // namespace tessera::ml
