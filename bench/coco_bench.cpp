// COCO at scale (issue 3): export of a box project with a million boxes, and import of that
// file into a second project with the same items.
//
//   tessera_coco_bench --db PATH|postgresql://... --file OUT.json [--images 100000]
//                      [--boxes 10] --phase seed|export|parse|parse-dom|import|check
//
// seed: a bbox project "coco-src" of N item rows (no files), each labeled with B boxes, and
// "coco-dst" with the same items, unlabeled; both through the Repository. export: the real
// ExportService writes format=coco into --file. parse: only the streaming COCO reader over that
// file; parse-dom: for comparison, the file read whole and parsed into one nlohmann DOM, as the
// reader did before it streamed. import: the real ImportService reads that file from disk as a
// final import into coco-dst. check: counts the boxes stored in both projects and
// fails unless each has N x B. Run each phase in its own process (bench/run_coco_bench.sh) so
// each peak_rss_mb is that phase's own. docs/PERFORMANCE.md records the results.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "bench_support.hpp"
#include "domain/shapes.hpp"
#include "formats/coco_import.hpp"
#include "formats/import_upload.hpp"
#include "services/export_service.hpp"
#include "services/import_service.hpp"

namespace tessera {
namespace {

using bench::CountBoxes;
using bench::FindProject;
using bench::kBenchOwner;
using bench::OpenRepo;
using bench::PeakRssMb;
using bench::SecondsSince;

using SteadyClock = std::chrono::steady_clock;

constexpr const char* kLabels[] = {"Cat", "Dog", "Car", "Tree", "House", "Person"};
constexpr int kWidth = 640;
constexpr int kHeight = 480;
constexpr int kSeedBatch = 5000;

struct Options {
    std::string db;
    std::string file;
    std::int64_t images = 100'000;
    int boxes = 10;
    std::string phase;
};

Result<Id> CreateBoxProject(Repository& repo, const std::string& name, const Options& opt) {
    return bench::CreateBoxProject(repo, name, opt.images, kWidth, kHeight,
                                   R"(["Cat","Dog","Car","Tree","House","Person"])");
}

// B seeded boxes inside the image, with fractional coordinates as drawn on the canvas.
std::vector<Shape> Boxes(SeededRandom& random, int count) {
    std::vector<Shape> shapes;
    for (int b = 0; b < count; ++b) {
        const double x = static_cast<double>(random.NextU64() % 600) + 0.25;
        const double y = static_cast<double>(random.NextU64() % 440) + 0.5;
        const double w = static_cast<double>(1 + random.NextU64() % 39) + 0.75;
        const double h = static_cast<double>(1 + random.NextU64() % 39);
        shapes.push_back(Shape{kLabels[random.NextU64() % 6], Box{x, y, w, h}, std::nullopt, ""});
    }
    return shapes;
}

// Labels every item of `project` with boxes: final annotations written by ApplyImport in
// batches (the Repository's bulk write), so the export sees them as the items' results.
Status LabelAll(Repository& repo, Id project, const Options& opt) {
    SeededRandom random(7);
    ItemFilter filter;
    filter.limit = kSeedBatch;
    while (true) {
        TESSERA_ASSIGN_OR_RETURN(std::vector<Item> items, repo.ListItems(project, filter));
        if (items.empty()) {
            return Status::Ok();
        }
        filter.after_id = items.back().id;
        ImportRequest request;
        request.project_id = project;
        request.final = true;
        request.now = 1;
        for (const Item& item : items) {
            ImportedAnnotation a;
            a.item_id = item.id;
            std::vector<Shape> shapes = Boxes(random, opt.boxes);
            for (const Shape& s : shapes) {
                a.counted_labels.push_back(s.label);
            }
            a.payload_json = nlohmann::json{{"shapes", ShapesToJson(shapes)}}.dump();
            request.annotations.push_back(std::move(a));
        }
        TESSERA_TRY(repo.ApplyImport(request));
    }
}

Status RunSeed(Repository& repo, const Options& opt) {
    if (FindProject(repo, "coco-src").ok()) {
        std::printf("seed already_seeded=1\n");
        return Status::Ok();
    }
    auto start = SteadyClock::now();
    TESSERA_ASSIGN_OR_RETURN(Id src, CreateBoxProject(repo, "coco-src", opt));
    TESSERA_TRY(LabelAll(repo, src, opt));
    TESSERA_TRY(CreateBoxProject(repo, "coco-dst", opt));
    std::printf("seed images=%lld boxes=%lld seconds=%.1f\n", static_cast<long long>(opt.images),
                static_cast<long long>(opt.images) * opt.boxes, SecondsSince(start));
    return Status::Ok();
}

class FileSink final : public ByteSink {
public:
    explicit FileSink(const std::string& path) : file_(std::fopen(path.c_str(), "wb")) {}
    ~FileSink() override {
        if (file_ != nullptr) {
            std::fclose(file_);
        }
    }
    bool ok() const { return file_ != nullptr; }
    Status Write(std::string_view bytes) override {
        if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
            return Error::Unavailable("cannot write the export file");
        }
        bytes_ += bytes.size();
        return Status::Ok();
    }
    Status Close() {
        const bool closed = std::fclose(file_) == 0;
        file_ = nullptr;
        return closed ? Status::Ok() : Status(Error::Unavailable("cannot close the export file"));
    }
    std::size_t bytes() const { return bytes_; }

private:
    std::FILE* file_;
    std::size_t bytes_ = 0;
};

Status RunExport(Repository& repo, const Options& opt) {
    TESSERA_ASSIGN_OR_RETURN(Id src, FindProject(repo, "coco-src"));
    SystemClock clock;
    ExportService exporter(repo, clock);
    FileSink sink(opt.file);
    if (!sink.ok()) {
        return Error::Unavailable("cannot create " + opt.file);
    }
    auto start = SteadyClock::now();
    TESSERA_TRY(exporter.Write(kBenchOwner, src, ExportFormat::kCoco, sink));
    TESSERA_TRY(sink.Close());
    const double secs = SecondsSince(start);
    std::printf("export_coco boxes=%lld bytes=%zu seconds=%.2f boxes_per_s=%.0f peak_rss_mb=%ld\n",
                static_cast<long long>(opt.images) * opt.boxes, sink.bytes(), secs,
                static_cast<double>(opt.images) * static_cast<double>(opt.boxes) / secs,
                PeakRssMb());
    return Status::Ok();
}

Status RunImport(Repository& repo, const Options& opt) {
    TESSERA_ASSIGN_OR_RETURN(Id dst, FindProject(repo, "coco-dst"));
    SystemClock clock;
    ImportService importer(repo, clock);
    ImportOptions options;
    options.format = ImportFormat::kCoco;
    options.mode = ImportMode::kFinal;
    auto start = SteadyClock::now();
    TESSERA_ASSIGN_OR_RETURN(
        ImportReport report,
        importer.Import(kBenchOwner, dst, options, ImportUpload::FromFile(opt.file, "bench.json")));
    const double secs = SecondsSince(start);
    std::printf(
        "import_coco matched=%lld unmatched=%zu errors=%zu applied=%d seconds=%.2f "
        "boxes_per_s=%.0f peak_rss_mb=%ld\n",
        static_cast<long long>(report.matched), report.unmatched.size(), report.errors.size(),
        report.applied ? 1 : 0, secs,
        static_cast<double>(opt.images) * static_cast<double>(opt.boxes) / secs, PeakRssMb());
    if (!report.applied) {
        return Error::Internal("import not applied: " + (report.errors.empty()
                                                             ? std::string("?")
                                                             : report.errors[0].message));
    }
    return Status::Ok();
}

// The streaming reader alone (formats/coco_import), without matching or writing.
Status RunParse(const Options& opt) {
    auto start = SteadyClock::now();
    TESSERA_ASSIGN_OR_RETURN(
        ParsedImport parsed,
        ParseCocoUpload(ImportUpload::FromFile(opt.file, "bench.json"), CocoFlavor::kDetect));
    std::size_t shapes = 0;
    for (const ImportRecord& record : parsed.records) {
        shapes += record.shapes.size();
    }
    std::printf("parse_stream records=%zu shapes=%zu seconds=%.2f peak_rss_mb=%ld\n",
                parsed.records.size(), shapes, SecondsSince(start), PeakRssMb());
    return Status::Ok();
}

// For comparison, what the reader did before it streamed: the whole body in memory, then one
// nlohmann DOM of the document (before any conversion to shapes).
Status RunParseDom(const Options& opt) {
    auto start = SteadyClock::now();
    std::ifstream in(opt.file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const std::string body = std::move(bytes).str();
    const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.contains("annotations")) {
        return Error::InvalidArgument("not a COCO file");
    }
    std::printf("parse_dom annotations=%zu seconds=%.2f peak_rss_mb=%ld\n",
                doc["annotations"].size(), SecondsSince(start), PeakRssMb());
    return Status::Ok();
}

Status RunCheck(Repository& repo, const Options& opt) {
    TESSERA_ASSIGN_OR_RETURN(Id src, FindProject(repo, "coco-src"));
    TESSERA_ASSIGN_OR_RETURN(Id dst, FindProject(repo, "coco-dst"));
    TESSERA_ASSIGN_OR_RETURN(std::int64_t src_boxes, CountBoxes(repo, src));
    TESSERA_ASSIGN_OR_RETURN(std::int64_t dst_boxes, CountBoxes(repo, dst));
    const std::int64_t expected = opt.images * opt.boxes;
    std::printf("check expected=%lld source=%lld imported=%lld\n", static_cast<long long>(expected),
                static_cast<long long>(src_boxes), static_cast<long long>(dst_boxes));
    if (src_boxes != expected || dst_boxes != expected) {
        return Error::Internal("box counts differ");
    }
    return Status::Ok();
}

int Main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const std::string value = argv[i + 1];
        if (flag == "--db") {
            opt.db = value;
        } else if (flag == "--file") {
            opt.file = value;
        } else if (flag == "--images") {
            opt.images = std::stoll(value);
        } else if (flag == "--boxes") {
            opt.boxes = std::stoi(value);
        } else if (flag == "--phase") {
            opt.phase = value;
        } else {
            std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
            return 2;
        }
    }
    if (opt.db.empty() || opt.file.empty() || opt.phase.empty()) {
        std::fprintf(stderr,
                     "usage: tessera_coco_bench --db PATH|postgresql://... --file OUT.json "
                     "--phase seed|export|parse|parse-dom|import|check [--images N] "
                     "[--boxes B]\n");
        return 2;
    }
    auto repo = OpenRepo(opt.db);
    if (!repo.ok() || !(*repo)->Migrate().ok()) {
        std::fprintf(stderr, "cannot open %s\n", opt.db.c_str());
        return 1;
    }
    Status status = Error::InvalidArgument("unknown phase " + opt.phase);
    if (opt.phase == "seed") {
        status = RunSeed(**repo, opt);
    } else if (opt.phase == "export") {
        status = RunExport(**repo, opt);
    } else if (opt.phase == "import") {
        status = RunImport(**repo, opt);
    } else if (opt.phase == "check") {
        status = RunCheck(**repo, opt);
    } else if (opt.phase == "parse") {
        status = RunParse(opt);
    } else if (opt.phase == "parse-dom") {
        status = RunParseDom(opt);
    }
    if (!status.ok()) {
        std::fprintf(stderr, "failed: %s\n", status.error().message.c_str());
        return 1;
    }
    return 0;
}

}  // namespace
}  // namespace tessera

int main(int argc, char** argv) {
    return tessera::Main(argc, argv);
}
