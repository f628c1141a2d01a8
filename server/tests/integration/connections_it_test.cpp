// Connection handling of the real binary: idle and half-sent connections cost no thread, the
// request head has a deadline, per-address cap with 503, malformed chunked bodies get a 400.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "integration/fixture.hpp"

namespace tessera::testing {
namespace {

using namespace std::chrono_literals;

// A plain TCP client socket bound to a chosen loopback address (127.0.0.N), so that a test can
// open more connections than the per-address cap allows from one address.
class RawSocket {
public:
    RawSocket(std::uint16_t port, int local_host) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) {
            return;
        }
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl((127u << 24) | static_cast<unsigned>(local_host));
        sockaddr_in server{};
        server.sin_family = AF_INET;
        server.sin_port = htons(port);
        server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
            ::connect(fd_, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~RawSocket() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    RawSocket(const RawSocket&) = delete;
    RawSocket& operator=(const RawSocket&) = delete;

    bool ok() const { return fd_ >= 0; }
    bool Write(const std::string& bytes) {
        return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
               static_cast<ssize_t>(bytes.size());
    }
    // Reads until the server closes the connection or `limit` passes (a safety net, not a
    // timing assertion). `closed` says which of the two it was.
    std::string ReadUntilClosed(std::chrono::milliseconds limit, bool& closed) {
        std::string out;
        closed = false;
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd entry{fd_, POLLIN, 0};
            if (::poll(&entry, 1, 100) <= 0) {
                continue;
            }
            char buffer[4096];
            ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) {
                closed = true;  // EOF, or a reset: either way the server let go
                return out;
            }
            out.append(buffer, static_cast<std::size_t>(n));
        }
        return out;
    }

private:
    int fd_ = -1;
};

// The test process holds over a thousand sockets: take the hard descriptor limit.
void RaiseDescriptorLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

int ThreadsOf(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("Threads:", 0) == 0) {
            return std::stoi(line.substr(8));
        }
    }
    return -1;
}

// Opens `count` connections spread over loopback addresses 127.0.0.2, .3, ... (100 each) and
// sends `bytes` on each.
std::vector<std::unique_ptr<RawSocket>> OpenMany(std::uint16_t port, int count,
                                                 const std::string& bytes) {
    std::vector<std::unique_ptr<RawSocket>> sockets;
    for (int i = 0; i < count; ++i) {
        auto socket = std::make_unique<RawSocket>(port, 2 + i / 100);
        if (!socket->ok() || (!bytes.empty() && !socket->Write(bytes))) {
            ADD_FAILURE() << "connection " << i << " failed: " << strerror(errno);
            break;
        }
        sockets.push_back(std::move(socket));
    }
    return sockets;
}

class ConnectionsIt : public IntegrationTest {
protected:
    void SetUp() override {
        IntegrationTest::SetUp();
        RaiseDescriptorLimit();
    }
};

TEST_P(ConnectionsIt, HalfSentRequestsDoNotBlockOthers) {
    // A long head deadline: the half-sent requests must still be pending when /healthz asks.
    ASSERT_NO_FATAL_FAILURE(StartServer({{"TESSERA_HEADER_TIMEOUT_MS", "120000"}}));
    auto half_sent = OpenMany(server_.port(), 1100, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
    ASSERT_EQ(half_sent.size(), 1100u);
    HttpClient client = NewClient();
    auto health = client.Get("/healthz");
    EXPECT_EQ(health.status, 200u) << client.error();
}

TEST_P(ConnectionsIt, AHeadNotCompleteByTheDeadlineIsClosed) {
    ASSERT_NO_FATAL_FAILURE(StartServer({{"TESSERA_HEADER_TIMEOUT_MS", "300"}}));
    RawSocket slow(server_.port(), 2);
    ASSERT_TRUE(slow.ok());
    ASSERT_TRUE(slow.Write("GET /healthz HTTP/1.1\r\nHo"));
    bool closed = false;
    std::string answer = slow.ReadUntilClosed(20s, closed);
    EXPECT_TRUE(closed) << "the server kept a connection whose head never completed";
    EXPECT_EQ(answer, "");
    EXPECT_EQ(NewClient().Get("/healthz").status, 200u);
}

TEST_P(ConnectionsIt, ConnectionsOverThePerAddressCapGet503WithRetryAfter) {
    ASSERT_NO_FATAL_FAILURE(StartServer({{"TESSERA_MAX_CONNECTIONS_PER_ADDRESS", "3"}}));
    // Three connections from 127.0.0.2; accepts are served in order, so they are counted
    // before the fourth arrives.
    auto held = OpenMany(server_.port(), 3, "");
    ASSERT_EQ(held.size(), 3u);
    RawSocket fourth(server_.port(), 2);
    ASSERT_TRUE(fourth.ok());
    fourth.Write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    bool closed = false;
    std::string answer = fourth.ReadUntilClosed(20s, closed);
    EXPECT_TRUE(closed);
    EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
    EXPECT_NE(answer.find("Retry-After: "), std::string::npos) << answer;
    EXPECT_NE(answer.find(R"("code":"unavailable")"), std::string::npos) << answer;
    // With a request id, as every answer, and the refusal logged under it.
    const std::size_t id_at = answer.find("X-Request-Id: ");
    ASSERT_NE(id_at, std::string::npos) << answer;
    const std::string id = answer.substr(id_at + 14, answer.find("\r\n", id_at) - id_at - 14);
    EXPECT_FALSE(id.empty());
    EXPECT_NE(server_.Stderr().find("request_id=" + id), std::string::npos) << server_.Stderr();
    // Other addresses are not affected.
    EXPECT_EQ(NewClient().Get("/healthz").status, 200u);
}

TEST_P(ConnectionsIt, MalformedChunkedBodyIs400) {
    ASSERT_NO_FATAL_FAILURE(StartServer());
    HttpClient client = NewClient();
    auto response = client.SendRaw(
        "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
    EXPECT_EQ(response.status, 400u) << client.error();
    EXPECT_EQ(response.Json()["error"]["code"], "invalid_argument") << response.body;
}

TEST_P(ConnectionsIt, IdleConnectionsDoNotCostThreads) {
    ASSERT_NO_FATAL_FAILURE(StartServer({{"TESSERA_HEADER_TIMEOUT_MS", "120000"}}));
    HttpClient client = NewClient();
    ASSERT_EQ(client.Get("/healthz").status, 200u);
    const int before = ThreadsOf(server_.pid());
    ASSERT_GT(before, 0);
    auto idle = OpenMany(server_.port(), 1000, "");
    ASSERT_EQ(idle.size(), 1000u);
    // Once /healthz is answered on a connection opened after them, the server has accepted
    // every idle connection (accepts are served in order).
    HttpClient late = NewClient();
    ASSERT_EQ(late.Get("/healthz").status, 200u);
    const int after = ThreadsOf(server_.pid());
    EXPECT_LT(after, before + 100) << "threads before: " << before << ", after: " << after;
}

TESSERA_INSTANTIATE_BACKENDS(ConnectionsIt);

}  // namespace
}  // namespace tessera::testing
