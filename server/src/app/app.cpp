#include "app/app.hpp"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>
#include <type_traits>

#include "app/default_backbone.hpp"
#include "app/operations.hpp"
#include "base/log.hpp"
#include "blobs/curl_transport.hpp"
#include "blobs/image_probe.hpp"
#include "blobs/image_renderer.hpp"
#include "blobs/tile_pyramid.hpp"
#include "blobs/url_fetch.hpp"
#include "blobs/vips_init.hpp"
#include "http/api_routes.hpp"
#include "http/embedded_files.hpp"
#include "http/server.hpp"
#include "jobs/job_runner.hpp"
#include "ml/handcrafted_backbone.hpp"
#include "ml/onnx_backbone.hpp"
#include "services/cache_purge_job.hpp"
#include "services/datasource_opener.hpp"
#include "services/import_service.hpp"
#include "services/ingest_job.hpp"
#include "services/manifest_job.hpp"
#include "services/ml_models.hpp"
#include "services/ml_round_job.hpp"
#include "services/ml_service.hpp"
#include "services/project_cache.hpp"
#include "services/refresh_job.hpp"
#include "services/refresh_service.hpp"
#include "services/tile_pyramid_job.hpp"
#include "services/tile_service.hpp"
#include "services/upload_service.hpp"
#include "storage/postgres/postgres_repository.hpp"
#include "storage/sqlite/sqlite_repository.hpp"

#ifndef TESSERA_VERSION
#define TESSERA_VERSION "0.0.0-dev"
#endif

namespace tessera::app {
namespace {

namespace fs = std::filesystem;

// Credentials must not end up in logs.
std::string Redacted(const std::string& db) {
    if (!IsPostgresUrl(db)) {
        return db;
    }
    std::size_t scheme = db.find("://");
    std::size_t at = db.find('@', scheme);
    return at == std::string::npos ? db : db.substr(0, scheme + 3) + "***" + db.substr(at);
}

Status CreateDataDir(const Config& config) {
    std::error_code ec;
    fs::create_directories(config.data_dir, ec);
    if (ec) {
        return Error::Unavailable("cannot create data dir " + config.data_dir.string() + ": " +
                                  ec.message());
    }
    return Status::Ok();
}

// Import uploads are streamed here; each is removed after its request. Files left by a
// process that died mid-request are removed at the next start once they are an hour old (a
// younger one may belong to another server sharing the data dir).
Result<fs::path> PrepareUploadDir(const Config& config) {
    const fs::path dir = config.data_dir / "uploads";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        return Error::Unavailable("cannot create upload dir " + dir.string() + ": " + ec.message());
    }
    const auto stale = fs::file_time_type::clock::now() - std::chrono::hours(1);
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with("upload-") && name.ends_with(".part") &&
            entry.last_write_time(ec) < stale) {
            fs::remove(entry.path(), ec);
        }
    }
    return dir;
}

Status EnsureAdmin(AuthService& auth) {
    const char* given = std::getenv("TESSERA_ADMIN_PASSWORD");
    TESSERA_ASSIGN_OR_RETURN(std::optional<std::string> generated,
                             auth.EnsureAdmin(given == nullptr ? "" : given));
    if (generated) {
        std::printf(
            "\n================================================================\n"
            "Created the owner account 'admin'. Its password is:\n\n"
            "    %s\n\n"
            "It is shown only this once. Log in and keep it safe.\n"
            "================================================================\n\n",
            generated->c_str());
        std::fflush(stdout);
    }
    return Status::Ok();
}

int WaitForTerminationSignal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int signal_number = 0;
    while (sigwait(&set, &signal_number) != 0) {
    }
    return signal_number;
}

// Every connection, idle ones included, is a descriptor: the soft limit (often 1024) would cap
// the server far below max_connections, so take what the hard limit allows.
void RaiseDescriptorLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) {
        return;
    }
    rlim_t wanted = limit.rlim_max;
    limit.rlim_cur = wanted;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
        log::Warn("cannot raise the open file limit", {{"error", strerror(errno)}});
    }
}

http::ServerSettings MakeServerSettings(const Config& config) {
    http::ServerSettings settings;
    settings.host = config.listen_host;
    settings.port = config.listen_port;
    settings.upload_body_limit = static_cast<std::size_t>(config.upload_limit);
    settings.upload_chunk_limit = static_cast<std::size_t>(config.upload_chunk_limit);
    auto set = [&](const char* key, auto& field) {
        if (auto it = config.http.find(key); it != config.http.end()) {
            field = static_cast<std::remove_reference_t<decltype(field)>>(it->second);
        }
    };
    auto set_ms = [&](const char* key, std::chrono::milliseconds& field) {
        if (auto it = config.http.find(key); it != config.http.end()) {
            field = std::chrono::milliseconds(it->second);
        }
    };
    set("max_connections", settings.max_connections);
    set("max_connections_per_address", settings.max_connections_per_address);
    set("http_threads", settings.io_threads);
    set("http_workers", settings.max_workers);
    set_ms("header_timeout_ms", settings.header_timeout);
    set_ms("idle_timeout_ms", settings.idle_timeout);
    // Checked when the config was read (ParseConfig), so this cannot fail here.
    if (auto proxies = http::TrustedProxies::Parse(config.trusted_proxies); proxies.ok()) {
        settings.trusted_proxies = std::move(proxies.value());
    }
    return settings;
}

void LogConfig(const Config& config) {
    std::string roots;
    for (const auto& root : config.allowed_roots) {
        roots += (roots.empty() ? "" : ":") + root.string();
    }
    log::Info("starting", {{"version", Version()},
                           {"data_dir", config.data_dir.string()},
                           {"db", Redacted(config.db)},
                           {"allowed_roots", roots}});
    if (config.allowed_roots_defaulted) {
        log::Warn("no allowed root configured; projects may read from the current directory",
                  {{"allowed_root", roots}});
    }
}

// Blob datasources: credentials sealed under TESSERA_SECRET_KEY or the data dir's key file
// (made on first use, not at start: a server without blob datasources never writes one), and
// downloaded blobs cached in DATA_DIR/blobs. docs/design/azure_blob.md.
Result<DatasourceOpenerSettings> OpenerSettings(const Config& config) {
    DatasourceOpenerSettings settings;
    settings.blob_cache_dir = config.data_dir / "blobs";
    settings.azure_policy.allow_http = config.allow_http_blob_storage;
    settings.transport = std::shared_ptr<HttpTransport>(MakeCurlTransport());
    if (!config.fetch_allowed_hosts.empty()) {
        // Manifests' http(s) images: bounded in time and size, cached in DATA_DIR/urls.
        CurlTransportOptions fetch_timeouts;
        fetch_timeouts.connect_timeout = std::chrono::seconds(10);
        fetch_timeouts.stall_timeout = std::chrono::seconds(20);
        fetch_timeouts.total_timeout = std::chrono::seconds(120);
        TESSERA_ASSIGN_OR_RETURN(
            FetchAllowList allowed,
            ParseFetchAllowList(config.fetch_allowed_hosts, "fetch_allowed_hosts"));
        settings.url_fetcher = std::make_shared<UrlFetcher>(
            std::move(allowed), std::shared_ptr<HttpTransport>(MakeCurlTransport(fetch_timeouts)),
            SystemHostResolver(), UrlFetcherOptions{config.data_dir / "urls"});
    }
    const std::string key = config.secret_key;
    const fs::path key_file = config.data_dir / "secret.key";
    settings.secret_box = [key, key_file]() -> Result<SecretBox> {
        return key.empty() ? SecretBox::LoadOrCreateKeyFile(key_file)
                           : SecretBox::FromBase64Key(key);
    };
    return settings;
}

// The background jobs, the same in `serve` and `worker`: one place to add a job kind. The
// cache jobs share the renderer and pyramid caches of the server's image and tile services.
struct BackgroundJobs {
    BackgroundJobs(Repository& db, const Clock& clock, ImageProber& prober, ImageRenderer& renderer,
                   TilePyramid& tile_pyramid, DatasourceOpener& opener,
                   std::vector<MlBackbone> backbones)
        : ingest(db, clock, prober, {}, &opener),
          manifest(db, clock, prober, {}, &opener),
          refresh(db, clock, prober, {}, &opener),
          pyramids(db, tile_pyramid, &opener),
          purge(renderer, tile_pyramid),
          registered(db, MakeRegisteredBackbone),
          ml_round(db, clock, std::move(backbones), &opener, {}, &registered) {}

    // ML assist rounds on a runner of their own: a round takes minutes of CPU, and an ingest,
    // a refresh or a tile pyramid must not wait behind it.
    void RegisterWith(JobRunner& general, JobRunner& rounds) {
        general.Register(IngestJob::kKind, ingest);
        general.Register(ManifestJob::kKind, manifest);
        general.Register(RefreshJob::kKind, refresh);
        general.Register(TilePyramidJob::kKind, pyramids);
        general.Register(CachePurgeJob::kKind, purge);
        rounds.Register(MlRoundJob::kKind, ml_round);
    }

    IngestJob ingest;
    ManifestJob manifest;
    RefreshJob refresh;
    TilePyramidJob pyramids;
    CachePurgeJob purge;
    RegisteredBackbones registered;  // `tessera model add`'s, for ml_round
    MlRoundJob ml_round;

private:
    // Loaded on first use, like the default backbone: a model no round needs costs nothing.
    static std::unique_ptr<ml::Backbone> MakeRegisteredBackbone(std::span<const std::byte> onnx,
                                                                ml::BackboneSpec spec) {
        return std::make_unique<ml::LazyOnnxBackbone>(onnx, std::move(spec));
    }
};

// The job threads of `serve` and `worker`: one for ML assist rounds, one for every other kind
// (BackgroundJobs::RegisterWith), each claiming only its own kinds from the queue.
struct JobRunners {
    JobRunners(Repository& db, const Clock& clock, const std::string& worker_name)
        : general(db, clock, Named(worker_name)), rounds(db, clock, Named(worker_name + "-ml")) {}

    void Start() {
        general.Start();
        rounds.Start();
    }
    void Stop() {
        general.Stop();
        rounds.Stop();
    }
    // `tessera worker --once`: the other jobs first, then the rounds.
    int RunUntilIdle() { return general.RunUntilIdle() + rounds.RunUntilIdle(); }

    JobRunner general;
    JobRunner rounds;

private:
    static JobRunnerSettings Named(const std::string& name) {
        JobRunnerSettings settings;
        settings.worker_name = name;
        return settings;
    }
};

// The feature candidates of ML assist rounds: the default CNN and the handcrafted features
// (each round's validation chooses among them and both together).
std::vector<MlBackbone> MlBackbones(ml::Backbone& cnn, ml::Backbone& handcrafted) {
    return {{&cnn, ml::BackboneId(cnn.Spec())}, {&handcrafted, ml::BackboneId(handcrafted.Spec())}};
}

// Runs `tick` every `interval_ms` on a thread of its own, until destroyed: the schedulers that
// queue jobs when they are due (refresh, ML assist rounds). Only `serve` schedules; workers
// just run the jobs.
class Ticker {
public:
    Ticker(std::string name, TimeMs interval_ms, std::function<Result<int>()> tick)
        : name_(std::move(name)),
          interval_ms_(interval_ms),
          tick_(std::move(tick)),
          thread_([this] { Loop(); }) {}
    ~Ticker() {
        {
            std::lock_guard<std::mutex> lock(mu_);
            stop_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }
    Ticker(const Ticker&) = delete;
    Ticker& operator=(const Ticker&) = delete;

private:
    void Loop() {
        std::unique_lock<std::mutex> lock(mu_);
        while (!stop_) {
            lock.unlock();
            Result<int> queued = tick_();
            if (!queued.ok()) {
                log::Warn(name_ + " scheduling failed", {{"error", queued.error().message}});
            }
            lock.lock();
            wake_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stop_; });
        }
    }

    const std::string name_;
    const TimeMs interval_ms_;
    const std::function<Result<int>()> tick_;
    std::mutex mu_;
    std::condition_variable wake_;
    bool stop_ = false;   // guarded by mu_
    std::thread thread_;  // last: started once the members above exist
};

// The refresh scheduler's tick; the shortest refresh interval is 60 s.
constexpr TimeMs kRefreshTickMs = 15'000;
// ML assist's: a round due after N new labels starts within this long of the Nth.
constexpr TimeMs kMlTickMs = 20'000;

}  // namespace

std::string Version() {
    return TESSERA_VERSION;
}

void BlockTerminationSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    // A client that disconnects mid-write must be an error value, not a dead process.
    signal(SIGPIPE, SIG_IGN);
}

Result<std::unique_ptr<Repository>> OpenRepository(const Config& config) {
    std::unique_ptr<Repository> repo;
    if (IsPostgresUrl(config.db)) {
        TESSERA_ASSIGN_OR_RETURN(repo, PostgresRepository::Open(config.db));
    } else {
        fs::path parent = fs::path(config.db).parent_path();
        std::error_code ec;
        if (!parent.empty()) {
            fs::create_directories(parent, ec);
        }
        TESSERA_ASSIGN_OR_RETURN(repo, SqliteRepository::Open(config.db));
    }
    TESSERA_ASSIGN_OR_RETURN(int version, repo->Migrate());
    log::Info("database ready",
              {{"db", Redacted(config.db)}, {"schema_version", std::to_string(version)}});
    return repo;
}

Status RunServe(const Config& config, const char* argv0) {
    LogConfig(config);
    TESSERA_TRY(InitVips(argv0));
    TESSERA_TRY(CreateDataDir(config));
    TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<Repository> repo, OpenRepository(config));
    Repository& db = *repo;
    SystemClock clock;
    SystemRandom random;

    AuthSettings auth_settings;
    auth_settings.throttle.failures_per_user = config.login_failures_per_user;
    auth_settings.throttle.failures_per_address = config.login_failures_per_address;
    auth_settings.throttle.max_concurrent_checks = config.login_concurrent_checks;
    AuthService auth(db, clock, random, auth_settings);
    TESSERA_TRY(EnsureAdmin(auth));
    // Shared so that a start, pause or delete through `projects` reaches `labeling` at once.
    ProjectCache project_cache(clock, TimeMs{2} * 1000, 10'000);
    TESSERA_ASSIGN_OR_RETURN(DatasourceOpenerSettings opener_settings, OpenerSettings(config));
    DatasourceOpener opener(std::move(opener_settings));
    ProjectSettings project_settings{config.allowed_roots, config.item_limit};
    project_settings.opener = &opener;
    ProjectService projects(db, clock, random, project_settings, &project_cache);
    LabelingSettings labeling_settings;
    labeling_settings.lease_ms = config.lease_ms;
    LabelingService labeling(db, clock, random, labeling_settings, &project_cache);
    DashboardService dashboard(db, clock);
    ExportService exports(db, clock);
    ImageRenderer renderer(config.data_dir / "cache");
    ImageService images(db, renderer, &opener);
    TilePyramid tile_pyramid(config.data_dir / "tiles");
    TileService tiles(db, tile_pyramid, &opener);
    ImportService imports(db, clock);
    TESSERA_ASSIGN_OR_RETURN(fs::path upload_dir, PrepareUploadDir(config));

    VipsImageProber prober;
    UploadSettings upload_settings;
    upload_settings.root = upload_dir;
    upload_settings.max_file_bytes = config.upload_file_limit;
    UploadService uploads(db, clock, random, prober, upload_settings);
    if (std::int64_t expired = uploads.RemoveExpired(); expired > 0) {
        log::Info("removed abandoned uploads", {{"count", std::to_string(expired)}});
    }
    ml::LazyOnnxBackbone backbone(DefaultBackboneOnnx(), DefaultBackboneSpec());
    ml::HandcraftedBackbone handcrafted;
    BackgroundJobs background(db, clock, prober, renderer, tile_pyramid, opener,
                              MlBackbones(backbone, handcrafted));
    JobRunners jobs(db, clock, JobRunnerSettings{}.worker_name);
    background.RegisterWith(jobs.general, jobs.rounds);
    jobs.Start();
    RefreshService refresh(db, clock, &project_cache);
    std::optional<Ticker> refresh_ticker;
    refresh_ticker.emplace("refresh", kRefreshTickMs, [&refresh] { return refresh.EnqueueDue(); });
    MlService ml(db, clock, ml::BackboneId(backbone.Spec()));
    std::optional<Ticker> ml_ticker;
    ml_ticker.emplace("ML assist", kMlTickMs, [&ml] { return ml.StartDueRounds(); });

    http::ApiContext context{&auth, &projects, &labeling, &dashboard, &exports, &images, {}};
    context.tiles = &tiles;
    context.refresh = &refresh;
    context.ml = &ml;
    context.imports = &imports;
    context.uploads = &uploads;
    context.settings.version = Version();
    context.settings.cookies.secure = config.secure_cookies;
    context.settings.cookies.max_age_ms = auth_settings.session_ttl_ms;
    http::StaticFiles static_files(http::EmbeddedUiFiles());
    http::Metrics metrics;
    metrics.SetGaugeCollector(MetricsGauges(db));
    context.metrics = &metrics;
    context.settings.metrics_token = config.metrics_token;
    http::Router router;
    http::RegisterApiRoutes(router, context, static_files);
    router.SetMetrics(&metrics);

    http::ServerSettings server_settings = MakeServerSettings(config);
    server_settings.upload_dir = upload_dir;
    RaiseDescriptorLimit();
    http::Server server(router, http::MakeAuthenticator(auth), random, server_settings);
    if (Status started = server.Start(); !started.ok()) {
        jobs.Stop();
        return started;
    }
    // After the main listener, whose `msg=listening` line comes first (scripts read its port).
    http::Router metrics_router;
    http::AddMetricsRoute(metrics_router, &metrics, config.metrics_token, true);
    std::optional<http::Server> metrics_server;
    if (config.metrics_listen) {
        http::ServerSettings metrics_settings;
        metrics_settings.host = config.metrics_listen->first;
        metrics_settings.port = config.metrics_listen->second;
        metrics_server.emplace(metrics_router, http::MakeAuthenticator(auth), random,
                               metrics_settings);
        if (Status started = metrics_server->Start(); !started.ok()) {
            server.Shutdown();
            jobs.Stop();
            return started;
        }
        log::Info("metrics listening", {{"address", config.metrics_listen->first + ":" +
                                                        std::to_string(metrics_server->port())}});
    }
    int signal_number = WaitForTerminationSignal();
    log::Info("shutting down", {{"signal", strsignal(signal_number)}});
    if (metrics_server) {
        metrics_server->Shutdown();
    }
    server.Shutdown();
    refresh_ticker.reset();
    ml_ticker.reset();
    jobs.Stop();
    log::Info("stopped");
    return Status::Ok();
}

Status RunWorker(const Config& config, const char* argv0, bool once) {
    TESSERA_TRY(InitVips(argv0));
    TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<Repository> repo, OpenRepository(config));
    SystemClock clock;
    VipsImageProber prober;
    // The cache jobs write the data dir: a worker must share the server's (same host or mount).
    ImageRenderer renderer(config.data_dir / "cache");
    TilePyramid tile_pyramid(config.data_dir / "tiles");
    TESSERA_ASSIGN_OR_RETURN(DatasourceOpenerSettings opener_settings, OpenerSettings(config));
    DatasourceOpener opener(std::move(opener_settings));
    ml::LazyOnnxBackbone backbone(DefaultBackboneOnnx(), DefaultBackboneSpec());
    ml::HandcraftedBackbone handcrafted;
    BackgroundJobs background(*repo, clock, prober, renderer, tile_pyramid, opener,
                              MlBackbones(backbone, handcrafted));
    char host[256] = "worker";
    gethostname(host, sizeof host - 1);
    const std::string worker_name = std::string(host) + "-" + std::to_string(getpid());
    JobRunners jobs(*repo, clock, worker_name);
    background.RegisterWith(jobs.general, jobs.rounds);
    if (once) {
        int ran = jobs.RunUntilIdle();
        log::Info("worker ran the claimable jobs",
                  {{"worker", worker_name}, {"jobs", std::to_string(ran)}});
        return Status::Ok();
    }
    jobs.Start();
    log::Info("worker running", {{"worker", worker_name}});
    int signal_number = WaitForTerminationSignal();
    log::Info("shutting down", {{"signal", strsignal(signal_number)}});
    jobs.Stop();
    return Status::Ok();
}

Status RunMigrate(const Config& config, std::ostream& out) {
    TESSERA_TRY(CreateDataDir(config));
    TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<Repository> repo, OpenRepository(config));
    out << "database is migrated: " << Redacted(config.db) << "\n";
    return Status::Ok();
}

Status RunUserAdd(const Config& config, const std::string& username, const std::string& role,
                  std::istream& in, std::ostream& out) {
    std::optional<Role> parsed_role = ParseRole(role);
    if (!parsed_role) {
        return Error::InvalidArgument("--role must be owner or labeler, got '" + role + "'",
                                      "--role");
    }
    std::string password;
    if (!std::getline(in, password)) {
        return Error::InvalidArgument("expected the password as one line on stdin");
    }
    if (!password.empty() && password.back() == '\r') {
        password.pop_back();
    }
    TESSERA_TRY(CreateDataDir(config));
    TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<Repository> repo, OpenRepository(config));
    SystemClock clock;
    SystemRandom random;
    AuthService auth(*repo, clock, random, AuthSettings{});
    TESSERA_ASSIGN_OR_RETURN(User user, auth.CreateUser(username, password, *parsed_role));
    out << "created user " << user.username << " (" << RoleName(user.role) << ")\n";
    return Status::Ok();
}

}  // namespace tessera::app
