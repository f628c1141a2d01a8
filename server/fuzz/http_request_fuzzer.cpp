// The bytes of an HTTP request as a client sends them: parsed by Boost.Beast's request parser
// with the server's head limit, then what the server does with every request before a handler
// runs: the target split into a decoded path and query, the client address read through a
// trusted proxy's X-Forwarded-For, and the body read as a JSON object when declared JSON.
// Uploads are this parser's body written to a file and then read by the import targets.
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "http/client_address.hpp"
#include "http/json_io.hpp"
#include "http/message.hpp"
#include "http/url.hpp"
#include "targets.hpp"

namespace tessera::fuzz {

namespace {

namespace bhttp = boost::beast::http;

const http::TrustedProxies& Proxies() {
    static const http::TrustedProxies kProxies = [] {
        auto parsed = http::TrustedProxies::Parse({"127.0.0.1", "10.0.0.0/8"});
        return parsed.ok() ? parsed.value() : http::TrustedProxies{};
    }();
    return kProxies;
}

}  // namespace

void FuzzHttpRequest(const std::uint8_t* data, std::size_t size) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.eager(true);
    parser.header_limit(16 * 1024);  // as the server's connection
    parser.body_limit(1 << 20);      // the JSON body limit
    boost::beast::error_code ec;
    while (size > 0 && !parser.is_done()) {
        const std::size_t used = parser.put(boost::asio::buffer(data, size), ec);
        if (ec == bhttp::error::need_more) {
            ec = {};
            break;
        }
        if (ec || used == 0) {
            break;
        }
        data += used;
        size -= used;
    }
    // The connection ends here. (put_eof on a parser that got nothing is a precondition
    // failure in Beast; the server's async_read reports that case as end_of_stream instead.)
    if (!ec && !parser.is_done() && parser.got_some()) {
        parser.put_eof(ec);
    }
    if (ec || !parser.is_done()) {
        return;
    }
    const http::RawRequest raw = parser.release();
    http::Request request{raw, {}, {}, {}, std::nullopt, "fuzz"};
    const auto target = raw.target();
    if (auto parsed = http::ParseTarget({target.data(), target.size()})) {
        request.path = std::move(parsed->path);
        request.query = std::move(parsed->query);
        (void)request.Query("count");
    }
    request.client_address =
        http::ClientAddressOf(boost::asio::ip::make_address("127.0.0.1"), raw, Proxies());
    (void)http::ParseJsonObject(request);
}

}  // namespace tessera::fuzz
