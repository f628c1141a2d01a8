#pragma once
// A small blocking HTTP/1.1 client for tests, over Boost.Beast. Keeps one keep-alive
// connection, reconnecting when the server closed it. Every operation has a timeout so a broken
// server fails a test instead of hanging it.
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/fields.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tessera::testing {

struct HttpResponse {
    unsigned status = 0;
    boost::beast::http::fields headers;
    std::string body;

    std::string Header(const std::string& name) const;
    nlohmann::json Json() const;  // null when the body is not JSON
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
public:
    HttpClient(std::string host, std::uint16_t port,
               std::chrono::milliseconds timeout = std::chrono::seconds(30));

    // Sends one request and reads the whole response. status 0 when the connection failed
    // (error() says why).
    HttpResponse Send(const std::string& method, const std::string& target,
                      const std::string& body = "", const HeaderList& headers = {});
    HttpResponse Get(const std::string& target, const HeaderList& headers = {}) {
        return Send("GET", target, "", headers);
    }
    HttpResponse SendJson(const std::string& method, const std::string& target,
                          const nlohmann::json& body, const HeaderList& headers = {});

    // Writes `bytes` as they are (a hand-made request) on a fresh connection and reads one
    // response.
    HttpResponse SendRaw(const std::string& bytes);

    // Piecewise raw requests: write bytes on the current (or a new) connection, then read one
    // response. For tests that need a request half-sent.
    bool WriteRaw(const std::string& bytes);
    HttpResponse ReadResponse();

    // Raw streaming: sends a request, reads just the response header, and then hands out body
    // bytes as they arrive (chunk framing included).
    HttpResponse OpenStream(const std::string& target, const HeaderList& headers = {});
    // Reads until `needle` appears in what arrived since OpenStream or `timeout` passes.
    // Returns everything read so far.
    std::string ReadStreamUntil(const std::string& needle, std::chrono::milliseconds timeout);

    // Sent with every request when set; updated from Set-Cookie.
    std::string cookie;
    // Added as X-CSRF-Token to non-GET requests when set.
    std::string csrf_token;
    // Connect from this local IP when set. On Linux every 127.x.y.z is the loopback, so a test
    // can play several clients (the server tells them apart by address) against 127.0.0.1.
    std::string source_address;

    const std::string& error() const { return error_; }
    void Close();

private:
    bool Connect();
    template <typename Start>
    boost::system::error_code Await(Start&& start, std::chrono::milliseconds timeout);
    void RememberCookie(const HttpResponse& response);

    std::string host_;
    std::uint16_t port_;
    std::chrono::milliseconds timeout_;
    // On the heap so the client stays movable (sockets keep a reference to their context).
    std::unique_ptr<boost::asio::io_context> context_ = std::make_unique<boost::asio::io_context>();
    std::optional<boost::beast::tcp_stream> stream_;
    boost::beast::flat_buffer buffer_;
    std::string stream_data_;
    std::string error_;
    std::size_t last_bytes_ = 0;
};

}  // namespace tessera::testing
