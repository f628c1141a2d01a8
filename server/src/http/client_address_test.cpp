// Which address a request counts as: the peer, unless the peer is a proxy the operator trusts,
// whose X-Forwarded-For then names the client. A client's own X-Forwarded-For is never believed.
#include "http/client_address.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace tessera::http {
namespace {

namespace net = boost::asio;

TrustedProxies Proxies(const std::vector<std::string>& entries) {
    auto parsed = TrustedProxies::Parse(entries);
    EXPECT_TRUE(parsed.ok()) << parsed.error().message;
    return parsed.ok() ? parsed.value() : TrustedProxies{};
}

RawRequest WithForwardedFor(std::initializer_list<std::string> values) {
    RawRequest raw;
    for (const std::string& value : values) {
        raw.insert("X-Forwarded-For", value);
    }
    return raw;
}

std::string ClientOf(const std::string& peer, const RawRequest& raw,
                     const TrustedProxies& proxies) {
    return ClientAddressOf(net::ip::make_address(peer), raw, proxies);
}

TEST(TrustedProxiesTest, AddressesAndNetworksOfBothFamilies) {
    const TrustedProxies proxies = Proxies({"127.0.0.1", "10.0.0.0/8", " fd00::/8 ", "::1"});
    EXPECT_TRUE(proxies.Contains(net::ip::make_address("127.0.0.1")));
    EXPECT_FALSE(proxies.Contains(net::ip::make_address("127.0.0.2")));
    EXPECT_TRUE(proxies.Contains(net::ip::make_address("10.200.3.4")));
    EXPECT_FALSE(proxies.Contains(net::ip::make_address("11.0.0.1")));
    EXPECT_TRUE(proxies.Contains(net::ip::make_address("fd12::7")));
    EXPECT_TRUE(proxies.Contains(net::ip::make_address("::1")));
    EXPECT_FALSE(proxies.Contains(net::ip::make_address("fe80::1")));
    // A dual-stack listener's IPv4 peer.
    EXPECT_TRUE(proxies.Contains(net::ip::make_address("::ffff:10.1.2.3")));
    // A network given with host bits set means the network.
    EXPECT_TRUE(Proxies({"192.168.1.77/24"}).Contains(net::ip::make_address("192.168.1.3")));
}

TEST(TrustedProxiesTest, BadEntriesAreRefusedNamingThem) {
    for (const char* bad :
         {"", "10.0.0.0/33", "fd00::/129", "proxy.local", "10.0.0.1/x", "10.0.0/8", "1.2.3.4:80"}) {
        auto parsed = TrustedProxies::Parse({bad});
        ASSERT_FALSE(parsed.ok()) << bad;
        EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(parsed.error().message.find(std::string("\"") + bad + "\""), std::string::npos)
            << parsed.error().message;
    }
}

TEST(ClientAddressTest, WithoutTrustedProxiesThePeerIsTheClientWhateverTheHeaderSays) {
    const RawRequest raw = WithForwardedFor({"203.0.113.9"});
    EXPECT_EQ(ClientOf("198.51.100.1", raw, {}), "198.51.100.1");
    EXPECT_EQ(ClientOf("::ffff:198.51.100.1", raw, {}), "198.51.100.1");
    // A peer that is not a trusted proxy cannot choose its address either.
    EXPECT_EQ(ClientOf("198.51.100.1", raw, Proxies({"127.0.0.1"})), "198.51.100.1");
}

TEST(ClientAddressTest, ThroughTrustedProxiesTheNearestUntrustedEntryIsTheClient) {
    const TrustedProxies proxies = Proxies({"127.0.0.1", "10.0.0.0/8"});
    EXPECT_EQ(ClientOf("127.0.0.1", WithForwardedFor({"203.0.113.9"}), proxies), "203.0.113.9");
    // A client-written entry on the left is not believed: the walk stops at the first
    // untrusted address from the right.
    EXPECT_EQ(ClientOf("127.0.0.1", WithForwardedFor({"1.1.1.1, 203.0.113.9, 10.0.0.7"}), proxies),
              "203.0.113.9");
    // Several headers are one list; spaces, ports and brackets as proxies write them.
    EXPECT_EQ(
        ClientOf("127.0.0.1", WithForwardedFor({"1.1.1.1", "203.0.113.9:5123 ,10.0.0.7"}), proxies),
        "203.0.113.9");
    EXPECT_EQ(ClientOf("127.0.0.1", WithForwardedFor({"[2001:db8::5]:443"}), proxies),
              "2001:db8::5");
    EXPECT_EQ(ClientOf("127.0.0.1", WithForwardedFor({"2001:db8::5"}), proxies), "2001:db8::5");
}

TEST(ClientAddressTest, NoUsableEntryLeavesTheLastTrustedHop) {
    const TrustedProxies proxies = Proxies({"127.0.0.1", "10.0.0.0/8"});
    EXPECT_EQ(ClientOf("127.0.0.1", WithForwardedFor({}), proxies), "127.0.0.1");
    EXPECT_EQ(ClientOf("127.0.0.1", WithForwardedFor({"unknown"}), proxies), "127.0.0.1");
    EXPECT_EQ(ClientOf("127.0.0.1", WithForwardedFor({"203.0.113.9, garbage, 10.0.0.7"}), proxies),
              "10.0.0.7");
    EXPECT_EQ(ClientOf("127.0.0.1", WithForwardedFor({"10.0.0.8"}), proxies), "10.0.0.8");
}

}  // namespace
}  // namespace tessera::http
