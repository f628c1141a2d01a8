#pragma once
// The HTTP client behind the Azure Blob client: an interface so unit tests can answer requests
// themselves, and one real implementation over libcurl (blobs/curl_transport.hpp).
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera {

struct HttpRequest {
    std::string method = "GET";
    std::string url;  // may hold a SAS token: never log it, never put it in an error
    std::vector<std::pair<std::string, std::string>> headers;
    // "HOST:PORT:ADDRESS": connect to ADDRESS whatever DNS says now and use no proxy (an
    // address checked once cannot be switched by DNS rebinding). Empty: resolve as usual.
    std::string pinned_address;
};

struct HttpResponse {
    int status = 0;  // 0: the exchange failed (see failure)
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
    // Why no response came (DNS, connect, TLS, timeout), without the URL's query.
    std::string failure;
    bool retryable = false;  // the failure may pass (timeout, reset), unlike DNS or TLS errors
    bool aborted = false;    // the body sink asked to stop

    // The first header of that lower-case name, or "".
    std::string Header(std::string_view lower_name) const {
        for (const auto& [name, value] : headers) {
            if (name == lower_name) {
                return value;
            }
        }
        return {};
    }
};

// Receives the body a chunk at a time with the response status; false aborts the transfer.
using HttpBodySink = std::function<bool(int status, std::string_view chunk)>;

class HttpTransport {
public:
    virtual ~HttpTransport() = default;
    // Thread-safe: several requests may be in flight at once.
    virtual HttpResponse Send(const HttpRequest& request, const HttpBodySink& sink) = 0;
};

}  // namespace tessera
