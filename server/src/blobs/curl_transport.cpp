#include "blobs/curl_transport.hpp"

#include <curl/curl.h>

#include <mutex>
#include <vector>

#include "base/text.hpp"

namespace tessera {
namespace {

void GlobalInitOnce() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Exchange {
    const HttpBodySink* sink = nullptr;
    HttpResponse* response = nullptr;
    CURL* curl = nullptr;
};

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
    auto* exchange = static_cast<Exchange*>(user);
    std::string_view line(data, size * count);
    if (line.starts_with("HTTP/")) {
        exchange->response->headers.clear();  // a new response (after 100 Continue)
        return line.size();
    }
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        exchange->response->headers.emplace_back(Lower(TrimmedView(line.substr(0, colon))),
                                                 Trim(line.substr(colon + 1)));
    }
    return line.size();
}

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
    auto* exchange = static_cast<Exchange*>(user);
    long status = 0;
    curl_easy_getinfo(exchange->curl, CURLINFO_RESPONSE_CODE, &status);
    if (!(*exchange->sink)(static_cast<int>(status), std::string_view(data, size * count))) {
        exchange->response->aborted = true;
        return 0;  // curl stops with CURLE_WRITE_ERROR
    }
    return size * count;
}

bool IsRetryable(CURLcode code) {
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM: return true;
        default: return false;
    }
}

class CurlTransport final : public HttpTransport {
public:
    explicit CurlTransport(const CurlTransportOptions& options) : options_(options) {
        GlobalInitOnce();
    }
    ~CurlTransport() override {
        for (CURL* curl : idle_) {
            curl_easy_cleanup(curl);
        }
    }
    CurlTransport(const CurlTransport&) = delete;
    CurlTransport& operator=(const CurlTransport&) = delete;

    HttpResponse Send(const HttpRequest& request, const HttpBodySink& sink) override {
        CURL* curl = Take();
        HttpResponse response;
        if (curl == nullptr) {
            response.failure = "could not start an HTTP client";
            return response;
        }
        Exchange exchange{&sink, &response, curl};
        curl_slist* headers = nullptr;
        for (const auto& [name, value] : request.headers) {
            headers = curl_slist_append(headers, (name + ": " + value).c_str());
        }
        std::vector<char> error(CURL_ERROR_SIZE, '\0');
        Configure(curl, request, headers, &exchange, error.data());
        curl_slist* pinned = nullptr;
        if (!request.pinned_address.empty()) {
            pinned = curl_slist_append(nullptr, request.pinned_address.c_str());
            curl_easy_setopt(curl, CURLOPT_RESOLVE, pinned);
            curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
        }
        CURLcode code = curl_easy_perform(curl);
        curl_slist_free_all(headers);
        curl_slist_free_all(pinned);
        if (code == CURLE_OK) {
            long status = 0;
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
            response.status = static_cast<int>(status);
        } else if (!response.aborted) {
            response.status = 0;
            // curl's messages name the host, never the path or query (the SAS token).
            response.failure =
                error[0] != '\0' ? std::string(error.data()) : curl_easy_strerror(code);
            response.retryable = IsRetryable(code);
        }
        Give(curl);
        return response;
    }

private:
    void Configure(CURL* curl, const HttpRequest& request, curl_slist* headers, Exchange* exchange,
                   char* error) const {
        curl_easy_reset(curl);
        curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // thread-safe timeouts
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(options_.connect_timeout.count()));
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                         static_cast<long>(options_.stall_timeout.count()));
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(options_.total_timeout.count()));
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, exchange);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, exchange);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    }

    CURL* Take() {
        {
            std::lock_guard lock(mu_);
            if (!idle_.empty()) {
                CURL* curl = idle_.back();
                idle_.pop_back();
                return curl;
            }
        }
        return curl_easy_init();
    }

    void Give(CURL* curl) {
        std::lock_guard lock(mu_);
        idle_.push_back(curl);
    }

    CurlTransportOptions options_;
    std::mutex mu_;
    std::vector<CURL*> idle_;
};

}  // namespace

std::unique_ptr<HttpTransport> MakeCurlTransport(const CurlTransportOptions& options) {
    return std::make_unique<CurlTransport>(options);
}

}  // namespace tessera
