#include "http/server.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <thread>

#include "http/error_mapping.hpp"
#include "http/json_io.hpp"
#include "support/http_client.hpp"

namespace tessera::http {
namespace {

using namespace std::chrono_literals;
using testing::HttpClient;

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/tessera-server-test-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        router_.Add("GET", "/hello", Access::kPublic, [](Request&) {
            return JsonResponse(200, {{"hello", "world"}});
        });
        router_.Add("POST", "/echo", Access::kPublic, [](Request& request) {
            Response response;
            response.body = request.raw.body();
            return response;
        });
        router_.Add("GET", "/private", Access::kAuthenticated, [](Request& request) {
            return JsonResponse(200, {{"user", request.user().username}});
        });
        router_.Add("GET", "/throw", Access::kPublic,
                    [](Request&) -> Response { throw std::runtime_error("boom"); });
        router_.Add("GET", "/slow", Access::kPublic, [this](Request&) {
            slow_started_.set_value();
            std::this_thread::sleep_for(700ms);
            return JsonResponse(200, {{"slow", true}});
        });
        router_.Add("GET", "/stream", Access::kPublic, [](Request&) {
            Response response;
            response.stream = [](StreamWriter& writer) -> Status {
                for (int i = 0; i < 3; ++i) {
                    TESSERA_TRY(writer.Write("part" + std::to_string(i) + ";"));
                    TESSERA_TRY(writer.Flush());
                }
                return Status::Ok();
            };
            return response;
        });
        router_.Add("GET", "/events", Access::kPublic, [this](Request&) {
            Response response;
            response.Header("Content-Type", "text/event-stream");
            response.stream = [this](StreamWriter& writer) -> Status {
                TESSERA_TRY(writer.Write("event: hello\n\n"));
                TESSERA_TRY(writer.Flush());
                while (writer.WaitFor(50ms)) {
                }
                stream_ended_ = true;
                return Status::Ok();
            };
            return response;
        });
        router_.Add("GET", "/file", Access::kPublic, [this](Request&) {
            Response response;
            response.file = dir_ / "data.bin";
            response.Header("Content-Type", "application/octet-stream");
            return response;
        });
        router_.SetFallback([](Request& request) {
            Response response;
            response.body = "fallback " + request.path;
            return response;
        });
    }

    void TearDown() override {
        server_.reset();
        std::filesystem::remove_all(dir_);
    }

    void StartServer(ServerSettings settings = {}) {
        settings.port = 0;
        Authenticator authenticate = [](const RawRequest& raw) -> Result<Principal> {
            if (raw[boost::beast::http::field::authorization] == "Bearer good") {
                Principal principal;
                principal.user.username = "alice";
                return principal;
            }
            return Error::Unauthenticated("login required");
        };
        server_ = std::make_unique<Server>(router_, authenticate, random_, settings);
        ASSERT_TRUE(server_->Start().ok());
        ASSERT_NE(server_->port(), 0);
    }

    HttpClient Client() { return HttpClient("127.0.0.1", server_->port(), 10s); }

    std::filesystem::path dir_;
    Router router_;
    SeededRandom random_{7};
    std::unique_ptr<Server> server_;
    std::promise<void> slow_started_;
    std::atomic<bool> stream_ended_{false};
};

TEST_F(ServerTest, ServesJsonWithRequestId) {
    StartServer();
    HttpClient client = Client();
    auto first = client.Get("/hello");
    ASSERT_EQ(first.status, 200u) << client.error();
    EXPECT_EQ(first.Json()["hello"], "world");
    EXPECT_EQ(first.Header("Content-Type"), "application/json");
    EXPECT_EQ(first.Header("X-Request-Id").size(), 16u);
    auto second = client.Get("/hello");  // same keep-alive connection
    ASSERT_EQ(second.status, 200u);
    EXPECT_NE(first.Header("X-Request-Id"), second.Header("X-Request-Id"));
}

TEST_F(ServerTest, UnknownApiPathIsJson404AndOtherPathsFallBack) {
    StartServer();
    HttpClient client = Client();
    auto missing = client.Get("/api/v1/nothing");
    EXPECT_EQ(missing.status, 404u);
    EXPECT_EQ(missing.Json()["error"]["code"], "not_found");
    auto fallback = client.Get("/some/page");
    EXPECT_EQ(fallback.status, 200u);
    EXPECT_EQ(fallback.body, "fallback /some/page");
    auto wrong_method = client.Send("DELETE", "/hello");
    EXPECT_EQ(wrong_method.status, 405u);
}

TEST_F(ServerTest, AuthenticatedRoutesCallTheAuthenticator) {
    StartServer();
    HttpClient client = Client();
    auto anonymous = client.Get("/private");
    EXPECT_EQ(anonymous.status, 401u);
    EXPECT_EQ(anonymous.Json()["error"]["code"], "unauthenticated");
    auto authed = client.Get("/private", {{"Authorization", "Bearer good"}});
    EXPECT_EQ(authed.status, 200u);
    EXPECT_EQ(authed.Json()["user"], "alice");
}

TEST_F(ServerTest, BodyAtTheLimitPassesAndOverItIs413) {
    ServerSettings settings;
    settings.body_limit = 1000;
    StartServer(settings);
    HttpClient client = Client();
    auto ok = client.Send("POST", "/echo", std::string(1000, 'x'));
    EXPECT_EQ(ok.status, 200u);
    EXPECT_EQ(ok.body.size(), 1000u);
    auto too_big = client.Send("POST", "/echo", std::string(1001, 'x'));
    EXPECT_EQ(too_big.status, 413u);
    EXPECT_EQ(too_big.Json()["error"]["code"], "payload_too_large");
    // The server stays usable after refusing.
    EXPECT_EQ(client.Get("/hello").status, 200u);
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitIs413) {
    ServerSettings settings;
    settings.body_limit = 100;
    StartServer(settings);
    HttpClient client = Client();
    std::string chunk(80, 'y');
    std::string request =
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "50\r\n" +
        chunk + "\r\n50\r\n" + chunk + "\r\n0\r\n\r\n";
    auto response = client.SendRaw(request);
    EXPECT_EQ(response.status, 413u) << client.error();
    EXPECT_EQ(response.Json()["error"]["code"], "payload_too_large");
    auto small = client.SendRaw(
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n0\r\n\r\n");
    EXPECT_EQ(small.status, 200u);
    EXPECT_EQ(small.body, "abc");
}

TEST_F(ServerTest, MalformedChunkedBodyIs400) {
    StartServer();
    HttpClient client = Client();
    auto response = client.SendRaw(
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "zz\r\nabc\r\n0\r\n\r\n");
    EXPECT_EQ(response.status, 400u) << client.error();
    EXPECT_EQ(response.Json()["error"]["code"], "invalid_argument");
}

TEST_F(ServerTest, AHeadNotDoneByTheDeadlineIsClosedWithoutAnswer) {
    ServerSettings settings;
    settings.header_timeout = 100ms;
    StartServer(settings);
    HttpClient client = Client();
    ASSERT_TRUE(client.WriteRaw("GET /hello HTTP/1.1\r\nHo"));
    EXPECT_EQ(client.ReadResponse().status, 0u);  // the server closed it
    EXPECT_EQ(Client().Get("/hello").status, 200u);
}

TEST_F(ServerTest, GarbageRequestIs400) {
    StartServer();
    HttpClient client = Client();
    auto response = client.SendRaw("NOT HTTP AT ALL\r\n\r\n");
    EXPECT_EQ(response.status, 400u) << client.error();
}

TEST_F(ServerTest, HandlerExceptionIs500AndServerSurvives) {
    StartServer();
    HttpClient client = Client();
    auto response = client.Get("/throw");
    EXPECT_EQ(response.status, 500u);
    EXPECT_EQ(response.Json()["error"]["code"], "internal");
    EXPECT_EQ(client.Get("/hello").status, 200u);
}

TEST_F(ServerTest, StreamsChunkedBodies) {
    StartServer();
    HttpClient client = Client();
    auto response = client.Get("/stream");
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.Header("Transfer-Encoding"), "chunked");
    EXPECT_EQ(response.body, "part0;part1;part2;");
}

TEST_F(ServerTest, SendsFilesAndHeadOmitsTheBody) {
    std::ofstream(dir_ / "data.bin") << std::string(5000, 'z');
    StartServer();
    HttpClient client = Client();
    auto response = client.Get("/file");
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.body, std::string(5000, 'z'));
    auto head = client.Send("HEAD", "/file");
    EXPECT_EQ(head.status, 200u);
    EXPECT_EQ(head.Header("Content-Length"), "5000");
    EXPECT_TRUE(head.body.empty());
    std::filesystem::remove(dir_ / "data.bin");
    EXPECT_EQ(client.Get("/file").status, 404u);
}

TEST_F(ServerTest, MalformedRequestIs400) {
    StartServer();
    HttpClient client = Client();
    auto response = client.Send("GET", "/a?b=%zz");
    EXPECT_EQ(response.status, 400u);
    EXPECT_EQ(response.Json()["error"]["code"], "invalid_argument");
}

TEST_F(ServerTest, ShutdownLetsInFlightRequestsFinish) {
    StartServer();
    auto slow = std::async(std::launch::async, [this] {
        HttpClient client = Client();
        return client.Get("/slow");
    });
    slow_started_.get_future().wait();
    // Drained: the slow request (700 ms in its handler) finished within the grace period,
    // rather than being dropped when it ran out.
    EXPECT_TRUE(server_->Shutdown());
    auto response = slow.get();
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.Header("Connection"), "close");
    HttpClient late = Client();
    EXPECT_EQ(late.Get("/hello").status, 0u);  // no longer accepting
}

TEST_F(ServerTest, ShutdownClosesIdleKeepAliveConnectionsPromptly) {
    StartServer();
    HttpClient client = Client();
    ASSERT_EQ(client.Get("/hello").status, 200u);  // connection now idle, kept alive
    // An idle connection is closed at once: the shutdown drains instead of waiting out the
    // grace period for a request that never comes.
    EXPECT_TRUE(server_->Shutdown());
}

TEST_F(ServerTest, ShutdownEndsStreams) {
    StartServer();
    HttpClient client = Client();
    auto head = client.OpenStream("/events");
    ASSERT_EQ(head.status, 200u) << client.error();
    EXPECT_EQ(head.Header("Content-Type"), "text/event-stream");
    auto data = client.ReadStreamUntil("event: hello", 5s);
    EXPECT_NE(data.find("event: hello"), std::string::npos);
    EXPECT_TRUE(server_->Shutdown());  // the stream ended, so nothing waited out the grace
    EXPECT_TRUE(stream_ended_);
    // The stream ends properly: a last chunk arrives.
    EXPECT_NE(client.ReadStreamUntil("0\r\n\r\n", 5s).find("0\r\n\r\n"), std::string::npos);
}

TEST_F(ServerTest, StreamsEndWhenTheClientLeaves) {
    StartServer();
    {
        HttpClient client = Client();
        ASSERT_EQ(client.OpenStream("/events").status, 200u);
        client.ReadStreamUntil("event: hello", 5s);
        client.Close();
    }
    for (int i = 0; i < 100 && !stream_ended_; ++i) {
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(stream_ended_);
}

TEST_F(ServerTest, ConnectionsOverTheCapAreRefusedWith503) {
    ServerSettings settings;
    settings.max_connections = 1;
    StartServer(settings);
    HttpClient first = Client();
    ASSERT_EQ(first.Get("/hello").status, 200u);  // holds the only slot (keep-alive)
    HttpClient second = Client();
    auto refused = second.Get("/hello");
    EXPECT_EQ(refused.status, 503u) << second.error();
    EXPECT_FALSE(refused.Header("Retry-After").empty());
    EXPECT_EQ(refused.Json()["error"]["code"], "unavailable");
    first.Close();
    // The slot frees once the server notices the first connection's close.
    unsigned status = 0;
    for (int i = 0; i < 50 && status != 200; ++i) {
        std::this_thread::sleep_for(20ms);
        HttpClient retry = Client();
        status = retry.Get("/hello").status;
    }
    EXPECT_EQ(status, 200u);
}

// The import route's body goes to a file in upload_dir, which is gone once the answer is out.
class UploadTest : public ServerTest {
protected:
    void SetUp() override {
        ServerTest::SetUp();
        uploads_ = dir_ / "uploads";
        std::filesystem::create_directories(uploads_);
        router_.Add("POST", "/api/v1/projects/{id}/import", Access::kPublic,
                    [this](Request& request) {
                        ++handler_calls_;
                        std::ifstream in(request.upload, std::ios::binary);
                        std::string stored((std::istreambuf_iterator<char>(in)),
                                           std::istreambuf_iterator<char>());
                        return JsonResponse(200, {{"stored", stored},
                                                  {"path", request.upload.string()},
                                                  {"in_memory", request.raw.body().size()}});
                    });
        ServerSettings settings;
        settings.body_limit = 100;
        settings.upload_body_limit = 1000;
        settings.upload_dir = uploads_;
        StartServer(settings);
    }

    bool UploadDirEmpty() const { return std::filesystem::is_empty(uploads_); }

    std::filesystem::path uploads_;
    std::atomic<int> handler_calls_{0};
};

TEST_F(UploadTest, BodyIsStreamedToAFileRemovedBeforeTheAnswer) {
    HttpClient client = Client();
    const std::string body(1000, 'u');  // over the JSON limit, at the upload limit
    auto response = client.Send("POST", "/api/v1/projects/3/import?format=coco", body);
    ASSERT_EQ(response.status, 200u) << response.body;
    EXPECT_EQ(response.Json()["stored"], body);
    EXPECT_EQ(response.Json()["in_memory"], 0);
    const std::filesystem::path stored_at = response.Json()["path"].get<std::string>();
    EXPECT_EQ(stored_at.parent_path(), uploads_);
    EXPECT_FALSE(std::filesystem::exists(stored_at));
    EXPECT_TRUE(UploadDirEmpty());

    auto chunked = client.SendRaw(
        "POST /api/v1/projects/3/import HTTP/1.1\r\nHost: x\r\n"
        "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n");
    ASSERT_EQ(chunked.status, 200u) << chunked.body;
    EXPECT_EQ(chunked.Json()["stored"], "abcdefg");
    EXPECT_TRUE(UploadDirEmpty());
}

TEST_F(UploadTest, OverTheUploadLimitIs413NamingItAndLeavesNoFile) {
    HttpClient client = Client();
    auto declared = client.Send("POST", "/api/v1/projects/3/import", std::string(1001, 'u'));
    EXPECT_EQ(declared.status, 413u);
    EXPECT_EQ(declared.Json()["error"]["code"], "payload_too_large");
    EXPECT_EQ(declared.Json()["error"]["message"], "upload exceeds the upload limit of 1000 bytes");
    // A chunked body has no length up front: the limit is hit while it is being stored.
    const std::string chunk(600, 'c');
    auto chunked = client.SendRaw(
        "POST /api/v1/projects/3/import HTTP/1.1\r\nHost: x\r\n"
        "Transfer-Encoding: chunked\r\n\r\n258\r\n" +
        chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
    EXPECT_EQ(chunked.status, 413u) << client.error();
    EXPECT_EQ(chunked.Json()["error"]["message"], "upload exceeds the upload limit of 1000 bytes");
    EXPECT_EQ(handler_calls_, 0);
    EXPECT_TRUE(UploadDirEmpty());
    // Other routes keep the JSON limit.
    EXPECT_EQ(client.Send("POST", "/echo", std::string(101, 'x')).status, 413u);
}

TEST_F(UploadTest, AClientLeavingMidUploadLeavesNoFile) {
    HttpClient client = Client();
    ASSERT_TRUE(client.WriteRaw(
        "POST /api/v1/projects/3/import HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\n" +
        std::string(300, 'p')));
    // Polled, not timed: first the server is storing the body, then it notices the hang-up.
    auto wait_until = [](const std::function<bool()>& done) {
        for (int i = 0; i < 500 && !done(); ++i) {
            std::this_thread::sleep_for(20ms);
        }
        return done();
    };
    ASSERT_TRUE(wait_until([this] { return !UploadDirEmpty(); }));
    client.Close();
    EXPECT_TRUE(wait_until([this] { return UploadDirEmpty(); }));
    EXPECT_EQ(handler_calls_, 0);
}

TEST_F(ServerTest, StartFailsOnBadAddress) {
    ServerSettings settings;
    settings.host = "no-such-host.invalid";
    Server server(router_, nullptr, random_, settings);
    auto status = server.Start();
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tessera::http
