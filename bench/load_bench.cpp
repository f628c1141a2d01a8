// Load benchmark for the labeling queue, progress and export at scale (issue 2's targets).
//
//   tessera_load_bench --db PATH|postgresql://... [--items 1000000] [--labelers 50]
//                      [--seconds 20] [--label-threads 8] [--think-ms 0] [--warmup-s 0]
//                      [--phase seed|queue|label-all|progress|export|data-tab|label-edit|all]
//
// Seeds a project with N item rows (no files), then: 50 threads each lease a page of 6, submit
// every item, repeat (next-page latency p50/p99, submits/s), with no pause between requests
// unless --think-ms gives each item about that long a look before its submit (a labeler's pace:
// the latency of each request then, instead of the queueing of a saturated machine; each look
// drawn from 0.5-1.5 times it and each labeler's start staggered over a page's worth, so the 50
// do not move in step); --warmup-s leaves the first seconds (new connections, cold plans) out
// of the figures; times the progress query; streams
// the JSONL export of every labeled row into a counting sink (rows/s, peak RSS). `label-all`
// (not part of `all`) labels every item still in the queue through LeaseNext + SubmitAnnotation,
// so a following `--phase export` streams all N rows. `data-tab` (not part of `all`) times pages
// of the Data tab's item filters on what the earlier phases left; `label-edit` (not part of
// `all`, destroys the labels) times a class rename and the two restarts. Results print
// as one line per metric; docs/PERFORMANCE.md records them with the machine and date.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "bench_support.hpp"
#include "domain/classification.hpp"
#include "labeler_pace.hpp"
#include "services/export_service.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {
namespace {

using bench::OpenRepo;
using bench::PeakRssMb;

using Clock = std::chrono::steady_clock;

struct Options {
    std::string db;
    std::int64_t items = 1'000'000;
    int labelers = 50;
    int seconds = 20;
    std::string phase = "all";
    int pg_pool = 0;        // 0: PostgresRepository's default, as the server uses it
    int label_threads = 8;  // label-all: enough writers for SQLite's group commit to batch
    int think_ms = 0;       // queue: how long a labeler looks at each item before submitting
    int warmup_s = 0;       // queue: requests started in the first seconds are not counted
};

double Ms(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

double Percentile(std::vector<double> v, double p) {
    if (v.empty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    auto idx = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    return v[idx];
}

Result<Id> FindOrSeed(Repository& repo, const Options& opt) {
    TESSERA_ASSIGN_OR_RETURN(auto projects, repo.ListProjects());
    for (const auto& p : projects) {
        if (p.name == "bench") {
            return p.id;
        }
    }
    Project p;
    p.name = "bench";
    p.task_type = TaskType::kMulticlass;
    p.status = ProjectStatus::kRunning;
    p.labels_json = R"(["Cat","Dog","Car","Tree","House","Person"])";
    p.datasource.path = "/bench";
    p.datasource.pattern = "**/*.*";
    p.item_limit = opt.items;
    p.shuffle_seed = 7;
    TESSERA_ASSIGN_OR_RETURN(Project created, repo.CreateProject(p));
    auto start = Clock::now();
    std::vector<NewItem> batch;
    for (std::int64_t i = 0; i < opt.items; ++i) {
        batch.push_back(
            NewItem{"dir" + std::to_string(i / 1000) + "/img" + std::to_string(i) + ".jpg", 123456,
                    640, 480, "jpeg", ItemState::kUnlabeled, ""});
        if (batch.size() == 5000 || i + 1 == opt.items) {
            TESSERA_TRY(repo.InsertItems(created.id, batch, 0));
            batch.clear();
        }
    }
    TESSERA_TRY(repo.ShuffleItems(created.id, 7));
    double secs = Ms(Clock::now() - start) / 1000;
    std::printf("seed items=%lld seconds=%.1f items_per_s=%.0f\n",
                static_cast<long long>(opt.items), secs, static_cast<double>(opt.items) / secs);
    return created.id;
}

Result<Id> EnsureUser(Repository& repo, const std::string& name) {
    auto found = repo.FindUserByName(name);
    if (found.ok()) {
        return found->id;
    }
    TESSERA_ASSIGN_OR_RETURN(User u, repo.CreateUser(User{0, name, Role::kLabeler, "x", 0}));
    return u.id;
}

// How many lease statements ran again because concurrent leases took the items they picked.
void PrintLeaseStats(Repository& repo) {
    const auto* sql = dynamic_cast<const SqlRepository*>(&repo);
    if (sql == nullptr) {
        return;
    }
    const SqlRepository::LeaseStats stats = sql->LeaseStatus();
    std::printf("lease statements=%lld reruns=%lld refused_items=%lld from_start=%lld\n",
                static_cast<long long>(stats.statements), static_cast<long long>(stats.reruns),
                static_cast<long long>(stats.refused), static_cast<long long>(stats.from_start));
}

Status RunQueue(Repository& repo, Id project, const Options& opt) {
    std::vector<Id> users;
    for (int i = 0; i < opt.labelers; ++i) {
        TESSERA_ASSIGN_OR_RETURN(Id id, EnsureUser(repo, "labeler" + std::to_string(i)));
        users.push_back(id);
    }
    SystemClock clock;
    std::atomic<bool> stop{false};
    std::atomic<long> submits{0};
    std::atomic<long> failures{0};
    std::vector<std::vector<double>> lease_ms(users.size());
    std::vector<std::vector<double>> submit_ms(users.size());
    std::vector<std::thread> threads;
    const char* labels[] = {"Cat", "Dog", "Car", "Tree", "House", "Person"};
    constexpr int kPageSize = 6;  // items a labeler leases at once
    auto begin = Clock::now();
    const auto measured_from = begin + std::chrono::seconds(opt.warmup_s);
    for (std::size_t t = 0; t < users.size(); ++t) {
        threads.emplace_back([&, t] {
            SeededRandom random(t + 1);
            if (opt.think_ms > 0) {
                // Labelers do not start in step: each waits up to a page's worth of looks.
                std::this_thread::sleep_for(
                    bench::Stagger(random.NextU64(), opt.think_ms, kPageSize));
            }
            while (!stop.load()) {
                LeaseRequest req{project,       users[t],
                                 kPageSize,     random.HexToken(16),
                                 clock.NowMs(), clock.NowMs() + 600'000};
                auto s = Clock::now();
                auto items = repo.LeaseNext(req);
                if (s >= measured_from) {
                    lease_ms[t].push_back(Ms(Clock::now() - s));
                }
                if (!items.ok()) {
                    ++failures;
                    continue;
                }
                for (const auto& item : *items) {
                    if (opt.think_ms > 0) {
                        std::this_thread::sleep_for(bench::Look(random.NextU64(), opt.think_ms));
                    }
                    std::string label = labels[random.NextU64() % 6];
                    SubmitRequest sub{project,
                                      item.id,
                                      users[t],
                                      req.lease_token,
                                      ClassificationPayload({label}),
                                      {label},
                                      clock.NowMs()};
                    auto s2 = Clock::now();
                    auto r = repo.SubmitAnnotation(sub);
                    if (s2 >= measured_from) {
                        submit_ms[t].push_back(Ms(Clock::now() - s2));
                        if (r.ok()) {
                            ++submits;
                        }
                    }
                    if (!r.ok()) {
                        ++failures;
                    }
                }
            }
        });
    }
    std::this_thread::sleep_until(measured_from + std::chrono::seconds(opt.seconds));
    stop = true;
    for (auto& th : threads) {
        th.join();
    }
    double secs = Ms(Clock::now() - measured_from) / 1000;
    std::vector<double> all_lease;
    std::vector<double> all_submit;
    for (std::size_t t = 0; t < users.size(); ++t) {
        all_lease.insert(all_lease.end(), lease_ms[t].begin(), lease_ms[t].end());
        all_submit.insert(all_submit.end(), submit_ms[t].begin(), submit_ms[t].end());
    }
    std::printf(
        "next_page labelers=%d think_ms=%d warmup_s=%d pages=%zu p50_ms=%.2f p99_ms=%.2f "
        "max_ms=%.2f\n",
        opt.labelers, opt.think_ms, opt.warmup_s, all_lease.size(), Percentile(all_lease, 0.5),
        Percentile(all_lease, 0.99), Percentile(all_lease, 1.0));
    std::printf("submit count=%ld per_s=%.0f p50_ms=%.2f p99_ms=%.2f failures=%ld\n",
                submits.load(), static_cast<double>(submits.load()) / secs,
                Percentile(all_submit, 0.5), Percentile(all_submit, 0.99), failures.load());
    PrintLeaseStats(repo);
    return Status::Ok();
}

// Labels every item left in the queue: each thread leases pages of 9 and submits each item,
// until LeaseNext comes back empty. Goes through the Repository like the service does.
Status RunLabelAll(Repository& repo, Id project, const Options& opt) {
    std::vector<Id> users;
    for (int i = 0; i < opt.label_threads; ++i) {
        TESSERA_ASSIGN_OR_RETURN(Id id, EnsureUser(repo, "labeler" + std::to_string(i)));
        users.push_back(id);
    }
    SystemClock clock;
    std::atomic<long> submits{0};
    std::atomic<long> failures{0};
    std::atomic<bool> failed{false};
    std::vector<std::thread> threads;
    const char* labels[] = {"Cat", "Dog", "Car", "Tree", "House", "Person"};
    auto begin = Clock::now();
    for (std::size_t t = 0; t < users.size(); ++t) {
        threads.emplace_back([&, t] {
            SeededRandom random(1000 + t);
            int errors_in_a_row = 0;
            while (!failed.load()) {
                LeaseRequest req{project,
                                 users[t],
                                 9,
                                 random.HexToken(16),
                                 clock.NowMs(),
                                 clock.NowMs() + 600'000};
                auto items = repo.LeaseNext(req);
                if (!items.ok()) {
                    ++failures;
                    if (++errors_in_a_row > 100) {
                        failed = true;
                    }
                    continue;
                }
                if (items->empty()) {
                    return;
                }
                errors_in_a_row = 0;
                for (const auto& item : *items) {
                    std::string label = labels[random.NextU64() % 6];
                    SubmitRequest sub{project,
                                      item.id,
                                      users[t],
                                      req.lease_token,
                                      ClassificationPayload({label}),
                                      {label},
                                      clock.NowMs()};
                    if (!repo.SubmitAnnotation(sub).ok()) {
                        ++failures;
                        continue;
                    }
                    long done = ++submits;
                    if (done % 100'000 == 0) {
                        std::fprintf(stderr, "label-all: %ld labeled\n", done);
                    }
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    double secs = Ms(Clock::now() - begin) / 1000;
    std::printf("label_all threads=%d submits=%ld seconds=%.1f per_s=%.0f failures=%ld\n",
                opt.label_threads, submits.load(), secs, static_cast<double>(submits.load()) / secs,
                failures.load());
    PrintLeaseStats(repo);
    if (failed.load()) {
        return Error::Internal("label-all: LeaseNext kept failing");
    }
    return Status::Ok();
}

Status RunProgress(Repository& repo, Id project) {
    std::vector<double> ms;
    SystemClock clock;
    for (int i = 0; i < 50; ++i) {
        auto s = Clock::now();
        TESSERA_TRY(repo.GetProgress(project, clock.NowMs()));
        TESSERA_TRY(repo.LabelDistribution(project));
        TESSERA_TRY(repo.LabelerDistribution(project));
        ms.push_back(Ms(Clock::now() - s));
    }
    auto p = repo.GetProgress(project, clock.NowMs());
    std::printf("progress_and_distributions p50_ms=%.2f p99_ms=%.2f labeled=%lld total=%lld\n",
                Percentile(ms, 0.5), Percentile(ms, 0.99), static_cast<long long>(p->labeled),
                static_cast<long long>(p->total));
    return Status::Ok();
}

// The Data tab (GET …/items): for each filter, 40 pages of 100 followed by next_after from the
// start (and from the start again at the end), timed one by one; then 10 pages from 90% into
// the project (a deep keyset page: `after` = the id of the item 90% in).
Status RunDataTab(Repository& repo, Id project, const Options& opt) {
    TESSERA_ASSIGN_OR_RETURN(auto labeler0, repo.FindUserByName("labeler0"));
    SystemClock clock;
    struct Case {
        const char* name;
        ItemFilter filter;
    };
    std::vector<Case> cases;
    auto add = [&](const char* name, auto&& set) {
        ItemFilter f;
        f.limit = 100;
        set(f);
        cases.push_back({name, f});
    };
    add("all", [](ItemFilter&) {});
    add("state=unlabeled", [](ItemFilter& f) { f.state = ItemState::kUnlabeled; });
    add("state=labeled", [](ItemFilter& f) { f.state = ItemState::kLabeled; });
    add("state=in_progress", [](ItemFilter& f) { f.in_progress = true; });
    add("label=Cat", [](ItemFilter& f) { f.label = "Cat"; });
    add("labeler=labeler0", [&](ItemFilter& f) { f.labeler_id = labeler0.id; });
    add("label=Cat&labeler=labeler0", [&](ItemFilter& f) {
        f.label = "Cat";
        f.labeler_id = labeler0.id;
    });
    add("q=img4242 (rare)", [](ItemFilter& f) { f.name_query = "IMG4242"; });
    // A name with one more filter: a state, or a label.
    auto add_name_and = [&](const char* name, const char* query, std::optional<ItemState> state,
                            const char* label) {
        add(name, [=](ItemFilter& f) {
            f.name_query = query;
            f.state = state;
            if (label != nullptr) {
                f.label = label;
            }
        });
    };
    add_name_and("q=img4242&state=labeled", "img4242", ItemState::kLabeled, nullptr);
    add_name_and("q=img4242&label=Cat", "img4242", std::nullopt, "Cat");
    add("q=dir9 (11% match)", [](ItemFilter& f) { f.name_query = "dir9"; });
    add_name_and("q=dir9&state=labeled", "dir9", ItemState::kLabeled, nullptr);
    add_name_and("q=dir9&label=Cat", "dir9", std::nullopt, "Cat");
    add("q=.jpg (all match)", [](ItemFilter& f) { f.name_query = ".jpg"; });
    add("q=42 (short: walk)", [](ItemFilter& f) { f.name_query = "42"; });
    // Item ids of a fresh database run 1..items (seed inserts them in order).
    const Id deep = opt.items * 9 / 10;
    for (Case& c : cases) {
        c.filter.now = clock.NowMs();
        for (const auto& [start, pages] : {std::pair<Id, int>{0, 40}, {deep, 10}}) {
            std::vector<double> ms;
            std::int64_t rows = 0;
            ItemFilter f = c.filter;
            f.after_id = start;
            for (int i = 0; i < pages; ++i) {
                auto s = Clock::now();
                TESSERA_ASSIGN_OR_RETURN(ItemPage page, repo.FindItems(project, f));
                ms.push_back(Ms(Clock::now() - s));
                rows += static_cast<std::int64_t>(page.items.size());
                f.after_id = page.next_after.value_or(start);
            }
            std::printf(
                "data_tab filter=\"%s\" after=%lld pages=%d rows=%lld first_ms=%.2f p50_ms=%.2f "
                "p99_ms=%.2f\n",
                c.name, static_cast<long long>(start), pages, static_cast<long long>(rows), ms[0],
                Percentile(ms, 0.5), Percentile(ms, 0.99));
        }
    }
    return Status::Ok();
}

// Label edits on the seeded project (PATCH /projects/{id}): a rename there and back, then the
// two restarts. Destroys the labels: run it last.
Status RunLabelEdit(Repository& repo, Id project) {
    SystemClock clock;
    const std::string names = R"(["Dog","Car","Tree","House","Person")";
    auto timed = [&](const char* what, LabelChange change) -> Status {
        auto before = repo.GetProgress(project, clock.NowMs());
        change.now = clock.NowMs();
        ProjectEdit edit;
        edit.labels = std::move(change);
        auto s = Clock::now();
        TESSERA_TRY(repo.EditProject(project, edit));
        std::printf("label_edit %s labeled_before=%lld seconds=%.2f\n", what,
                    static_cast<long long>(before.ok() ? before->labeled : -1),
                    Ms(Clock::now() - s) / 1000);
        return Status::Ok();
    };
    LabelChange rename;
    rename.labels_json = names + R"(,"Kitty"])";
    rename.renames = {{"Cat", "Kitty"}};
    TESSERA_TRY(timed("rename_cat_to_kitty", rename));
    LabelChange back;
    back.labels_json = names + R"(,"Cat"])";
    back.renames = {{"Kitty", "Cat"}};
    TESSERA_TRY(timed("rename_back", back));
    LabelChange keep;
    keep.labels_json = names + R"(,"Cat","Other"])";
    keep.restart = LabelRestart::kKeep;
    TESSERA_TRY(timed("restart_keep", keep));
    LabelChange clear = keep;
    clear.restart = LabelRestart::kClear;
    return timed("restart_clear", clear);
}

class CountingSink final : public ByteSink {
public:
    Status Write(std::string_view bytes) override {
        bytes_ += bytes.size();
        lines_ += static_cast<std::size_t>(std::count(bytes.begin(), bytes.end(), '\n'));
        return Status::Ok();
    }
    std::size_t bytes_ = 0;
    std::size_t lines_ = 0;
};

Status RunExport(Repository& repo, Id project) {
    SystemClock clock;
    ExportService exporter(repo, clock);
    User owner{0, "bench-owner", Role::kOwner, "x", 0};
    CountingSink sink;
    auto s = Clock::now();
    TESSERA_TRY(exporter.Write(owner, project, ExportFormat::kJsonl, sink));
    double secs = Ms(Clock::now() - s) / 1000;
    std::printf("export_jsonl rows=%zu bytes=%zu seconds=%.2f rows_per_s=%.0f peak_rss_mb=%ld\n",
                sink.lines_, sink.bytes_, secs, static_cast<double>(sink.lines_) / secs,
                PeakRssMb());
    return Status::Ok();
}

int Main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        std::string value = argv[i + 1];
        if (flag == "--db") {
            opt.db = value;
        } else if (flag == "--items") {
            opt.items = std::stoll(value);
        } else if (flag == "--labelers") {
            opt.labelers = std::stoi(value);
        } else if (flag == "--seconds") {
            opt.seconds = std::stoi(value);
        } else if (flag == "--phase") {
            opt.phase = value;
        } else if (flag == "--label-threads") {
            opt.label_threads = std::max(1, std::stoi(value));
        } else if (flag == "--pg-pool") {
            opt.pg_pool = std::stoi(value);
        } else if (flag == "--think-ms") {
            opt.think_ms = std::max(0, std::stoi(value));
        } else if (flag == "--warmup-s") {
            opt.warmup_s = std::max(0, std::stoi(value));
        } else {
            std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
            return 2;
        }
    }
    if (opt.db.empty()) {
        std::fprintf(stderr, "usage: tessera_load_bench --db PATH|postgresql://... [...]\n");
        return 2;
    }
    auto repo = OpenRepo(opt.db, opt.pg_pool);
    if (!repo.ok() || !(*repo)->Migrate().ok()) {
        std::fprintf(stderr, "cannot open %s\n", opt.db.c_str());
        return 1;
    }
    auto project = FindOrSeed(**repo, opt);
    if (!project.ok()) {
        std::fprintf(stderr, "seed failed: %s\n", project.error().message.c_str());
        return 1;
    }
    Status status;
    auto want = [&](const char* p) { return opt.phase == "all" || opt.phase == p; };
    if (status.ok() && want("queue")) {
        status = RunQueue(**repo, *project, opt);
    }
    if (status.ok() && opt.phase == "label-all") {
        status = RunLabelAll(**repo, *project, opt);
    }
    if (status.ok() && want("progress")) {
        status = RunProgress(**repo, *project);
    }
    if (status.ok() && opt.phase == "data-tab") {
        status = RunDataTab(**repo, *project, opt);
    }
    if (status.ok() && opt.phase == "label-edit") {
        status = RunLabelEdit(**repo, *project);
    }
    if (status.ok() && want("export")) {
        status = RunExport(**repo, *project);
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
