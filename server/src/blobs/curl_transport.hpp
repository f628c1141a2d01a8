#pragma once
// HttpTransport over libcurl: HTTPS with the system's CA store and full certificate checks,
// no redirects, connect and stall timeouts. Easy handles are pooled (one per request in flight,
// kept for reuse so connections and TLS sessions are reused); curl_global_init runs once.
#include <chrono>
#include <memory>

#include "blobs/http_transport.hpp"

namespace tessera {

struct CurlTransportOptions {
    std::chrono::milliseconds connect_timeout{10000};
    // A transfer that moves no byte for this long is abandoned (a hung server).
    std::chrono::seconds stall_timeout{30};
    // The whole exchange; 0 for none (downloads of large images may take long).
    std::chrono::seconds total_timeout{0};
};

std::unique_ptr<HttpTransport> MakeCurlTransport(const CurlTransportOptions& options = {});

}  // namespace tessera
