#include "services/ml_detection.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "blobs/model_input.hpp"
#include "domain/label_tree.hpp"
#include "domain/shapes.hpp"
#include "services/image_service.hpp"
#include "services/item_source.hpp"
#include "services/ml_labels.hpp"
#include "services/ml_round_job.hpp"

namespace tessera {
namespace {

using Json = nlohmann::json;

// The map input for an image of w x h: `side` on its long side, both sides multiples of 32 and
// at least the backbone's own input (its pooling layers need a map that large: MobileNetV2's
// last one averages 7 x 7 cells, so OpenCV refuses a side under 224 pixels; a panorama is
// stretched that far rather than refused).
std::pair<int, int> MapInputSize(int w, int h, int side, const ml::BackboneSpec& spec) {
    const double scale = static_cast<double>(side) / std::max({w, h, 1});
    auto round32 = [&](int v, int least) {
        const int rounded = static_cast<int>(std::lround(v * scale / 32.0)) * 32;
        return std::max({32, rounded, (least + 31) / 32 * 32});
    };
    return {round32(w, spec.input_width), round32(h, spec.input_height)};
}

// A shape's box in normalized coordinates: a box as it is, a polygon's bounding box.
std::optional<ml::NormBox> NormalizedBox(const Shape& shape, const Item& item) {
    if (item.width <= 0 || item.height <= 0) {
        return std::nullopt;
    }
    Box b;
    if (const auto* box = std::get_if<Box>(&shape.geometry)) {
        b = *box;
    } else if (const auto* polygon = std::get_if<Polygon>(&shape.geometry)) {
        double x0 = 1e300;
        double y0 = 1e300;
        double x1 = -1e300;
        double y1 = -1e300;
        for (const Ring& ring : polygon->rings) {
            for (const ImagePoint& p : ring) {
                x0 = std::min(x0, p.x);
                y0 = std::min(y0, p.y);
                x1 = std::max(x1, p.x);
                y1 = std::max(y1, p.y);
            }
        }
        if (!(x1 > x0) || !(y1 > y0)) {
            return std::nullopt;
        }
        b = Box{x0, y0, x1 - x0, y1 - y0};
    } else {
        return std::nullopt;
    }
    const double w = item.width;
    const double h = item.height;
    return ml::NormBox{b.x / w, b.y / h, b.w / w, b.h / h};
}

// Keeps at most `limit` of the indexes 0..n-1 by a hash of their item ids: the same items in
// every round, with no order bias.
std::vector<std::size_t> SampleByItem(const std::vector<Item>& items, int limit) {
    std::vector<std::pair<std::uint64_t, std::size_t>> keys;
    for (std::size_t i = 0; i < items.size(); ++i) {
        auto h = static_cast<std::uint64_t>(items[i].id) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 31;
        keys.emplace_back(h, i);
    }
    std::sort(keys.begin(), keys.end());
    if (limit > 0 && keys.size() > static_cast<std::size_t>(limit)) {
        keys.resize(static_cast<std::size_t>(limit));
    }
    std::vector<std::size_t> kept;
    kept.reserve(keys.size());
    for (const auto& key : keys) {
        kept.push_back(key.second);
    }
    std::sort(kept.begin(), kept.end());
    return kept;
}

// The rectangle of a box as a polygon: what a polygon project is shown where no outline was
// found inside the box.
Polygon RectangleOf(const Box& b) {
    return Polygon{{Ring{{b.x, b.y}, {b.x + b.w, b.y}, {b.x + b.w, b.y + b.h}, {b.x, b.y + b.h}}}};
}

}  // namespace

DetectionRound::DetectionRound(const RoundScope& scope, const DetectionSettings& settings,
                               MlBackbone backbone, DatasourceOpener* opener)
    : scope_(scope), settings_(settings), backbone_(std::move(backbone)), opener_(opener) {}

Result<ml::FeatureMap> DetectionRound::MapOf(const Item& item, std::optional<SourceFile>& file) {
    TESSERA_ASSIGN_OR_RETURN(SourceFile opened,
                             OpenItemFile(scope_.repo, opener_, scope_.project, item));
    file.emplace(std::move(opened));
    const auto [w, h] =
        MapInputSize(item.width, item.height, settings_.side, backbone_.backbone->Spec());
    TESSERA_ASSIGN_OR_RETURN(const RgbPixels pixels, DecodeForModel(*file, w, h));
    return backbone_.backbone->Map(ml::RgbImage{pixels.width, pixels.height, pixels.pixels});
}

Result<StageEnd> DetectionRound::Featurize() {
    TESSERA_TRY(scope_.run.Enter(MlStage::kFeaturization));
    const auto start = SteadyClock::now();
    // The labeled images and their boxes (polygons count by their bounding boxes).
    TESSERA_ASSIGN_OR_RETURN(LabelTree tree, LabelTreeOf(scope_.project));
    const std::map<std::string, int> order = TreeOrder(tree);
    std::vector<Item> items;
    std::vector<std::vector<std::pair<std::string, ml::NormBox>>> shapes;
    TESSERA_TRY(scope_.repo.ForEachExportRow(scope_.project.id, [&](const ExportRow& row) {
        const Json payload = Json::parse(row.annotation.payload_json, nullptr, false);
        if (!payload.is_object() || !payload.contains("shapes")) {
            return true;
        }
        auto parsed = ShapesFromJson(payload["shapes"]);
        if (!parsed.ok()) {
            return true;
        }
        std::vector<std::pair<std::string, ml::NormBox>> boxes;
        for (const Shape& shape : *parsed) {
            auto box = NormalizedBox(shape, row.item);
            if (box && order.count(shape.label) != 0) {
                boxes.emplace_back(shape.label, *box);
            } else {
                ++skipped_shapes_;
            }
        }
        items.push_back(row.item);
        shapes.push_back(std::move(boxes));
        return true;
    }));
    all_images_ = static_cast<std::int64_t>(items.size());
    std::vector<std::string> occurring;
    for (const auto& image : shapes) {
        for (const auto& [label, box] : image) {
            occurring.push_back(label);
        }
    }
    RoundClasses classes = ClassesInTreeOrder(order, occurring);
    names_ = classes.names;
    // Their maps, for a sample of at most max_training_images.
    std::int64_t failed = 0;
    std::string first_failure;
    const std::vector<std::size_t> kept = SampleByItem(items, settings_.max_training_images);
    for (std::size_t n = 0; n < kept.size(); ++n) {
        if (scope_.context.StopRequested()) {
            return StageEnd::kInterrupted;
        }
        const Item& item = items[kept[n]];
        std::optional<SourceFile> file;
        auto map = MapOf(item, file);
        scope_.context.ReportProgress(static_cast<std::int64_t>(n + 1),
                                      static_cast<std::int64_t>(kept.size()));
        if (!map.ok()) {
            if (failed++ == 0) {
                first_failure = item.path + ": " + map.error().message;
            }
            continue;
        }
        std::vector<ml::ClassBox> boxes;
        for (const auto& [label, box] : shapes[kept[n]]) {
            boxes.push_back({box, classes.index.at(label)});
        }
        items_.push_back(item);
        maps_.push_back(std::move(map).value());
        boxes_.push_back(std::move(boxes));
    }
    // Which images were labeled blind: only they judge the model (LabeledBlind).
    TESSERA_ASSIGN_OR_RETURN(blind_, LabeledBlind(scope_.repo, scope_.project.id, items_));
    const double seconds = SecondsSince(start);
    const auto mapped = static_cast<std::int64_t>(maps_.size());
    (void)scope_.run.Record(
        MlStage::kFeaturization,
        {{"seconds", seconds},
         {"items", kept.size()},
         {"embedded", mapped},
         {"failed", failed},
         {"first_failure", first_failure},
         {"feature_maps", true},
         {"map",
          maps_.empty() ? Json(nullptr) : Json{maps_[0].width, maps_[0].height, maps_[0].channels}},
         {"images_per_second", seconds > 0 ? static_cast<double>(mapped) / seconds : 0.0}});
    return StageEnd::kNext;
}

Result<StageEnd> DetectionRound::Train() {
    TESSERA_TRY(scope_.run.Enter(MlStage::kTraining));
    const auto start = SteadyClock::now();
    const int classes = static_cast<int>(names_.size());
    std::int64_t boxes = 0;
    for (const auto& image : boxes_) {
        boxes += static_cast<std::int64_t>(image.size());
    }
    Json metrics{{"labels", maps_.size()},
                 {"labels_available", all_images_},
                 {"boxes", boxes},
                 {"classes", classes},
                 {"skipped_answers", skipped_shapes_},
                 {"features", backbone_.backbone->Spec().name + " map"},
                 {"folds", settings_.folds}};
    const auto images = static_cast<int>(maps_.size());
    if (classes < 1 || images < 2 * settings_.folds) {
        (void)scope_.run.Record(MlStage::kTraining, metrics);
        (void)scope_.repo.ReplaceModelPrelabels(scope_.project.id, scope_.run.round().id, {},
                                                scope_.clock.NowMs());
        (void)scope_.run.Finish(MlRoundState::kDone,
                                classes < 1
                                    ? "no prelabels: no boxes labeled yet"
                                    : "no prelabels: a detector needs at least " +
                                          std::to_string(2 * settings_.folds) +
                                          " labeled images, there are " + std::to_string(images));
        return StageEnd::kRoundOver;
    }
    std::vector<const ml::FeatureMap*> maps;
    for (const ml::FeatureMap& m : maps_) {
        maps.push_back(&m);
    }
    held_out_ = ml::OutOfFoldDetections(maps, boxes_, classes, settings_.folds, settings_.detector);
    if (scope_.context.StopRequested()) {
        return StageEnd::kInterrupted;
    }
    detector_ = ml::BoxDetector::Fit(maps, boxes_, classes, settings_.detector);
    scope_.run.round().backbone = backbone_.id;
    metrics["seconds"] = SecondsSince(start);
    metrics["object_cells"] = detector_.object_cells();
    (void)scope_.run.Record(MlStage::kTraining, metrics);
    return scope_.context.StopRequested() ? StageEnd::kInterrupted : StageEnd::kNext;
}

Status DetectionRound::Validate() {
    TESSERA_TRY(scope_.run.Enter(MlStage::kValidation));
    std::vector<ml::ClassScoredLabel> scored;
    std::int64_t judged_images = 0;
    std::int64_t human_boxes = 0;
    for (std::size_t i = 0; i < held_out_.size(); ++i) {
        if (!blind_[i]) {
            continue;  // only images labeled without a model prelabel judge the model
        }
        ++judged_images;
        human_boxes += static_cast<std::int64_t>(boxes_[i].size());
        const auto matched = ml::MatchDetections(held_out_[i], boxes_[i]);
        scored.insert(scored.end(), matched.begin(), matched.end());
    }
    ml::ThresholdRule rule;
    rule.target_precision = scope_.ml.target_precision;
    thresholds_ = ml::ChooseDetectionThresholds(scored, static_cast<int>(names_.size()), rule);
    // Recall at the thresholds: the human boxes the shown detections would have found.
    std::int64_t found = 0;
    for (const ml::ClassScoredLabel& s : scored) {
        const auto& cut = thresholds_.per_class[static_cast<std::size_t>(s.predicted)];
        found += (s.correct && cut && s.confidence >= *cut) ? 1 : 0;
    }
    Json validation{
        {"held_out", judged_images},
        {"held_out_detections", scored.size()},
        {"human_boxes", human_boxes},
        {"labels_from_prelabels", static_cast<std::int64_t>(held_out_.size()) - judged_images},
        {"target_precision", scope_.ml.target_precision},
        {"class_target", thresholds_.class_target},
        {"covered", thresholds_.covered},
        {"precision", thresholds_.precision},
        {"lower_bound", thresholds_.lower_bound},
        {"recall",
         human_boxes > 0 ? static_cast<double>(found) / static_cast<double>(human_boxes) : 0.0},
        {"match_iou", 0.5}};
    scope_.run.round().threshold = thresholds_.lowest();
    if (thresholds_.lowest()) {
        validation["threshold"] = *thresholds_.lowest();
        Json per_class = Json::object();
        for (std::size_t c = 0; c < thresholds_.per_class.size(); ++c) {
            const auto& t = thresholds_.per_class[c];
            per_class[names_[c]] = t ? Json(*t) : Json(nullptr);
        }
        validation["class_thresholds"] = std::move(per_class);
    } else {
        validation["why_none"] = thresholds_.why_none;
    }
    (void)scope_.run.Record(MlStage::kValidation, validation);
    maps_.clear();  // the training maps are done with: free them before inference
    maps_.shrink_to_fit();
    return Status::Ok();
}

Result<std::string> DetectionRound::Infer() {
    TESSERA_TRY(scope_.run.Enter(MlStage::kInference));
    const auto start = SteadyClock::now();
    TESSERA_ASSIGN_OR_RETURN(const std::vector<Item> window,
                             scope_.repo.ListQueueWindow(scope_.project.id, settings_.window));
    TESSERA_ASSIGN_OR_RETURN(const LabelTree tree, LabelTreeOf(scope_.project));
    const bool polygons = scope_.project.task_type == TaskType::kPolygon;
    std::vector<ImportedAnnotation> prelabels;
    std::vector<std::pair<double, Id>> ranked;  // -mean confidence, item
    std::vector<Id> manual;
    std::int64_t shown_boxes = 0;
    std::int64_t outlined = 0;
    std::int64_t failed = 0;
    if (thresholds_.lowest()) {
        for (std::size_t n = 0; n < window.size(); ++n) {
            const Item& item = window[n];
            if (scope_.context.StopRequested()) {
                manual.push_back(item.id);  // the worker is stopping: the rest stay manual
                continue;
            }
            scope_.context.ReportProgress(static_cast<std::int64_t>(n + 1),
                                          static_cast<std::int64_t>(window.size()));
            std::optional<SourceFile> file;
            auto map = MapOf(item, file);
            if (!map.ok()) {
                ++failed;
                manual.push_back(item.id);
                continue;
            }
            std::vector<Shape> shapes;
            double confidence_sum = 0;
            for (const ml::Detection& d : detector_.Detect(*map)) {
                const auto& cut = thresholds_.per_class[static_cast<std::size_t>(d.label)];
                if (!cut || d.confidence < *cut) {
                    continue;
                }
                const Box box{d.box.x * item.width, d.box.y * item.height, d.box.w * item.width,
                              d.box.h * item.height};
                Shape shape{names_[static_cast<std::size_t>(d.label)], box, d.confidence, {}};
                if (polygons) {
                    auto ring = OutlineInImage(*file, item.width, item.height, box);
                    if (ring.ok() && ring->size() >= 3) {
                        shape.geometry = Polygon{{std::move(ring).value()}};
                        ++outlined;
                    } else {
                        shape.geometry = RectangleOf(box);
                    }
                }
                confidence_sum += d.confidence;
                shapes.push_back(std::move(shape));
            }
            auto cleaned = shapes.empty()
                               ? Result<std::vector<Shape>>(std::vector<Shape>{})
                               : ValidateShapes(scope_.project.task_type, tree,
                                                {item.width, item.height}, std::move(shapes));
            if (!cleaned.ok() || cleaned->empty()) {
                manual.push_back(item.id);
                continue;
            }
            const double mean = confidence_sum / static_cast<double>(cleaned->size());
            shown_boxes += static_cast<std::int64_t>(cleaned->size());
            prelabels.push_back(
                {item.id, Json{{"shapes", ShapesToJson(*cleaned)}}.dump(), {}, mean});
            ranked.emplace_back(-mean, item.id);
        }
    } else {
        for (const Item& item : window) {
            manual.push_back(item.id);
        }
    }
    TESSERA_ASSIGN_OR_RETURN(
        const std::int64_t stored,
        scope_.repo.ReplaceModelPrelabels(scope_.project.id, scope_.run.round().id, prelabels,
                                          scope_.clock.NowMs()));
    TESSERA_TRY(scope_.repo.ReplaceItemGroups(scope_.project.id, {}));
    std::sort(ranked.begin(), ranked.end());
    std::vector<Id> prelabeled;
    prelabeled.reserve(ranked.size());
    for (const auto& entry : ranked) {
        prelabeled.push_back(entry.second);
    }
    TESSERA_TRY(scope_.repo.ReorderQueue(
        scope_.project.id,
        InterleaveRuns(prelabeled, manual,
                       static_cast<std::size_t>(std::max(settings_.run_length, 0)))));
    scope_.run.round().prelabeled = stored;
    (void)scope_.run.Record(
        MlStage::kInference,
        {{"seconds", SecondsSince(start)},
         {"window", window.size()},
         {"prelabeled", stored},
         {"boxes", shown_boxes},
         {"outlined", outlined},
         {"failed", failed},
         {"coverage", window.empty()
                          ? 0.0
                          : static_cast<double>(stored) / static_cast<double>(window.size())}});
    if (!thresholds_.lowest()) {
        return "no prelabels: " + thresholds_.why_none;
    }
    return std::to_string(stored) + " of the next " + std::to_string(window.size()) +
           " items prelabeled (" + std::to_string(shown_boxes) + " boxes)";
}

}  // namespace tessera
