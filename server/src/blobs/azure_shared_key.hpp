#pragma once
// Azure Storage request signing, pure functions (no I/O): the Shared Key authorization header
// for requests made with an account key, and service SAS tokens for a container (the tests make
// them with Azurite's published key; an operator may also hand us one). The string-to-sign
// layouts are those of the Blob service REST API for x-ms-version 2015-02-21 and later
// (Shared Key) and 2020-12-06 and later (service SAS); docs/design/azure_blob.md quotes them.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace tessera {

// The x-ms-version we speak; SAS tokens we make carry it as `sv`.
inline constexpr std::string_view kAzureApiVersion = "2021-08-06";

struct AzureSignedRequest {
    std::string method;        // "GET"
    std::string account;       // the storage account name
    std::string encoded_path;  // the URL path as sent, percent-encoded, starting with '/'
    // Query parameters, decoded (name, value); the SAS parameters never appear here.
    std::vector<std::pair<std::string, std::string>> query;
    // Every header sent, names in any case; x-ms-date and x-ms-version must be among them.
    std::vector<std::pair<std::string, std::string>> headers;
};

// The Shared Key string-to-sign: the verb, the eleven standard headers (Content-Length empty
// when 0), the canonicalized x-ms-* headers and the canonicalized resource.
std::string SharedKeyStringToSign(const AzureSignedRequest& request);

// base64(HMAC-SHA256(base64decode(key), text)). kInvalidArgument when `account_key_base64` is
// not base64 (the message never repeats the key).
Result<std::string> AzureHmacSignature(std::string_view account_key_base64, std::string_view text);

// "SharedKey <account>:<signature>" for the request.
Result<std::string> SharedKeyAuthorization(const AzureSignedRequest& request,
                                           std::string_view account_key_base64);

struct ContainerSasOptions {
    std::string account;
    std::string container;
    std::string permissions;  // in Azure's order, e.g. "rl" (read, list)
    std::string start;        // ISO 8601 UTC "2026-01-01T00:00:00Z", or "" for none
    std::string expiry;       // ISO 8601 UTC, required
    std::string protocol;     // "https", "https,http" or "" (Azurite speaks http)
    std::string version = std::string(kAzureApiVersion);
};

// A service SAS for the container (sr=c) as a query string without the leading '?'.
Result<std::string> MakeContainerSas(const ContainerSasOptions& options,
                                     std::string_view account_key_base64);

// RFC 1123 date for x-ms-date, e.g. "Sun, 06 Dec 2026 12:00:00 GMT".
std::string HttpDate(std::int64_t unix_seconds);

// Percent-encoding: every byte but A-Z a-z 0-9 - _ . ~ (and '/' when `keep_slash`).
std::string PercentEncode(std::string_view text, bool keep_slash);

}  // namespace tessera
