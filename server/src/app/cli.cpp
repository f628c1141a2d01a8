#include "app/cli.hpp"

#include <cstdio>
#include <iostream>
#include <map>

#include "app/app.hpp"
#include "app/operations.hpp"

namespace tessera::app {
namespace {

constexpr int kExitUsage = 64;         // EX_USAGE
constexpr int kExitDataError = 65;     // EX_DATAERR
constexpr int kExitNoInput = 66;       // EX_NOINPUT
constexpr int kExitUnavailable = 69;   // EX_UNAVAILABLE
constexpr int kExitSoftware = 70;      // EX_SOFTWARE
constexpr int kExitTempFail = 75;      // EX_TEMPFAIL
constexpr int kExitNoPermission = 77;  // EX_NOPERM

const std::vector<std::string> kCommands = {"serve",  "worker",  "migrate", "backup",
                                            "export", "version", "help",    "user"};

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
    } else if (name == "--metrics-listen") {
        options.metrics_listen = value;
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
        case ErrorCode::kUnsupportedMediaType: return kExitUsage;
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
  user add NAME --role owner|labeler
                            create a user; the password is read from stdin (one line)
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
  --config FILE             TOML file with data_dir, db, listen, allowed_roots, item_limit,
                            upload_limit, secure_cookies, metrics_listen,
                            metrics_token, secret_key (TESSERA_SECRET_KEY),
                            allow_http_blob_storage, and the connection limits
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
    } else if (options->command == "user") {
        status = RunUserAdd(*config, options->positional[1], *options->role, std::cin, std::cout);
    }
    return status.ok() ? 0 : ReportError(status.error());
}

}  // namespace tessera::app
