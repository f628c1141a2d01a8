// One fuzz target per import format (import_<format>). The input is an upload body as the import
// endpoint takes it: a zip is unpacked into its entries, anything else is one file with the
// format's usual name, so the same target fuzzes the zip reader and the format's reader. The
// streamed formats (COCO, CVAT XML, JSONL, Label Studio) go through ImportUpload like the server's
// import path does.
//
// Any result is fine; a crash, a sanitizer report, a leak or a timeout is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "domain/label_tree.hpp"
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
#include "formats/masks_import.hpp"
#include "formats/segment_anything_import.hpp"
#include "formats/voc_import.hpp"
#include "formats/yolo_import.hpp"
#include "formats/zip_import.hpp"
#include "targets.hpp"

namespace tessera::fuzz {
namespace {

using Files = std::vector<ImportFile>;

// A reader of files read whole (what import_service does for these formats).
using WholeReader = Result<ParsedImport> (*)(const Files&);
// A reader of a streamed upload.
using StreamReader = Result<ParsedImport> (*)(const ImportUpload&);

struct Target {
    std::string_view format;
    std::string_view file_name;  // the upload's name when it is not a zip
    WholeReader whole = nullptr;
    StreamReader stream = nullptr;
};

Result<ParsedImport> Coco(const ImportUpload& upload) {
    return ParseCocoUpload(upload, CocoFlavor::kDetect);
}
Result<ParsedImport> Voc(const Files& files) {
    return ParseVoc(files, VocConvention::kCorners);
}
Result<ParsedImport> VocDevkit(const Files& files) {
    return ParseVoc(files, VocConvention::kDevkit);
}
Result<ParsedImport> KaggleCsv(const Files& files) {
    return ParseKaggleCsv(files, {});
}
Result<ParsedImport> KaggleTxt(const Files& files) {
    return ParseKaggleTxt(files, {});
}
Result<ParsedImport> SegmentAnything(const Files& files) {
    return ParseSegmentAnything(files, "object");
}
Result<ParsedImport> ClassificationCsv(const Files& files) {
    static const LabelTree kTree = [] {
        auto built = LabelTree::Build({{"cat", {}}, {"dog", {}}, {"bird", {}}});
        if (!built.ok()) {
            std::abort();  // a fixed, valid tree: cannot fail
        }
        return built.value();
    }();
    return ParseCsv(files, TaskType::kMultilabel, kTree);
}

// Predictions and a polygon project: every region kind (rotated boxes, brush RLE) is decoded.
Result<ParsedImport> LabelStudio(const ImportUpload& upload) {
    LabelStudioOptions options;
    options.predictions = true;
    options.task_type = TaskType::kPolygon;
    options.is_label = [](std::string_view label) { return label == "cat" || label == "dog"; };
    return ParseLabelStudioUpload(upload, options);
}

constexpr Target kTargets[] = {
    {"coco", "annotations/instances_default.json", nullptr, Coco},
    {"cvat", "annotations.xml", nullptr, ParseCvatUpload},
    {"jsonl", "labels.jsonl", nullptr, ParseJsonlUpload},
    {"voc", "Annotations/image.xml", Voc, nullptr},
    {"voc_devkit", "Annotations/image.xml", VocDevkit, nullptr},
    {"yolo", "obj_train_data/image.txt", ParseYolo, nullptr},
    {"labelme", "image.json", ParseLabelMe, nullptr},
    {"masks", "SegmentationClass/image.png", ParseMasks, nullptr},
    {"coco_panoptic", "annotations/panoptic_default.json", ParseCocoPanoptic, nullptr},
    {"kaggle_csv", "annotations.csv", KaggleCsv, nullptr},
    {"kaggle_txt", "annotations.txt", KaggleTxt, nullptr},
    {"createml", "annotations.createml.json", ParseCreateMl, nullptr},
    {"segment_anything", "image.json", SegmentAnything, nullptr},
    {"csv", "labels.csv", ClassificationCsv, nullptr},
    {"label_studio", "project-1.json", nullptr, LabelStudio},
    {"datumaro", "annotations/default.json", nullptr, ParseDatumaroUpload},
};

const Target* Find(std::string_view format) {
    for (const Target& target : kTargets) {
        if (target.format == format) {
            return &target;
        }
    }
    return nullptr;
}

}  // namespace

std::vector<std::string> ImportFormats() {
    std::vector<std::string> out;
    for (const Target& target : kTargets) {
        out.emplace_back(target.format);
    }
    return out;
}

void FuzzImport(std::string_view format, const std::uint8_t* data, std::size_t size) {
    const Target* target = Find(format);
    if (target == nullptr) {
        std::fprintf(stderr, "import_fuzzer: no format named %.*s\n",
                     static_cast<int>(format.size()), format.data());
        std::abort();  // a build or command-line mistake, not an input
    }
    std::string body = Bytes(data, size);
    if (target->stream != nullptr) {
        (void)target->stream(
            ImportUpload::FromBytes(std::move(body), std::string(target->file_name)));
        return;
    }
    auto files = ReadImportBody(std::move(body), std::string(target->file_name));
    if (files.ok()) {
        (void)target->whole(files.value());
    }
}

}  // namespace tessera::fuzz
