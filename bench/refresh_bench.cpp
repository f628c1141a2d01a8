// Incremental refresh at scale (issue 9, point 4): a refresh that finds NEW new files in a local
// folder of N files already known to the project, against a plain walk of the same folder.
//
//   tessera_refresh_bench --db PATH|postgresql://... --dir WORK_DIR [--files 1000000]
//                         [--new 1000] --phase setup|seed|refresh
//
// setup: WORK_DIR/files/dNNNN/fNNNNNNN.jpg, N empty files (1,000 a folder: the known files are
// never read, only listed), then seed. seed: a project "refresh-bench" over that folder holding
// an item row for each (InsertItems, no probing); for a second database over the same files.
// refresh: writes NEW real JPEGs into a fresh folder, then times (1) the refresh job's work
// (RefreshJob::Refresh: known paths loaded, folder listed, new files probed and inserted, missing
// marked), (2) a plain listing of the same folder through LocalImageSource (what a refresh
// without per-folder stamps pays for the walk), (3) a second refresh that finds nothing new.
// Refresh stores each folder's mtime and ctime and does not read unchanged folders again
// (docs/design/datasources.md): the first refresh of a freshly seeded database reads every
// folder (as every refresh did before the stamps); later ones read only the changed folders
// (the root, the new folder, and whatever changed under them). docs/PERFORMANCE.md records
// the results.
#include <vips/vips.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench_support.hpp"
#include "blobs/image_probe.hpp"
#include "blobs/local_image_source.hpp"
#include "blobs/vips_init.hpp"
#include "services/refresh_job.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using bench::OpenRepo;
using bench::PeakRssMb;
using bench::SecondsSince;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kProject = "refresh-bench";

struct Options {
    std::string db;
    std::string dir;
    std::int64_t files = 1'000'000;
    std::int64_t fresh = 1'000;
    std::string phase;

    fs::path Root() const { return fs::path(dir) / "files"; }
};

// A small grey JPEG written with libvips: the template every new file is a copy of.
Status WriteJpeg(const fs::path& path, int width, int height) {
    fs::create_directories(path.parent_path());
    std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * height * 3, 128);
    VipsImage* image = vips_image_new_from_memory(pixels.data(), pixels.size(), width, height, 3,
                                                  VIPS_FORMAT_UCHAR);
    if (image == nullptr) {
        return Error::Internal("vips: cannot make an image");
    }
    const int failed = vips_jpegsave(image, path.c_str(), nullptr);
    g_object_unref(image);
    if (failed != 0) {
        return Error::Internal("vips: cannot write " + path.string());
    }
    return Status::Ok();
}

std::string KnownPath(std::int64_t i) {
    char name[48];
    std::snprintf(name, sizeof(name), "d%04lld/f%07lld.jpg", static_cast<long long>(i / 1000),
                  static_cast<long long>(i));
    return name;
}

class BenchContext final : public JobContext {
public:
    void ReportProgress(std::int64_t /*done*/, std::int64_t /*total*/) override {}
    bool StopRequested() const override { return false; }
};

// CPU seconds this process used so far, all threads (user + system).
double CpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

Status WriteKnownFiles(const Options& opt) {
    auto start = SteadyClock::now();
    for (std::int64_t i = 0; i < opt.files; ++i) {
        const fs::path path = opt.Root() / KnownPath(i);
        if (i % 1000 == 0) {
            fs::create_directories(path.parent_path());
        }
        std::ofstream(path, std::ios::binary).flush();
    }
    std::printf("setup: %lld files written in %.1f s\n", static_cast<long long>(opt.files),
                SecondsSince(start));
    return Status::Ok();
}

Status RunSeed(Repository& repo, const Options& opt) {
    auto start = SteadyClock::now();
    Project p;
    p.name = kProject;
    p.status = ProjectStatus::kRunning;
    p.labels_json = R"(["Cat","Dog"])";
    p.datasource = {"local", fs::canonical(opt.Root()).string(), "**/*.*"};
    p.item_limit = opt.files * 2;
    p.shuffle_seed = 7;
    p.created_by = 1;
    TESSERA_ASSIGN_OR_RETURN(Project created, repo.CreateProject(p));
    std::vector<NewItem> batch;
    for (std::int64_t i = 0; i < opt.files; ++i) {
        batch.push_back({KnownPath(i), 1000, 640, 480, "jpeg", ItemState::kUnlabeled, ""});
        if (batch.size() == 10'000 || i + 1 == opt.files) {
            TESSERA_TRY(repo.InsertItems(created.id, batch, 0));
            batch.clear();
        }
    }
    std::printf("setup: %lld item rows inserted in %.1f s\n", static_cast<long long>(opt.files),
                SecondsSince(start));
    return Status::Ok();
}

Status TimedRefresh(RefreshJob& job, Id project_id, const char* what) {
    BenchContext context;
    bool interrupted = false;
    const auto start = SteadyClock::now();
    const double cpu = CpuSeconds();
    TESSERA_ASSIGN_OR_RETURN(RefreshCounts counts, job.Refresh(project_id, context, interrupted));
    std::printf(
        "%s: %.2f s (cpu %.2f s); listed %lld, added %lld, missing %lld, restored %lld; "
        "folders read %lld, unchanged %lld; known items read %lld; peak_rss_mb %ld\n",
        what, SecondsSince(start), CpuSeconds() - cpu, static_cast<long long>(counts.listed),
        static_cast<long long>(counts.added), static_cast<long long>(counts.missing),
        static_cast<long long>(counts.restored), static_cast<long long>(counts.folders_read),
        static_cast<long long>(counts.folders_unchanged), static_cast<long long>(counts.known_read),
        PeakRssMb());
    return Status::Ok();
}

Status RunRefresh(Repository& repo, const Options& opt, const char* argv0) {
    TESSERA_TRY(InitVips(argv0));
    TESSERA_ASSIGN_OR_RETURN(Id project_id, bench::FindProject(repo, kProject));
    // NEW real JPEGs in a folder of their own, named after the time so each run adds new ones.
    const fs::path fresh =
        opt.Root() /
        ("new" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count()));
    TESSERA_TRY(WriteJpeg(fresh / "template.jpg", 64, 48));
    for (std::int64_t i = 1; i < opt.fresh; ++i) {
        fs::copy_file(fresh / "template.jpg", fresh / ("n" + std::to_string(i) + ".jpg"));
    }
    TESSERA_ASSIGN_OR_RETURN(std::int64_t before, repo.CountItems(project_id));
    std::printf("refresh: project holds %lld items; %lld new files written\n",
                static_cast<long long>(before), static_cast<long long>(opt.fresh));

    SystemClock clock;
    VipsImageProber prober;
    RefreshJob job(repo, clock, prober);
    TESSERA_TRY(TimedRefresh(job, project_id, "refresh with new files"));

    LocalImageSource source(fs::canonical(opt.Root()), "**/*.*");
    std::int64_t listed = 0;
    const auto walk_start = SteadyClock::now();
    const double walk_cpu = CpuSeconds();
    TESSERA_TRY(source.List([&](const SourceEntry&) {
        ++listed;
        return true;
    }));
    std::printf("plain listing (LocalImageSource): %.2f s (cpu %.2f s); %lld files\n",
                SecondsSince(walk_start), CpuSeconds() - walk_cpu, static_cast<long long>(listed));

    TESSERA_TRY(TimedRefresh(job, project_id, "refresh with nothing new"));
    TESSERA_ASSIGN_OR_RETURN(std::int64_t after, repo.CountItems(project_id));
    if (after != before + opt.fresh) {
        return Error::Internal("expected " + std::to_string(before + opt.fresh) + " items, got " +
                               std::to_string(after));
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
        } else if (flag == "--dir") {
            opt.dir = value;
        } else if (flag == "--files") {
            opt.files = std::stoll(value);
        } else if (flag == "--new") {
            opt.fresh = std::stoll(value);
        } else if (flag == "--phase") {
            opt.phase = value;
        } else {
            std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
            return 2;
        }
    }
    if (opt.db.empty() || opt.dir.empty() ||
        (opt.phase != "setup" && opt.phase != "seed" && opt.phase != "refresh")) {
        std::fprintf(stderr,
                     "usage: tessera_refresh_bench --db PATH|postgresql://... --dir WORK_DIR "
                     "--phase setup|seed|refresh [--files N] [--new M]\n");
        return 2;
    }
    auto repo = OpenRepo(opt.db);
    Status status = repo.ok() ? (*repo)->Migrate().ok() ? Status::Ok()
                                                        : Status(Error::Internal("migrate failed"))
                              : Status(repo.error());
    if (status.ok()) {
        if (opt.phase == "setup") {
            status = WriteKnownFiles(opt);
        }
        if (status.ok()) {
            status =
                opt.phase == "refresh" ? RunRefresh(**repo, opt, argv[0]) : RunSeed(**repo, opt);
        }
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
