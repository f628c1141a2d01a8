#pragma once
// Internal to the server: state shared between the I/O threads, the handler workers and the
// connections. Connections and workers hold a shared_ptr to it, so it outlives a Shutdown that
// gave up waiting.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "http/server.hpp"

namespace tessera::http {

class Connection;

// A one-way latch that sleepers can wait on with a timeout.
class StopLatch {
public:
    void Trigger();
    bool triggered() const { return triggered_.load(); }
    // True when triggered before `duration` elapsed.
    bool WaitFor(std::chrono::milliseconds duration);

private:
    std::atomic<bool> triggered_{false};
    std::mutex mu_;
    std::condition_variable cv_;
};

// Threads for work that may block (handlers, stream callbacks), started on demand up to a
// bound. Tasks beyond the bound wait in the queue; the queue is bounded by the connection cap
// because a connection has at most one task at a time.
class WorkerPool {
public:
    explicit WorkerPool(std::size_t max_threads);
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;
    ~WorkerPool();  // stops; threads still busy finish their task on their own (detached)

    void Submit(std::function<void()> task);
    // Lets idle threads exit once the queue is empty. Tasks queued afterwards still run.
    void Stop();
    // Stop, then waits up to `limit` for every thread to have finished its last task and
    // exited. The server calls it before the io_context goes: a task holds a connection and
    // its strand executor, which must not outlive the io_context's services. False if threads
    // were still busy when the limit ran out.
    bool StopAndWait(std::chrono::milliseconds limit);

private:
    struct Shared {
        std::mutex mu;
        std::condition_variable work;
        std::condition_variable exited;           // a thread left Loop
        std::deque<std::function<void()>> queue;  // GUARDED_BY(mu)
        std::size_t threads = 0;                  // GUARDED_BY(mu)
        std::size_t idle = 0;                     // GUARDED_BY(mu)
        bool stopping = false;                    // GUARDED_BY(mu)
    };
    static void Loop(const std::shared_ptr<Shared>& shared);

    std::size_t max_threads_;
    std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

struct ServerState {
    ServerState(const Router& r, Authenticator a, Random& rnd, ServerSettings s)
        : router(r),
          authenticate(std::move(a)),
          random(rnd),
          settings(std::move(s)),
          workers(settings.max_workers) {}

    const Router& router;
    Authenticator authenticate;
    Random& random;
    ServerSettings settings;
    StopLatch stop;

    std::mutex mu;
    std::condition_variable drained;
    std::set<std::shared_ptr<Connection>> connections;            // GUARDED_BY(mu)
    std::map<boost::asio::ip::address, std::size_t> per_address;  // GUARDED_BY(mu)

    // Every socket operation runs on this context, driven by io_threads; a connection's
    // operations are serialized by its strand.
    boost::asio::io_context io;
    // On its own strand: accept completions and the close at shutdown never overlap.
    boost::asio::ip::tcp::acceptor acceptor{boost::asio::make_strand(io)};
    std::vector<std::thread> io_threads;
    WorkerPool workers;
};

}  // namespace tessera::http
