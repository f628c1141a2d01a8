#include "app/cli.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>

#include "app/app.hpp"
#include "app/model_command.hpp"
#include "app/operations.hpp"
#include "app/upload_command.hpp"

namespace tessera::app {
namespace {

constexpr int kExitUsage = 64;         // EX_USAGE
constexpr int kExitDataError = 65;     // EX_DATAERR
constexpr int kExitNoInput = 66;       // EX_NOINPUT
constexpr int kExitUnavailable = 69;   // EX_UNAVAILABLE
constexpr int kExitSoftware = 70;      // EX_SOFTWARE
constexpr int kExitTempFail = 75;      // EX_TEMPFAIL
constexpr int kExitNoPermission = 77;  // EX_NOPERM

const std::vector<std::string> kCommands = {"serve",   "worker", "migrate", "backup", "export",
                                            "version", "help",   "user",    "upload", "model"};

// Flags taking a value, and where it goes.
Status SetFlag(CliOptions& options, const std::string& name, const std::string& value) {
    if (name == "--data-dir") {
        options.data_dir = value;
    } else if (name == "--db") {
        options.db = value;
    } else if (name == "--listen") {
        options.listen = value;
    } else if (name == "--allowed-root") {
        options.allowed_roots.push_back(value);
    } else if (name == "--config") {
        options.config = value;
    } else if (name == "--role") {
        options.role = value;
    } else if (name == "--out") {
        options.out = value;
    } else if (name == "--format") {
        options.format = value;
    } else if (name == "--fetch-allowed-host") {
        options.fetch_allowed_hosts.push_back(value);
    } else if (name == "--metrics-listen") {
        options.metrics_listen = value;
    } else if (name == "--server") {
        options.server = value;
    } else if (name == "--token") {
        options.token = value;
    } else if (name == "--parallel") {
        options.parallel = value;
    } else if (name == "--chunk-size") {
        options.chunk_size = value;
    } else if (name == "--state") {
        options.state = value;
    } else if (name == "--input") {
        options.input = value;
    } else if (name == "--mean") {
        options.mean = value;
    } else if (name == "--std") {
        options.std = value;
    } else if (name == "--sha256") {
        options.sha256 = value;
    } else {
        return Error::InvalidArgument("unknown option " + name, name);
    }
    return Status::Ok();
}

Status CheckPositional(const CliOptions& options) {
    const auto& args = options.positional;
    if (options.once && options.command != "worker") {
        return Error::InvalidArgument("--once is an option of tessera worker only", "--once");
    }
    if (options.command == "user") {
        if (args.size() != 2 || args[0] != "add") {
            return Error::InvalidArgument("usage: tessera user add NAME --role owner|labeler");
        }
        if (!options.role) {
            return Error::InvalidArgument("tessera user add needs --role owner|labeler", "--role");
        }
        return Status::Ok();
    }
    const bool model_flags = options.input || options.mean || options.std || options.sha256;
    if (options.command == "model") {
        const bool add = args.size() == 3 && args[0] == "add";
        const bool list = args.size() == 1 && args[0] == "list";
        const bool remove = args.size() == 2 && args[0] == "remove";
        if (!add && !list && !remove) {
            return Error::InvalidArgument(
                "usage: tessera model add NAME FILE|URL [--input WxH] [--mean R,G,B] "
                "[--std R,G,B] [--sha256 HEX] | tessera model list | tessera model remove NAME");
        }
        if (!add && model_flags) {
            return Error::InvalidArgument(
                "--input, --mean, --std and --sha256 are options of tessera model add");
        }
        return Status::Ok();
    }
    if (model_flags) {
        return Error::InvalidArgument(
            "--input, --mean, --std and --sha256 are options of tessera model add");
    }
    if (options.overwrite && options.command != "upload") {
        return Error::InvalidArgument("--overwrite is an option of tessera upload only",
                                      "--overwrite");
    }
    if (options.command == "upload") {
        if (args.size() < 2) {
            return Error::InvalidArgument("usage: tessera upload PROJECT PATH... [--overwrite]");
        }
        return Status::Ok();
    }
    if (options.command == "backup" && !options.out) {
        return Error::InvalidArgument("usage: tessera backup --out FILE", "--out");
    }
    if (options.command == "export") {
        if (args.size() != 1 || !options.format) {
            return Error::InvalidArgument(
                "usage: tessera export PROJECT --format FORMAT [--out FILE]",
                args.size() == 1 ? "--format" : "");
        }
        return Status::Ok();
    }
    if (!args.empty()) {
        return Error::InvalidArgument("unexpected argument '" + args.front() + "' for " +
                                      options.command);
    }
    return Status::Ok();
}

}  // namespace

int ExitCodeFor(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
        case ErrorCode::kUnsupportedMediaType:
        case ErrorCode::kPreconditionFailed: return kExitUsage;
        case ErrorCode::kNotFound: return kExitNoInput;
        case ErrorCode::kConflict:
        case ErrorCode::kLeaseInvalid:
        case ErrorCode::kFailedPrecondition:
        case ErrorCode::kPayloadTooLarge: return kExitDataError;
        case ErrorCode::kUnauthenticated:
        case ErrorCode::kPermissionDenied: return kExitNoPermission;
        case ErrorCode::kTooManyRequests: return kExitTempFail;
        case ErrorCode::kUnavailable: return kExitUnavailable;
        case ErrorCode::kInternal: return kExitSoftware;
    }
    return kExitSoftware;
}

Result<CliOptions> ParseArgs(const std::vector<std::string>& args) {
    CliOptions options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            options.command = "help";
            return options;
        }
        if (arg == "--version") {
            options.command = "version";
            return options;
        }
        if (arg == "--once") {
            options.once = true;
            continue;
        }
        if (arg == "--overwrite") {
            options.overwrite = true;
            continue;
        }
        if (arg.rfind("--", 0) == 0) {
            std::size_t eq = arg.find('=');
            std::string name = arg.substr(0, eq);
            std::string value;
            if (eq != std::string::npos) {
                value = arg.substr(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args[++i];
            } else {
                return Error::InvalidArgument("option " + name + " needs a value", name);
            }
            TESSERA_TRY(SetFlag(options, name, value));
        } else if (options.command.empty()) {
            options.command = arg;
        } else {
            options.positional.push_back(arg);
        }
    }
    if (options.command.empty()) {
        return Error::InvalidArgument("no command given");
    }
    if (std::find(kCommands.begin(), kCommands.end(), options.command) == kCommands.end()) {
        return Error::InvalidArgument("unknown command '" + options.command + "'");
    }
    TESSERA_TRY(CheckPositional(options));
    return options;
}

std::string UsageText() {
    return R"(Usage: tessera COMMAND [OPTIONS]

Commands:
  serve                     run the HTTP server and the in-process job runner
  worker [--once]           run only the job runner (extra worker processes); with
                            --once, run the jobs that can be claimed now, then exit
  migrate                   apply database migrations and exit
  backup --out FILE         copy the database: SQLite into a consistent FILE while the
                            server runs; PostgreSQL through pg_dump (custom format)
  export PROJECT --format FORMAT [--out FILE]
                            write a project's labels (PROJECT: id or name; FORMAT: csv,
                            jsonl, mltable, coco, coco-azure, voc, yolo, masks) to FILE
                            or stdout
  upload PROJECT PATH... [--overwrite] [--server URL] [--token TOKEN]
         [--parallel N] [--chunk-size BYTES] [--state FILE]
                            send image files and folders to project PROJECT (its id or
                            name; id:N or name:N when a number is both) of a
                            running server over tus, 4 files at once in 8 MiB chunks;
                            files already there are skipped unless --overwrite; an
                            interrupted run resumes where it stopped (upload URLs kept
                            in FILE, default ~/.local/state/tessera/uploads.json).
                            Server: TESSERA_SERVER (default http://127.0.0.1:8080);
                            token: an API token (POST /api/v1/tokens) in TESSERA_TOKEN
  user add NAME --role owner|labeler
                            create a user; the password is read from stdin (one line)
  model add NAME FILE|URL [--input WxH] [--mean R,G,B] [--std R,G,B] [--sha256 HEX]
                            register an ONNX CNN backbone for ML assist (a ResNet,
                            MobileNet or EfficientNet export ending in global pooling):
                            its input size (default 224x224) and normalisation of
                            [0,1] pixels (default mean 0,0,0 and std 1,1,1); a URL
                            must be https:// and needs --sha256. It is run once to
                            check it; rounds then validate it beside the built-in ones
  model list                list the registered backbones
  model remove NAME         unregister one and drop its stored embeddings
  version                   print the version
  help                      print this text

Options (flags override environment, which overrides the config file):
  --data-dir DIR            data directory (default ./tessera-data)      TESSERA_DATA_DIR
  --db PATH|URL             SQLite file or postgresql:// URL             TESSERA_DB
                            (default DATA_DIR/tessera.db)
  --listen HOST:PORT        address to serve on (default 127.0.0.1:8080)  TESSERA_LISTEN
  --allowed-root DIR        folder projects may read images from; repeatable
                            (default: the current directory)            TESSERA_ALLOWED_ROOTS
                                                                         (colon-separated)
  --fetch-allowed-host HOST host whose http(s) images manifests may name; repeatable:
                            a name, an IP or *.domain (default: none, URLs are not
                            fetched; private addresses only when listed exactly)
                                                                         TESSERA_FETCH_ALLOWED_HOSTS
                                                                         (comma-separated)
  --config FILE             TOML file with data_dir, db, listen, allowed_roots, item_limit,
                            upload_limit, upload_chunk_limit,
                            upload_file_limit, secure_cookies, metrics_listen,
                            metrics_token, secret_key (TESSERA_SECRET_KEY),
                            allow_http_blob_storage, fetch_allowed_hosts, and the connection limits
                            and deadlines of docs/design/http.md         TESSERA_CONFIG
  --metrics-listen HOST:PORT
                            serve GET /metrics on this separate address  TESSERA_METRICS_LISTEN
                            (the token for /metrics on the main listener:
                            metrics_token or TESSERA_METRICS_TOKEN)

On first start an owner account 'admin' is created; its password comes from
TESSERA_ADMIN_PASSWORD or is generated and printed once.
)";
}

int ReportError(const Error& error) {
    std::cerr << "tessera: " << error.message << "\n";
    return ExitCodeFor(error.code);
}

std::string EnvOr(const char* name, std::string fallback) {
    const char* value = std::getenv(name);
    return value == nullptr || *value == '\0' ? std::move(fallback) : std::string(value);
}

Result<std::int64_t> PositiveFlag(const std::optional<std::string>& value, std::int64_t fallback,
                                  const std::string& name) {
    if (!value) {
        return fallback;
    }
    try {
        std::size_t used = 0;
        const std::int64_t number = std::stoll(*value, &used);
        if (used == value->size() && number > 0) {
            return number;
        }
    } catch (const std::exception&) {
    }
    return Error::InvalidArgument(name + " must be a positive whole number", name);
}

int RunUploadCommand(const CliOptions& options) {
    UploadCommand command;
    command.server = options.server.value_or(EnvOr("TESSERA_SERVER", command.server));
    while (command.server.ends_with('/')) {
        command.server.pop_back();
    }
    command.token = options.token.value_or(EnvOr("TESSERA_TOKEN", ""));
    command.project = options.positional[0];
    command.paths.assign(options.positional.begin() + 1, options.positional.end());
    command.overwrite = options.overwrite;
    auto parallel = PositiveFlag(options.parallel, command.parallel, "--parallel");
    auto chunk = PositiveFlag(options.chunk_size, command.chunk_bytes, "--chunk-size");
    if (!parallel.ok() || !chunk.ok()) {
        return ReportError(parallel.ok() ? chunk.error() : parallel.error());
    }
    command.parallel = static_cast<int>(std::min<std::int64_t>(*parallel, 16));
    command.chunk_bytes = *chunk;
    if (options.state) {
        command.state_file = *options.state;
    } else if (std::string home = EnvOr("XDG_STATE_HOME", ""); !home.empty()) {
        command.state_file = std::filesystem::path(home) / "tessera" / "uploads.json";
    } else if (std::string user_home = EnvOr("HOME", ""); !user_home.empty()) {
        command.state_file =
            std::filesystem::path(user_home) / ".local" / "state" / "tessera" / "uploads.json";
    }
    Result<UploadSummary> summary = RunUpload(command, std::cout, std::cerr);
    if (!summary.ok()) {
        return ReportError(summary.error());
    }
    if (summary->failed > 0) {
        std::cerr << "tessera: " << summary->failed << " of "
                  << summary->uploaded + summary->skipped + summary->failed
                  << " files failed to upload; run the same command again to retry them\n";
        return kExitDataError;
    }
    return 0;
}

int Main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    Result<CliOptions> options = ParseArgs(args);
    if (!options.ok()) {
        int code = ReportError(options.error());
        std::cerr << "Run 'tessera --help' for usage.\n";
        return code;
    }
    if (options->command == "help") {
        std::cout << UsageText();
        return 0;
    }
    if (options->command == "version") {
        std::cout << "tessera " << Version() << "\n";
        return 0;
    }
    if (options->command == "upload") {
        return RunUploadCommand(*options);
    }
    // Before any thread starts, so only the waiting thread ever receives them.
    if (options->command == "serve" || (options->command == "worker" && !options->once)) {
        BlockTerminationSignals();
    }
    Result<Config> config = LoadConfig(*options, ProcessEnvironment());
    if (!config.ok()) {
        return ReportError(config.error());
    }
    Status status = Status::Ok();
    if (options->command == "serve") {
        status = RunServe(*config, argv[0]);
    } else if (options->command == "worker") {
        status = RunWorker(*config, argv[0], options->once);
    } else if (options->command == "backup") {
        status = RunBackup(*config, *options->out, std::cout);
    } else if (options->command == "export") {
        status =
            RunExport(*config, options->positional[0], *options->format, options->out, std::cout);
    } else if (options->command == "migrate") {
        status = RunMigrate(*config, std::cout);
    } else if (options->command == "model") {
        status = RunModelCommand(*config, *options, std::cout);
    } else if (options->command == "user") {
        status = RunUserAdd(*config, options->positional[1], *options->role, std::cin, std::cout);
    }
    return status.ok() ? 0 : ReportError(status.error());
}

}  // namespace tessera::app
