#include "http/server.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/log.hpp"
#include "http/connection.hpp"
#include "http/server_state.hpp"

namespace tessera::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

void StartConnection(const std::shared_ptr<ServerState>& state, tcp::socket socket) {
    boost::system::error_code ec;
    auto peer = socket.remote_endpoint(ec).address();
    if (ec) {
        return;  // already gone
    }
    const ServerSettings& settings = state->settings;
    std::unique_lock lock(state->mu);
    if (state->stop.triggered()) {
        lock.unlock();
        socket.close(ec);
        return;
    }
    std::size_t& from_peer = state->per_address[peer];
    const char* refusal = nullptr;
    if (state->connections.size() >= settings.max_connections) {
        refusal = "the server has too many connections; retry later";
    } else if (settings.max_connections_per_address != 0 &&
               from_peer >= settings.max_connections_per_address &&
               !settings.trusted_proxies.Contains(peer)) {
        refusal = "too many connections from this address; retry later";
    }
    if (refusal != nullptr) {
        if (from_peer == 0) {
            state->per_address.erase(peer);
        }
        lock.unlock();
        // Refusing at once is kinder than queueing without bound; it costs no thread.
        RefuseConnection(std::move(socket), refusal, Unmapped(peer).to_string(),
                         state->random.HexToken(8));
        return;
    }
    auto connection = std::make_shared<Connection>(state, std::move(socket), peer);
    state->connections.insert(connection);
    ++from_peer;
    lock.unlock();
    Connection::Start(connection);
}

// Accepts until the acceptor closes. Each socket gets its own strand of the shared context.
void AcceptNext(const std::shared_ptr<ServerState>& state) {
    state->acceptor.async_accept(
        net::make_strand(state->io), [state](boost::system::error_code ec, tcp::socket socket) {
            if (!state->acceptor.is_open() || ec == net::error::operation_aborted) {
                return;
            }
            if (!ec) {
                StartConnection(state, std::move(socket));
                AcceptNext(state);
                return;
            }
            // E.g. out of file descriptors: pause briefly rather than spin.
            log::Warn("accept failed", {{"error", ec.message()}});
            auto timer = std::make_shared<net::steady_timer>(state->acceptor.get_executor());
            timer->expires_after(std::chrono::milliseconds(50));
            timer->async_wait([state, timer](boost::system::error_code) { AcceptNext(state); });
        });
}

std::size_t IoThreadCount(const ServerSettings& settings) {
    if (settings.io_threads != 0) {
        return settings.io_threads;
    }
    return std::max<std::size_t>(4, 2 * std::size_t{std::thread::hardware_concurrency()});
}

std::string FormatAddress(const tcp::endpoint& endpoint) {
    std::string host = endpoint.address().to_string();
    if (endpoint.address().is_v6()) {
        host = "[" + host + "]";
    }
    return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

void StopLatch::Trigger() {
    {
        std::lock_guard lock(mu_);
        triggered_ = true;
    }
    cv_.notify_all();
}

bool StopLatch::WaitFor(std::chrono::milliseconds duration) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, duration, [this] { return triggered_.load(); });
}

WorkerPool::WorkerPool(std::size_t max_threads)
    : max_threads_(std::max<std::size_t>(1, max_threads)) {}

WorkerPool::~WorkerPool() {
    Stop();
}

void WorkerPool::Submit(std::function<void()> task) {
    std::unique_lock lock(shared_->mu);
    shared_->queue.push_back(std::move(task));
    if (shared_->idle >= shared_->queue.size() || shared_->threads >= max_threads_) {
        lock.unlock();
        shared_->work.notify_one();
        return;
    }
    ++shared_->threads;
    lock.unlock();
    try {
        std::thread([shared = shared_] { Loop(shared); }).detach();
    } catch (const std::system_error& e) {
        // Out of threads: the ones already running will get to the task.
        log::Warn("cannot start worker thread", {{"error", e.what()}});
        std::lock_guard guard(shared_->mu);
        --shared_->threads;
    }
}

void WorkerPool::Stop() {
    {
        std::lock_guard lock(shared_->mu);
        shared_->stopping = true;
    }
    shared_->work.notify_all();
}

bool WorkerPool::StopAndWait(std::chrono::milliseconds limit) {
    Stop();
    std::unique_lock lock(shared_->mu);
    return shared_->exited.wait_for(lock, limit, [this] { return shared_->threads == 0; });
}

void WorkerPool::Loop(const std::shared_ptr<Shared>& shared) {
    std::unique_lock lock(shared->mu);
    while (true) {
        ++shared->idle;
        shared->work.wait(lock, [&] { return !shared->queue.empty() || shared->stopping; });
        --shared->idle;
        if (shared->queue.empty()) {
            --shared->threads;
            shared->exited.notify_all();
            return;  // stopping
        }
        std::function<void()> task = std::move(shared->queue.front());
        shared->queue.pop_front();
        lock.unlock();
        task();
        task = nullptr;  // drop what it holds (a connection) outside the lock
        lock.lock();
    }
}

Server::Server(const Router& router, Authenticator authenticate, Random& random,
               ServerSettings settings)
    : state_(std::make_shared<ServerState>(router, std::move(authenticate), random,
                                           std::move(settings))) {}

Server::~Server() {
    Shutdown();
}

Status Server::Start() {
    if (started_) {
        return Error::FailedPrecondition("server already started");
    }
    const ServerSettings& settings = state_->settings;
    std::string where = settings.host + ":" + std::to_string(settings.port);
    boost::system::error_code ec;
    tcp::resolver resolver(state_->io);
    auto results = resolver.resolve(settings.host, std::to_string(settings.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
        return Error::InvalidArgument("cannot resolve listen address " + where, "listen");
    }
    tcp::endpoint endpoint = results.begin()->endpoint();
    auto& acceptor = state_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor.set_option(net::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        return Error::Unavailable("cannot listen on " + where + ": " + ec.message());
    }
    tcp::endpoint bound = acceptor.local_endpoint(ec);
    port_ = bound.port();
    log::Info("listening", {{"address", FormatAddress(bound)}});
    AcceptNext(state_);
    const std::size_t threads = IoThreadCount(settings);
    for (std::size_t i = 0; i < threads; ++i) {
        state_->io_threads.emplace_back([state = state_] { state->io.run(); });
    }
    started_ = true;
    return Status::Ok();
}

bool Server::Shutdown() {
    if (!started_ || shut_down_) {
        return true;
    }
    shut_down_ = true;
    state_->stop.Trigger();
    net::post(state_->acceptor.get_executor(), [state = state_] {
        boost::system::error_code ec;
        state->acceptor.close(ec);
    });
    bool drained = false;
    {
        std::unique_lock lock(state_->mu);
        for (const auto& connection : state_->connections) {
            connection->Interrupt();
        }
        log::Info("draining connections", {{"active", std::to_string(state_->connections.size())}});
        drained = state_->drained.wait_for(lock, state_->settings.shutdown_grace,
                                           [this] { return state_->connections.empty(); });
        if (!drained) {
            log::Warn("shutdown grace period over",
                      {{"still_active", std::to_string(state_->connections.size())}});
        }
    }
    // With the acceptor closed and the connections gone the I/O threads run out of work once
    // the last refusals are answered (a few seconds at most); past the grace period whatever
    // is left is dropped.
    if (!drained) {
        state_->io.stop();
    }
    for (auto& thread : state_->io_threads) {
        thread.join();
    }
    // The workers' last tasks hold connections and their strand executors: they must be gone
    // before ~Server destroys the io_context (ASan saw a worker free a strand after it).
    if (!state_->workers.StopAndWait(std::chrono::seconds(10))) {
        log::Warn("worker threads still busy at shutdown");
    }
    return drained;
}

}  // namespace tessera::http
