#pragma once
// Internal to the server: state shared between the acceptor and connection threads. Connection
// threads hold a shared_ptr to it, so it outlives a Shutdown that gave up waiting.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

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

struct ServerState {
    ServerState(const Router& r, Authenticator a, Random& rnd, ServerSettings s)
        : router(r), authenticate(std::move(a)), random(rnd), settings(std::move(s)) {}

    const Router& router;
    Authenticator authenticate;
    Random& random;
    ServerSettings settings;
    StopLatch stop;

    std::mutex mu;
    std::condition_variable drained;
    std::set<std::shared_ptr<Connection>> connections;  // GUARDED_BY(mu)
    std::size_t active = 0;                             // GUARDED_BY(mu): threads alive

    boost::asio::io_context acceptor_context;
    boost::asio::ip::tcp::acceptor acceptor{acceptor_context};
    std::thread accept_thread;
};

}  // namespace tessera::http
