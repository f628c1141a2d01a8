#include "ml/handcrafted_backbone.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <opencv2/core.hpp>

#include "ml/opencv_image.hpp"
#include "ml/unit_length.hpp"

namespace tessera::ml {

namespace {

// Sizes as std::size_t: they index arrays.
constexpr auto kSide = static_cast<std::size_t>(HandcraftedBackbone::kSide);
constexpr std::size_t kCell = 8;
constexpr std::size_t kCells = kSide / kCell;  // 4 a side
constexpr std::size_t kBlocks = kCells - 1;    // 3 a side: 2 × 2 cells, one cell apart
constexpr std::size_t kBins = 9;  // over 0–180°: a dark-on-light edge is a light-on-dark one
constexpr std::size_t kHogSize = kBlocks * kBlocks * 4 * kBins;  // 324
constexpr std::size_t kThumbSide = 16;
constexpr std::size_t kThumbSize = kThumbSide * kThumbSide;  // 256
constexpr std::size_t kColourLevels = 4;
static_assert(kHogSize + kThumbSize + kColourLevels * kColourLevels * kColourLevels ==
              HandcraftedBackbone::kDimensions);

using Grey = std::array<float, kSide * kSide>;

// The grey value at (x, y), edges repeated outward.
float At(const Grey& grey, std::ptrdiff_t x, std::ptrdiff_t y) {
    const auto last = static_cast<std::ptrdiff_t>(kSide) - 1;
    const auto cx = static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(x, 0, last));
    const auto cy = static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(y, 0, last));
    return grey[cy * kSide + cx];
}

// Dalal and Triggs' HOG: central differences, each pixel's gradient magnitude shared between
// the two nearest orientation bins of its cell, then each 2 × 2-cell block normalized, clipped
// at 0.2 and normalized again (L2-Hys), so lighting and contrast matter little.
void Hog(const Grey& grey, std::span<float> out) {
    std::array<float, kCells * kCells * kBins> cells{};
    for (std::size_t y = 0; y < kSide; ++y) {
        for (std::size_t x = 0; x < kSide; ++x) {
            const auto sx = static_cast<std::ptrdiff_t>(x);
            const auto sy = static_cast<std::ptrdiff_t>(y);
            const float gx = At(grey, sx + 1, sy) - At(grey, sx - 1, sy);
            const float gy = At(grey, sx, sy + 1) - At(grey, sx, sy - 1);
            const float magnitude = std::sqrt(gx * gx + gy * gy);
            if (magnitude <= 0) {
                continue;
            }
            float angle = std::atan2(gy, gx) * static_cast<float>(180 / std::numbers::pi);
            if (angle < 0) {
                angle += 180;
            }
            // Bin b is centred on (b + 0.5) · 20°; the share goes to the two nearest, wrapping.
            const float position = angle / (180.0F / static_cast<float>(kBins)) - 0.5F;
            const float low = std::floor(position);
            const float upper_share = position - low;
            const auto low_bin =
                static_cast<std::size_t>(static_cast<int>(low) + static_cast<int>(kBins)) % kBins;
            const std::size_t cell = (y / kCell) * kCells + x / kCell;
            cells[cell * kBins + low_bin] += magnitude * (1 - upper_share);
            cells[cell * kBins + (low_bin + 1) % kBins] += magnitude * upper_share;
        }
    }
    std::size_t at = 0;
    for (std::size_t by = 0; by < kBlocks; ++by) {
        for (std::size_t bx = 0; bx < kBlocks; ++bx) {
            const std::span<float> block = out.subspan(at, 4 * kBins);
            std::size_t k = 0;
            for (std::size_t cy = by; cy < by + 2; ++cy) {
                for (std::size_t cx = bx; cx < bx + 2; ++cx) {
                    for (std::size_t b = 0; b < kBins; ++b) {
                        block[k++] = cells[(cy * kCells + cx) * kBins + b];
                    }
                }
            }
            NormalizeL2(block);
            for (float& v : block) {
                v = std::min(v, 0.2F);
            }
            NormalizeL2(block);
            at += block.size();
        }
    }
}

void Thumbnail(const Grey& grey, std::span<float> out) {
    constexpr std::size_t kStep = kSide / kThumbSide;
    for (std::size_t y = 0; y < kThumbSide; ++y) {
        for (std::size_t x = 0; x < kThumbSide; ++x) {
            float sum = 0;
            for (std::size_t dy = 0; dy < kStep; ++dy) {
                for (std::size_t dx = 0; dx < kStep; ++dx) {
                    sum += grey[(y * kStep + dy) * kSide + x * kStep + dx];
                }
            }
            out[y * kThumbSide + x] = sum / static_cast<float>(kStep * kStep);
        }
    }
}

void ColourHistogram(const cv::Mat& rgb, std::span<float> out) {
    std::fill(out.begin(), out.end(), 0.0F);
    constexpr int kShift = 6;  // 256 / 4 levels
    for (int y = 0; y < rgb.rows; ++y) {
        const auto* row = rgb.ptr<std::uint8_t>(y);
        for (std::size_t x = 0; x < static_cast<std::size_t>(rgb.cols); ++x) {
            const std::size_t r = row[3 * x] >> kShift;
            const std::size_t g = row[3 * x + 1] >> kShift;
            const std::size_t b = row[3 * x + 2] >> kShift;
            out[(r * kColourLevels + g) * kColourLevels + b] += 1;
        }
    }
}

// The 32 × 32 RGB image's luma, in [0, 1].
Grey GreyOf(const cv::Mat& small) {
    Grey grey{};
    for (std::size_t y = 0; y < kSide; ++y) {
        const auto* row = small.ptr<std::uint8_t>(static_cast<int>(y));
        for (std::size_t x = 0; x < kSide; ++x) {
            const float luma = 0.299F * static_cast<float>(row[3 * x]) +
                               0.587F * static_cast<float>(row[3 * x + 1]) +
                               0.114F * static_cast<float>(row[3 * x + 2]);
            grey[y * kSide + x] = luma / 255.0F;
        }
    }
    return grey;
}

}  // namespace

HandcraftedBackbone::HandcraftedBackbone() {
    spec_.name = "handcrafted";
    // Changes whenever the features do: stored embeddings are keyed by it.
    spec_.version = "v1";
    spec_.input_width = kSide;
    spec_.input_height = kSide;
    spec_.dimensions = kDimensions;
}

Result<std::vector<float>> HandcraftedBackbone::Embed(std::span<const RgbImage> batch) {
    std::vector<float> out(batch.size() * static_cast<std::size_t>(kDimensions));
    for (std::size_t b = 0; b < batch.size(); ++b) {
        constexpr int kSideInt = HandcraftedBackbone::kSide;
        TESSERA_ASSIGN_OR_RETURN(const cv::Mat small, ResizedRgb(batch[b], b, kSideInt, kSideInt));
        const Grey grey = GreyOf(small);
        const auto dims = static_cast<std::size_t>(kDimensions);
        const std::span<float> features(out.data() + b * dims, dims);
        const std::span<float> hog = features.subspan(0, kHogSize);
        const std::span<float> thumb = features.subspan(kHogSize, kThumbSize);
        const std::span<float> colour = features.subspan(kHogSize + kThumbSize);
        Hog(grey, hog);
        Thumbnail(grey, thumb);
        ColourHistogram(small, colour);
        NormalizeL2(hog);
        NormalizeL2(thumb);
        NormalizeL2(colour);
    }
    return out;
}

}  // namespace tessera::ml
