#include "http/server.hpp"

#include <boost/asio/post.hpp>
#include <system_error>

#include "base/log.hpp"
#include "http/connection.hpp"
#include "http/server_state.hpp"

namespace tessera::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

void StartConnection(const std::shared_ptr<ServerState>& state, tcp::socket socket) {
    std::unique_lock lock(state->mu);
    if (state->stop.triggered() || state->active >= state->settings.max_connections) {
        lock.unlock();
        boost::system::error_code ec;
        socket.close(ec);  // over the cap: refusing is kinder than queueing without bound
        return;
    }
    auto connection = std::make_shared<Connection>(state, std::move(socket));
    state->connections.insert(connection);
    ++state->active;
    lock.unlock();
    try {
        std::thread([state, connection]() mutable {
            connection->Run();
            {
                std::lock_guard guard(state->mu);
                state->connections.erase(connection);
            }
            connection.reset();
            {
                std::lock_guard guard(state->mu);
                --state->active;
            }
            state->drained.notify_all();
        }).detach();
    } catch (const std::system_error& e) {
        log::Warn("cannot start connection thread", {{"error", e.what()}});
        std::lock_guard guard(state->mu);
        state->connections.erase(connection);
        --state->active;
    }
}

void AcceptNext(const std::shared_ptr<ServerState>& state) {
    state->acceptor.async_accept([state](boost::system::error_code ec, tcp::socket socket) {
        if (!state->acceptor.is_open() || ec == net::error::operation_aborted) {
            return;
        }
        if (ec) {
            // E.g. out of file descriptors: pause briefly rather than spin.
            log::Warn("accept failed", {{"error", ec.message()}});
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        } else {
            StartConnection(state, std::move(socket));
        }
        AcceptNext(state);
    });
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
    tcp::resolver resolver(state_->acceptor_context);
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
    state_->accept_thread = std::thread([state = state_] { state->acceptor_context.run(); });
    started_ = true;
    return Status::Ok();
}

void Server::Shutdown() {
    if (!started_ || shut_down_) {
        return;
    }
    shut_down_ = true;
    state_->stop.Trigger();
    net::post(state_->acceptor_context, [state = state_] {
        boost::system::error_code ec;
        state->acceptor.close(ec);
    });
    state_->accept_thread.join();

    std::unique_lock lock(state_->mu);
    for (const auto& connection : state_->connections) {
        connection->Interrupt();
    }
    log::Info("draining connections", {{"active", std::to_string(state_->active)}});
    bool drained = state_->drained.wait_for(lock, state_->settings.shutdown_grace,
                                            [this] { return state_->active == 0; });
    if (!drained) {
        log::Warn("shutdown grace period over", {{"still_active", std::to_string(state_->active)}});
    }
}

}  // namespace tessera::http
