#pragma once
// Who a request comes from, for the login throttle, the per-address connection cap and logs.
// Behind a reverse proxy every connection's peer is the proxy: one address for all clients, so
// one attacker's failed logins would lock out everyone and the per-address cap would cap the
// whole site. The operator names the proxies (`trusted_proxies`); for a request whose peer is
// one of them, the client is the nearest address in X-Forwarded-For that is not itself trusted.
// The header is never read from anyone else: a client could write any address into it.
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "http/message.hpp"

namespace tessera::http {

class TrustedProxies {
public:
    // Each entry an address ("10.0.0.5", "::1") or a network ("10.0.0.0/8", "fd00::/8").
    static Result<TrustedProxies> Parse(const std::vector<std::string>& entries);

    bool Contains(const boost::asio::ip::address& address) const;
    bool empty() const { return v4_.empty() && v6_.empty(); }

private:
    std::vector<boost::asio::ip::network_v4> v4_;
    std::vector<boost::asio::ip::network_v6> v6_;
};

// An IPv4-mapped IPv6 address as plain IPv4 (a dual-stack listener reports IPv4 peers so).
boost::asio::ip::address Unmapped(const boost::asio::ip::address& address);

// The client's address as text: the peer's, or (peer a trusted proxy) X-Forwarded-For's
// rightmost entry that is not a trusted proxy. A malformed entry stops the walk there: the
// address before it (a trusted proxy) is the best known. All X-Forwarded-For headers count, in
// order, as if joined by commas (RFC 9110 5.3).
std::string ClientAddressOf(const boost::asio::ip::address& peer, const RawRequest& raw,
                            const TrustedProxies& proxies);

}  // namespace tessera::http
