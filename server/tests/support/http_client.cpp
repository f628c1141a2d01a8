#include "support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>

namespace tessera::testing {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : std::string(it->value());
}

nlohmann::json HttpResponse::Json() const {
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    return parsed.is_discarded() ? nlohmann::json() : parsed;
}

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

template <typename Start>
boost::system::error_code HttpClient::Await(Start&& start, std::chrono::milliseconds timeout) {
    boost::system::error_code result = net::error::operation_aborted;
    stream_->expires_after(timeout);
    start([this, &result](boost::system::error_code ec, std::size_t bytes) {
        result = ec;
        last_bytes_ = bytes;
    });
    context_->restart();
    context_->run();
    return result;
}

bool HttpClient::Connect() {
    if (stream_ && stream_->socket().is_open()) {
        return true;
    }
    stream_.emplace(*context_);
    buffer_.clear();
    tcp::resolver resolver(*context_);
    boost::system::error_code ec;
    auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
    if (ec) {
        error_ = "resolve: " + ec.message();
        return false;
    }
    if (!source_address.empty()) {
        auto local = boost::asio::ip::make_address(source_address, ec);
        if (!ec) {
            stream_->socket().open(local.is_v4() ? tcp::v4() : tcp::v6(), ec);
        }
        if (!ec) {
            stream_->socket().bind(tcp::endpoint(local, 0), ec);
        }
        if (ec) {
            error_ = "bind " + source_address + ": " + ec.message();
            stream_.reset();
            return false;
        }
    }
    stream_->expires_after(timeout_);
    if (!source_address.empty()) {
        // A socket that is already open (bound above) keeps its address on connect.
        stream_->async_connect(*endpoints.begin(), [&ec](boost::system::error_code e) { ec = e; });
    } else {
        stream_->async_connect(
            endpoints, [&ec](boost::system::error_code e, const tcp::endpoint&) { ec = e; });
    }
    context_->restart();
    context_->run();
    if (ec) {
        error_ = "connect: " + ec.message();
        stream_.reset();
        return false;
    }
    return true;
}

void HttpClient::Close() {
    if (stream_) {
        boost::system::error_code ec;
        stream_->socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_->socket().close(ec);
        stream_.reset();
    }
}

void HttpClient::RememberCookie(const HttpResponse& response) {
    for (const auto& field : response.headers) {
        if (field.name() != bhttp::field::set_cookie) {
            continue;
        }
        std::string value(field.value());
        std::string pair = value.substr(0, value.find(';'));
        std::string name = pair.substr(0, pair.find('='));
        if (name != "tessera_session") {
            continue;
        }
        bool cleared =
            pair.size() == name.size() + 1 || value.find("Max-Age=0") != std::string::npos;
        cookie = cleared ? std::string() : pair;
    }
}

HttpResponse HttpClient::Send(const std::string& method, const std::string& target,
                              const std::string& body, const HeaderList& headers) {
    // One retry covers a keep-alive connection the server closed meanwhile.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!Connect()) {
            return {};
        }
        bhttp::request<bhttp::string_body> request{bhttp::string_to_verb(method), target, 11};
        request.set(bhttp::field::host, host_);
        if (!cookie.empty()) {
            request.set(bhttp::field::cookie, cookie);
        }
        if (!csrf_token.empty() && method != "GET" && method != "HEAD") {
            request.set("X-CSRF-Token", csrf_token);
        }
        for (const auto& [name, value] : headers) {
            request.set(name, value);
        }
        request.body() = body;
        request.prepare_payload();
        auto ec =
            Await([&](auto h) { bhttp::async_write(*stream_, request, std::move(h)); }, timeout_);
        if (ec) {
            error_ = "write: " + ec.message();
            Close();
            continue;
        }
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(256 << 20);
        parser.skip(method == "HEAD");
        ec = Await([&](auto h) { bhttp::async_read(*stream_, buffer_, parser, std::move(h)); },
                   timeout_);
        if (ec) {
            error_ = "read: " + ec.message();
            Close();
            if (ec == bhttp::error::end_of_stream && attempt == 0) {
                continue;
            }
            return {};
        }
        auto message = parser.release();
        HttpResponse response;
        response.status = message.result_int();
        response.headers = message.base();
        response.body = std::move(message.body());
        RememberCookie(response);
        if (!message.keep_alive()) {
            Close();
        }
        return response;
    }
    return {};
}

HttpResponse HttpClient::SendJson(const std::string& method, const std::string& target,
                                  const nlohmann::json& body, const HeaderList& headers) {
    HeaderList all = headers;
    all.emplace_back("Content-Type", "application/json");
    return Send(method, target, body.dump(), all);
}

HttpResponse HttpClient::SendRaw(const std::string& bytes) {
    Close();
    if (!WriteRaw(bytes)) {
        return {};
    }
    HttpResponse response = ReadResponse();
    Close();
    return response;
}

bool HttpClient::WriteRaw(const std::string& bytes) {
    if (!Connect()) {
        return false;
    }
    auto ec = Await([&](auto h) { net::async_write(*stream_, net::buffer(bytes), std::move(h)); },
                    timeout_);
    if (ec) {
        error_ = "write: " + ec.message();
        Close();
        return false;
    }
    return true;
}

HttpResponse HttpClient::ReadResponse() {
    if (!stream_) {
        return {};
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(256 << 20);
    auto ec = Await([&](auto h) { bhttp::async_read(*stream_, buffer_, parser, std::move(h)); },
                    timeout_);
    if (ec) {
        error_ = "read: " + ec.message();
        Close();
        return {};
    }
    auto message = parser.release();
    HttpResponse response;
    response.status = message.result_int();
    response.headers = message.base();
    response.body = std::move(message.body());
    RememberCookie(response);
    if (!message.keep_alive()) {
        Close();
    }
    return response;
}

HttpResponse HttpClient::OpenStream(const std::string& target, const HeaderList& headers) {
    Close();
    stream_data_.clear();
    if (!Connect()) {
        return {};
    }
    bhttp::request<bhttp::empty_body> request{bhttp::verb::get, target, 11};
    request.set(bhttp::field::host, host_);
    if (!cookie.empty()) {
        request.set(bhttp::field::cookie, cookie);
    }
    for (const auto& [name, value] : headers) {
        request.set(name, value);
    }
    auto ec = Await([&](auto h) { bhttp::async_write(*stream_, request, std::move(h)); }, timeout_);
    if (ec) {
        error_ = "write: " + ec.message();
        return {};
    }
    bhttp::response_parser<bhttp::empty_body> parser;
    ec = Await([&](auto h) { bhttp::async_read_header(*stream_, buffer_, parser, std::move(h)); },
               timeout_);
    if (ec) {
        error_ = "read header: " + ec.message();
        return {};
    }
    HttpResponse response;
    response.status = parser.get().result_int();
    response.headers = parser.get().base();
    // Whatever the header read pulled in beyond the header is body data.
    stream_data_ = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    return response;
}

std::string HttpClient::ReadStreamUntil(const std::string& needle,
                                        std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::array<char, 8192> scratch{};
    while (stream_ && stream_data_.find(needle) == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            break;
        }
        auto ec = Await(
            [&](auto h) { stream_->async_read_some(net::buffer(scratch), std::move(h)); }, left);
        stream_data_.append(scratch.data(), last_bytes_);
        if (ec) {
            error_ = "stream: " + ec.message();
            break;
        }
    }
    return stream_data_;
}

}  // namespace tessera::testing
