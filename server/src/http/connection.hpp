#pragma once
// Internal to the server: one client connection, served on its own thread. Every socket
// operation runs through a private io_context so it can carry a timeout and be interrupted.
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

#include "http/message.hpp"
#include "http/server_state.hpp"

namespace tessera::http {

class Connection {
public:
    // Takes over an accepted socket's descriptor (it moves to this connection's io_context).
    Connection(std::shared_ptr<ServerState> state, boost::asio::ip::tcp::socket accepted);
    // Serves requests until the client leaves, a timeout, an error or shutdown.
    void Run();
    // Ends a connection that waits for its next request. Any thread; no effect on one that
    // is busy with a request (that one closes after its response during shutdown).
    void Interrupt();

    // Runs one async operation to completion on this thread with a deadline.
    template <typename Start>
    boost::beast::error_code Await(Start&& start, std::chrono::milliseconds timeout) {
        boost::beast::error_code result = boost::asio::error::operation_aborted;
        stream_.expires_after(timeout);
        start([this, &result](boost::beast::error_code ec, std::size_t bytes) {
            result = ec;
            last_bytes_ = bytes;
        });
        context_.restart();
        context_.run();
        return result;
    }

    boost::beast::tcp_stream& stream() { return stream_; }
    ServerState& state() { return *state_; }

private:
    bool ServeOne();  // false: close the connection
    // Streams an upload's body into a new file at `path`; the error to answer with, if any
    // (client_gone_ when there is no one left to answer).
    std::optional<Error> ReadUploadToFile(
        boost::beast::http::request_parser<boost::beast::http::string_body>& header,
        const std::filesystem::path& path, RawRequest& raw, const Error& too_large);
    // Sends `response`; false when the connection broke.
    bool Send(const RawRequest& request, Response& response, bool keep_alive);
    bool SendString(const RawRequest& request, Response& response, bool keep_alive);
    bool SendFile(const RawRequest& request, Response& response, bool keep_alive);
    bool SendStream(const RawRequest& request, Response& response, bool keep_alive);
    // Reads and drops what the client still sends, briefly, so closing does not reset the
    // connection before it has read our error response.
    void DrainBeforeClose();

    std::shared_ptr<ServerState> state_;
    boost::asio::io_context context_;  // declared before stream_: outlives it
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    bool idle_ = false;           // only touched on the connection's own thread
    bool unread_input_ = false;   // closing with part of a request unread
    bool client_gone_ = false;    // the client left in the middle of an upload
    std::size_t last_bytes_ = 0;  // bytes moved by the last Await
    std::string client_address_;  // the peer's IP, read once at accept
};

}  // namespace tessera::http
