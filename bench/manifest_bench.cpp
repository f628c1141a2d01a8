// A manifest project's ingest (docs/formats/manifests.md): N small JPEG and PNG files in nested
// folders and a CSV naming each with a category and a confidence, then the real
// manifest_ingest job (reading the rows, resolving each reference, probing the headers,
// inserting the items, applying the prelabels) on SQLite, and on PostgreSQL when --pg URL (or
// TESSERA_TEST_PG_URL) is given: rows per second until the project is ready to label.
//
//   tessera_manifest_bench --dir WORK_DIR [--rows 20000] [--threads 0] [--pg URL]
//
// File creation is timed apart and kept out of the result; the files stay in WORK_DIR (a second
// run reuses them). docs/PERFORMANCE.md ("Manifest ingest") records the results.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "bench_support.hpp"
#include "blobs/image_probe.hpp"
#include "blobs/vips_init.hpp"
#include "jobs/job_runner.hpp"
#include "sample_images.hpp"
#include "services/manifest_job.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using bench::EncodeSample;
using bench::OpenRepo;
using bench::SecondsSince;
using SteadyClock = std::chrono::steady_clock;

struct Options {
    fs::path dir;
    std::int64_t rows = 20000;
    int threads = 0;
    std::string pg;
};

// The images and labels.csv under dir/m; reused when dir/m/.complete exists.
Status CreateFiles(const Options& o, const fs::path& root) {
    if (fs::exists(root / ".complete")) {
        std::printf("files: reusing %s\n", root.c_str());
        return Status::Ok();
    }
    const std::vector<std::pair<std::string, std::string>> samples = {
        {".jpg", EncodeSample(64, 48, ".jpg")},
        {".jpg", EncodeSample(120, 90, ".jpg")},
        {".png", EncodeSample(32, 32, ".png")}};
    const auto start = SteadyClock::now();
    std::ofstream csv(root / "labels.csv", std::ios::binary);
    csv << "image,label,confidence\n";
    for (std::int64_t i = 0; i < o.rows; ++i) {
        const auto& [ext, bytes] = samples[static_cast<std::size_t>(i) % samples.size()];
        const std::string relative =
            "imgs/d" + std::to_string(i / 1000) + "/img" + std::to_string(i) + ext;
        if (i % 1000 == 0) {
            fs::create_directories((root / relative).parent_path());
        }
        std::ofstream(root / relative, std::ios::binary) << bytes;
        csv << relative << "," << (i % 2 == 0 ? "Cat" : "Dog") << ",0." << (i % 9 + 1) << "\n";
    }
    csv.close();
    std::ofstream(root / ".complete") << "";
    std::printf("files: created %lld files in %.1f s (not part of the result)\n",
                static_cast<long long>(o.rows), SecondsSince(start));
    return Status::Ok();
}

int Ingest(const Options& o, const fs::path& root, const std::string& backend,
           const std::string& db) {
    auto repo = OpenRepo(db);
    if (!repo.ok() || !(*repo)->Migrate().ok()) {
        std::fprintf(stderr, "%s: cannot open %s\n", backend.c_str(), db.c_str());
        return 1;
    }
    SystemClock clock;
    Project p;
    p.name = "manifest-bench-" + std::to_string(clock.NowMs());
    p.task_type = TaskType::kMulticlass;
    p.labels_json = R"(["Cat","Dog"])";
    p.status = ProjectStatus::kRunning;
    p.datasource = {"manifest", root.string(), "labels.csv"};
    p.item_limit = o.rows;
    p.shuffle_seed = 7;
    auto project = (*repo)->CreateProject(p);
    if (!project.ok()) {
        std::fprintf(stderr, "%s: %s\n", backend.c_str(), project.error().message.c_str());
        return 1;
    }
    ManifestSpec spec;
    spec.mapping = {"image", "label", "confidence"};
    auto resolved = ManifestFiles(root / "labels.csv", ManifestFormat::kCsv);
    VipsImageProber prober;
    IngestPipelineSettings settings;
    settings.threads = o.threads;
    ManifestJob handler(**repo, clock, prober, settings);
    Job job;
    job.kind = ManifestJob::kKind;
    job.project_id = project->id;
    job.payload_json = ManifestJobPayload(project->id, spec, *resolved).dump();
    job.created_at = clock.NowMs();
    const auto start = SteadyClock::now();
    const Id job_id = (*repo)->EnqueueJob(job)->id;
    JobRunner runner(**repo, clock, JobRunnerSettings{});
    runner.Register(ManifestJob::kKind, handler);
    runner.RunUntilIdle();
    const double seconds = SecondsSince(start);
    auto done = (*repo)->GetJob(job_id);
    auto progress = (*repo)->GetProgress(project->id, clock.NowMs());
    const std::int64_t items = progress.ok() ? progress->total : 0;
    std::printf(
        "manifest %s: rows=%lld items=%lld seconds_to_ready=%.2f rows_per_s=%.0f "
        "threads=%u job=%s%s\n",
        backend.c_str(), static_cast<long long>(o.rows), static_cast<long long>(items), seconds,
        static_cast<double>(o.rows) / seconds,
        o.threads > 0 ? static_cast<unsigned>(o.threads) : std::thread::hardware_concurrency(),
        done.ok() ? std::string(JobStateName(done->state)).c_str() : "?",
        done.ok() && !done->error.empty() ? (" error=" + done->error).c_str() : "");
    return done.ok() && done->state == JobState::kDone && items == o.rows ? 0 : 1;
}

int Run(const Options& o) {
    if (!InitVips("tessera_manifest_bench").ok()) {
        return 1;
    }
    const fs::path root = fs::absolute(o.dir) / "m";
    fs::create_directories(root);
    if (Status made = CreateFiles(o, root); !made.ok()) {
        std::fprintf(stderr, "%s\n", made.error().message.c_str());
        return 1;
    }
    const fs::path canonical = fs::canonical(root);
    const fs::path db = fs::absolute(o.dir) / "manifest.db";
    int rc = Ingest(o, canonical, "sqlite", db.string());
    for (const char* suffix : {"", "-wal", "-shm"}) {
        fs::remove(db.string() + suffix);
    }
    if (!o.pg.empty()) {
        rc |= Ingest(o, canonical, "postgres", o.pg);
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
        } else if (arg == "--rows" && has_value) {
            o.rows = std::stoll(argv[++i]);
        } else if (arg == "--threads" && has_value) {
            o.threads = std::stoi(argv[++i]);
        } else if (arg == "--pg" && has_value) {
            o.pg = argv[++i];
        } else {
            std::fprintf(stderr, "usage: %s --dir WORK_DIR [--rows N] [--threads N] [--pg URL]\n",
                         argv[0]);
            return 2;
        }
    }
    if (o.dir.empty() || o.rows <= 0) {
        std::fprintf(stderr, "--dir is required and --rows must be positive\n");
        return 2;
    }
    return tessera::Run(o);
}
