// What an Azure Blob account URL answers a List Blobs request with: any bytes, as the body of a
// 200 (the streamed, bounded XML reader) and of a 403 (the error-code reader), split in two
// chunks the way a network splits them. A hostile endpoint must not crash the server or make it
// allocate without bound.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "blobs/azure_blob_client.hpp"
#include "targets.hpp"

namespace tessera::fuzz {
namespace {

class ReplayTransport final : public HttpTransport {
public:
    ReplayTransport(int status, std::string body) : status_(status), body_(std::move(body)) {}

    HttpResponse Send(const HttpRequest& /*request*/, const HttpBodySink& sink) override {
        HttpResponse response;
        const std::size_t half = body_.size() / 2;
        if (!sink(status_, std::string_view(body_).substr(0, half)) ||
            !sink(status_, std::string_view(body_).substr(half))) {
            response.aborted = true;
            return response;
        }
        response.status = status_;
        return response;
    }

private:
    int status_;
    std::string body_;
};

void ListOnce(int status, const std::string& body) {
    AzureBlobClientOptions options;
    options.max_attempts = 1;
    options.max_results = 50;
    options.max_list_page_bytes = std::size_t{1} << 20;
    auto client = AzureBlobClient::Create(
        {"https://acct1.blob.core.windows.net", "photos", "sv=2021-08-06&sp=rl&sig=x", ""},
        std::make_shared<ReplayTransport>(status, body), options);
    if (client.ok()) {
        (void)client->ListBlobs("p/", "");
    }
}

}  // namespace

void FuzzAzureList(const std::uint8_t* data, std::size_t size) {
    const std::string body = Bytes(data, size);
    ListOnce(200, body);
    ListOnce(403, body);
}

}  // namespace tessera::fuzz
