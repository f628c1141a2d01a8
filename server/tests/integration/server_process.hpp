#pragma once
// Runs the real `tessera` binary as a child process for integration tests: its stdout and
// stderr go to files in the test's temp dir, and the port comes from its `msg=listening` line.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tessera::testing {

using EnvList = std::vector<std::pair<std::string, std::string>>;

class ServerProcess {
public:
    ServerProcess() = default;
    ~ServerProcess();  // SIGKILLs a child still running
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // Starts `binary args...` with the parent's environment minus TESSERA_* plus `env`, and
    // waits (up to `timeout`) for a stderr line matching `ready` (the listening line by
    // default; its first group, when there is one, is the port). Empty string on success.
    std::string Start(const std::filesystem::path& binary, const std::vector<std::string>& args,
                      const EnvList& env, const std::filesystem::path& log_dir,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30),
                      const std::string& ready = R"(msg=listening address=\S*:(\d+))");

    void set_stdin(std::filesystem::path path) { stdin_path_ = std::move(path); }
    std::uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }
    bool Signal(int signal_number) const;
    // The exit status once it exited within `timeout` (128+N for death by signal N).
    std::optional<int> WaitExit(std::chrono::milliseconds timeout);
    bool Running();

    std::string Stdout() const;
    std::string Stderr() const;

private:
    pid_t pid_ = -1;
    std::optional<int> exit_status_;
    std::uint16_t port_ = 0;
    std::filesystem::path stdout_path_;
    std::filesystem::path stderr_path_;
    std::filesystem::path stdin_path_;  // empty: /dev/null
};

struct ProcessResult {
    int status = -1;  // exit status, 128+N for signal N, -1 if it could not run or timed out
    std::string out;
    std::string err;
};

// Runs a command to completion with `input` on stdin (for one-shot CLI commands).
ProcessResult RunToExit(const std::filesystem::path& binary, const std::vector<std::string>& args,
                        const EnvList& env, const std::filesystem::path& log_dir,
                        const std::string& input = "");

}  // namespace tessera::testing
