// Ingest of a local folder at scale (issue 9, point 7): N small real JPEG and PNG files in
// nested folders, then, in the same run and over the same files,
//   (a) a plain single-threaded header-reading baseline: walk the tree; for each file open,
//       read the first 64 KiB, parse a minimal JPEG/PNG size reader, close;
//   (b) the real ingest job (IngestJob: LocalImageSource, ProbeHeader on a pool, batched
//       inserts, shuffle) on SQLite, and on PostgreSQL when --pg URL (or TESSERA_TEST_PG_URL)
//       is given: items/s and the wall time until the project is ready to label.
//
//   tessera_ingest_bench --dir WORK_DIR [--files 1000000] [--threads 0] [--pg URL] [--keep]
//
// File creation is timed apart and kept out of every result. The files are deleted at the end
// unless --keep (a second run with --keep on the same WORK_DIR reuses them). The page cache is
// warm (the files were just written): the numbers are for a folder the machine has seen.
// docs/PERFORMANCE.md ("Ingest") records the results.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "bench_support.hpp"
#include "blobs/image_probe.hpp"
#include "blobs/vips_init.hpp"
#include "jobs/job_runner.hpp"
#include "sample_images.hpp"
#include "services/ingest_job.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using bench::OpenRepo;
using bench::PeakRssMb;
using bench::SecondsSince;
using SteadyClock = std::chrono::steady_clock;

constexpr std::int64_t kFilesPerFolder = 1000;

struct Options {
    fs::path dir;
    std::int64_t files = 1'000'000;
    int threads = 0;
    std::string pg;
    bool keep = false;
};

// A handful of tiny encoded images of different sizes (one JPEG turned by EXIF), made once with
// libvips and copied N times.
std::vector<std::pair<std::string, std::string>> SampleImages() {
    struct Spec {
        int w, h, orientation;
        const char* ext;
    };
    std::vector<std::pair<std::string, std::string>> out;
    for (const Spec& s :
         {Spec{64, 48, 1, ".jpg"}, Spec{120, 90, 1, ".jpg"}, Spec{33, 77, 6, ".jpg"},
          Spec{200, 150, 1, ".jpg"}, Spec{32, 32, 1, ".png"}, Spec{50, 20, 1, ".png"}}) {
        out.emplace_back(s.ext, bench::EncodeSample(s.w, s.h, s.ext, s.orientation));
    }
    return out;
}

fs::path FilePath(const fs::path& root, std::int64_t i, const std::string& ext) {
    const std::int64_t folder = i / kFilesPerFolder;
    return root / ("d" + std::to_string(folder / 100)) / ("e" + std::to_string(folder % 100)) /
           ("img" + std::to_string(i) + ext);
}

bool WriteAll(const fs::path& path, const std::string& bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return false;
    }
    const bool ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
    ::close(fd);
    return ok;
}

Status CreateFiles(const Options& o, const fs::path& root) {
    const auto marker = root / ".complete";
    if (fs::exists(marker)) {
        std::printf("files: reusing %s\n", root.c_str());
        return Status::Ok();
    }
    const auto samples = SampleImages();
    const auto start = SteadyClock::now();
    std::int64_t bytes = 0;
    for (std::int64_t i = 0; i < o.files; ++i) {
        const auto& [ext, data] = samples[static_cast<std::size_t>(i) % samples.size()];
        const fs::path path = FilePath(root, i, ext);
        if (i % kFilesPerFolder == 0) {
            fs::create_directories(path.parent_path());
        }
        if (!WriteAll(path, data)) {
            return Error::Internal("cannot write " + path.string());
        }
        bytes += static_cast<std::int64_t>(data.size());
    }
    WriteAll(marker, "");
    std::printf("files: created %lld files (%.1f MB) in %.1f s (not part of any result)\n",
                static_cast<long long>(o.files), static_cast<double>(bytes) / 1e6,
                SecondsSince(start));
    return Status::Ok();
}

// ---- (a) the baseline: the simplest header reader there is --------------------------------

std::uint32_t Be(const unsigned char* p, int n) {
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i) {
        v = (v << 8) | p[i];
    }
    return v;
}

// Width x height of a JPEG (first SOF0-2) or PNG (IHDR); {0, 0} when neither.
std::pair<std::uint32_t, std::uint32_t> MinimalSize(const unsigned char* p, std::size_t n) {
    if (n >= 24 && p[0] == 0x89 && p[1] == 'P' && p[2] == 'N' && p[3] == 'G') {
        return {Be(p + 16, 4), Be(p + 20, 4)};
    }
    if (n < 4 || p[0] != 0xFF || p[1] != 0xD8) {
        return {0, 0};
    }
    std::size_t pos = 2;
    while (pos + 9 < n && p[pos] == 0xFF) {
        const unsigned char marker = p[pos + 1];
        if (marker >= 0xC0 && marker <= 0xC2) {
            return {Be(p + pos + 7, 2), Be(p + pos + 5, 2)};
        }
        pos += 2 + Be(p + pos + 2, 2);
    }
    return {0, 0};
}

void Baseline(const fs::path& root, std::int64_t expected) {
    std::vector<unsigned char> buffer(64 << 10);
    std::int64_t files = 0, sized = 0;
    const auto start = SteadyClock::now();
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file() || entry.path().filename() == ".complete") {
            continue;
        }
        const int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        ::close(fd);
        ++files;
        if (n > 0 && MinimalSize(buffer.data(), static_cast<std::size_t>(n)).first > 0) {
            ++sized;
        }
    }
    const double seconds = SecondsSince(start);
    std::printf("baseline: files=%lld sized=%lld seconds=%.2f files_per_s=%.0f%s\n",
                static_cast<long long>(files), static_cast<long long>(sized), seconds,
                static_cast<double>(files) / seconds, files == expected ? "" : " (COUNT MISMATCH)");
}

// ---- (b) the real ingest job ---------------------------------------------------------------

int Ingest(const Options& o, const fs::path& root, const std::string& backend,
           const std::string& db) {
    auto repo = OpenRepo(db);
    if (!repo.ok()) {
        std::fprintf(stderr, "%s: %s\n", backend.c_str(), repo.error().message.c_str());
        return 1;
    }
    if (auto migrated = (*repo)->Migrate(); !migrated.ok()) {
        std::fprintf(stderr, "%s: %s\n", backend.c_str(), migrated.error().message.c_str());
        return 1;
    }
    SystemClock clock;
    User owner = bench::kBenchOwner;
    owner.username += "-" + std::to_string(clock.NowMs());
    auto user = (*repo)->CreateUser(owner);
    Project p;
    p.name = "ingest-bench-" + std::to_string(clock.NowMs());
    p.labels_json = R"(["Cat","Dog"])";
    p.status = ProjectStatus::kRunning;
    p.datasource = {"local", root.string(), "**/*.*"};
    p.item_limit = o.files;
    p.shuffle_seed = 7;
    p.created_by = user.ok() ? user->id : 0;
    auto project = (*repo)->CreateProject(p);
    if (!project.ok()) {
        std::fprintf(stderr, "%s: %s\n", backend.c_str(), project.error().message.c_str());
        return 1;
    }
    VipsImageProber prober;
    IngestPipelineSettings settings;
    settings.threads = o.threads;
    IngestJob handler(**repo, clock, prober, settings);
    Job job;
    job.kind = IngestJob::kKind;
    job.project_id = project->id;
    job.payload_json = "{\"project_id\": " + std::to_string(project->id) + "}";
    job.created_at = clock.NowMs();
    const auto start = SteadyClock::now();
    const Id job_id = (*repo)->EnqueueJob(job)->id;
    JobRunner runner(**repo, clock, JobRunnerSettings{});
    runner.Register(IngestJob::kKind, handler);
    runner.RunUntilIdle();
    const double seconds = SecondsSince(start);
    auto done = (*repo)->GetJob(job_id);
    auto items = (*repo)->ListItems(project->id, ItemFilter{std::nullopt, 0, 1});
    const std::int64_t total = done.ok() ? done->progress_total : 0;
    std::printf(
        "ingest %s: items=%lld seconds_to_ready=%.2f items_per_s=%.0f peak_rss_mb=%ld "
        "threads=%u job=%s%s\n",
        backend.c_str(), static_cast<long long>(total), seconds,
        static_cast<double>(total) / seconds, PeakRssMb(),
        o.threads > 0 ? static_cast<unsigned>(o.threads) : std::thread::hardware_concurrency(),
        done.ok() ? std::string(JobStateName(done->state)).c_str() : "?",
        done.ok() && !done->error.empty() ? (" error=" + done->error).c_str() : "");
    return done.ok() && done->state == JobState::kDone && total == o.files && items.ok() ? 0 : 1;
}

int Run(const Options& o) {
    if (!InitVips("tessera_ingest_bench").ok()) {
        return 1;
    }
    const fs::path root = fs::absolute(o.dir) / "images";
    fs::create_directories(root);
    if (Status made = CreateFiles(o, root); !made.ok()) {
        std::fprintf(stderr, "%s\n", made.error().message.c_str());
        return 1;
    }
    const fs::path canonical = fs::canonical(root);
    std::printf("# files=%lld cores=%u\n", static_cast<long long>(o.files),
                std::thread::hardware_concurrency());
    Baseline(canonical, o.files);
    int rc = Ingest(o, canonical, "sqlite", (fs::absolute(o.dir) / "ingest.db").string());
    fs::remove(fs::absolute(o.dir) / "ingest.db");
    fs::remove(fs::absolute(o.dir) / "ingest.db-wal");
    fs::remove(fs::absolute(o.dir) / "ingest.db-shm");
    if (!o.pg.empty()) {
        rc |= Ingest(o, canonical, "postgres", o.pg);
    }
    Baseline(canonical, o.files);  // again after: the same files, the same cache
    if (!o.keep) {
        fs::remove_all(root);
    }
    return rc;
}

}  // namespace
}  // namespace tessera

int main(int argc, char** argv) {
    tessera::Options o;
    if (const char* pg = std::getenv("TESSERA_TEST_PG_URL")) {
        o.pg = pg;
    }
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--dir" && has_value) {
            o.dir = argv[++i];
        } else if (arg == "--files" && has_value) {
            o.files = std::stoll(argv[++i]);
        } else if (arg == "--threads" && has_value) {
            o.threads = std::stoi(argv[++i]);
        } else if (arg == "--pg" && has_value) {
            o.pg = argv[++i];
        } else if (arg == "--keep") {
            o.keep = true;
        } else {
            std::fprintf(stderr,
                         "usage: %s --dir WORK_DIR [--files N] [--threads N] [--pg URL] [--keep]\n",
                         argv[0]);
            return 2;
        }
    }
    if (o.dir.empty() || o.files <= 0) {
        std::fprintf(stderr, "--dir is required and --files must be positive\n");
        return 2;
    }
    return tessera::Run(o);
}
