// What idle connections cost other clients (security finding 5 of issue 8):
//
//   tessera_idle_connections_bench --tessera PATH/tessera [--idle 10000] [--requests 2000]
//                                  [--clients 4]
//
// Starts `tessera serve` on port 0 over a fresh SQLite database, then measures GET /healthz
// and an authenticated API GET (GET /api/v1/projects with a bearer token) from `clients`
// keep-alive clients, `requests` of each in all: first with no other connection open, then
// again with `idle` idle connections open. The idle connections come from loopback addresses
// 127.0.0.2, .3, ... (200 each, under the default per-address cap); each is served one
// GET /healthz first, so it sits idle between requests as a browser's would. Prints one line
// per metric and the server's thread count in each state. Results: docs/PERFORMANCE.md.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "base/result.hpp"
#include "integration/server_process.hpp"
#include "support/http_client.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using testing::HttpClient;
using testing::HttpResponse;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kAdminPassword = "idle-bench-admin-password";
constexpr int kPerAddress = 200;

struct Options {
    fs::path tessera;
    int idle = 10'000;
    int requests = 2'000;
    int clients = 4;
};

double Percentile(std::vector<double> v, double p) {
    if (v.empty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

void RaiseDescriptorLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

int ThreadsOf(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("Threads:", 0) == 0) {
            return std::stoi(line.substr(8));
        }
    }
    return -1;
}

// Connects from 127.0.0.`host`, sends one GET /healthz and reads its answer; the descriptor,
// or -1.
int OpenIdleConnection(std::uint16_t port, int host) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl((127u << 24) | static_cast<unsigned>(host));
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(port);
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const std::string request = "GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n";
    std::string answer;
    char buffer[2048];
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0 &&
              ::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) == 0 &&
              ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
                  static_cast<ssize_t>(request.size());
    // The answer is small: read until its JSON body has ended.
    while (ok && answer.find('}') == std::string::npos) {
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        ok = n > 0;
        if (ok) {
            answer.append(buffer, static_cast<std::size_t>(n));
        }
    }
    if (!ok || answer.rfind("HTTP/1.1 200", 0) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

Result<std::string> ApiToken(std::uint16_t port) {
    HttpClient client("127.0.0.1", port);
    HttpResponse login = client.SendJson("POST", "/api/v1/session",
                                         {{"username", "admin"}, {"password", kAdminPassword}});
    if (login.status != 200) {
        return Error::Unavailable("login failed: " + std::to_string(login.status));
    }
    client.csrf_token = login.Json().value("csrf_token", "");
    HttpResponse token = client.SendJson("POST", "/api/v1/tokens", {{"name", "idle-bench"}});
    if (token.status != 201) {
        return Error::Unavailable("token failed: " + std::to_string(token.status));
    }
    return token.Json().value("token", "");
}

// `requests` GETs of `target` spread over `clients` keep-alive clients; latencies in ms.
Result<std::vector<double>> Measure(const Options& opt, std::uint16_t port,
                                    const std::string& target, const std::string& token) {
    std::vector<std::vector<double>> per_client(static_cast<std::size_t>(opt.clients));
    std::vector<int> failures(static_cast<std::size_t>(opt.clients), 0);
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(opt.clients));
    for (int c = 0; c < opt.clients; ++c) {
        threads.emplace_back([&, c] {
            HttpClient client("127.0.0.1", port);
            testing::HeaderList headers;
            if (!token.empty()) {
                headers.emplace_back("Authorization", "Bearer " + token);
            }
            auto& out = per_client[static_cast<std::size_t>(c)];
            for (int i = c; i < opt.requests; i += opt.clients) {
                auto started = SteadyClock::now();
                HttpResponse response = client.Get(target, headers);
                out.push_back(
                    std::chrono::duration<double, std::milli>(SteadyClock::now() - started)
                        .count());
                if (response.status != 200) {
                    ++failures[static_cast<std::size_t>(c)];
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    std::vector<double> all;
    int failed = 0;
    for (int c = 0; c < opt.clients; ++c) {
        all.insert(all.end(), per_client[static_cast<std::size_t>(c)].begin(),
                   per_client[static_cast<std::size_t>(c)].end());
        failed += failures[static_cast<std::size_t>(c)];
    }
    if (failed > 0) {
        return Error::Unavailable(std::to_string(failed) + " requests to " + target + " failed");
    }
    return all;
}

Status MeasureBoth(const Options& opt, std::uint16_t port, const std::string& token, int idle) {
    for (const auto& [name, target, bearer] :
         {std::tuple{"healthz", "/healthz", std::string()},
          std::tuple{"api_projects", "/api/v1/projects", token}}) {
        TESSERA_ASSIGN_OR_RETURN(auto ms, Measure(opt, port, target, bearer));
        std::printf("idle_bench %s idle=%d requests=%zu p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
                    name, idle, ms.size(), Percentile(ms, 0.5), Percentile(ms, 0.99),
                    Percentile(ms, 1.0));
        std::fflush(stdout);
    }
    return Status::Ok();
}

Status RunBench(const Options& opt, testing::ServerProcess& server) {
    const std::uint16_t port = server.port();
    TESSERA_ASSIGN_OR_RETURN(std::string token, ApiToken(port));
    std::printf("idle_bench server_threads idle=0 threads=%d\n", ThreadsOf(server.pid()));
    TESSERA_TRY(MeasureBoth(opt, port, token, 0));

    std::vector<int> idle;
    auto opening = SteadyClock::now();
    for (int i = 0; i < opt.idle; ++i) {
        int fd = OpenIdleConnection(port, 2 + i / kPerAddress);
        if (fd < 0) {
            for (int open : idle) {
                ::close(open);
            }
            return Error::Unavailable("idle connection " + std::to_string(i) + " failed");
        }
        idle.push_back(fd);
    }
    std::printf("idle_bench opened idle=%zu seconds=%.1f server_threads=%d\n", idle.size(),
                std::chrono::duration<double>(SteadyClock::now() - opening).count(),
                ThreadsOf(server.pid()));
    Status status = MeasureBoth(opt, port, token, opt.idle);
    std::printf("idle_bench server_threads idle=%d threads=%d\n", opt.idle,
                ThreadsOf(server.pid()));
    for (int fd : idle) {
        ::close(fd);
    }
    return status;
}

int Main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
        if (arg == "--tessera" && value) {
            opt.tessera = argv[++i];
        } else if (arg == "--idle" && value) {
            opt.idle = std::atoi(argv[++i]);
        } else if (arg == "--requests" && value) {
            opt.requests = std::atoi(argv[++i]);
        } else if (arg == "--clients" && value) {
            opt.clients = std::max(1, std::atoi(argv[++i]));
        } else {
            std::fprintf(stderr,
                         "usage: %s --tessera PATH [--idle N] [--requests N] [--clients N]\n",
                         argv[0]);
            return 64;
        }
    }
    if (opt.tessera.empty()) {
        std::fprintf(stderr, "--tessera is required\n");
        return 64;
    }
    RaiseDescriptorLimit();
    fs::path work = fs::temp_directory_path() / ("tessera-idle-bench-" + std::to_string(getpid()));
    fs::create_directories(work);
    int exit_status = 1;
    {
        testing::ServerProcess server;
        // Idle connections must outlive the run (a long keep-alive timeout), and the measuring
        // clients must fit beside them (the default cap is 10,000 connections).
        std::string error =
            server.Start(opt.tessera,
                         {"serve", "--data-dir", (work / "data").string(), "--listen",
                          "127.0.0.1:0", "--allowed-root", work.string()},
                         {{"TESSERA_ADMIN_PASSWORD", kAdminPassword},
                          {"TESSERA_IDLE_TIMEOUT_MS", "600000"},
                          {"TESSERA_MAX_CONNECTIONS", std::to_string(opt.idle + 100)}},
                         work, std::chrono::minutes(1));
        Status status = error.empty() ? RunBench(opt, server) : Error::Unavailable(error);
        if (server.Running()) {
            server.Signal(SIGTERM);
            server.WaitExit(std::chrono::seconds(90));
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
