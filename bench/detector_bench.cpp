// The box detector of ML assist (issue 10, point 7; docs/design/ml.md, "Boxes and polygons") on
// BCCD: trained on its train split, judged on its test split, as issue 10's quality bar asks
// ("box precision and recall at IoU 0.5 on its test split after training on its train split").
//
//   tessera_detector_bench --model FILE.onnx --dataset DIR [--side 640] [--folds 3]
//                          [--target 0.95] [--threads 2]
//                          [--nms 0.45] [--contain 0.7] [--centre 0.5] [--background 3]
//                          [--context 1] [--edges 1] [--iterations 300] [--l2 1e-4]
//                          [--balance 0]
//                          [--ridge 0.01]
//
// DIR holds Pascal VOC's Annotations/, JPEGImages/ and ImageSets/Main/{train,test}.txt
// (../shared/datasets/bccd). Every image is decoded at `side` pixels on its long side (both
// sides multiples of 32) and run through the backbone to its last feature map. The thresholds
// are chosen as a round chooses them: out-of-fold detections on the train split, matched at
// IoU >= 0.5, ChooseClassThresholds at the target. Then a detector fitted on the whole train
// split detects on the test split. Prints the time a map takes, the fit's time, and per class
// the precision and recall of the detections at the thresholds (what labelers would be shown),
// the recall of every candidate, and AP at IoU 0.5. Results: docs/PERFORMANCE.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "blobs/model_input.hpp"
#include "blobs/vips_init.hpp"
#include "ml/box_detector.hpp"
#include "ml/onnx_backbone.hpp"
#include "voc_dataset.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
    fs::path model;
    fs::path dataset;
    int side = 640;
    int folds = 3;
    double target = 0.95;
    int threads = 2;
    ml::DetectorOptions detector;
};

bool Parse(int argc, char** argv, Options& opt) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const std::string value = argv[i + 1];
        try {
            if (flag == "--model") {
                opt.model = value;
            } else if (flag == "--dataset") {
                opt.dataset = value;
            } else if (flag == "--side") {
                opt.side = std::stoi(value);
            } else if (flag == "--folds") {
                opt.folds = std::stoi(value);
            } else if (flag == "--target") {
                opt.target = std::stod(value);
            } else if (flag == "--threads") {
                opt.threads = std::stoi(value);
            } else if (flag == "--nms") {
                opt.detector.nms_iou = std::stod(value);
            } else if (flag == "--contain") {
                opt.detector.nms_containment = std::stod(value);
            } else if (flag == "--centre") {
                opt.detector.centre_share = std::stod(value);
            } else if (flag == "--background") {
                opt.detector.background_per_object = std::stod(value);
            } else if (flag == "--context") {
                opt.detector.context = value == "1";
            } else if (flag == "--edges") {
                opt.detector.edges_as_background = value == "1";
            } else if (flag == "--edges-per-object") {
                opt.detector.edges_per_object = std::stod(value);
            } else if (flag == "--iterations") {
                opt.detector.head.max_iterations = std::stoi(value);
            } else if (flag == "--balance") {
                opt.detector.head.balance_power = std::stod(value);
                opt.detector.head.balance_classes = opt.detector.head.balance_power > 0;
            } else if (flag == "--l2") {
                opt.detector.head.l2 = std::stod(value);
            } else if (flag == "--ridge") {
                opt.detector.ridge = std::stod(value);
            } else {
                return false;
            }
        } catch (const std::exception&) {
            return false;
        }
    }
    return argc % 2 == 1 && !opt.model.empty() && !opt.dataset.empty() && opt.side >= 64 &&
           opt.folds >= 2 && opt.threads > 0;
}

std::vector<std::string> ReadSplit(const fs::path& file) {
    std::ifstream in(file);
    std::vector<std::string> ids;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            ids.push_back(line);
        }
    }
    return ids;
}

struct Sample {
    ml::FeatureMap map;
    std::vector<ml::ClassBox> truth;
};

double Ratio(std::int64_t part, std::int64_t whole) {
    return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

int MapSize(int side, double scale) {
    return std::max(32, static_cast<int>(std::lround(side * scale / 32.0)) * 32);
}

// AP at IoU 0.5 for one class: the area under the precision-recall curve of every detection
// (all-points interpolation, as Pascal VOC since 2010).
double AveragePrecision(std::vector<ml::ClassScoredLabel> scored, std::int64_t positives) {
    if (positives == 0) {
        return 0;
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.confidence > b.confidence; });
    std::vector<double> precision;
    std::vector<double> recall;
    std::int64_t tp = 0;
    for (std::size_t i = 0; i < scored.size(); ++i) {
        tp += scored[i].correct ? 1 : 0;
        precision.push_back(static_cast<double>(tp) / static_cast<double>(i + 1));
        recall.push_back(static_cast<double>(tp) / static_cast<double>(positives));
    }
    for (std::size_t i = precision.size(); i-- > 1;) {
        precision[i - 1] = std::max(precision[i - 1], precision[i]);
    }
    double ap = 0;
    double last = 0;
    for (std::size_t i = 0; i < precision.size(); ++i) {
        ap += (recall[i] - last) * precision[i];
        last = recall[i];
    }
    return ap;
}

int Main(int argc, char** argv) {
    Options opt;
    if (!Parse(argc, argv, opt)) {
        std::fprintf(stderr,
                     "usage: tessera_detector_bench --model FILE.onnx --dataset DIR [--side 640] "
                     "[--folds 3] [--target 0.95] [--threads 2]\n");
        return 2;
    }
    if (!InitVips("detector_bench").ok()) {
        return 1;
    }
    ml::SetComputeThreads(opt.threads);
    auto bytes = ml::ReadModelFile(opt.model);
    if (!bytes.ok()) {
        std::fprintf(stderr, "%s\n", bytes.error().message.c_str());
        return 1;
    }
    ml::BackboneSpec spec{.name = "mobilenet_v2_140", .version = "bench", .dimensions = 1792};
    auto backbone = ml::OnnxBackbone::Load(*bytes, spec);
    if (!backbone.ok()) {
        std::fprintf(stderr, "%s\n", backbone.error().message.c_str());
        return 1;
    }
    std::vector<std::string> class_names;
    auto label_of = [&](const std::string& name) {
        auto it = std::find(class_names.begin(), class_names.end(), name);
        if (it == class_names.end()) {
            class_names.push_back(name);
            return static_cast<int>(class_names.size()) - 1;
        }
        return static_cast<int>(it - class_names.begin());
    };
    double map_seconds = 0;
    auto load = [&](const std::string& split, std::vector<Sample>& out) -> bool {
        for (const std::string& id : ReadSplit(opt.dataset / "ImageSets/Main" / (split + ".txt"))) {
            const bench::VocAnnotation a = bench::ReadVoc(
                opt.dataset / "Annotations" / (id + ".xml"), opt.dataset / "JPEGImages");
            const double scale = static_cast<double>(opt.side) / std::max(a.width, a.height);
            const int w = MapSize(a.width, scale);
            const int h = MapSize(a.height, scale);
            const auto start = Clock::now();
            auto file = SourceFile::Open({a.image.parent_path(), a.image});
            auto pixels = file.ok() ? DecodeForModel(*file, w, h) : Result<RgbPixels>(file.error());
            if (!pixels.ok()) {
                std::fprintf(stderr, "%s: %s\n", a.image.c_str(), pixels.error().message.c_str());
                return false;
            }
            auto map =
                (*backbone)->Map(ml::RgbImage{pixels->width, pixels->height, pixels->pixels});
            if (!map.ok()) {
                std::fprintf(stderr, "%s: %s\n", a.image.c_str(), map.error().message.c_str());
                return false;
            }
            map_seconds += std::chrono::duration<double>(Clock::now() - start).count();
            Sample s{std::move(map).value(), {}};
            for (const bench::VocObject& o : a.objects) {
                s.truth.push_back({ml::NormBox{o.box.x / a.width, o.box.y / a.height,
                                               o.box.w / a.width, o.box.h / a.height},
                                   label_of(o.name)});
            }
            out.push_back(std::move(s));
        }
        return true;
    };
    std::vector<Sample> train;
    std::vector<Sample> test;
    if (!load("train", train) || !load("test", test)) {
        return 1;
    }
    const auto images = static_cast<double>(train.size() + test.size());
    std::printf("maps: %zu train, %zu test images, %.1f ms an image (decode + network), %dx%dx%d\n",
                train.size(), test.size(), 1000 * map_seconds / images, train[0].map.width,
                train[0].map.height, train[0].map.channels);
    const int classes = static_cast<int>(class_names.size());
    std::vector<const ml::FeatureMap*> maps;
    std::vector<std::vector<ml::ClassBox>> truth;
    for (const Sample& s : train) {
        maps.push_back(&s.map);
        truth.push_back(s.truth);
    }
    const ml::DetectorOptions& options = opt.detector;
    auto start = Clock::now();
    const auto held_out = ml::OutOfFoldDetections(maps, truth, classes, opt.folds, options);
    std::vector<ml::ClassScoredLabel> scored;
    for (std::size_t i = 0; i < held_out.size(); ++i) {
        const auto s = ml::MatchDetections(held_out[i], truth[i]);
        scored.insert(scored.end(), s.begin(), s.end());
    }
    ml::ThresholdRule rule;
    rule.target_precision = opt.target;
    const ml::ClassThresholds thresholds = ml::ChooseDetectionThresholds(scored, classes, rule);
    const double validate_s = std::chrono::duration<double>(Clock::now() - start).count();
    start = Clock::now();
    const ml::BoxDetector detector = ml::BoxDetector::Fit(maps, truth, classes, options);
    const double fit_s = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("fit: %.1f s out-of-fold (%d folds), %.1f s final on %lld object cells; %s\n",
                validate_s, opt.folds, fit_s, static_cast<long long>(detector.object_cells()),
                thresholds.why_none.empty() ? "thresholds chosen" : thresholds.why_none.c_str());
    start = Clock::now();
    std::vector<std::vector<ml::ClassScoredLabel>> all_by_class(static_cast<std::size_t>(classes));
    std::vector<std::int64_t> boxes(static_cast<std::size_t>(classes), 0);
    std::vector<std::int64_t> shown(static_cast<std::size_t>(classes), 0);
    std::vector<std::int64_t> shown_right(static_cast<std::size_t>(classes), 0);
    std::vector<double> centre_iou(static_cast<std::size_t>(classes), 0.0);
    std::vector<std::int64_t> centre_good(static_cast<std::size_t>(classes), 0);
    std::int64_t wrong_duplicate = 0;
    std::int64_t wrong_poor_box = 0;
    std::int64_t wrong_nothing = 0;
    for (const Sample& s : test) {
        const auto detections = detector.Detect(s.map);
        for (const auto& t : s.truth) {
            ++boxes[static_cast<std::size_t>(t.label)];
            const int col = std::clamp(static_cast<int>((t.box.x + t.box.w / 2) * s.map.width), 0,
                                       s.map.width - 1);
            const int row = std::clamp(static_cast<int>((t.box.y + t.box.h / 2) * s.map.height), 0,
                                       s.map.height - 1);
            const double iou = ml::Iou(detector.BoxAt(s.map, row, col, t.label), t.box);
            centre_iou[static_cast<std::size_t>(t.label)] += iou;
            centre_good[static_cast<std::size_t>(t.label)] += iou >= 0.5 ? 1 : 0;
        }
        const auto matched = ml::MatchDetections(detections, s.truth);
        for (const auto& m : matched) {
            all_by_class[static_cast<std::size_t>(m.predicted)].push_back(m);
        }
        // Why the confident wrong ones are wrong: a poor box (or a second box) on an object of
        // their class, or nothing of their class there.
        std::vector<std::size_t> order(detections.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return detections[a].confidence > detections[b].confidence;
        });
        for (std::size_t r = 0; r < order.size(); ++r) {
            const auto& d = detections[order[r]];
            if (d.confidence < 0.5 || matched[r].correct) {
                continue;
            }
            double best = 0;
            for (const auto& t : s.truth) {
                if (t.label == d.label) {
                    best = std::max(best, ml::Iou(d.box, t.box));
                }
            }
            ++(best >= 0.5 ? wrong_duplicate : best >= 0.1 ? wrong_poor_box : wrong_nothing);
        }
        // What labelers would be shown: the detections at or above their class's threshold,
        // matched among themselves.
        std::vector<ml::Detection> above;
        for (const auto& d : detections) {
            const auto& cut = thresholds.per_class[static_cast<std::size_t>(d.label)];
            if (cut && d.confidence >= *cut) {
                above.push_back(d);
            }
        }
        for (const auto& m : ml::MatchDetections(above, s.truth)) {
            ++shown[static_cast<std::size_t>(m.predicted)];
            shown_right[static_cast<std::size_t>(m.predicted)] += m.correct ? 1 : 0;
        }
    }
    const double detect_ms = 1000 * std::chrono::duration<double>(Clock::now() - start).count() /
                             static_cast<double>(test.size());
    std::printf("detect: %.1f ms an image (after its map)\n", detect_ms);
    std::printf(
        "wrong at confidence >= 0.5: %lld a second box on a matched object, %lld a poor "
        "box (IoU 0.1-0.5), %lld nothing of the class there\n",
        static_cast<long long>(wrong_duplicate), static_cast<long long>(wrong_poor_box),
        static_cast<long long>(wrong_nothing));
    for (int k = 0; k < classes; ++k) {
        const auto ku = static_cast<std::size_t>(k);
        std::printf("%s: the box from the centre cell has IoU %.2f on average, >= 0.5 for %.1f%%\n",
                    class_names[ku].c_str(),
                    boxes[ku] > 0 ? centre_iou[ku] / static_cast<double>(boxes[ku]) : 0.0,
                    100.0 * Ratio(centre_good[ku], boxes[ku]));
    }
    std::printf("%-10s %6s %10s %7s %10s %8s %11s %7s\n", "class", "boxes", "threshold", "shown",
                "precision", "recall", "any recall", "AP50");
    std::int64_t all_boxes = 0;
    std::int64_t all_shown = 0;
    std::int64_t all_right = 0;
    for (int k = 0; k < classes; ++k) {
        const auto ku = static_cast<std::size_t>(k);
        std::int64_t any_right = 0;
        for (const auto& m : all_by_class[ku]) {
            any_right += m.correct ? 1 : 0;
        }
        const auto& cut = thresholds.per_class[ku];
        std::printf("%-10s %6lld %10s %7lld %10.3f %8.3f %11.3f %7.3f\n", class_names[ku].c_str(),
                    static_cast<long long>(boxes[ku]),
                    cut ? std::to_string(*cut).substr(0, 6).c_str() : "none",
                    static_cast<long long>(shown[ku]), Ratio(shown_right[ku], shown[ku]),
                    Ratio(shown_right[ku], boxes[ku]), Ratio(any_right, boxes[ku]),
                    AveragePrecision(all_by_class[ku], boxes[ku]));
        all_boxes += boxes[ku];
        all_shown += shown[ku];
        all_right += shown_right[ku];
    }
    std::printf("%-10s %6lld %10s %7lld %10.3f %8.3f\n", "all", static_cast<long long>(all_boxes),
                "", static_cast<long long>(all_shown), Ratio(all_right, all_shown),
                Ratio(all_right, all_boxes));
    return 0;
}

}  // namespace
}  // namespace tessera

int main(int argc, char** argv) {
    return tessera::Main(argc, argv);
}
