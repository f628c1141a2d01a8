#include "ml/box_detector.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <random>
#include <thread>

#include "ml/unit_length.hpp"

namespace tessera::ml {
namespace {

constexpr int kOffsets = 4;  // dx, dy, log w, log h

// The index of cell (row, col) in a map's row-major order.
std::size_t CellIndex(const FeatureMap& map, int row, int col) {
    return static_cast<std::size_t>(row) * static_cast<std::size_t>(map.width) +
           static_cast<std::size_t>(col);
}

struct Cell {
    const FeatureMap* map = nullptr;
    int row = 0;
    int col = 0;
};

std::vector<float> CellFeatures(const FeatureMap& map, int row, int col) {
    const auto channels = static_cast<std::size_t>(map.channels);
    const std::size_t at = (static_cast<std::size_t>(row) * static_cast<std::size_t>(map.width) +
                            static_cast<std::size_t>(col)) *
                           channels;
    std::vector<float> v(map.values.begin() + static_cast<std::ptrdiff_t>(at),
                         map.values.begin() + static_cast<std::ptrdiff_t>(at + channels));
    NormalizeL2(v);
    return v;
}

// What the class head sees of a cell: its features, and with `context` also the mean of its
// eight neighbours' (each part scaled to unit length), which says whether the cell is an
// object's middle or its edge.
std::vector<float> ContextFeatures(const FeatureMap& map, int row, int col, bool context) {
    std::vector<float> f = CellFeatures(map, row, col);
    if (!context) {
        return f;
    }
    const auto channels = static_cast<std::size_t>(map.channels);
    f.resize(2 * channels, 0.0F);
    for (int dr = -1; dr <= 1; ++dr) {
        for (int dc = -1; dc <= 1; ++dc) {
            const int r = row + dr;
            const int c = col + dc;
            if ((dr == 0 && dc == 0) || r < 0 || r >= map.height || c < 0 || c >= map.width) {
                continue;
            }
            const std::vector<float> n = CellFeatures(map, r, c);
            for (std::size_t a = 0; a < channels; ++a) {
                f[channels + a] += n[a];
            }
        }
    }
    NormalizeL2(std::span(f.data() + channels, channels));
    return f;
}

// The cell holding a box's centre (clamped: a box at the very edge still has one).
std::pair<int, int> CentreCell(const FeatureMap& map, const NormBox& b) {
    const int col = std::clamp(static_cast<int>((b.x + b.w / 2) * map.width), 0, map.width - 1);
    const int row = std::clamp(static_cast<int>((b.y + b.h / 2) * map.height), 0, map.height - 1);
    return {row, col};
}

std::array<double, kOffsets> OffsetsOf(const FeatureMap& map, int row, int col, const NormBox& b) {
    const double cx = (b.x + b.w / 2) * map.width - (col + 0.5);
    const double cy = (b.y + b.h / 2) * map.height - (row + 0.5);
    return {cx, cy, std::log(std::max(b.w * map.width, 1e-3)),
            std::log(std::max(b.h * map.height, 1e-3))};
}

NormBox BoxOf(const FeatureMap& map, int row, int col, const std::array<double, kOffsets>& o) {
    const double w = std::exp(std::clamp(o[2], -8.0, 8.0)) / map.width;
    const double h = std::exp(std::clamp(o[3], -8.0, 8.0)) / map.height;
    const double cx = (col + 0.5 + o[0]) / map.width;
    const double cy = (row + 0.5 + o[1]) / map.height;
    const double x0 = std::clamp(cx - w / 2, 0.0, 1.0);
    const double y0 = std::clamp(cy - h / 2, 0.0, 1.0);
    const double x1 = std::clamp(cx + w / 2, 0.0, 1.0);
    const double y1 = std::clamp(cy + h / 2, 0.0, 1.0);
    return NormBox{x0, y0, x1 - x0, y1 - y0};
}

// Which cells a box trains. A box owns the cells whose centres lie in its central part (the box
// scaled by `centre_share` about its centre) and always the cell of its own centre; where boxes
// compete for a cell, the smallest wins (a small object inside a large one keeps its cells).
// Owned cells teach the box regression. Every cell whose centre lies in some box is `covered`.
struct CellAssignment {
    std::vector<int> owner;  // per cell (row-major): index of its box, or -1
    std::vector<bool> covered;
};

CellAssignment AssignCells(const FeatureMap& map, const std::vector<ClassBox>& boxes, int classes,
                           double centre_share) {
    const auto cells = static_cast<std::size_t>(map.height) * static_cast<std::size_t>(map.width);
    CellAssignment out{std::vector<int>(cells, -1), std::vector<bool>(cells, false)};
    auto area = [&](int b) {
        return boxes[static_cast<std::size_t>(b)].box.w * boxes[static_cast<std::size_t>(b)].box.h;
    };
    auto claim = [&](std::size_t at, int b) {
        out.covered[at] = true;
        if (out.owner[at] < 0 || area(b) < area(out.owner[at])) {
            out.owner[at] = b;
        }
    };
    for (std::size_t b = 0; b < boxes.size(); ++b) {
        const ClassBox& cb = boxes[b];
        if (cb.label < 0 || cb.label >= classes || !(cb.box.w > 0) || !(cb.box.h > 0)) {
            continue;
        }
        const double cx = cb.box.x + cb.box.w / 2;
        const double cy = cb.box.y + cb.box.h / 2;
        for (int row = 0; row < map.height; ++row) {
            const double y = (row + 0.5) / map.height;
            if (y < cb.box.y || y > cb.box.y + cb.box.h) {
                continue;
            }
            for (int col = 0; col < map.width; ++col) {
                const double x = (col + 0.5) / map.width;
                if (x < cb.box.x || x > cb.box.x + cb.box.w) {
                    continue;
                }
                const auto at = CellIndex(map, row, col);
                out.covered[at] = true;
                if (std::abs(x - cx) <= centre_share * cb.box.w / 2 &&
                    std::abs(y - cy) <= centre_share * cb.box.h / 2) {
                    claim(at, static_cast<int>(b));
                }
            }
        }
        const auto [row, col] = CentreCell(map, cb.box);
        claim(CellIndex(map, row, col), static_cast<int>(b));
    }
    return out;
}

// Solves (X^T X + ridge I) W = X^T Y for W, X's rows with a 1 appended (the bias, not
// penalized), by Cholesky. Returns (d + 1) x kOffsets weights, all zeros when it cannot.
std::vector<double> FitRidge(const std::vector<std::vector<float>>& x,
                             const std::vector<std::array<double, kOffsets>>& y, double ridge) {
    if (x.empty()) {
        return {};
    }
    const std::size_t d = x[0].size() + 1;
    const std::size_t n = x.size();
    // Columns of X (with the bias column) laid out contiguously, so each entry of the Gram
    // matrix is one dot product of two columns.
    std::vector<float> columns(d * n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t a = 0; a + 1 < d; ++a) {
            columns[a * n + i] = x[i][a];
        }
        columns[(d - 1) * n + i] = 1.0F;
    }
    std::vector<double> gram(d * d);
    const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1U, 8U);
    auto fill = [&](unsigned part) {
        for (std::size_t a = part; a < d; a += threads) {
            const float* ca = &columns[a * n];
            for (std::size_t b = 0; b <= a; ++b) {
                const float* cb = &columns[b * n];
                float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                std::size_t i = 0;
                for (; i + 8 <= n; i += 8) {
                    for (std::size_t l = 0; l < 8; ++l) {
                        acc[l] += ca[i + l] * cb[i + l];
                    }
                }
                double sum = 0;
                for (const float v : acc) {
                    sum += v;
                }
                for (; i < n; ++i) {
                    sum += static_cast<double>(ca[i]) * cb[i];
                }
                gram[a * d + b] = sum;
                gram[b * d + a] = sum;
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) {
        pool.emplace_back(fill, t);
    }
    fill(0);
    for (auto& t : pool) {
        t.join();
    }
    for (std::size_t a = 0; a + 1 < d; ++a) {
        gram[a * d + a] += ridge;
    }
    gram[(d - 1) * d + (d - 1)] += 1e-9;
    std::vector<double> rhs(d * kOffsets, 0.0);
    for (std::size_t a = 0; a < d; ++a) {
        const float* ca = &columns[a * n];
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t k = 0; k < kOffsets; ++k) {
                rhs[a * kOffsets + k] += static_cast<double>(ca[i]) * y[i][k];
            }
        }
    }
    // Cholesky in place: gram = L L^T, L in the lower triangle.
    for (std::size_t j = 0; j < d; ++j) {
        double diag = gram[j * d + j];
        for (std::size_t k = 0; k < j; ++k) {
            diag -= gram[j * d + k] * gram[j * d + k];
        }
        if (!(diag > 0)) {
            return std::vector<double>(d * kOffsets, 0.0);
        }
        const double l = std::sqrt(diag);
        gram[j * d + j] = l;
        for (std::size_t i = j + 1; i < d; ++i) {
            double v = gram[i * d + j];
            const double* ri = &gram[i * d];
            const double* rj = &gram[j * d];
            for (std::size_t k = 0; k < j; ++k) {
                v -= ri[k] * rj[k];
            }
            gram[i * d + j] = v / l;
        }
    }
    // Forward then back substitution, for each of the kOffsets right-hand sides.
    for (std::size_t k = 0; k < kOffsets; ++k) {
        for (std::size_t i = 0; i < d; ++i) {
            double v = rhs[i * kOffsets + k];
            for (std::size_t j = 0; j < i; ++j) {
                v -= gram[i * d + j] * rhs[j * kOffsets + k];
            }
            rhs[i * kOffsets + k] = v / gram[i * d + i];
        }
        for (std::size_t i = d; i-- > 0;) {
            double v = rhs[i * kOffsets + k];
            for (std::size_t j = i + 1; j < d; ++j) {
                v -= gram[j * d + i] * rhs[j * kOffsets + k];
            }
            rhs[i * kOffsets + k] = v / gram[i * d + i];
        }
    }
    return rhs;
}

// How much of the smaller box lies inside the other.
double Containment(const NormBox& a, const NormBox& b) {
    const double ix = std::max(0.0, std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x));
    const double iy = std::max(0.0, std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y));
    const double smaller = std::min(a.w * a.h, b.w * b.h);
    return smaller > 0 ? ix * iy / smaller : 0.0;
}

// Greedy non-maximum suppression per class: a candidate goes when a surer one of its class
// overlaps it by more than `max_iou`, or holds more than `max_containment` of it (a box over
// part of an object inside the object's own box, which IoU alone lets through).
std::vector<Detection> SuppressOverlaps(std::vector<Detection> candidates, double max_iou,
                                        double max_containment, int max_detections) {
    std::stable_sort(
        candidates.begin(), candidates.end(),
        [](const Detection& a, const Detection& b) { return a.confidence > b.confidence; });
    std::vector<Detection> kept;
    for (const Detection& c : candidates) {
        if (static_cast<int>(kept.size()) >= max_detections) {
            break;
        }
        const bool overlaps = std::any_of(kept.begin(), kept.end(), [&](const Detection& k) {
            return k.label == c.label &&
                   (Iou(k.box, c.box) > max_iou || Containment(k.box, c.box) > max_containment);
        });
        if (!overlaps) {
            kept.push_back(c);
        }
    }
    return kept;
}

}  // namespace

double Iou(const NormBox& a, const NormBox& b) {
    const double ix = std::max(0.0, std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x));
    const double iy = std::max(0.0, std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y));
    const double inter = ix * iy;
    const double uni = a.w * a.h + b.w * b.h - inter;
    return uni > 0 ? inter / uni : 0.0;
}

BoxDetector BoxDetector::Fit(const std::vector<const FeatureMap*>& maps,
                             const std::vector<std::vector<ClassBox>>& truth, int classes,
                             const DetectorOptions& options) {
    BoxDetector detector;
    detector.classes_ = std::max(classes, 1);
    detector.options_ = options;
    const FeatureMap* first = nullptr;
    for (const FeatureMap* m : maps) {
        if (m != nullptr && m->valid()) {
            first = m;
            break;
        }
    }
    if (first == nullptr) {
        return detector;
    }
    detector.channels_ = first->channels;
    std::vector<const FeatureMap*> usable;
    std::vector<const std::vector<ClassBox>*> usable_truth;
    std::vector<CellAssignment> assignments;
    for (std::size_t i = 0; i < maps.size() && i < truth.size(); ++i) {
        if (maps[i] != nullptr && maps[i]->valid() && maps[i]->channels == detector.channels_) {
            usable.push_back(maps[i]);
            usable_truth.push_back(&truth[i]);
            assignments.push_back(
                AssignCells(*maps[i], truth[i], detector.classes_, options.centre_share));
        }
    }
    // First where the boxes lie: the regression, on the cells the boxes own.
    std::vector<std::vector<float>> owned_x;
    std::vector<std::array<double, kOffsets>> owned_offsets;
    std::vector<int> owned_label;
    for (std::size_t i = 0; i < usable.size(); ++i) {
        const FeatureMap& map = *usable[i];
        for (int row = 0; row < map.height; ++row) {
            for (int col = 0; col < map.width; ++col) {
                const int o = assignments[i].owner[CellIndex(map, row, col)];
                if (o >= 0) {
                    const ClassBox& owner = (*usable_truth[i])[static_cast<std::size_t>(o)];
                    owned_x.push_back(CellFeatures(map, row, col));
                    owned_offsets.push_back(OffsetsOf(map, row, col, owner.box));
                    owned_label.push_back(owner.label);
                }
            }
        }
    }
    // One regression per class (a platelet's box is not a white cell's), and one for all the
    // classes where a class has too few boxes to fit its own.
    const std::vector<double> shared = FitRidge(owned_x, owned_offsets, options.ridge);
    detector.offsets_.assign(static_cast<std::size_t>(detector.classes_), shared);
    for (int k = 0; k < detector.classes_; ++k) {
        std::vector<std::vector<float>> xk;
        std::vector<std::array<double, kOffsets>> yk;
        for (std::size_t r = 0; r < owned_x.size(); ++r) {
            if (owned_label[r] == k) {
                xk.push_back(owned_x[r]);
                yk.push_back(owned_offsets[r]);
            }
        }
        if (static_cast<int>(xk.size()) >= options.min_class_boxes) {
            // A class with fewer cells than features is held closer to zero: the weight grows
            // as its cells grow scarce (measured on BCCD: white cells, 200 cells of 1792
            // features, regressed worse alone than with every class until this).
            const double scarce =
                static_cast<double>(detector.channels_) / static_cast<double>(xk.size());
            detector.offsets_[static_cast<std::size_t>(k)] =
                FitRidge(xk, yk, options.ridge * std::max(1.0, scarce));
        }
    }
    owned_x.clear();
    // Then which cells hold an object: the cell of each box's centre is that box's class,
    // the other cells inside boxes are left out (part of an object: neither its centre nor
    // background), and the cells outside every box are background, sampled.
    std::vector<std::vector<float>> x;
    std::vector<int> y;
    std::vector<Cell> background;
    std::vector<Cell> edges;
    for (std::size_t i = 0; i < usable.size(); ++i) {
        const FeatureMap& map = *usable[i];
        for (const ClassBox& t : *usable_truth[i]) {
            if (t.label < 0 || t.label >= detector.classes_ || !(t.box.w > 0) || !(t.box.h > 0)) {
                continue;
            }
            const auto [row, col] = CentreCell(map, t.box);
            if (&t != &(*usable_truth[i])[static_cast<std::size_t>(
                          assignments[i].owner[CellIndex(map, row, col)])]) {
                continue;  // another box's centre won the cell
            }
            x.push_back(ContextFeatures(map, row, col, options.context));
            y.push_back(t.label + 1);
            ++detector.object_cells_;
        }
        for (int row = 0; row < map.height; ++row) {
            for (int col = 0; col < map.width; ++col) {
                const auto at = CellIndex(map, row, col);
                if (!assignments[i].covered[at]) {
                    background.push_back({&map, row, col});
                } else if (options.edges_as_background && assignments[i].owner[at] < 0) {
                    edges.push_back({&map, row, col});
                }
            }
        }
    }
    // A seeded sample of the cells outside every box: all of them would outnumber the objects
    // and cost as much in every iteration of the head's fit.
    // The same for the edges of objects, which outnumber the centres six to one on BCCD.
    std::mt19937_64 rng(options.seed);
    auto sample = [&](std::vector<Cell>& cells, double per_object) {
        std::shuffle(cells.begin(), cells.end(), rng);
        const auto keep = static_cast<std::size_t>(
            std::max(50.0, per_object * static_cast<double>(detector.object_cells_)));
        for (std::size_t i = 0; i < cells.size() && i < keep; ++i) {
            x.push_back(
                ContextFeatures(*cells[i].map, cells[i].row, cells[i].col, options.context));
            y.push_back(0);
        }
    };
    sample(background, options.background_per_object);
    sample(edges, options.edges_per_object);
    detector.head_ = SoftmaxHead::Fit(x, y, detector.classes_ + 1, options.head);
    return detector;
}

std::vector<Detection> BoxDetector::Detect(const FeatureMap& map) const {
    return SuppressOverlaps(Candidates(map), options_.nms_iou, options_.nms_containment,
                            options_.max_detections);
}

NormBox BoxDetector::BoxAt(const FeatureMap& map, int row, int col, int label) const {
    if (!map.valid() || map.channels != channels_ || label < 0 || label >= classes_ ||
        offsets_.empty() || row < 0 || row >= map.height || col < 0 || col >= map.width) {
        return {};
    }
    return Regress(map, row, col, CellFeatures(map, row, col), label);
}

NormBox BoxDetector::Regress(const FeatureMap& map, int row, int col,
                             const std::vector<float>& features, int label) const {
    const std::vector<double>& w = offsets_[static_cast<std::size_t>(label)];
    const auto d = static_cast<std::size_t>(channels_);
    std::array<double, kOffsets> o{};
    for (std::size_t k = 0; k < kOffsets && w.size() == (d + 1) * kOffsets; ++k) {
        double v = w[d * kOffsets + k];  // the bias
        for (std::size_t a = 0; a < d; ++a) {
            v += w[a * kOffsets + k] * features[a];
        }
        o[k] = v;
    }
    return BoxOf(map, row, col, o);
}

std::vector<Detection> BoxDetector::Candidates(const FeatureMap& map) const {
    if (!map.valid() || map.channels != channels_ || offsets_.empty()) {
        return {};
    }
    std::vector<Detection> candidates;
    for (int row = 0; row < map.height; ++row) {
        for (int col = 0; col < map.width; ++col) {
            const std::vector<float> f = CellFeatures(map, row, col);
            const std::vector<double> p = Softmax(
                head_.Logits(options_.context ? ContextFeatures(map, row, col, true) : f), 1.0);
            bool any = false;
            for (std::size_t k = 1; k < p.size(); ++k) {
                any = any || p[k] >= options_.floor;
            }
            if (!any) {
                continue;
            }
            for (std::size_t k = 1; k < p.size(); ++k) {
                if (p[k] < options_.floor) {
                    continue;
                }
                const int label = static_cast<int>(k) - 1;
                const NormBox box = Regress(map, row, col, f, label);
                if (box.w > 0 && box.h > 0) {
                    candidates.push_back({box, label, p[k]});
                }
            }
        }
    }
    std::stable_sort(
        candidates.begin(), candidates.end(),
        [](const Detection& a, const Detection& b) { return a.confidence > b.confidence; });
    if (candidates.size() > static_cast<std::size_t>(options_.max_candidates)) {
        candidates.resize(static_cast<std::size_t>(options_.max_candidates));
    }
    return candidates;
}

std::vector<ClassScoredLabel> MatchDetections(const std::vector<Detection>& detections,
                                              const std::vector<ClassBox>& truth, double min_iou) {
    std::vector<std::size_t> order(detections.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return detections[a].confidence > detections[b].confidence;
    });
    std::vector<bool> taken(truth.size(), false);
    std::vector<ClassScoredLabel> scored;
    scored.reserve(detections.size());
    for (const std::size_t i : order) {
        const Detection& det = detections[i];
        std::ptrdiff_t best = -1;
        double best_iou = min_iou;
        for (std::size_t t = 0; t < truth.size(); ++t) {
            if (taken[t] || truth[t].label != det.label) {
                continue;
            }
            const double iou = Iou(det.box, truth[t].box);
            if (iou >= best_iou) {
                best_iou = iou;
                best = static_cast<std::ptrdiff_t>(t);
            }
        }
        if (best >= 0) {
            taken[static_cast<std::size_t>(best)] = true;
        }
        scored.push_back({det.label, det.confidence, best >= 0});
    }
    return scored;
}

std::vector<std::vector<Detection>> OutOfFoldDetections(
    const std::vector<const FeatureMap*>& maps, const std::vector<std::vector<ClassBox>>& truth,
    int classes, int folds, const DetectorOptions& options) {
    const std::size_t n = std::min(maps.size(), truth.size());
    std::vector<std::vector<Detection>> out(n);
    folds = std::max(folds, 2);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::mt19937_64 rng(options.seed ^ 0x9e3779b97f4a7c15ULL);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<int> fold_of(n);
    for (std::size_t i = 0; i < n; ++i) {
        fold_of[order[i]] = static_cast<int>(i % static_cast<std::size_t>(folds));
    }
    for (int f = 0; f < folds; ++f) {
        std::vector<const FeatureMap*> train_maps;
        std::vector<std::vector<ClassBox>> train_truth;
        for (std::size_t i = 0; i < n; ++i) {
            if (fold_of[i] != f) {
                train_maps.push_back(maps[i]);
                train_truth.push_back(truth[i]);
            }
        }
        const BoxDetector detector = BoxDetector::Fit(train_maps, train_truth, classes, options);
        for (std::size_t i = 0; i < n; ++i) {
            if (fold_of[i] == f && maps[i] != nullptr) {
                out[i] = detector.Detect(*maps[i]);
            }
        }
    }
    return out;
}

}  // namespace tessera::ml

namespace tessera::ml {

ClassThresholds ChooseDetectionThresholds(const std::vector<ClassScoredLabel>& held_out,
                                          int classes, const ThresholdRule& rule) {
    ClassThresholds out;
    out.per_class.assign(static_cast<std::size_t>(std::max(classes, 0)), std::nullopt);
    out.class_target = rule.target_precision;
    out.held_out = static_cast<std::int64_t>(held_out.size());
    std::int64_t right = 0;
    std::string best_miss;
    double best_bound = -1;
    for (int k = 0; k < classes; ++k) {
        std::vector<ScoredLabel> mine;
        for (const ClassScoredLabel& l : held_out) {
            if (l.predicted == k) {
                mine.push_back({l.confidence, l.correct});
            }
        }
        const ThresholdChoice choice = ChooseThreshold(std::move(mine), rule);
        if (choice.threshold) {
            out.per_class[static_cast<std::size_t>(k)] = choice.threshold;
            out.covered += choice.covered;
            right += static_cast<std::int64_t>(
                std::llround(choice.precision * static_cast<double>(choice.covered)));
        } else if (choice.lower_bound > best_bound) {
            best_bound = choice.lower_bound;
            best_miss = choice.why_none;
        }
    }
    if (out.covered > 0) {
        out.precision = static_cast<double>(right) / static_cast<double>(out.covered);
        out.lower_bound = WilsonLowerBound(right, out.covered, rule.z);
    } else {
        out.why_none = best_miss.empty() ? "no detections to judge" : best_miss;
    }
    return out;
}

}  // namespace tessera::ml
