#pragma once
// A small client of the Azure Blob Storage REST API (no Azure SDK is packaged for Debian): List
// Blobs with continuation markers and Get Blob with ranges, authorized by a SAS token or by the
// account key (Shared Key). It speaks to real accounts over HTTPS and to Azurite's path-style
// URLs (http://127.0.0.1:10000/devstoreaccount1). docs/design/azure_blob.md has the details.
//
// Errors say what to fix and never contain the key or the SAS token: kPermissionDenied when the
// credentials are wrong or lack a permission, kNotFound for a missing container or blob,
// kUnavailable (naming the account URL) when the service cannot be reached or keeps failing.
// GETs are retried with exponential backoff on 500, 502, 503, 504, 429 and on transient
// transport failures. Thread-safe when the transport is (the libcurl one is).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "blobs/http_transport.hpp"

namespace tessera {

struct AzureBlobConfig {
    std::string account_url;  // "https://NAME.blob.core.windows.net" or Azurite's path style
    std::string container;
    std::string sas_token;    // exactly one of sas_token and account_key
    std::string account_key;  // base64, as the portal shows it
    // The storage account, for a custom domain whose host does not start with it
    // (https://images.example.com): Shared Key signs for the account, not the host. "" takes
    // it from the URL.
    std::string account_name;
};

// The account URL split into what requests need.
struct AzureAccountUrl {
    std::string base;     // scheme://host[:port][/account], without a trailing '/'
    std::string account;  // the account name (path-style: the first path segment)
    std::string host;     // host name or address, without the port
    bool https = false;
    bool path_style = false;  // Azurite and other emulators: the account is in the path
};

// kInvalidArgument (field "account_url") when it is not an http(s) URL without user, query or
// fragment, or names no account. A non-empty `account_name` is the account of a host-style URL
// whatever its host (a custom domain); kInvalidArgument (field "account_name") when it is not
// an account name, or is not the account a path-style URL names.
Result<AzureAccountUrl> ParseAzureAccountUrl(std::string_view url,
                                             std::string_view account_name = "");

// kInvalidArgument for a container name Azure would refuse (3-63 lower-case letters, digits
// and single hyphens, starting and ending with a letter or digit).
Status ValidateAzureContainerName(std::string_view name);

struct AzureBlobItem {
    std::string name;
    std::int64_t size_bytes = -1;
    std::string etag;  // without quotes
};

struct AzureBlobPage {
    std::vector<AzureBlobItem> blobs;
    std::string next_marker;  // "" on the last page
};

struct AzureBlobRange {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;  // > 0
};

struct AzureBlobDownload {
    std::string etag;           // without quotes
    bool not_modified = false;  // the If-None-Match ETag still matched: nothing was sent
    std::int64_t bytes = 0;
};

struct AzureBlobClientOptions {
    int max_attempts = 4;
    std::chrono::milliseconds first_backoff{250};  // doubled on each retry
    // Waits between retries; tests pass one that only records.
    std::function<void(std::chrono::milliseconds)> sleep;
    // Seconds since the epoch for x-ms-date; the system clock when unset.
    std::function<std::int64_t()> now_unix;
    int max_results = 0;  // List Blobs page size; 0 lets the service choose (5000)
    // A hostile or broken server must not make a listing page or error body grow without bound.
    std::size_t max_list_page_bytes = std::size_t{32} << 20;
};

class AzureBlobClient {
public:
    // kInvalidArgument for a bad URL, container or credential set (exactly one is needed).
    static Result<AzureBlobClient> Create(AzureBlobConfig config,
                                          std::shared_ptr<HttpTransport> transport,
                                          AzureBlobClientOptions options = {});

    // One page of the blobs whose names start with `prefix`, from `marker` ("" for the first).
    Result<AzureBlobPage> ListBlobs(std::string_view prefix, std::string_view marker) const;

    // The blob's bytes, or `range` of them (fewer at the end of the blob; "" past it).
    // kPayloadTooLarge when it holds more than `max_bytes`.
    Result<std::string> GetBlob(std::string_view name, std::optional<AzureBlobRange> range,
                                std::size_t max_bytes) const;

    // Streams the whole blob to `sink` (false from the sink aborts with kInternal). With
    // `if_none_match` set and still the blob's ETag, nothing is sent and not_modified is true.
    // kPayloadTooLarge past `max_bytes`. Not retried once bytes reached the sink.
    Result<AzureBlobDownload> DownloadBlob(std::string_view name, std::string_view if_none_match,
                                           const std::function<bool(std::string_view)>& sink,
                                           std::uint64_t max_bytes) const;

    const AzureAccountUrl& account() const { return account_; }
    const std::string& container() const { return config_.container; }
    // "https://account.blob.core.windows.net/container": for messages (no credentials).
    std::string Describe() const;

private:
    AzureBlobClient(AzureBlobConfig config, AzureAccountUrl account,
                    std::shared_ptr<HttpTransport> transport, AzureBlobClientOptions options);

    struct Call;
    // Signs and sends a GET, retrying transient failures; `sink` sees the body of 2xx answers.
    Result<HttpResponse> Get(const Call& call, const HttpBodySink& sink, std::string* error_body,
                             bool* sink_failed) const;
    HttpRequest BuildRequest(const Call& call) const;
    Error ErrorFor(const Call& call, const HttpResponse& response,
                   const std::string& error_body) const;

    AzureBlobConfig config_;
    AzureAccountUrl account_;
    std::shared_ptr<HttpTransport> transport_;
    AzureBlobClientOptions options_;
};

}  // namespace tessera
