// HTTP load driver for the labeling loop: issue 2's targets measured through the real server.
//
//   tessera_http_load_bench --tessera PATH/tessera [--db PATH|postgresql://...] [--pg-from-env]
//                           [--seed-bin PATH/tessera_load_bench] [--items 1000000]
//                           [--labelers 50] [--seconds 20] [--page 6] [--think-ms 0]
//                           [--expect-drained]
//
// Starts `tessera serve` on port 0 over a database holding tessera_load_bench's `bench` project
// (seeded first by running `--seed-bin ... --phase seed` when given), creates one labeler
// account and API token per client, then runs `labelers` threads, each with its own keep-alive
// connection: POST .../next → one PUT .../annotation per item → next (with --think-ms, each
// item gets about that long a look before its PUT, a labeler's pace), while one more client
// reads the project (progress) and its dashboard once a second. A labeler stops when the queue
// is empty; the run stops after `seconds` or when every labeler stopped. Prints one line per
// metric like tessera_load_bench, then checks that the server's counters moved by exactly the
// submits it acknowledged (exit status 1 if not, or on any error).
//
// Without --db the database is a SQLite file in a temp dir. --pg-from-env makes a throwaway
// database on the server named by TESSERA_TEST_PG_URL (exit 77, "skipped", when that is unset
// and TESSERA_REQUIRE_PG is not 1). Results: docs/PERFORMANCE.md; runner:
// bench/run_http_load_bench.sh.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/result.hpp"
#include "integration/server_process.hpp"
#include "integration/test_database.hpp"
#include "labeler_pace.hpp"
#include "support/http_client.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::HeaderList;
using testing::HttpClient;
using testing::HttpResponse;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kAdminPassword = "http-bench-admin-password";
constexpr const char* kProjectName = "bench";  // what tessera_load_bench --phase seed creates
constexpr int kSkipped = 77;                   // ctest SKIP_RETURN_CODE
constexpr int kMaxErrorsInARow = 100;          // a labeler gives up on a persistent error

struct Options {
    fs::path tessera;
    std::string db;
    bool pg_from_env = false;
    fs::path seed_bin;
    std::int64_t items = 1'000'000;
    int labelers = 50;
    int seconds = 20;
    int page = 6;
    int think_ms = 0;  // how long a labeler looks at each item before submitting it
    bool expect_drained = false;
};

double Ms(SteadyClock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

// Same rank rule as tessera_load_bench, so the two benches' percentiles compare.
double Percentile(std::vector<double> v, double p) {
    if (v.empty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

std::string Latencies(const std::vector<double>& ms) {
    char line[160];
    std::snprintf(line, sizeof line, "p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f",
                  Percentile(ms, 0.5), Percentile(ms, 0.95), Percentile(ms, 0.99),
                  Percentile(ms, 1.0));
    return line;
}

// "next_409_lease_invalid", "submit_0" (no response): the key errors are counted under.
std::string ErrorKey(const char* op, const HttpResponse& response) {
    std::string key = std::string(op) + "_" + std::to_string(response.status);
    json body = response.Json();
    if (body.is_object() && body.contains("error") && body["error"].is_object()) {
        key += "_" + body["error"].value("code", "");
    }
    return key;
}

std::string Describe(const HttpResponse& response, const HttpClient& client) {
    if (response.status == 0) {
        return "no response (" + client.error() + ")";
    }
    return "HTTP " + std::to_string(response.status) + " " + response.body.substr(0, 300);
}

json JsonObject(const HttpResponse& response) {
    json body = response.Json();
    return body.is_object() ? body : json::object();
}

std::string ProjectPath(std::int64_t id, const std::string& rest = "") {
    return "/api/v1/projects/" + std::to_string(id) + rest;
}

// ---- setup: accounts, tokens, the project --------------------------------------------------

struct Session {
    std::string username;
    std::string token;  // Bearer: no CSRF token needed
};

Result<std::string> LoginForToken(std::uint16_t port, const std::string& username,
                                  const std::string& password) {
    HttpClient client("127.0.0.1", port);
    HttpResponse login = client.SendJson("POST", "/api/v1/session",
                                         {{"username", username}, {"password", password}});
    if (login.status != 200) {
        return Error::Unavailable("login as " + username + ": " + Describe(login, client));
    }
    client.csrf_token = JsonObject(login).value("csrf_token", "");
    HttpResponse token = client.SendJson("POST", "/api/v1/tokens", {{"name", "http-bench"}});
    std::string value = JsonObject(token).value("token", "");
    if (token.status != 201 || value.empty()) {
        return Error::Unavailable("token for " + username + ": " + Describe(token, client));
    }
    return value;
}

// Creates `labelers` accounts (or reuses them from an earlier run on the same database: the
// passwords are derived from the names) and gives each an API token.
Result<std::vector<Session>> MakeLabelers(std::uint16_t port, const std::string& admin_token,
                                          int labelers) {
    HttpClient admin("127.0.0.1", port);
    const HeaderList auth{{"Authorization", "Bearer " + admin_token}};
    std::vector<Session> sessions;
    for (int i = 0; i < labelers; ++i) {
        std::string name = "http-labeler-" + std::to_string(i);
        std::string password = "password-of-" + name;
        HttpResponse created =
            admin.SendJson("POST", "/api/v1/users",
                           {{"username", name}, {"password", password}, {"role", "labeler"}}, auth);
        if (created.status != 201 && created.status != 409) {
            return Error::Unavailable("create " + name + ": " + Describe(created, admin));
        }
        TESSERA_ASSIGN_OR_RETURN(std::string token, LoginForToken(port, name, password));
        sessions.push_back({name, token});
    }
    return sessions;
}

struct Project {
    std::int64_t id = 0;
    std::vector<std::string> labels;  // label paths, as PUT .../annotation takes them
};

Result<Project> FindProject(HttpClient& client, const HeaderList& auth) {
    HttpResponse list = client.Get("/api/v1/projects", auth);
    json projects = JsonObject(list).value("projects", json::array());
    for (const json& p : projects) {
        if (p.value("name", "") != kProjectName) {
            continue;
        }
        if (p.value("status", "") != "running") {
            return Error::FailedPrecondition("project 'bench' is not running");
        }
        Project project{p.value("id", std::int64_t{0}), {}};
        HttpResponse full = client.Get(ProjectPath(project.id), auth);
        for (const json& label : JsonObject(full).value("label_list", json::array())) {
            project.labels.push_back(label.value("path", ""));
        }
        if (project.labels.empty()) {
            return Error::FailedPrecondition("project 'bench' has no labels");
        }
        return project;
    }
    return Error::NotFound("no project 'bench' (seed it: tessera_load_bench --phase seed): " +
                           Describe(list, client));
}

// The server's counters, read before and after the run.
struct Counters {
    std::int64_t total = 0;
    std::int64_t labeled = 0;
    std::int64_t label_sum = 0;                    // over the dashboard's label distribution
    std::map<std::string, std::int64_t> labelers;  // username → items
};

Result<Counters> ReadCounters(HttpClient& client, const HeaderList& auth, std::int64_t id) {
    HttpResponse dashboard = client.Get(ProjectPath(id, "/dashboard"), auth);
    if (dashboard.status != 200) {
        return Error::Unavailable("dashboard: " + Describe(dashboard, client));
    }
    json body = JsonObject(dashboard);
    Counters counters;
    json progress = body.value("progress", json::object());
    counters.total = progress.value("total", std::int64_t{0});
    counters.labeled = progress.value("labeled", std::int64_t{0});
    for (const json& label : body.value("labels", json::array())) {
        counters.label_sum += label.value("count", std::int64_t{0});
    }
    for (const json& labeler : body.value("labelers", json::array())) {
        counters.labelers[labeler.value("username", "")] = labeler.value("count", std::int64_t{0});
    }
    return counters;
}

// ---- the run -------------------------------------------------------------------------------

struct Tally {
    std::vector<double> next_ms;
    std::vector<double> submit_ms;
    long pages = 0;
    long stored = 0;
    std::vector<std::int64_t> stored_items;
    std::map<std::string, long> errors;
    std::string first_error;

    void Fail(const std::string& key, const std::string& detail) {
        if (errors.empty()) {
            first_error = key + ": " + detail;
        }
        ++errors[key];
    }
};

// Ends the run early once every labeler found the queue empty (or gave up).
class RunControl {
public:
    explicit RunControl(int labelers) : active_(labelers) {}

    bool stopping() const { return stop_.load(); }
    void LabelerDone() {
        std::lock_guard lock(mutex_);
        --active_;
        changed_.notify_all();
    }
    // Waits until the deadline or until no labeler is left, then tells everyone to stop.
    void RunUntil(SteadyClock::time_point deadline) {
        std::unique_lock lock(mutex_);
        changed_.wait_until(lock, deadline, [&] { return active_ == 0; });
        stop_ = true;
        changed_.notify_all();
    }
    // Sleeps until `until` or the stop; false once stopping.
    bool SleepUntil(SteadyClock::time_point until) {
        std::unique_lock lock(mutex_);
        return !changed_.wait_until(lock, until, [&] { return stop_.load(); });
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int active_;
    std::atomic<bool> stop_{false};
};

void RunLabeler(std::uint16_t port, const Project& project, const Session& session,
                const Options& opt, unsigned seed, RunControl& control, Tally& tally) {
    HttpClient client("127.0.0.1", port);
    const HeaderList headers{{"Authorization", "Bearer " + session.token},
                             {"Content-Type", "application/json"}};
    const std::string next_path = ProjectPath(project.id, "/next");
    const std::string next_body = json{{"count", opt.page}}.dump();
    std::mt19937_64 random(seed);
    if (opt.think_ms > 0) {
        std::this_thread::sleep_for(bench::Stagger(random(), opt.think_ms, opt.page));
    }
    int errors_in_a_row = 0;
    while (!control.stopping() && errors_in_a_row < kMaxErrorsInARow) {
        auto start = SteadyClock::now();
        HttpResponse next = client.Send("POST", next_path, next_body, headers);
        tally.next_ms.push_back(Ms(SteadyClock::now() - start));
        json page = JsonObject(next);
        if (next.status != 200 || !page.contains("items") || !page["items"].is_array()) {
            tally.Fail(ErrorKey("next", next), Describe(next, client));
            ++errors_in_a_row;
            continue;
        }
        if (page["items"].empty()) {
            break;  // the queue is drained
        }
        ++tally.pages;
        const std::string lease = page.value("lease", "");
        for (const json& item : page["items"]) {
            const std::int64_t item_id = item.value("id", std::int64_t{0});
            const std::string& label = project.labels[random() % project.labels.size()];
            const std::string body = json{{"lease", lease}, {"labels", {label}}}.dump();
            if (opt.think_ms > 0) {
                std::this_thread::sleep_for(bench::Look(random(), opt.think_ms));
            }
            auto submit_start = SteadyClock::now();
            HttpResponse submit = client.Send(
                "PUT", ProjectPath(project.id, "/items/" + std::to_string(item_id) + "/annotation"),
                body, headers);
            tally.submit_ms.push_back(Ms(SteadyClock::now() - submit_start));
            std::string outcome = JsonObject(submit).value("outcome", "");
            if (submit.status == 200 && outcome == "stored") {
                ++tally.stored;
                tally.stored_items.push_back(item_id);
                errors_in_a_row = 0;
            } else {
                // A fresh lease must store: "updated" or "unchanged" would mean the item was
                // handed out twice.
                tally.Fail(
                    submit.status == 200 ? "submit_outcome_" + outcome : ErrorKey("submit", submit),
                    Describe(submit, client));
                ++errors_in_a_row;
            }
        }
    }
    control.LabelerDone();
}

struct PollTally {
    std::vector<double> project_ms;
    std::vector<double> dashboard_ms;
    Tally errors;
};

// The owner's screen: the project (with its progress) and the dashboard, once a second.
void RunPoller(std::uint16_t port, const std::string& token, std::int64_t project_id,
               RunControl& control, PollTally& tally) {
    HttpClient client("127.0.0.1", port);
    const HeaderList auth{{"Authorization", "Bearer " + token}};
    auto tick = SteadyClock::now();
    do {
        auto start = SteadyClock::now();
        HttpResponse project = client.Get(ProjectPath(project_id), auth);
        tally.project_ms.push_back(Ms(SteadyClock::now() - start));
        if (project.status != 200) {
            tally.errors.Fail(ErrorKey("project", project), Describe(project, client));
        }
        start = SteadyClock::now();
        HttpResponse dashboard = client.Get(ProjectPath(project_id, "/dashboard"), auth);
        tally.dashboard_ms.push_back(Ms(SteadyClock::now() - start));
        if (dashboard.status != 200) {
            tally.errors.Fail(ErrorKey("dashboard", dashboard), Describe(dashboard, client));
        }
        tick += std::chrono::seconds(1);
    } while (control.SleepUntil(tick));
}

// CPU seconds (user, sys) of a process, from /proc/PID/stat fields 14 and 15.
std::pair<double, double> ProcessCpu(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t paren = stat.rfind(')');
    if (paren == std::string::npos) {
        return {0, 0};
    }
    std::istringstream fields(stat.substr(paren + 2));  // from field 3, the state
    std::string field;
    std::vector<std::string> values;
    while (values.size() < 13 && fields >> field) {
        values.push_back(field);
    }
    if (values.size() < 13) {
        return {0, 0};
    }
    const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    return {std::stod(values[11]) / tick, std::stod(values[12]) / tick};
}

long PeakRssMb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::stol(line.substr(6)) / 1024;
        }
    }
    return 0;
}

std::pair<double, double> OwnCpu() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](timeval t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return {seconds(usage.ru_utime), seconds(usage.ru_stime)};
}

// Prints the result lines; fails when the counters do not add up or anything failed.
Status Report(const Options& opt, const std::vector<Session>& sessions,
              const std::vector<Tally>& tallies, const PollTally& poll, double seconds,
              const Counters& before, const Counters& after) {
    Tally all;
    for (const Tally& t : tallies) {
        all.next_ms.insert(all.next_ms.end(), t.next_ms.begin(), t.next_ms.end());
        all.submit_ms.insert(all.submit_ms.end(), t.submit_ms.begin(), t.submit_ms.end());
        all.pages += t.pages;
        all.stored += t.stored;
        all.stored_items.insert(all.stored_items.end(), t.stored_items.begin(),
                                t.stored_items.end());
        for (const auto& [key, count] : t.errors) {
            all.errors[key] += count;
        }
        if (all.first_error.empty()) {
            all.first_error = t.first_error;
        }
    }
    for (const auto& [key, count] : poll.errors.errors) {
        all.errors[key] += count;
    }
    if (all.first_error.empty()) {
        all.first_error = poll.errors.first_error;
    }
    long failures = 0;
    std::string error_list;
    for (const auto& [key, count] : all.errors) {
        failures += count;
        error_list += " " + key + "=" + std::to_string(count);
    }
    std::printf("http_next_page labelers=%d think_ms=%d pages=%ld requests=%zu %s\n", opt.labelers,
                opt.think_ms, all.pages, all.next_ms.size(), Latencies(all.next_ms).c_str());
    std::printf("http_submit count=%ld seconds=%.1f per_s=%.0f %s failures=%ld\n", all.stored,
                seconds, static_cast<double>(all.stored) / seconds,
                Latencies(all.submit_ms).c_str(), failures);
    std::printf("http_progress polls=%zu %s\n", poll.project_ms.size(),
                Latencies(poll.project_ms).c_str());
    std::printf("http_dashboard polls=%zu %s\n", poll.dashboard_ms.size(),
                Latencies(poll.dashboard_ms).c_str());
    std::printf("http_errors%s\n", error_list.empty() ? " none" : error_list.c_str());
    if (!all.first_error.empty()) {
        std::fprintf(stderr, "first error: %s\n", all.first_error.c_str());
    }

    std::sort(all.stored_items.begin(), all.stored_items.end());
    auto duplicates = static_cast<long>(
        all.stored_items.end() - std::unique(all.stored_items.begin(), all.stored_items.end()));
    int labeler_mismatches = 0;
    for (std::size_t i = 0; i < sessions.size(); ++i) {
        std::int64_t delta = after.labelers.count(sessions[i].username)
                                 ? after.labelers.at(sessions[i].username)
                                 : 0;
        if (before.labelers.count(sessions[i].username)) {
            delta -= before.labelers.at(sessions[i].username);
        }
        labeler_mismatches += delta != tallies[i].stored ? 1 : 0;
    }
    const std::int64_t labeled_delta = after.labeled - before.labeled;
    const std::int64_t label_delta = after.label_sum - before.label_sum;
    bool drained_ok = !opt.expect_drained || after.labeled == after.total;
    bool ok = failures == 0 && duplicates == 0 && labeler_mismatches == 0 &&
              labeled_delta == all.stored && label_delta == all.stored && drained_ok;
    std::printf(
        "http_check acknowledged=%ld labeled_delta=%lld label_count_delta=%lld "
        "labeler_mismatches=%d duplicate_items=%ld labeled=%lld total=%lld result=%s\n",
        all.stored, static_cast<long long>(labeled_delta), static_cast<long long>(label_delta),
        labeler_mismatches, duplicates, static_cast<long long>(after.labeled),
        static_cast<long long>(after.total), ok ? "ok" : "MISMATCH");
    if (!ok) {
        if (failures > 0) {
            return Error::Internal("requests failed: " + all.first_error);
        }
        return Error::Internal(drained_ok ? "the server's counters do not add up"
                                          : "the queue was not empty at the end of the run");
    }
    return Status::Ok();
}

Status RunBench(const Options& opt, testing::ServerProcess& server) {
    const std::uint16_t port = server.port();
    TESSERA_ASSIGN_OR_RETURN(std::string admin_token, LoginForToken(port, "admin", kAdminPassword));
    const HeaderList admin_auth{{"Authorization", "Bearer " + admin_token}};
    HttpClient admin("127.0.0.1", port);
    TESSERA_ASSIGN_OR_RETURN(Project project, FindProject(admin, admin_auth));
    auto setup_start = SteadyClock::now();
    TESSERA_ASSIGN_OR_RETURN(std::vector<Session> sessions,
                             MakeLabelers(port, admin_token, opt.labelers));
    std::printf("http_setup labelers=%d seconds=%.1f\n", opt.labelers,
                Ms(SteadyClock::now() - setup_start) / 1000);
    std::fflush(stdout);
    TESSERA_ASSIGN_OR_RETURN(Counters before, ReadCounters(admin, admin_auth, project.id));

    auto server_cpu_before = ProcessCpu(server.pid());
    auto own_cpu_before = OwnCpu();
    RunControl control(opt.labelers);
    std::vector<Tally> tallies(sessions.size());
    PollTally poll;
    std::vector<std::thread> threads;
    auto begin = SteadyClock::now();
    for (std::size_t i = 0; i < sessions.size(); ++i) {
        threads.emplace_back(RunLabeler, port, std::cref(project), std::cref(sessions[i]),
                             std::cref(opt), static_cast<unsigned>(i + 1), std::ref(control),
                             std::ref(tallies[i]));
    }
    std::thread poller(RunPoller, port, admin_token, project.id, std::ref(control), std::ref(poll));
    control.RunUntil(begin + std::chrono::seconds(opt.seconds));
    for (auto& thread : threads) {
        thread.join();
    }
    double seconds = Ms(SteadyClock::now() - begin) / 1000;
    poller.join();
    auto server_cpu = ProcessCpu(server.pid());
    auto own_cpu = OwnCpu();

    TESSERA_ASSIGN_OR_RETURN(Counters after, ReadCounters(admin, admin_auth, project.id));
    Status checked = Report(opt, sessions, tallies, poll, seconds, before, after);
    long stored = 0;
    for (const Tally& t : tallies) {
        stored += t.stored;
    }
    double server_user = server_cpu.first - server_cpu_before.first;
    double server_sys = server_cpu.second - server_cpu_before.second;
    std::printf(
        "http_cpu server_user_s=%.1f server_sys_s=%.1f server_us_per_submit=%.0f "
        "server_peak_rss_mb=%ld driver_user_s=%.1f driver_sys_s=%.1f\n",
        server_user, server_sys,
        stored > 0 ? (server_user + server_sys) * 1e6 / static_cast<double>(stored) : 0.0,
        PeakRssMb(server.pid()), own_cpu.first - own_cpu_before.first,
        own_cpu.second - own_cpu_before.second);
    return checked;
}

// Runs `tessera_load_bench --phase seed` (which prints its own result line, if it seeded).
Status Seed(const Options& opt, const fs::path& work) {
    fs::create_directories(work / "seed");
    testing::ServerProcess seeder;
    // A zero timeout returns right after the fork; the exit is what counts.
    (void)seeder.Start(opt.seed_bin,
                       {"--db", opt.db, "--items", std::to_string(opt.items), "--phase", "seed"},
                       {}, work / "seed", std::chrono::milliseconds(0));
    std::optional<int> status = seeder.WaitExit(std::chrono::hours(1));
    std::fputs(seeder.Stdout().c_str(), stdout);
    if (status != 0) {
        return Error::Internal("seeding failed: " + seeder.Stderr());
    }
    return Status::Ok();
}

int Usage() {
    std::fprintf(
        stderr,
        "usage: tessera_http_load_bench --tessera PATH [--db PATH|URL | --pg-from-env] "
        "[--seed-bin PATH] [--items N] [--labelers N] [--seconds N] [--page N] [--think-ms N] "
        "[--expect-drained]\n");
    return 2;
}

bool ParseArgs(int argc, char** argv, Options& opt) {
    for (int i = 1; i < argc; ++i) {
        std::string flag = argv[i];
        if (flag == "--pg-from-env") {
            opt.pg_from_env = true;
            continue;
        }
        if (flag == "--expect-drained") {
            opt.expect_drained = true;
            continue;
        }
        if (i + 1 >= argc) {
            return false;
        }
        std::string value = argv[++i];
        if (flag == "--tessera") {
            opt.tessera = value;
        } else if (flag == "--db") {
            opt.db = value;
        } else if (flag == "--seed-bin") {
            opt.seed_bin = value;
        } else if (flag == "--items") {
            opt.items = std::stoll(value);
        } else if (flag == "--labelers") {
            opt.labelers = std::max(1, std::stoi(value));
        } else if (flag == "--seconds") {
            opt.seconds = std::max(1, std::stoi(value));
        } else if (flag == "--page") {
            opt.page = std::stoi(value);
        } else if (flag == "--think-ms") {
            opt.think_ms = std::max(0, std::stoi(value));
        } else {
            return false;
        }
    }
    return !opt.tessera.empty() && !(opt.pg_from_env && !opt.db.empty());
}

int Main(int argc, char** argv) {
    Options opt;
    try {
        if (!ParseArgs(argc, argv, opt)) {
            return Usage();
        }
    } catch (const std::exception&) {  // std::stoi on a bad number
        return Usage();
    }
    // A labeler whose connection the server closed must see an error value, not die.
    signal(SIGPIPE, SIG_IGN);
    char work_template[] = "/tmp/tessera-http-bench.XXXXXX";
    if (mkdtemp(work_template) == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    const fs::path work = work_template;
    int exit_status = 1;
    {
        std::unique_ptr<testing::TestDatabase> database;  // dropped after the server stopped
        if (opt.pg_from_env) {
            const char* url = std::getenv("TESSERA_TEST_PG_URL");
            const char* required = std::getenv("TESSERA_REQUIRE_PG");
            if (url == nullptr || *url == '\0') {
                bool require = required != nullptr && std::string(required) == "1";
                std::fprintf(stderr, "TESSERA_TEST_PG_URL is not set%s\n",
                             require ? " (TESSERA_REQUIRE_PG=1)" : "; skipped");
                fs::remove_all(work);
                return require ? 1 : kSkipped;
            }
            std::string error;
            database = testing::TestDatabase::Create(url, error);
            if (!database) {
                std::fprintf(stderr, "cannot create a database: %s\n", error.c_str());
                fs::remove_all(work);
                return 1;
            }
            opt.db = database->url();
        } else if (opt.db.empty()) {
            opt.db = (work / "bench.db").string();
        }
        Status status = opt.seed_bin.empty() ? Status::Ok() : Seed(opt, work);
        testing::ServerProcess server;
        if (status.ok()) {
            std::string error = server.Start(
                opt.tessera,
                {"serve", "--db", opt.db, "--data-dir", (work / "data").string(), "--listen",
                 "127.0.0.1:0", "--allowed-root", work.string()},
                {{"TESSERA_ADMIN_PASSWORD", kAdminPassword}}, work, std::chrono::minutes(2));
            status = error.empty() ? RunBench(opt, server) : Error::Unavailable(error);
        }
        if (server.Running()) {
            server.Signal(SIGTERM);
            std::optional<int> stopped = server.WaitExit(std::chrono::seconds(90));
            if (stopped != 0 && status.ok()) {
                status = Error::Internal("server did not stop cleanly: status " +
                                         std::to_string(stopped.value_or(-1)));
            }
        }
        if (status.ok()) {
            exit_status = 0;
        } else {
            std::string log = server.Stderr();
            std::fprintf(stderr, "failed: %s\nserver log tail:\n%s\n",
                         status.error().message.c_str(),
                         log.substr(log.size() > 3000 ? log.size() - 3000 : 0).c_str());
        }
    }
    fs::remove_all(work);
    return exit_status;
}

}  // namespace
}  // namespace tessera

int main(int argc, char** argv) {
    return tessera::Main(argc, argv);
}
