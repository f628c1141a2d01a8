#include "http/client_address.hpp"

#include <algorithm>

#include "base/text.hpp"

namespace tessera::http {

namespace net = boost::asio;

namespace {

std::optional<net::ip::address> ParseAddress(std::string_view text) {
    boost::system::error_code ec;
    auto address = net::ip::make_address(std::string(text), ec);
    if (ec) {
        return std::nullopt;
    }
    return Unmapped(address);
}

// "for" entries as proxies append them: "client, proxy1, proxy2". IPv6 may come bracketed and
// either family with a port ("[::1]:4711", "1.2.3.4:80"), as some proxies write them.
std::optional<net::ip::address> ParseForwardedEntry(std::string_view entry) {
    entry = TrimmedView(entry, kBlanks);
    if (entry.starts_with('[')) {
        const std::size_t close = entry.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        return ParseAddress(entry.substr(1, close - 1));
    }
    if (std::count(entry.begin(), entry.end(), ':') == 1) {
        entry = entry.substr(0, entry.find(':'));  // IPv4 with a port
    }
    return ParseAddress(entry);
}

std::vector<std::string_view> ForwardedEntries(const RawRequest& raw) {
    std::vector<std::string_view> entries;
    auto range = raw.equal_range("X-Forwarded-For");
    for (auto it = range.first; it != range.second; ++it) {
        std::string_view value(it->value().data(), it->value().size());
        while (true) {
            const std::size_t comma = value.find(',');
            entries.push_back(value.substr(0, comma));
            if (comma == std::string_view::npos) {
                break;
            }
            value.remove_prefix(comma + 1);
        }
    }
    return entries;
}

}  // namespace

net::ip::address Unmapped(const net::ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
    }
    return address;
}

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& entries) {
    TrustedProxies out;
    for (const std::string& entry : entries) {
        const std::string text = Trim(entry);
        const std::size_t slash = text.find('/');
        auto address = ParseAddress(text.substr(0, slash));
        boost::system::error_code ec;
        if (address && address->is_v4()) {
            const std::string prefix = slash == std::string::npos ? "32" : text.substr(slash + 1);
            auto network = net::ip::make_network_v4(address->to_string() + "/" + prefix, ec);
            if (!ec) {
                out.v4_.push_back(network.canonical());
                continue;
            }
        } else if (address) {
            const std::string prefix = slash == std::string::npos ? "128" : text.substr(slash + 1);
            auto network = net::ip::make_network_v6(address->to_string() + "/" + prefix, ec);
            if (!ec) {
                out.v6_.push_back(network.canonical());
                continue;
            }
        }
        return Error::InvalidArgument("trusted_proxies: \"" + entry +
                                          "\" is not an IP address or network (e.g. 10.0.0.5, "
                                          "10.0.0.0/8, fd00::/8)",
                                      "trusted_proxies");
    }
    return out;
}

bool TrustedProxies::Contains(const net::ip::address& raw_address) const {
    const net::ip::address address = Unmapped(raw_address);
    if (address.is_v4()) {
        const auto v4 = address.to_v4();
        return std::any_of(v4_.begin(), v4_.end(), [&](const net::ip::network_v4& network) {
            return net::ip::make_network_v4(v4, network.prefix_length()).canonical() == network;
        });
    }
    const auto v6 = address.to_v6();
    return std::any_of(v6_.begin(), v6_.end(), [&](const net::ip::network_v6& network) {
        return net::ip::make_network_v6(v6, network.prefix_length()).canonical() == network;
    });
}

std::string ClientAddressOf(const net::ip::address& peer, const RawRequest& raw,
                            const TrustedProxies& proxies) {
    net::ip::address client = Unmapped(peer);
    if (proxies.empty() || !proxies.Contains(client)) {
        return client.to_string();
    }
    const std::vector<std::string_view> entries = ForwardedEntries(raw);
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        auto forwarded = ParseForwardedEntry(*it);
        if (!forwarded) {
            break;  // a proxy would not write this: trust nothing to its left
        }
        client = *forwarded;
        if (!proxies.Contains(client)) {
            break;
        }
    }
    return client.to_string();
}

}  // namespace tessera::http
