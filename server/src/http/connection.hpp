#pragma once
// Internal to the server: one client connection. Reading a request and writing a plain or file
// response are asynchronous (a coroutine on the connection's strand), so waiting for a slow or
// idle client holds no thread. Handlers and stream callbacks run on the worker pool.
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>

#include "http/message.hpp"
#include "http/server_state.hpp"

namespace tessera::http {

class Connection : public std::enable_shared_from_this<Connection> {
public:
    // `accepted` must use a strand of state->io as its executor.
    Connection(std::shared_ptr<ServerState> state, boost::asio::ip::tcp::socket accepted,
               boost::asio::ip::address peer);
    // Serves requests until the client leaves, a deadline passes, an error or shutdown; then
    // closes the socket and removes the connection from the server's books.
    static void Start(const std::shared_ptr<Connection>& connection);
    // Ends a connection that waits for (the head of) its next request. Any thread; no effect on
    // one busy with a request (that one closes after its response during shutdown).
    void Interrupt();

    // For worker threads (stream callbacks): runs one async operation on the connection's
    // strand with a deadline and blocks until it completes.
    template <typename Start>
    boost::beast::error_code AwaitFromWorker(Start&& start, std::chrono::milliseconds timeout) {
        std::promise<boost::beast::error_code> done;
        auto result = done.get_future();
        boost::asio::post(stream_.get_executor(), [&] {
            stream_.expires_after(timeout);
            start([&done](boost::beast::error_code ec, std::size_t) { done.set_value(ec); });
        });
        return result.get();
    }

    boost::beast::tcp_stream& stream() { return stream_; }
    ServerState& state() { return *state_; }
    const boost::asio::ip::address& peer() const { return peer_; }

private:
    static boost::asio::awaitable<void> Serve(std::shared_ptr<Connection> self);
    boost::asio::awaitable<bool> ServeOne(bool first);  // false: close the connection
    // Waits for the whole request head; false when the client left, a deadline passed or we are
    // shutting down (nothing to answer). A protocol error is left in `ec` to be answered.
    boost::asio::awaitable<bool> ReadHead(
        boost::beast::http::request_parser<boost::beast::http::string_body>& parser, bool first,
        boost::beast::error_code& ec);
    // Streams an upload's body into a new file at `path`; the error to answer with, if any
    // (client_gone_ when there is no one left to answer).
    boost::asio::awaitable<std::optional<Error>> ReadUploadToFile(
        boost::beast::http::request_parser<boost::beast::http::string_body>& header,
        const std::filesystem::path& path, RawRequest& raw, std::size_t limit,
        const Error& too_large);
    // Sends `response`; false when the connection broke.
    boost::asio::awaitable<bool> Send(const RawRequest& request, Response& response,
                                      bool keep_alive);
    boost::asio::awaitable<bool> SendString(const RawRequest& request, Response& response,
                                            bool keep_alive);
    boost::asio::awaitable<bool> SendFile(const RawRequest& request, Response& response,
                                          bool keep_alive);
    boost::asio::awaitable<bool> SendStream(const RawRequest& request, Response& response,
                                            bool keep_alive);
    // Reads and drops what the client still sends, briefly, so closing does not reset the
    // connection before it has read our error response.
    boost::asio::awaitable<void> DrainBeforeClose();
    void Forget(const std::shared_ptr<Connection>&
                    self);  // leaves the server's books; wakes a Shutdown waiting for the drain

    std::shared_ptr<ServerState> state_;
    boost::beast::tcp_stream stream_;
    boost::asio::ip::address peer_;
    boost::beast::flat_buffer buffer_;
    bool idle_ = false;          // only touched on the connection's strand
    bool unread_input_ = false;  // closing with part of a request unread
    bool client_gone_ = false;   // the client left in the middle of an upload
};

// Answers a connection over a cap with 503 + Retry-After and X-Request-Id (logged with the
// peer) and closes it, without a thread.
void RefuseConnection(boost::asio::ip::tcp::socket socket, const std::string& reason,
                      const std::string& peer, const std::string& request_id);

}  // namespace tessera::http
