#include "ml/object_outline.hpp"

#include <algorithm>
#include <opencv2/imgproc.hpp>

namespace tessera::ml {

namespace {

constexpr int kMinSide = 4;
constexpr double kMinObjectShare = 0.02;

cv::Rect Clamped(PixelBox box, int width, int height) {
    const int x0 = std::clamp(box.x, 0, width);
    const int y0 = std::clamp(box.y, 0, height);
    const int x1 = std::clamp(box.x + box.width, 0, width);
    const int y1 = std::clamp(box.y + box.height, 0, height);
    return {x0, y0, x1 - x0, y1 - y0};
}

// The box with a margin of background around it for GrabCut's background model: a tenth of
// the box's size, at least 8 pixels, within the image.
cv::Rect WithMargin(const cv::Rect& box, int width, int height) {
    const int mx = std::max(8, box.width / 10);
    const int my = std::max(8, box.height / 10);
    const int x0 = std::max(0, box.x - mx);
    const int y0 = std::max(0, box.y - my);
    const int x1 = std::min(width, box.x + box.width + mx);
    const int y1 = std::min(height, box.y + box.height + my);
    return {x0, y0, x1 - x0, y1 - y0};
}

std::vector<cv::Point> Simplified(const std::vector<cv::Point>& contour,
                                  const OutlineOptions& options) {
    const double length = cv::arcLength(contour, true);
    double epsilon = std::max(0.5, options.simplify_fraction * length);
    std::vector<cv::Point> out;
    for (int attempt = 0; attempt < 12; ++attempt) {
        cv::approxPolyDP(contour, out, epsilon, true);
        if (static_cast<int>(out.size()) <= options.max_vertices) {
            break;
        }
        epsilon *= 1.5;
    }
    return out;
}

}  // namespace

std::optional<std::vector<std::array<double, 2>>> OutlineObject(const RgbImage& image, PixelBox box,
                                                                const OutlineOptions& options) {
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 3) {
        return std::nullopt;
    }
    const cv::Rect object = Clamped(box, image.width, image.height);
    if (object.width < kMinSide || object.height < kMinSide) {
        return std::nullopt;
    }
    const cv::Rect region = WithMargin(object, image.width, image.height);
    // GrabCut only reads the pixels; OpenCV's Mat wants a non-const pointer.
    const cv::Mat whole(image.height, image.width, CV_8UC3,
                        const_cast<std::uint8_t*>(image.pixels.data()));  // NOLINT
    cv::Mat crop = whole(region).clone();
    cv::Mat mask(crop.size(), CV_8UC1, cv::Scalar(cv::GC_BGD));
    const cv::Rect inside(object.x - region.x, object.y - region.y, object.width, object.height);
    cv::Mat background;
    cv::Mat foreground;
    cv::theRNG().state = 0x5eed;  // GrabCut's k-means start: the same outline every time
    cv::grabCut(crop, mask, inside, background, foreground, options.iterations,
                cv::GC_INIT_WITH_RECT);
    cv::Mat kept = (mask == cv::GC_FGD) | (mask == cv::GC_PR_FGD);
    const cv::Mat round = cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5});
    cv::morphologyEx(kept, kept, cv::MORPH_OPEN, round);
    cv::morphologyEx(kept, kept, cv::MORPH_CLOSE, round);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(kept, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
    const auto largest = std::max_element(
        contours.begin(), contours.end(),
        [](const auto& a, const auto& b) { return cv::contourArea(a) < cv::contourArea(b); });
    if (largest == contours.end() || cv::contourArea(*largest) < kMinObjectShare * object.area()) {
        return std::nullopt;
    }
    const std::vector<cv::Point> ring = Simplified(*largest, options);
    if (ring.size() < 3) {
        return std::nullopt;
    }
    std::vector<std::array<double, 2>> out;
    out.reserve(ring.size());
    for (const cv::Point& p : ring) {
        out.push_back({static_cast<double>(p.x + region.x), static_cast<double>(p.y + region.y)});
    }
    return out;
}

}  // namespace tessera::ml
