#include "integration/server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "support/temp_dir.hpp"

extern char** environ;

namespace tessera::testing {
namespace {

int DecodeStatus(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return -1;
}

}  // namespace

ServerProcess::~ServerProcess() {
    if (Running()) {
        Signal(SIGKILL);
        WaitExit(std::chrono::seconds(10));
    }
}

std::string ServerProcess::Start(const std::filesystem::path& binary,
                                 const std::vector<std::string>& args, const EnvList& env,
                                 const std::filesystem::path& log_dir,
                                 std::chrono::milliseconds timeout, const std::string& ready) {
    stdout_path_ = log_dir / "server.stdout";
    stderr_path_ = log_dir / "server.stderr";
    // Everything the child needs is prepared before fork: only async-signal-safe calls after.
    std::vector<std::string> env_strings;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        if (std::string(*entry).rfind("TESSERA_", 0) != 0) {
            env_strings.emplace_back(*entry);
        }
    }
    for (const auto& [name, value] : env) {
        env_strings.push_back(name + "=" + value);
    }
    std::vector<char*> envp;
    envp.reserve(env_strings.size() + 1);
    for (auto& s : env_strings) {
        envp.push_back(s.data());
    }
    envp.push_back(nullptr);
    std::vector<std::string> argv_strings{binary.string()};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    argv.reserve(argv_strings.size() + 1);
    for (auto& s : argv_strings) {
        argv.push_back(s.data());
    }
    argv.push_back(nullptr);
    int out_fd = ::open(stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err_fd = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out_fd < 0 || err_fd < 0) {
        return "cannot create log files in " + log_dir.string();
    }
    int in_fd =
        ::open(stdin_path_.empty() ? "/dev/null" : stdin_path_.c_str(), O_RDONLY | O_CLOEXEC);
    pid_ = fork();
    if (pid_ == 0) {
        dup2(in_fd, STDIN_FILENO);
        dup2(out_fd, STDOUT_FILENO);
        dup2(err_fd, STDERR_FILENO);
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    ::close(in_fd);
    ::close(out_fd);
    ::close(err_fd);
    if (pid_ < 0) {
        return "fork failed";
    }
    const std::regex listening(ready);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        std::smatch match;
        std::string log = Stderr();
        if (std::regex_search(log, match, listening)) {
            if (match.size() > 1) {
                port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
            }
            return "";
        }
        if (!Running()) {
            return "server exited with status " + std::to_string(exit_status_.value_or(-1)) +
                   "; stderr:\n" + log;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return "server did not report listening in time; stderr:\n" + Stderr();
}

bool ServerProcess::Signal(int signal_number) const {
    return pid_ > 0 && ::kill(pid_, signal_number) == 0;
}

bool ServerProcess::Running() {
    if (pid_ <= 0 || exit_status_) {
        return false;
    }
    int status = 0;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
        exit_status_ = DecodeStatus(status);
        return false;
    }
    return done == 0;
}

std::optional<int> ServerProcess::WaitExit(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (Running() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exit_status_;
}

std::string ServerProcess::Stdout() const {
    return ReadAll(stdout_path_);
}

std::string ServerProcess::Stderr() const {
    return ReadAll(stderr_path_);
}

ProcessResult RunToExit(const std::filesystem::path& binary, const std::vector<std::string>& args,
                        const EnvList& env, const std::filesystem::path& log_dir,
                        const std::string& input) {
    ServerProcess process;
    std::filesystem::path input_path = log_dir / "stdin.txt";
    std::ofstream(input_path, std::ios::binary) << input;
    process.set_stdin(input_path);
    ProcessResult result;
    // A zero timeout makes Start return right after forking; the exit is what we wait for.
    process.Start(binary, args, env, log_dir, std::chrono::milliseconds(0));
    result.status = process.WaitExit(std::chrono::seconds(60)).value_or(-1);
    result.out = process.Stdout();
    result.err = process.Stderr();
    return result;
}

}  // namespace tessera::testing
