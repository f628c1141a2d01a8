#include "services/import_service.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <variant>

#include "base/log.hpp"
#include "domain/classification.hpp"
#include "domain/label_tree.hpp"
#include "domain/shapes.hpp"
#include "formats/coco_import.hpp"
#include "formats/coco_panoptic_import.hpp"
#include "formats/createml_import.hpp"
#include "formats/csv_import.hpp"
#include "formats/cvat_import.hpp"
#include "formats/datumaro_import.hpp"
#include "formats/import_upload.hpp"
#include "formats/jsonl_import.hpp"
#include "formats/kaggle_table_import.hpp"
#include "formats/label_studio_import.hpp"
#include "formats/labelme_import.hpp"
#include "formats/mask_outline.hpp"
#include "formats/masks_import.hpp"
#include "formats/segment_anything_import.hpp"
#include "formats/voc_import.hpp"
#include "formats/yolo_import.hpp"
#include "formats/zip_import.hpp"
#include "services/permissions.hpp"

namespace tessera {

namespace {

using nlohmann::json;

constexpr int kItemPage = 10000;

CocoFlavor CocoFlavorOf(const ImportOptions& options) {
    if (options.format == ImportFormat::kCocoAzure ||
        options.coco == CocoCoordinates::kNormalized) {
        return CocoFlavor::kAzure;
    }
    return options.coco == CocoCoordinates::kPixel ? CocoFlavor::kPixel : CocoFlavor::kDetect;
}

// Label Studio files hold both annotations and predictions: the mode picks which are read.
LabelStudioOptions LabelStudioOptionsOf(const ImportOptions& options, const Project& project,
                                        const LabelTree& tree) {
    LabelStudioOptions out;
    out.predictions = options.mode == ImportMode::kPrelabel;
    out.task_type = project.task_type;
    out.is_label = [&tree](std::string_view label) { return tree.Contains(label); };
    return out;
}

// CSV label cells are split by what the project is: several labels in a multi-label one, one
// label (which may hold a comma) in a multi-class one.
Result<ParsedImport> Parse(const std::vector<ImportFile>& files, const ImportOptions& options,
                           const Project& project, const LabelTree& tree) {
    switch (options.format) {
        case ImportFormat::kCoco:
        case ImportFormat::kCocoAzure: return ParseCoco(files, CocoFlavorOf(options));
        case ImportFormat::kJsonl: return ParseJsonl(files);
        case ImportFormat::kVoc: return ParseVoc(files, options.voc);
        case ImportFormat::kYolo: return ParseYolo(files);
        case ImportFormat::kLabelMe: return ParseLabelMe(files);
        case ImportFormat::kCvat: return ParseCvat(files);
        case ImportFormat::kMasks: return ParseMasks(files);
        case ImportFormat::kCocoPanoptic: return ParseCocoPanoptic(files);
        case ImportFormat::kKaggleCsv: return ParseKaggleCsv(files, options.table);
        case ImportFormat::kKaggleTxt: return ParseKaggleTxt(files, options.table);
        case ImportFormat::kCreateMl: return ParseCreateMl(files);
        case ImportFormat::kSegmentAnything:
            return ParseSegmentAnything(files, options.table.label);
        case ImportFormat::kCsv: return ParseCsv(files, project.task_type, tree);
        case ImportFormat::kLabelStudio:
            return ParseLabelStudio(files, LabelStudioOptionsOf(options, project, tree));
        case ImportFormat::kDatumaro: return ParseDatumaro(files);
    }
    return Error::InvalidArgument("unknown import format");
}

// COCO, CVAT, JSONL, Label Studio and Datumaro files can hold millions of annotations, so they are
// streamed from the upload; the other formats come as many small files and are read whole.
Result<ParsedImport> ParseUpload(const ImportUpload& upload, const ImportOptions& options,
                                 const Project& project, const LabelTree& tree) {
    switch (options.format) {
        case ImportFormat::kCoco:
        case ImportFormat::kCocoAzure: return ParseCocoUpload(upload, CocoFlavorOf(options));
        case ImportFormat::kCvat: return ParseCvatUpload(upload);
        case ImportFormat::kDatumaro: return ParseDatumaroUpload(upload);
        case ImportFormat::kJsonl: return ParseJsonlUpload(upload);
        case ImportFormat::kLabelStudio:
            return ParseLabelStudioUpload(upload, LabelStudioOptionsOf(options, project, tree));
        default: break;
    }
    TESSERA_ASSIGN_OR_RETURN(std::vector<ImportFile> files, upload.ReadAll());
    return Parse(files, options, project, tree);
}

// The readers check the types of what they read; should one still meet a type it did not
// expect (nlohmann throws on get<T>() of another type), that is the file's shape, not a server
// fault: a 400 that says so instead of a 500. The fuzz targets call the readers directly, so
// such a miss still shows there as a finding.
Result<ParsedImport> ParseUploadGuarded(const ImportUpload& upload, const ImportOptions& options,
                                        const Project& project, const LabelTree& tree) {
    try {
        return ParseUpload(upload, options, project, tree);
    } catch (const nlohmann::json::exception& e) {
        return Error::InvalidArgument(
            "the file does not have the layout this format's reader expects: " +
            std::string(e.what()));
    }
}

std::string WithoutExtension(const std::string& path) {
    const std::size_t dot = path.find_last_of('.');
    const std::size_t slash = path.find_last_of('/');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
        return path;
    }
    return path.substr(0, dot);
}

std::string Normalize(std::string name) {
    std::replace(name.begin(), name.end(), '\\', '/');
    while (name.starts_with("./") || name.starts_with("/")) {
        name.erase(0, name.starts_with("./") ? 2 : 1);
    }
    return name;
}

// Items by path, by path without extension, by file name and by file stem.
class ItemIndex {
public:
    // `root`: the project folder's absolute path, which a name may start with (our CSV export
    // writes the folder and the item's path).
    ItemIndex(std::vector<Item> items, const std::string& root)
        : items_(std::move(items)), root_(Normalize(root)) {
        while (root_.ends_with('/')) {
            root_.pop_back();
        }
        for (std::size_t i = 0; i < items_.size(); ++i) {
            const std::string& path = items_[i].path;
            by_path_[path] = i;
            by_path_stem_[WithoutExtension(path)].push_back(i);
            by_name_[ImportBaseName(path)].push_back(i);
            by_stem_[ImportStem(path)].push_back(i);
            // Tails of the path that keep a folder ("a/Test/x.jpg" -> "Test/x.jpg"), for
            // records that name fewer folders than the item has.
            for (std::size_t slash = path.find('/'); slash != std::string::npos;
                 slash = path.find('/', slash + 1)) {
                const std::string tail = path.substr(slash + 1);
                if (tail.find('/') != std::string::npos) {
                    by_tail_[tail].push_back(i);
                    by_stem_tail_[WithoutExtension(tail)].push_back(i);
                }
            }
        }
    }

    // The matched item, or the reason there is none.
    std::variant<const Item*, std::string> Match(const ImportRecord& record) const {
        const std::string name = Normalize(record.name);
        if (name.empty()) {
            return std::string("no image name");
        }
        if (!record.match_stem) {
            if (!root_.empty() && name.starts_with(root_ + "/")) {
                if (auto it = by_path_.find(name.substr(root_.size() + 1)); it != by_path_.end()) {
                    return &items_[it->second];
                }
            }
            for (const std::string& tail : FolderTails(name)) {
                if (auto it = by_path_.find(tail); it != by_path_.end()) {
                    return &items_[it->second];
                }
            }
            if (name.find('/') != std::string::npos && by_tail_.contains(name)) {
                return Unique(by_tail_, name, "path ending");
            }
            if (!record.path_only_reason.empty()) {
                return record.path_only_reason;
            }
            return Unique(by_name_, ImportBaseName(name), "file name");
        }
        // YOLO label folders mirror the image folders, often under "images/".
        std::vector<std::string> stems = FolderTails(name);
        if (name.starts_with("images/") && name.find('/', 7) == std::string::npos) {
            stems.push_back(name.substr(7));
        }
        for (const std::string& stem : stems) {
            auto it = by_path_stem_.find(stem);
            if (it != by_path_stem_.end() && it->second.size() == 1) {
                return &items_[it->second[0]];
            }
        }
        if (name.find('/') != std::string::npos && by_stem_tail_.contains(name)) {
            return Unique(by_stem_tail_, name, "path ending (without extension)");
        }
        if (!record.path_only_reason.empty()) {
            return record.path_only_reason;
        }
        return Unique(by_stem_, ImportBaseName(name), "file name (without extension)");
    }

private:
    using Multi = std::map<std::string, std::vector<std::size_t>>;

    // The name, then the name without its leading folders one at a time while a folder is left
    // ("export/images/a/x.jpg", "images/a/x.jpg", "a/x.jpg"): files name their images from a
    // root the project may not have (an export's "images/", a datastore's mount point).
    static std::vector<std::string> FolderTails(const std::string& name) {
        std::vector<std::string> out = {name};
        for (std::size_t slash = name.find('/'); slash != std::string::npos;
             slash = name.find('/', slash + 1)) {
            const std::string tail = name.substr(slash + 1);
            if (tail.find('/') == std::string::npos) {
                break;
            }
            out.push_back(tail);
        }
        return out;
    }

    std::variant<const Item*, std::string> Unique(const Multi& map, const std::string& key,
                                                  const char* what) const {
        auto it = map.find(key);
        if (it == map.end()) {
            return std::string("no item with this path or ") + what;
        }
        if (it->second.size() > 1) {
            return std::string(what) + " \"" + key +
                   "\" is ambiguous: " + std::to_string(it->second.size()) + " items (" +
                   items_[it->second[0]].path + ", " + items_[it->second[1]].path +
                   ", ...); give the path";
        }
        return &items_[it->second[0]];
    }

    std::vector<Item> items_;
    std::string root_;  // without its leading and trailing '/'
    std::map<std::string, std::size_t> by_path_;
    Multi by_path_stem_;
    Multi by_name_;
    Multi by_stem_;
    Multi by_tail_;
    Multi by_stem_tail_;
};

Result<std::vector<Item>> AllItems(Repository& repo, Id project_id) {
    std::vector<Item> all;
    ItemFilter filter;
    filter.limit = kItemPage;
    while (true) {
        TESSERA_ASSIGN_OR_RETURN(std::vector<Item> page, repo.ListItems(project_id, filter));
        if (page.empty()) {
            return all;
        }
        filter.after_id = page.back().id;
        all.insert(all.end(), std::make_move_iterator(page.begin()),
                   std::make_move_iterator(page.end()));
    }
}

void Scale(Shape& shape, double sx, double sy) {
    if (auto* box = std::get_if<Box>(&shape.geometry)) {
        *box = Box{box->x * sx, box->y * sy, box->w * sx, box->h * sy};
    } else if (auto* polygon = std::get_if<Polygon>(&shape.geometry)) {
        for (Ring& ring : polygon->rings) {
            for (ImagePoint& p : ring) {
                p = {p.x * sx, p.y * sy};
            }
        }
    }
}

Polygon BoxToPolygon(const Box& b) {
    return Polygon{{{{b.x, b.y}, {b.x + b.w, b.y}, {b.x + b.w, b.y + b.h}, {b.x, b.y + b.h}}}};
}

Box Bounds(const Polygon& polygon) {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool first = true;
    for (const Ring& ring : polygon.rings) {
        for (const ImagePoint& p : ring) {
            x0 = first ? p.x : std::min(x0, p.x);
            y0 = first ? p.y : std::min(y0, p.y);
            x1 = first ? p.x : std::max(x1, p.x);
            y1 = first ? p.y : std::max(y1, p.y);
            first = false;
        }
    }
    return Box{x0, y0, x1 - x0, y1 - y0};
}

// COCO gives one RLE per instance; a semantic annotation holds one mask per label.
void MergeMasksByLabel(std::vector<Shape>& shapes) {
    std::map<std::string, std::size_t> first;
    std::vector<Shape> out;
    for (Shape& shape : shapes) {
        auto* mask = std::get_if<MaskRle>(&shape.geometry);
        if (mask == nullptr) {
            out.push_back(std::move(shape));
            continue;
        }
        auto [it, fresh] = first.emplace(shape.label, out.size());
        if (fresh) {
            out.push_back(std::move(shape));
            continue;
        }
        auto& runs = std::get<MaskRle>(out[it->second].geometry).runs;
        runs.insert(runs.end(), mask->runs.begin(), mask->runs.end());
    }
    for (Shape& shape : out) {
        auto* mask = std::get_if<MaskRle>(&shape.geometry);
        if (mask == nullptr || mask->runs.size() % 2 != 0) {
            continue;
        }
        std::vector<std::pair<std::int64_t, std::int64_t>> runs;
        for (std::size_t i = 0; i + 1 < mask->runs.size(); i += 2) {
            runs.emplace_back(mask->runs[i], mask->runs[i] + mask->runs[i + 1]);
        }
        std::sort(runs.begin(), runs.end());
        mask->runs.clear();
        for (const auto& [begin, end] : runs) {
            const std::size_t n = mask->runs.size();
            if (n >= 2 && begin <= mask->runs[n - 2] + mask->runs[n - 1]) {
                mask->runs[n - 1] =
                    std::max(mask->runs[n - 2] + mask->runs[n - 1], end) - mask->runs[n - 2];
            } else {
                mask->runs.push_back(begin);
                mask->runs.push_back(end - begin);
            }
        }
    }
    shapes = std::move(out);
}

// Other tools mix shape kinds freely: boxes become polygons where polygons are drawn and
// polygons their bounding boxes where boxes are. Masks become their bounding boxes in box
// projects and their pixel-exact outlines in polygon projects (formats/mask_outline); in other
// task types ValidateShapes refuses them, naming the shape.
void AdaptToTask(TaskType type, int image_width, std::vector<Shape>& shapes) {
    for (Shape& shape : shapes) {
        if (type == TaskType::kBbox) {
            if (const auto* polygon = std::get_if<Polygon>(&shape.geometry)) {
                shape.geometry = Bounds(*polygon);
            } else if (const auto* mask = std::get_if<MaskRle>(&shape.geometry)) {
                shape.geometry = MaskBounds(*mask, image_width);
            }
        } else if (const auto* box = std::get_if<Box>(&shape.geometry)) {
            shape.geometry = BoxToPolygon(*box);
        } else if (const auto* mask = std::get_if<MaskRle>(&shape.geometry);
                   mask != nullptr && type == TaskType::kPolygon) {
            shape.geometry = MaskOutline(*mask, image_width);
        }
    }
}

// CVAT's tags label the image in a classification project; in a shape project they are
// counted as dropped, like the other things that project cannot hold.
void FoldTags(TaskType task_type, ImportRecord& record) {
    if (record.tags.empty()) {
        return;
    }
    if (IsClassification(task_type)) {
        record.labels.insert(record.labels.end(), record.tags.begin(), record.tags.end());
    } else {
        record.dropped["tag"] += static_cast<int>(record.tags.size());
    }
    record.tags.clear();
}

// A classifier's scores for every class (AutoML model output) as the record's labels: the
// likeliest class for multi-class (its probability the confidence); for multi-label every class
// at 0.5 or more, the confidence that of the least sure decision (in or out). Other task types
// get the likeliest class, which Convert refuses like any image-level label.
void FoldScores(TaskType task_type, ImportRecord& record) {
    if (record.label_scores.empty()) {
        return;
    }
    if (task_type == TaskType::kMultilabel) {
        double surest_of_all = 1.0;
        for (const auto& [label, p] : record.label_scores) {
            if (p >= 0.5) {
                record.labels.push_back(label);
            }
            surest_of_all = std::min(surest_of_all, std::max(p, 1.0 - p));
        }
        record.confidence = surest_of_all;
    } else {
        const auto best =
            std::max_element(record.label_scores.begin(), record.label_scores.end(),
                             [](const auto& a, const auto& b) { return a.second < b.second; });
        record.labels.push_back(best->first);
        record.confidence = best->second;
    }
    record.label_scores.clear();
}

// "2 polyline, 1 points".
std::string DescribeDropped(const std::map<std::string, int>& dropped) {
    std::string out;
    for (const auto& [kind, n] : dropped) {
        out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + kind;
    }
    return out;
}

// Why a record that had something to import has nothing left: every shape dropped, or a mask
// all void. nullopt when something is left or there never was anything (an empty image).
std::optional<std::string> NothingLeft(const ImportRecord& record) {
    if (!record.shapes.empty() || !record.labels.empty()) {
        return std::nullopt;
    }
    if (!record.dropped.empty()) {
        return "every shape was dropped (" + DescribeDropped(record.dropped) +
               "): nothing imported for this image";
    }
    if (record.size &&
        record.void_pixels == std::int64_t{record.size->width} * record.size->height) {
        return "every pixel of the mask is void: nothing imported for this image";
    }
    return std::nullopt;
}

// One matched record to the annotation to store; the error message names the record's shape.
Result<ImportedAnnotation> Convert(const Project& project, const LabelTree& tree, const Item& item,
                                   ImportRecord record) {
    ImportedAnnotation out;
    out.item_id = item.id;
    if (IsClassification(project.task_type)) {
        std::vector<std::string> labels = record.labels;
        for (const Shape& shape : record.shapes) {
            labels.push_back(shape.label);
        }
        TESSERA_ASSIGN_OR_RETURN(std::vector<std::string> ordered,
                                 ValidateClassification(project.task_type, tree, labels));
        out.payload_json = ClassificationPayload(ordered);
        out.counted_labels = ordered;
        out.confidence = record.confidence;
        return out;
    }
    if (!record.labels.empty()) {
        return Error::InvalidArgument("image-level labels cannot be imported into a " +
                                      std::string(TaskTypeName(project.task_type)) + " project");
    }
    ImageSize size{item.width, item.height};
    if (size.width <= 0 || size.height <= 0) {
        if (!record.size) {
            return Error::InvalidArgument("the item's image size is unknown");
        }
        size = *record.size;
    } else if (record.size && record.space == CoordSpace::kPixel &&
               (record.size->width != size.width || record.size->height != size.height)) {
        return Error::InvalidArgument(
            "the file says the image is " + std::to_string(record.size->width) + "x" +
            std::to_string(record.size->height) + " but item " + item.path + " is " +
            std::to_string(size.width) + "x" + std::to_string(size.height));
    }
    for (Shape& shape : record.shapes) {
        if (record.space == CoordSpace::kNormalized) {
            Scale(shape, size.width, size.height);
        }
    }
    AdaptToTask(project.task_type, size.width, record.shapes);
    if (project.task_type == TaskType::kSemantic) {
        MergeMasksByLabel(record.shapes);
    }
    double confidence_sum = 0;
    int confidence_n = 0;
    for (const Shape& shape : record.shapes) {
        if (shape.confidence) {
            confidence_sum += *shape.confidence;
            ++confidence_n;
        }
    }
    TESSERA_ASSIGN_OR_RETURN(
        std::vector<Shape> cleaned,
        ValidateShapes(project.task_type, tree, size, std::move(record.shapes)));
    for (const Shape& shape : cleaned) {
        out.counted_labels.push_back(shape.label);
    }
    out.payload_json = json{{"shapes", ShapesToJson(cleaned)}}.dump();
    if (confidence_n > 0) {
        out.confidence = confidence_sum / confidence_n;
    }
    return out;
}

}  // namespace

std::optional<ImportFormat> ParseImportFormat(std::string_view name) {
    static const std::map<std::string_view, ImportFormat> kNames = {
        {"coco", ImportFormat::kCoco},
        {"coco-azure", ImportFormat::kCocoAzure},
        {"jsonl", ImportFormat::kJsonl},
        {"mltable", ImportFormat::kJsonl},
        {"voc", ImportFormat::kVoc},
        {"yolo", ImportFormat::kYolo},
        {"labelme", ImportFormat::kLabelMe},
        {"cvat", ImportFormat::kCvat},
        {"masks", ImportFormat::kMasks},
        {"coco-panoptic", ImportFormat::kCocoPanoptic},
        {"kaggle-csv", ImportFormat::kKaggleCsv},
        {"kaggle-txt", ImportFormat::kKaggleTxt},
        {"createml", ImportFormat::kCreateMl},
        {"segment-anything", ImportFormat::kSegmentAnything},
        {"csv", ImportFormat::kCsv},
        {"label-studio", ImportFormat::kLabelStudio},
        {"datumaro", ImportFormat::kDatumaro}};
    auto it = kNames.find(name);
    return it == kNames.end() ? std::nullopt : std::optional<ImportFormat>(it->second);
}

json ImportReportToJson(const ImportReport& report) {
    json unmatched = json::array();
    for (const ImportUnmatched& u : report.unmatched) {
        unmatched.push_back({{"row", u.row}, {"name", u.name}, {"reason", u.reason}});
    }
    json errors = json::array();
    for (const ImportRowError& e : report.errors) {
        errors.push_back({{"row", e.row}, {"message", e.message}});
    }
    json dropped = json::array();
    std::map<std::string, int> totals;
    std::int64_t void_pixels = 0;
    for (const ImportDropped& d : report.dropped) {
        json entry = {{"row", d.row}, {"name", d.name}, {"file", d.file}, {"shapes", d.shapes}};
        if (d.void_pixels > 0) {
            entry["void_pixels"] = d.void_pixels;
        }
        dropped.push_back(std::move(entry));
        for (const auto& [kind, n] : d.shapes) {
            totals[kind] += n;
        }
        void_pixels += d.void_pixels;
    }
    return {{"matched", report.matched},
            {"unmatched", std::move(unmatched)},
            {"errors", std::move(errors)},
            {"dropped", std::move(dropped)},
            {"dropped_totals", {{"shapes", totals}, {"void_pixels", void_pixels}}},
            {"applied", report.applied}};
}

Result<ImportReport> ImportService::Import(const User& actor, Id project_id,
                                           const ImportOptions& options, std::string body) {
    return Import(actor, project_id, options,
                  ImportUpload::FromBytes(std::move(body), options.upload_name));
}

Result<ImportReport> ImportService::Import(const User& actor, Id project_id,
                                           const ImportOptions& options,
                                           const ImportUpload& upload) {
    TESSERA_TRY(RequireOwner(actor, "import annotations"));
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    Result<ImportReport> outcome = Run(actor, project, options, upload);
    Record(actor, project_id, options, outcome);
    return outcome;
}

json ImportJobPayload(const std::string& username, const ImportOptions& options,
                      const ImportReport& report) {
    return {{"format", options.format_name},
            {"mode", options.mode == ImportMode::kFinal ? "final" : "prelabel"},
            {"file", options.file_name},
            {"user", username},
            {"matched", report.matched},
            {"unmatched", report.unmatched.size()},
            {"errors", report.errors.size()},
            {"applied", report.applied}};
}

void ImportService::Record(const User& actor, Id project_id, const ImportOptions& options,
                           const Result<ImportReport>& outcome) {
    const ImportReport report = outcome.ok() ? *outcome : ImportReport{};
    Job job;
    job.kind = kImportJobKind;
    job.project_id = project_id;
    job.state = report.applied ? JobState::kDone : JobState::kFailed;
    job.payload_json = ImportJobPayload(actor.username, options, report).dump();
    job.progress_done = report.matched;
    job.progress_total = report.matched + static_cast<std::int64_t>(report.unmatched.size());
    if (!outcome.ok()) {
        job.error = outcome.error().message;
    } else if (!report.errors.empty()) {
        job.error = std::to_string(report.errors.size()) + " row error(s), nothing applied; " +
                    "first: " + report.errors.front().message;
    }
    job.created_at = clock_.NowMs();
    job.started_at = job.created_at;
    job.finished_at = job.created_at;
    // The import itself stands: a history entry that cannot be written is only logged.
    if (auto stored = repo_.EnqueueJob(job); !stored.ok()) {
        log::Warn("import history not recorded",
                  {{"project", std::to_string(project_id)}, {"error", stored.error().message}});
    }
}

Result<ImportReport> ImportService::Run(const User& actor, const Project& project,
                                        const ImportOptions& options, const ImportUpload& upload) {
    const Id project_id = project.id;
    TESSERA_ASSIGN_OR_RETURN(LabelTree tree, LabelTreeOf(project));
    TESSERA_ASSIGN_OR_RETURN(ParsedImport parsed,
                             ParseUploadGuarded(upload, options, project, tree));
    TESSERA_ASSIGN_OR_RETURN(std::vector<Item> items, AllItems(repo_, project_id));
    const ItemIndex index(std::move(items), project.datasource.path);

    ImportReport report;
    report.errors = std::move(parsed.errors);
    for (ImportSkipped& skipped : parsed.skipped) {
        report.unmatched.push_back(
            {skipped.row, std::move(skipped.name), std::move(skipped.reason)});
    }
    ImportRequest request;
    request.project_id = project_id;
    request.final = options.mode == ImportMode::kFinal;
    request.actor_id = actor.id;
    std::map<Id, int> matched_by;  // item id -> the row that matched it first
    for (ImportRecord& record : parsed.records) {
        FoldTags(project.task_type, record);
        FoldScores(project.task_type, record);
        if (!record.dropped.empty() || record.void_pixels > 0) {
            report.dropped.push_back(
                {record.row, record.name, record.file, record.dropped, record.void_pixels});
        }
        if (auto why = NothingLeft(record)) {
            // Marking the image labeled with nothing on it would hide that its annotation was
            // lost (a CVAT image holding only polylines).
            report.unmatched.push_back({record.row, record.name, *why});
            continue;
        }
        auto match = index.Match(record);
        if (auto* reason = std::get_if<std::string>(&match)) {
            report.unmatched.push_back({record.row, record.name, *reason});
            continue;
        }
        const Item& item = *std::get<const Item*>(match);
        if (auto [it, fresh] = matched_by.emplace(item.id, record.row); !fresh) {
            report.errors.push_back({record.row, record.name + ": item " + item.path +
                                                     " was already matched by row " +
                                                     std::to_string(it->second)});
            continue;
        }
        ++report.matched;
        const std::string name = record.name;
        const int row = record.row;
        auto converted = Convert(project, tree, item, std::move(record));
        if (!converted.ok()) {
            report.errors.push_back({row, name + ": " + converted.error().message});
            continue;
        }
        request.annotations.push_back(std::move(converted).value());
    }
    std::stable_sort(
        report.errors.begin(), report.errors.end(),
        [](const ImportRowError& a, const ImportRowError& b) { return a.row < b.row; });
    std::stable_sort(
        report.unmatched.begin(), report.unmatched.end(),
        [](const ImportUnmatched& a, const ImportUnmatched& b) { return a.row < b.row; });
    std::stable_sort(report.dropped.begin(), report.dropped.end(),
                     [](const ImportDropped& a, const ImportDropped& b) { return a.row < b.row; });
    if (!report.errors.empty()) {
        return report;
    }
    request.now = clock_.NowMs();
    TESSERA_TRY(repo_.ApplyImport(request));
    report.applied = true;
    return report;
}

}  // namespace tessera
