#include "http/connection.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <exception>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>

#include "base/log.hpp"
#include "http/client_address.hpp"
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
constexpr std::size_t kReadAhead = 4096;
constexpr milliseconds kWaitSlice{250};
constexpr milliseconds kRefusalTimeout{2000};
constexpr const char* kRetryAfterSeconds = "5";

// The completion token of every await here: errors come back as values, never as exceptions.
auto Token(beast::error_code& ec) {
    return net::redirect_error(net::use_awaitable, ec);
}

// Runs `task` on the worker pool; the awaiting coroutine resumes on its own executor (the
// connection's strand) with the result. Nothing else runs on the strand meanwhile but
// operations the task itself posts there (stream writes). The worker wakes the coroutine by
// cancelling a timer through the strand: the wait is in place before the strand is released,
// so the wake-up cannot come too early. (No lambda with non-trivial captures is a temporary in
// a co_await expression: g++ 12 destroys such temporaries twice.)
template <typename Task>
net::awaitable<std::invoke_result_t<Task&>> OnWorker(WorkerPool& workers, Task task) {
    using Result = std::invoke_result_t<Task&>;
    auto executor = co_await net::this_coro::executor;
    std::optional<Result> result;
    net::steady_timer done(executor, steady_clock::time_point::max());
    workers.Submit([&task, &result, &done, executor] {
        result.emplace(task());
        net::post(executor, [&done] { done.cancel(); });
    });
    beast::error_code ec;
    co_await done.async_wait(Token(ec));
    co_return std::move(*result);
}

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

// Streams a chunked body from a worker thread: Write buffers, Flush sends one chunk.
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
        auto ec = connection_.AwaitFromWorker(
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

bool IsHttpProtocolError(const beast::error_code& ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
           ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

// Requests whose bodies are files rather than JSON, streamed to disk.
enum class UploadKind {
    kNone,
    kImport,  // POST /api/v1/projects/{id}/import: annotation files, up to upload_body_limit
    kChunk,   // tus: PATCH .../uploads/{upload_id}, POST .../uploads[/]: up to upload_chunk_limit
};

UploadKind UploadKindOf(const bhttp::request<bhttp::string_body>& header) {
    std::string_view target(header.target().data(), header.target().size());
    target = target.substr(0, target.find('?'));
    constexpr std::string_view kPrefix = "/api/v1/projects/";
    if (!target.starts_with(kPrefix)) {
        return UploadKind::kNone;
    }
    target.remove_prefix(kPrefix.size());
    const std::size_t slash = target.find('/');
    if (slash == std::string_view::npos) {
        return UploadKind::kNone;
    }
    const std::string_view rest = target.substr(slash);  // after the project id
    const bool post = header.method() == bhttp::verb::post;
    if (post && rest == "/import") {
        return UploadKind::kImport;
    }
    if (post && (rest == "/uploads" || rest == "/uploads/")) {
        return UploadKind::kChunk;  // creation-with-upload
    }
    constexpr std::string_view kUploads = "/uploads/";
    if (header.method() == bhttp::verb::patch && rest.starts_with(kUploads) &&
        rest.size() > kUploads.size() &&
        rest.find('/', kUploads.size()) == std::string_view::npos) {
        return UploadKind::kChunk;
    }
    return UploadKind::kNone;
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

// Reads and drops what the client still sends, up to a few MiB and while it keeps coming:
// each read may take `per_read`, or all of them together `total` when that is set.
net::awaitable<void> Drain(beast::tcp_stream& stream, milliseconds per_read,
                           std::optional<milliseconds> total = std::nullopt) {
    constexpr std::size_t kMaxDrain = 8 << 20;
    std::size_t drained = 0;
    std::array<char, 16384> scratch{};
    if (total) {
        stream.expires_after(*total);
    }
    while (drained < kMaxDrain) {
        beast::error_code ec;
        if (!total) {
            stream.expires_after(per_read);
        }
        std::size_t bytes = co_await stream.async_read_some(net::buffer(scratch), Token(ec));
        if (ec) {
            co_return;
        }
        drained += bytes;
    }
}

net::awaitable<void> Refuse(beast::tcp_stream stream, std::string reason, std::string request_id) {
    Response response = ErrorResponse(Error::Unavailable(std::move(reason)));
    response.Header("X-Request-Id", request_id);
    bhttp::response<bhttp::string_body> out;
    ApplyHeaders(out, response, false);
    out.set(bhttp::field::retry_after, kRetryAfterSeconds);
    out.body() = std::move(response.body);
    out.prepare_payload();
    beast::error_code ec;
    stream.expires_after(kRefusalTimeout);
    co_await bhttp::async_write(stream, out, Token(ec));
    if (!ec) {
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        // The request may arrive after the answer: read it rather than reset the connection.
        co_await Drain(stream, kRefusalTimeout, kRefusalTimeout);
    }
    stream.socket().close(ec);
}

}  // namespace

void RefuseConnection(tcp::socket socket, const std::string& reason, const std::string& peer,
                      const std::string& request_id) {
    // Logged like any answered request, so that a user quoting the id can be found.
    log::Warn("connection refused",
              {{"reason", reason}, {"peer", peer}, {"request_id", request_id}});
    auto executor = socket.get_executor();
    net::co_spawn(executor, Refuse(beast::tcp_stream(std::move(socket)), reason, request_id),
                  net::detached);
}

Connection::Connection(std::shared_ptr<ServerState> state, tcp::socket accepted,
                       net::ip::address peer)
    : state_(std::move(state)), stream_(std::move(accepted)), peer_(std::move(peer)) {}

void Connection::Start(const std::shared_ptr<Connection>& connection) {
    net::co_spawn(connection->stream_.get_executor(), Serve(connection), net::detached);
}

void Connection::Interrupt() {
    // Runs on the connection's strand, where idle_ is safe to read.
    net::post(stream_.get_executor(), [self = shared_from_this()] {
        if (self->idle_) {
            beast::error_code ec;
            self->stream_.socket().cancel(ec);
        }
    });
}

net::awaitable<void> Connection::Serve(std::shared_ptr<Connection> self) {
    try {
        bool first = true;
        while (co_await self->ServeOne(first)) {
            first = false;
        }
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (self->unread_input_) {
            co_await self->DrainBeforeClose();
        }
    } catch (const std::exception& e) {
        log::Warn("connection failed", {{"error", e.what()}});
    }
    beast::error_code ec;
    self->stream_.socket().close(ec);
    self->Forget(self);
}

void Connection::Forget(const std::shared_ptr<Connection>& self) {
    const std::shared_ptr<ServerState>& state = state_;
    {
        std::lock_guard lock(state->mu);
        if (auto it = state->per_address.find(peer_); it != state->per_address.end()) {
            if (--it->second == 0) {
                state->per_address.erase(it);
            }
        }
        state->connections.erase(self);
    }
    state->drained.notify_all();
}

net::awaitable<void> Connection::DrainBeforeClose() {
    co_await Drain(stream_, milliseconds(1000));
}

net::awaitable<bool> Connection::ReadHead(bhttp::request_parser<bhttp::string_body>& parser,
                                          bool first, beast::error_code& ec) {
    const ServerSettings& settings = state_->settings;
    idle_ = true;
    if (state_->stop.triggered()) {
        co_return false;
    }
    if (!first && buffer_.size() == 0) {
        // Kept alive: the idle timeout runs until the next request starts, the head deadline
        // after that.
        stream_.expires_after(settings.idle_timeout);
        std::size_t bytes =
            co_await stream_.async_read_some(buffer_.prepare(kReadAhead), Token(ec));
        if (ec) {
            idle_ = false;
            co_return false;
        }
        buffer_.commit(bytes);
    }
    stream_.expires_after(settings.header_timeout);
    co_await bhttp::async_read_header(stream_, buffer_, parser, Token(ec));
    idle_ = false;
    co_return !ec || IsHttpProtocolError(ec);
}

// Reads the body of an upload into a new file under upload_dir. Each read has the I/O timeout
// (a slow client may take as long as it keeps sending). `header` must have read the header and
// nothing of the body yet. Leaves `raw` holding the header and an empty body.
net::awaitable<std::optional<Error>> Connection::ReadUploadToFile(
    bhttp::request_parser<bhttp::string_body>& header, const std::filesystem::path& path,
    RawRequest& raw, std::size_t limit, const Error& too_large) {
    // Cannot throw: the header parser has not started on the body.
    bhttp::request_parser<bhttp::file_body> parser(std::move(header));
    parser.body_limit(limit);
    beast::error_code ec;
    parser.get().body().open(path.c_str(), beast::file_mode::write_new, ec);
    std::optional<Error> error;
    if (ec) {
        log::Warn("cannot create upload file", {{"path", path.string()}, {"error", ec.message()}});
        error = Error::Unavailable("the server cannot store the upload: " + ec.message());
    }
    while (!error && !parser.is_done()) {
        stream_.expires_after(state_->settings.io_timeout);
        co_await bhttp::async_read_some(stream_, buffer_, parser, Token(ec));
        if (ec == bhttp::error::body_limit) {
            error = too_large;
        } else if (IsStorageError(ec)) {
            log::Warn("cannot store upload", {{"error", ec.message()}});
            error = Error::Unavailable("the server cannot store the upload: " + ec.message());
        } else if (IsHttpProtocolError(ec)) {
            error = Error::InvalidArgument("malformed request body: " + ec.message(), "body");
        } else if (ec) {
            client_gone_ = true;  // left or timed out
            break;
        }
    }
    parser.get().body().close();
    raw = RawRequest(std::move(parser.get().base()));
    co_return error;
}

net::awaitable<bool> Connection::ServeOne(bool first) {
    ServerState& state = *state_;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(16 * 1024);
    // The larger upload limit applies until the header says which route this is.
    parser.body_limit(std::max(state.settings.body_limit, state.settings.upload_body_limit));

    beast::error_code ec;
    if (!co_await ReadHead(parser, first, ec)) {
        co_return false;  // the client left, timed out, or we are shutting down
    }

    auto started = steady_clock::now();
    std::optional<Error> early_error;
    // A declared length over the larger limit fails the header read, but the header is whole.
    const UploadKind kind =
        (!ec || ec == bhttp::error::body_limit) ? UploadKindOf(parser.get()) : UploadKind::kNone;
    const bool upload = kind != UploadKind::kNone;
    std::size_t limit = state.settings.body_limit;
    std::string too_large_message = "request body exceeds " + std::to_string(limit) + " bytes";
    if (kind == UploadKind::kImport) {
        limit = state.settings.upload_body_limit;
        too_large_message =
            "upload exceeds the upload limit of " + std::to_string(limit) + " bytes";
    } else if (kind == UploadKind::kChunk) {
        limit = std::min(state.settings.upload_chunk_limit, state.settings.upload_body_limit);
        too_large_message = "chunk exceeds the upload chunk limit of " + std::to_string(limit) +
                            " bytes; send the file in smaller chunks";
    }
    const Error too_large{ErrorCode::kPayloadTooLarge, std::move(too_large_message), "body"};
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
            stream_.expires_after(state.settings.io_timeout);
            co_await bhttp::async_write(stream_, go_on, Token(ec));
        }
        if (upload && !state.settings.upload_dir.empty()) {
            upload_file.emplace(state.settings.upload_dir /
                                ("upload-" + state.random.HexToken(8) + ".part"));
            early_error =
                co_await ReadUploadToFile(parser, upload_file->path(), raw, limit, too_large);
            if (client_gone_) {
                co_return false;
            }
        } else {
            stream_.expires_after(state.settings.io_timeout);
            co_await bhttp::async_read(stream_, buffer_, parser, Token(ec));
            if (ec == bhttp::error::body_limit) {
                early_error = too_large;
            } else if (IsHttpProtocolError(ec)) {
                // E.g. a bad chunk size: the client is still there and deserves to know.
                early_error =
                    Error::InvalidArgument("malformed request body: " + ec.message(), "body");
            } else if (ec) {
                co_return false;
            }
        }
    }

    if (!upload_file) {
        raw = parser.release();
    }
    Request request{raw, {}, {}, {}, std::nullopt, state.random.HexToken(8)};
    request.client_address = ClientAddressOf(peer_, raw, state.settings.trusted_proxies);
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
        response = co_await OnWorker(state.workers, [&state, &request] {
            return Dispatch(state.router, state.authenticate, request);
        });
    }
    // The handler is done with the stored upload; removing it before answering means a client
    // that got its response never sees the file.
    upload_file.reset();
    // Decided after the handler ran: a shutdown that began meanwhile closes this connection.
    keep_alive = keep_alive && !state.stop.triggered();
    response.Header("X-Request-Id", request.request_id);
    bool sent = co_await Send(raw, response, keep_alive);
    LogRequest(request, response.status, started);
    co_return sent&& keep_alive;
}

net::awaitable<bool> Connection::Send(const RawRequest& request, Response& response,
                                      bool keep_alive) {
    if (response.stream) {
        co_return co_await SendStream(request, response, keep_alive);
    }
    if (!response.file.empty()) {
        co_return co_await SendFile(request, response, keep_alive);
    }
    co_return co_await SendString(request, response, keep_alive);
}

net::awaitable<bool> Connection::SendString(const RawRequest& request, Response& response,
                                            bool keep_alive) {
    beast::error_code ec;
    stream_.expires_after(state_->settings.io_timeout);
    if (IsHead(request)) {
        bhttp::response<bhttp::empty_body> out;
        ApplyHeaders(out, response, keep_alive);
        out.content_length(response.body.size());
        co_await bhttp::async_write(stream_, out, Token(ec));
        co_return !ec;
    }
    bhttp::response<bhttp::string_body> out;
    ApplyHeaders(out, response, keep_alive);
    out.body() = std::move(response.body);
    out.prepare_payload();
    co_await bhttp::async_write(stream_, out, Token(ec));
    co_return !ec;
}

net::awaitable<bool> Connection::SendFile(const RawRequest& request, Response& response,
                                          bool keep_alive) {
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
        co_return co_await SendString(request, response, keep_alive);
    }
    stream_.expires_after(state_->settings.io_timeout);
    if (IsHead(request)) {
        bhttp::response<bhttp::empty_body> out;
        ApplyHeaders(out, response, keep_alive);
        out.content_length(body.size());
        co_await bhttp::async_write(stream_, out, Token(ec));
        co_return !ec;
    }
    bhttp::response<bhttp::file_body> out;
    ApplyHeaders(out, response, keep_alive);
    out.body() = std::move(body);
    out.prepare_payload();
    co_await bhttp::async_write(stream_, out, Token(ec));
    co_return !ec;
}

net::awaitable<bool> Connection::SendStream(const RawRequest& request, Response& response,
                                            bool keep_alive) {
    bhttp::response<bhttp::empty_body> out;
    ApplyHeaders(out, response, keep_alive);
    out.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> serializer{out};
    beast::error_code ec;
    stream_.expires_after(state_->settings.io_timeout);
    co_await bhttp::async_write_header(stream_, serializer, Token(ec));
    if (ec) {
        co_return false;
    }
    if (IsHead(request)) {
        co_return true;
    }
    // The callback may block (database, long exports, SSE waits): it runs on a worker and each
    // chunk is written through the strand.
    co_return co_await OnWorker(state_->workers, [this, &response] {
        ChunkedWriter writer(*this);
        Status status = Status::Ok();
        try {
            status = response.stream(writer);
        } catch (const std::exception& e) {
            status = Error::Internal(e.what());
        }
        if (!status.ok()) {
            // Headers are gone already; ending without the last chunk tells the client the body
            // is incomplete.
            log::Warn("stream ended early", {{"error", status.error().message}});
            return false;
        }
        return writer.Finish().ok();
    });
}

}  // namespace tessera::http
