#pragma once
// The request and response types handlers see. Handlers are plain functions Request -> Response;
// the server owns the socket, so a handler never touches Beast I/O directly. Streaming bodies
// (exports, server-sent events) are a callback that receives a StreamWriter.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/byte_sink.hpp"
#include "base/result.hpp"
#include "domain/model.hpp"

namespace tessera::http {

using RawRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Who sent the request, as established by the auth middleware.
struct Principal {
    User user;
    bool via_cookie = false;
    std::string session_token;  // set when via_cookie
    std::string csrf_token;     // set when via_cookie
};

// Body writer handed to streaming responses. Each Write goes out as (part of) one chunk.
// Threading: used only from the worker thread that runs the stream callback.
class StreamWriter : public ByteSink {
public:
    // Sends what Write buffered so far. An error means the client is gone.
    virtual Status Flush() = 0;
    // Sleeps up to `duration`. Returns false early when the server is shutting down or the
    // client hung up; streams then end.
    virtual bool WaitFor(std::chrono::milliseconds duration) = 0;
};

struct Request {
    const RawRequest& raw;
    std::string path;                           // decoded, without the query string
    std::map<std::string, std::string> params;  // from the route pattern, e.g. {"id": "3"}
    std::multimap<std::string, std::string> query;
    std::optional<Principal> principal;  // set on authenticated routes
    std::string request_id;
    // Uploads (POST .../import) when the server has an upload_dir: the body, stored in this
    // file (removed once the response is sent); raw.body() is then empty.
    std::filesystem::path upload;
    // The client's IP address: the peer's, or the one a trusted proxy's X-Forwarded-For names
    // (client_address.hpp); the login throttle counts failures per address. Empty in handler
    // unit tests.
    std::string client_address;

    // The authenticated user; only valid on routes with Access::kAuthenticated.
    const User& user() const { return principal->user; }
    // A path parameter as a positive integer id; kInvalidArgument names it otherwise.
    Result<Id> IdParam(const std::string& name) const;
    std::optional<std::string> Query(const std::string& name) const;
};

struct Response {
    unsigned status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // When non-empty the body is this file (images); `body` is ignored.
    std::filesystem::path file;
    // When set the body is streamed with chunked encoding; `body` is ignored.
    std::function<Status(StreamWriter&)> stream;

    Response& Header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    std::optional<std::string> FindHeader(std::string_view name) const;
};

}  // namespace tessera::http
