// CVAT XML and AutoML JSONL imports at scale (issue 3): a file of a million boxes read as a
// stream from disk, into a project with the matching items.
//
//   tessera_import_bench --db PATH|postgresql://... --dir WORK_DIR [--images 100000]
//                        [--boxes 10] --phase write|seed|parse-cvat|parse-cvat-tree|parse-jsonl|
//                                            import-cvat|import-jsonl|check
//
// write: WORK_DIR/annotations.xml (CVAT for images 1.1: N <image>s of B <box>es) and
// WORK_DIR/train.jsonl (N rows of B normalised boxes), seeded, written as they are generated.
// seed: bbox projects "cvat-dst" and "jsonl-dst" of N item rows each (no files), through the
// Repository. parse-cvat / parse-jsonl: the streaming reader alone over the file;
// parse-cvat-tree: for comparison, the file read whole into Boost.PropertyTree, as the CVAT
// reader did before it streamed. import-cvat / import-jsonl: the real ImportService reads the
// file from disk as a final import. check: fails unless each project holds N x B boxes. Run each
// phase in its own process (bench/run_import_bench.sh) so each peak_rss_mb is that phase's own.
// docs/PERFORMANCE.md records the results.

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "base/clock.hpp"
#include "bench_support.hpp"
#include "formats/cvat_import.hpp"
#include "formats/import_upload.hpp"
#include "formats/jsonl_import.hpp"
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
constexpr const char* kLabelsJson = R"(["Cat","Dog","Car","Tree","House","Person"])";
constexpr int kWidth = 640;
constexpr int kHeight = 480;

struct Options {
    std::string db;
    std::string dir;
    std::int64_t images = 100'000;
    int boxes = 10;
    std::string phase;

    std::string Cvat() const { return dir + "/annotations.xml"; }
    std::string Jsonl() const { return dir + "/train.jsonl"; }
    std::int64_t TotalBoxes() const { return images * boxes; }
};

struct BenchBox {
    const char* label;
    double x0, y0, x1, y1;  // pixels
};

// A seeded box inside the image, with fractional corners as drawn on the canvas.
BenchBox NextBox(SeededRandom& random) {
    const double x = static_cast<double>(random.NextU64() % 600) + 0.25;
    const double y = static_cast<double>(random.NextU64() % 440) + 0.5;
    const double w = static_cast<double>(1 + random.NextU64() % 39) + 0.75;
    const double h = static_cast<double>(1 + random.NextU64() % 39);
    return {kLabels[random.NextU64() % 6], x, y, x + w, y + h};
}

class OutFile {
public:
    explicit OutFile(const std::string& path) : file_(std::fopen(path.c_str(), "wb")) {}
    ~OutFile() {
        if (file_ != nullptr) {
            std::fclose(file_);
        }
    }
    OutFile(const OutFile&) = delete;
    OutFile& operator=(const OutFile&) = delete;
    std::FILE* get() const { return file_; }
    Status Close(const std::string& path) {
        const bool closed = file_ != nullptr && std::ferror(file_) == 0 && std::fclose(file_) == 0;
        file_ = nullptr;
        return closed ? Status::Ok() : Status(Error::Unavailable("cannot write " + path));
    }

private:
    std::FILE* file_;
};

// CVAT's own layout: <meta> first, attributes in CVAT's order, one box a line.
Status WriteCvat(const Options& opt) {
    OutFile out(opt.Cvat());
    if (out.get() == nullptr) {
        return Error::Unavailable("cannot create " + opt.Cvat());
    }
    std::fprintf(out.get(),
                 "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotations>\n"
                 "  <version>1.1</version>\n  <meta><task><name>bench</name></task></meta>\n");
    SeededRandom random(7);
    for (std::int64_t i = 0; i < opt.images; ++i) {
        std::fprintf(out.get(), "  <image id=\"%lld\" name=\"%s\" width=\"%d\" height=\"%d\">\n",
                     static_cast<long long>(i), bench::BenchItemPath(i).c_str(), kWidth, kHeight);
        for (int b = 0; b < opt.boxes; ++b) {
            const BenchBox box = NextBox(random);
            std::fprintf(out.get(),
                         "    <box label=\"%s\" source=\"manual\" occluded=\"0\" xtl=\"%.2f\" "
                         "ytl=\"%.2f\" xbr=\"%.2f\" ybr=\"%.2f\" z_order=\"0\">\n"
                         "    </box>\n",
                         box.label, box.x0, box.y0, box.x1, box.y1);
        }
        std::fprintf(out.get(), "  </image>\n");
    }
    std::fprintf(out.get(), "</annotations>\n");
    return out.Close(opt.Cvat());
}

// Azure's layout: one image a line, boxes normalised 0-1.
Status WriteJsonl(const Options& opt) {
    OutFile out(opt.Jsonl());
    if (out.get() == nullptr) {
        return Error::Unavailable("cannot create " + opt.Jsonl());
    }
    SeededRandom random(7);
    for (std::int64_t i = 0; i < opt.images; ++i) {
        std::fprintf(out.get(),
                     "{\"image_url\": \"azureml://subscriptions/s/resourcegroups/r/workspaces/w/"
                     "datastores/d/paths/%s\", \"image_details\": {\"format\": \"jpg\", "
                     "\"width\": \"%dpx\", \"height\": \"%dpx\"}, \"label\": [",
                     bench::BenchItemPath(i).c_str(), kWidth, kHeight);
        for (int b = 0; b < opt.boxes; ++b) {
            const BenchBox box = NextBox(random);
            std::fprintf(out.get(),
                         "%s{\"label\": \"%s\", \"topX\": %.6f, \"topY\": %.6f, \"bottomX\": "
                         "%.6f, \"bottomY\": %.6f, \"isCrowd\": 0}",
                         b == 0 ? "" : ", ", box.label, box.x0 / kWidth, box.y0 / kHeight,
                         box.x1 / kWidth, box.y1 / kHeight);
        }
        std::fprintf(out.get(), "]}\n");
    }
    return out.Close(opt.Jsonl());
}

long FileMb(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    return static_cast<long>(in.tellg() / (1 << 20));
}

Status RunWrite(const Options& opt) {
    auto start = SteadyClock::now();
    TESSERA_TRY(WriteCvat(opt));
    TESSERA_TRY(WriteJsonl(opt));
    std::printf("write images=%lld boxes=%lld cvat_mb=%ld jsonl_mb=%ld seconds=%.1f\n",
                static_cast<long long>(opt.images), static_cast<long long>(opt.TotalBoxes()),
                FileMb(opt.Cvat()), FileMb(opt.Jsonl()), SecondsSince(start));
    return Status::Ok();
}

Status RunSeed(Repository& repo, const Options& opt) {
    if (FindProject(repo, "cvat-dst").ok()) {
        std::printf("seed already_seeded=1\n");
        return Status::Ok();
    }
    auto start = SteadyClock::now();
    TESSERA_TRY(
        bench::CreateBoxProject(repo, "cvat-dst", opt.images, kWidth, kHeight, kLabelsJson));
    TESSERA_TRY(
        bench::CreateBoxProject(repo, "jsonl-dst", opt.images, kWidth, kHeight, kLabelsJson));
    std::printf("seed projects=2 images=%lld seconds=%.1f\n", static_cast<long long>(opt.images),
                SecondsSince(start));
    return Status::Ok();
}

Status ReportParse(const char* what, const Result<ParsedImport>& parsed,
                   SteadyClock::time_point start) {
    if (!parsed.ok()) {
        return parsed.error();
    }
    std::size_t shapes = 0;
    for (const ImportRecord& record : parsed->records) {
        shapes += record.shapes.size();
    }
    std::printf("%s records=%zu shapes=%zu errors=%zu seconds=%.2f peak_rss_mb=%ld\n", what,
                parsed->records.size(), shapes, parsed->errors.size(), SecondsSince(start),
                PeakRssMb());
    return Status::Ok();
}

// For comparison, what the CVAT reader did before it streamed: the whole file in memory, then
// one Boost.PropertyTree of the document (before any conversion to shapes).
Status RunParseCvatTree(const Options& opt) {
    auto start = SteadyClock::now();
    std::ifstream in(opt.Cvat(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    std::istringstream body(std::move(bytes).str());
    boost::property_tree::ptree tree;
    try {
        boost::property_tree::read_xml(body, tree,
                                       boost::property_tree::xml_parser::trim_whitespace);
    } catch (const std::exception& e) {
        return Error::InvalidArgument(std::string("not valid XML: ") + e.what());
    }
    std::printf("parse_cvat_tree images=%zu seconds=%.2f peak_rss_mb=%ld\n",
                tree.get_child("annotations").count("image"), SecondsSince(start), PeakRssMb());
    return Status::Ok();
}

Status RunImport(Repository& repo, const Options& opt, ImportFormat format) {
    const bool cvat = format == ImportFormat::kCvat;
    TESSERA_ASSIGN_OR_RETURN(Id dst, FindProject(repo, cvat ? "cvat-dst" : "jsonl-dst"));
    SystemClock clock;
    ImportService importer(repo, clock);
    ImportOptions options;
    options.format = format;
    options.mode = ImportMode::kFinal;
    auto start = SteadyClock::now();
    TESSERA_ASSIGN_OR_RETURN(
        ImportReport report,
        importer.Import(kBenchOwner, dst, options,
                        cvat ? ImportUpload::FromFile(opt.Cvat(), "annotations.xml")
                             : ImportUpload::FromFile(opt.Jsonl(), "train.jsonl")));
    const double secs = SecondsSince(start);
    std::printf(
        "import_%s matched=%lld unmatched=%zu errors=%zu applied=%d seconds=%.2f "
        "boxes_per_s=%.0f peak_rss_mb=%ld\n",
        cvat ? "cvat" : "jsonl", static_cast<long long>(report.matched), report.unmatched.size(),
        report.errors.size(), report.applied ? 1 : 0, secs,
        static_cast<double>(opt.TotalBoxes()) / secs, PeakRssMb());
    if (!report.applied) {
        return Error::Internal("import not applied: " + (report.errors.empty()
                                                             ? std::string("?")
                                                             : report.errors[0].message));
    }
    return Status::Ok();
}

Status RunCheck(Repository& repo, const Options& opt) {
    TESSERA_ASSIGN_OR_RETURN(Id cvat, FindProject(repo, "cvat-dst"));
    TESSERA_ASSIGN_OR_RETURN(Id jsonl, FindProject(repo, "jsonl-dst"));
    TESSERA_ASSIGN_OR_RETURN(std::int64_t cvat_boxes, CountBoxes(repo, cvat));
    TESSERA_ASSIGN_OR_RETURN(std::int64_t jsonl_boxes, CountBoxes(repo, jsonl));
    std::printf("check expected=%lld cvat=%lld jsonl=%lld\n",
                static_cast<long long>(opt.TotalBoxes()), static_cast<long long>(cvat_boxes),
                static_cast<long long>(jsonl_boxes));
    if (cvat_boxes != opt.TotalBoxes() || jsonl_boxes != opt.TotalBoxes()) {
        return Error::Internal("box counts differ");
    }
    return Status::Ok();
}

// Phases that touch no database.
Status RunFilePhase(const Options& opt) {
    if (opt.phase == "write") {
        return RunWrite(opt);
    }
    if (opt.phase == "parse-cvat") {
        auto start = SteadyClock::now();
        return ReportParse("parse_cvat_stream",
                           ParseCvatUpload(ImportUpload::FromFile(opt.Cvat(), "annotations.xml")),
                           start);
    }
    if (opt.phase == "parse-jsonl") {
        auto start = SteadyClock::now();
        return ReportParse("parse_jsonl_stream",
                           ParseJsonlUpload(ImportUpload::FromFile(opt.Jsonl(), "train.jsonl")),
                           start);
    }
    if (opt.phase == "parse-cvat-tree") {
        return RunParseCvatTree(opt);
    }
    return Error::InvalidArgument("unknown phase " + opt.phase);
}

Status RunDatabasePhase(const Options& opt) {
    auto repo = OpenRepo(opt.db);
    if (!repo.ok()) {
        return repo.error();
    }
    TESSERA_TRY((*repo)->Migrate());
    if (opt.phase == "seed") {
        return RunSeed(**repo, opt);
    }
    if (opt.phase == "import-cvat") {
        return RunImport(**repo, opt, ImportFormat::kCvat);
    }
    if (opt.phase == "import-jsonl") {
        return RunImport(**repo, opt, ImportFormat::kJsonl);
    }
    if (opt.phase == "check") {
        return RunCheck(**repo, opt);
    }
    return Error::InvalidArgument("unknown phase " + opt.phase);
}

int Main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const std::string value = argv[i + 1];
        if (flag == "--db") {
            opt.db = value;
        } else if (flag == "--dir") {
            opt.dir = value;
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
    if (opt.dir.empty() || opt.phase.empty()) {
        std::fprintf(stderr,
                     "usage: tessera_import_bench --dir WORK_DIR --phase write|seed|parse-cvat|"
                     "parse-cvat-tree|parse-jsonl|import-cvat|import-jsonl|check "
                     "[--db PATH|postgresql://...] [--images N] [--boxes B]\n");
        return 2;
    }
    const bool file_phase = opt.phase == "write" || opt.phase.starts_with("parse-");
    Status status = file_phase ? RunFilePhase(opt)
                    : opt.db.empty()
                        ? Status(Error::InvalidArgument("--db is needed for phase " + opt.phase))
                        : RunDatabasePhase(opt);
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
