#include "http/connection.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <exception>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>

#include "base/log.hpp"
#include "http/dispatch.hpp"
#include "http/error_mapping.hpp"
#include "http/text.hpp"
#include "http/url.hpp"

namespace tessera::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::size_t kChunkBytes = std::size_t{64} * 1024;
constexpr milliseconds kWaitSlice{250};

std::string_view TargetOf(const RawRequest& request) {
    auto target = request.target();  // boost::string_view in Boost 1.74
    return {target.data(), target.size()};
}

bool IsHead(const RawRequest& request) {
    return request.method() == bhttp::verb::head;
}

template <typename Body>
void ApplyHeaders(bhttp::response<Body>& out, const Response& response, bool keep_alive) {
    out.version(11);
    out.result(response.status);
    for (const auto& [name, value] : response.headers) {
        out.insert(name, value);
    }
    out.keep_alive(keep_alive);
}

// Streams a chunked body: Write buffers, Flush sends one chunk.
class ChunkedWriter final : public StreamWriter {
public:
    explicit ChunkedWriter(Connection& connection) : connection_(connection) {}

    Status Write(std::string_view bytes) override {
        buffer_.append(bytes);
        if (buffer_.size() >= kChunkBytes) {
            return Flush();
        }
        return Status::Ok();
    }

    Status Flush() override {
        if (buffer_.empty()) {
            return Status::Ok();
        }
        auto chunk = bhttp::make_chunk(net::buffer(buffer_));
        TESSERA_TRY(WriteBuffers(chunk));
        buffer_.clear();
        return Status::Ok();
    }

    Status Finish() {
        TESSERA_TRY(Flush());
        return WriteBuffers(bhttp::make_chunk_last());
    }

    bool WaitFor(milliseconds duration) override {
        auto deadline = steady_clock::now() + duration;
        while (true) {
            auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
            if (left.count() <= 0) {
                return true;
            }
            if (connection_.state().stop.WaitFor(std::min(left, kWaitSlice))) {
                return false;
            }
            if (PeerHungUp()) {
                return false;
            }
        }
    }

private:
    template <typename Buffers>
    Status WriteBuffers(const Buffers& buffers) {
        auto& stream = connection_.stream();
        auto ec = connection_.Await(
            [&](auto handler) { net::async_write(stream, buffers, std::move(handler)); },
            connection_.state().settings.io_timeout);
        if (ec) {
            return Error::Unavailable("client connection lost: " + ec.message());
        }
        return Status::Ok();
    }

    // A stream that only waits would otherwise notice a departed client at its next write.
    bool PeerHungUp() {
        int fd = connection_.stream().socket().native_handle();
        pollfd entry{fd, POLLIN | POLLRDHUP, 0};
        if (::poll(&entry, 1, 0) <= 0) {
            return false;
        }
        if ((entry.revents & (POLLHUP | POLLERR | POLLRDHUP)) != 0) {
            return true;
        }
        char byte = 0;
        return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
    }

    Connection& connection_;
    std::string buffer_;
};

void LogRequest(const Request& request, unsigned status, steady_clock::time_point started) {
    auto elapsed = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started);
    log::Info("request", {{"method", std::string(request.raw.method_string())},
                          {"path", request.path},
                          {"status", std::to_string(status)},
                          {"duration_ms", std::to_string(elapsed.count())},
                          {"request_id", request.request_id},
                          {"user", request.principal ? request.principal->user.username : "-"}});
}

// IPv4 clients of a dual-stack listener arrive as ::ffff:a.b.c.d; they count as a.b.c.d.
std::string PeerAddress(const tcp::socket& socket) {
    beast::error_code ec;
    auto address = socket.remote_endpoint(ec).address();
    if (ec) {
        return {};
    }
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).to_string();
    }
    return address.to_string();
}

bool IsHttpProtocolError(const beast::error_code& ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
           ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

}  // namespace

Connection::Connection(std::shared_ptr<ServerState> state, tcp::socket accepted)
    : state_(std::move(state)), stream_(context_) {
    beast::error_code ec;
    client_address_ = PeerAddress(accepted);
    auto protocol = accepted.local_endpoint(ec).protocol();
    auto fd = accepted.release(ec);
    if (!ec) {
        stream_.socket().assign(protocol, fd, ec);
    }
    if (ec) {
        log::Warn("connection setup failed", {{"error", ec.message()}});
    }
}

void Connection::Interrupt() {
    // Runs on the connection thread inside its next Await, where idle_ is safe to read.
    net::post(context_, [this] {
        if (idle_) {
            beast::error_code ec;
            stream_.socket().cancel(ec);
        }
    });
}

void Connection::Run() {
    if (!stream_.socket().is_open()) {
        return;
    }
    while (ServeOne()) {
    }
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (unread_input_) {
        DrainBeforeClose();
    }
    stream_.socket().close(ec);
}

void Connection::DrainBeforeClose() {
    constexpr std::size_t kMaxDrain = 8 << 20;
    std::size_t drained = 0;
    std::array<char, 16384> scratch{};
    while (drained < kMaxDrain) {
        auto ec = Await(
            [&](auto handler) {
                stream_.async_read_some(net::buffer(scratch), std::move(handler));
            },
            milliseconds(1000));
        if (ec) {
            return;
        }
        drained += last_bytes_;
    }
}

namespace {

// POST /api/v1/projects/{id}/import takes annotation files, far larger than JSON bodies.
bool IsUploadTarget(const bhttp::request<bhttp::string_body>& header) {
    if (header.method() != bhttp::verb::post) {
        return false;
    }
    std::string_view target(header.target().data(), header.target().size());
    target = target.substr(0, target.find('?'));
    constexpr std::string_view kSuffix = "/import";
    return target.rfind("/api/v1/projects/", 0) == 0 && target.size() > kSuffix.size() &&
           target.substr(target.size() - kSuffix.size()) == kSuffix;
}

// An upload's temp file: removed when the request is done, whichever way it ends.
class UploadFile {
public:
    explicit UploadFile(std::filesystem::path path) : path_(std::move(path)) {}
    ~UploadFile() {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
    UploadFile(const UploadFile&) = delete;
    UploadFile& operator=(const UploadFile&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Errors of the disk rather than of the client while an upload is stored.
bool IsStorageError(const beast::error_code& ec) {
    return ec == std::errc::no_space_on_device || ec == std::errc::file_too_large ||
           ec == std::errc::io_error ||
           (ec.category() == std::system_category() && ec.value() == EDQUOT);
}

}  // namespace

// Reads the body of an upload into a new file under upload_dir. Each read has the I/O timeout
// (a slow client may take as long as it keeps sending). `header` must have read the header and
// nothing of the body yet. Leaves `raw` holding the header and an empty body.
std::optional<Error> Connection::ReadUploadToFile(bhttp::request_parser<bhttp::string_body>& header,
                                                  const std::filesystem::path& path,
                                                  RawRequest& raw, const Error& too_large) {
    // Cannot throw: the header parser has not started on the body.
    bhttp::request_parser<bhttp::file_body> parser(std::move(header));
    parser.body_limit(state_->settings.upload_body_limit);
    beast::error_code ec;
    parser.get().body().open(path.c_str(), beast::file_mode::write_new, ec);
    std::optional<Error> error;
    if (ec) {
        log::Warn("cannot create upload file", {{"path", path.string()}, {"error", ec.message()}});
        error = Error::Unavailable("the server cannot store the upload: " + ec.message());
    }
    while (!error && !parser.is_done()) {
        ec = Await(
            [&](auto handler) {
                bhttp::async_read_some(stream_, buffer_, parser, std::move(handler));
            },
            state_->settings.io_timeout);
        if (ec == bhttp::error::body_limit) {
            error = too_large;
        } else if (IsStorageError(ec)) {
            log::Warn("cannot store upload", {{"error", ec.message()}});
            error = Error::Unavailable("the server cannot store the upload: " + ec.message());
        } else if (ec) {
            client_gone_ = true;  // left, timed out or sent a malformed body
            break;
        }
    }
    parser.get().body().close();
    raw = RawRequest(std::move(parser.get().base()));
    return error;
}

bool Connection::ServeOne() {
    ServerState& state = *state_;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(16 * 1024);
    // The larger upload limit applies until the header says which route this is.
    parser.body_limit(std::max(state.settings.body_limit, state.settings.upload_body_limit));

    idle_ = true;
    if (state.stop.triggered()) {
        return false;
    }
    auto ec = Await(
        [&](auto handler) {
            bhttp::async_read_header(stream_, buffer_, parser, std::move(handler));
        },
        state.settings.header_timeout);
    idle_ = false;
    if (ec && !IsHttpProtocolError(ec)) {
        return false;  // the client left, timed out, or we are shutting down
    }

    auto started = steady_clock::now();
    std::optional<Error> early_error;
    // A declared length over the larger limit fails the header read, but the header is whole.
    const bool upload = (!ec || ec == bhttp::error::body_limit) && IsUploadTarget(parser.get());
    const std::size_t limit = upload ? state.settings.upload_body_limit : state.settings.body_limit;
    const Error too_large{
        ErrorCode::kPayloadTooLarge,
        upload ? "upload exceeds the upload limit of " + std::to_string(limit) + " bytes"
               : "request body exceeds " + std::to_string(limit) + " bytes",
        "body"};
    RawRequest raw;
    std::optional<UploadFile> upload_file;  // declared before the request that names it
    if (!ec) {
        parser.body_limit(limit);
    }
    if (ec == bhttp::error::body_limit ||
        (!ec && parser.content_length() && *parser.content_length() > limit)) {
        early_error = too_large;  // the declared Content-Length is over the limit
    } else if (ec == bhttp::error::header_limit) {
        early_error = Error{ErrorCode::kPayloadTooLarge, "request headers too large", {}};
    } else if (ec) {
        early_error = Error::InvalidArgument("malformed HTTP request: " + ec.message());
    } else if (!parser.is_done()) {
        if (IEquals(Sv(parser.get()[bhttp::field::expect]), "100-continue")) {
            bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
            Await([&](auto handler) { bhttp::async_write(stream_, go_on, std::move(handler)); },
                  state.settings.io_timeout);
        }
        if (upload && !state.settings.upload_dir.empty()) {
            upload_file.emplace(state.settings.upload_dir /
                                ("upload-" + state.random.HexToken(8) + ".part"));
            early_error = ReadUploadToFile(parser, upload_file->path(), raw, too_large);
            if (client_gone_) {
                return false;
            }
        } else {
            ec = Await(
                [&](auto handler) {
                    bhttp::async_read(stream_, buffer_, parser, std::move(handler));
                },
                state.settings.io_timeout);
            if (ec == bhttp::error::body_limit) {
                early_error = too_large;
            } else if (ec) {
                return false;
            }
        }
    }

    if (!upload_file) {
        raw = parser.release();
    }
    Request request{raw, {}, {}, {}, std::nullopt, state.random.HexToken(8)};
    request.client_address = client_address_;
    if (upload_file && !early_error) {
        request.upload = upload_file->path();
    }
    Response response;
    bool keep_alive = raw.keep_alive() && !early_error;
    if (early_error) {
        unread_input_ = true;
        request.path = std::string(TargetOf(raw).substr(0, TargetOf(raw).find('?')));
        response = ErrorResponse(*early_error);
    } else if (auto target = ParseTarget(TargetOf(raw)); !target) {
        request.path = std::string(TargetOf(raw));
        response = ErrorResponse(Error::InvalidArgument("malformed request target", "path"));
    } else {
        request.path = std::move(target->path);
        request.query = std::move(target->query);
        response = Dispatch(state.router, state.authenticate, request);
    }
    // The handler is done with the stored upload; removing it before answering means a client
    // that got its response never sees the file.
    upload_file.reset();
    // Decided after the handler ran: a shutdown that began meanwhile closes this connection.
    keep_alive = keep_alive && !state.stop.triggered();
    response.Header("X-Request-Id", request.request_id);
    bool sent = Send(raw, response, keep_alive);
    LogRequest(request, response.status, started);
    return sent && keep_alive;
}

bool Connection::Send(const RawRequest& request, Response& response, bool keep_alive) {
    if (response.stream) {
        return SendStream(request, response, keep_alive);
    }
    if (!response.file.empty()) {
        return SendFile(request, response, keep_alive);
    }
    return SendString(request, response, keep_alive);
}

bool Connection::SendString(const RawRequest& request, Response& response, bool keep_alive) {
    const auto timeout = state_->settings.io_timeout;
    if (IsHead(request)) {
        bhttp::response<bhttp::empty_body> out;
        ApplyHeaders(out, response, keep_alive);
        out.content_length(response.body.size());
        return !Await([&](auto h) { bhttp::async_write(stream_, out, std::move(h)); }, timeout);
    }
    bhttp::response<bhttp::string_body> out;
    ApplyHeaders(out, response, keep_alive);
    out.body() = std::move(response.body);
    out.prepare_payload();
    return !Await([&](auto h) { bhttp::async_write(stream_, out, std::move(h)); }, timeout);
}

bool Connection::SendFile(const RawRequest& request, Response& response, bool keep_alive) {
    const auto timeout = state_->settings.io_timeout;
    bhttp::file_body::value_type body;
    beast::error_code ec;
    body.open(response.file.c_str(), beast::file_mode::scan, ec);
    if (ec) {
        // The cache file vanished between lookup and send (e.g. cache cleanup).
        log::Warn("cannot open file to send", {{"path", response.file.string()}});
        Response error = ErrorResponse(Error::NotFound("file is no longer available"));
        error.headers.insert(error.headers.end(), response.headers.begin(), response.headers.end());
        std::erase_if(error.headers, [](const auto& h) {
            return IEquals(h.first, "ETag") || IEquals(h.first, "Cache-Control") ||
                   (IEquals(h.first, "Content-Type") && h.second != "application/json");
        });
        response = std::move(error);
        return SendString(request, response, keep_alive);
    }
    if (IsHead(request)) {
        bhttp::response<bhttp::empty_body> out;
        ApplyHeaders(out, response, keep_alive);
        out.content_length(body.size());
        return !Await([&](auto h) { bhttp::async_write(stream_, out, std::move(h)); }, timeout);
    }
    bhttp::response<bhttp::file_body> out;
    ApplyHeaders(out, response, keep_alive);
    out.body() = std::move(body);
    out.prepare_payload();
    return !Await([&](auto h) { bhttp::async_write(stream_, out, std::move(h)); }, timeout);
}

bool Connection::SendStream(const RawRequest& request, Response& response, bool keep_alive) {
    bhttp::response<bhttp::empty_body> out;
    ApplyHeaders(out, response, keep_alive);
    out.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> serializer{out};
    auto ec = Await([&](auto h) { bhttp::async_write_header(stream_, serializer, std::move(h)); },
                    state_->settings.io_timeout);
    if (ec) {
        return false;
    }
    if (IsHead(request)) {
        return true;
    }
    ChunkedWriter writer(*this);
    Status status = Status::Ok();
    try {
        status = response.stream(writer);
    } catch (const std::exception& e) {
        status = Error::Internal(e.what());
    }
    if (!status.ok()) {
        // Headers are gone already; ending without the last chunk tells the client the body is
        // incomplete.
        log::Warn("stream ended early", {{"error", status.error().message}});
        return false;
    }
    return writer.Finish().ok();
}

}  // namespace tessera::http
