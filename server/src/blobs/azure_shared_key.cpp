#include "blobs/azure_shared_key.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <map>

#include "base/text.hpp"

namespace tessera {
namespace {

// The standard headers of the Shared Key string-to-sign, in their order.
constexpr std::array<std::string_view, 11> kSignedHeaders = {"content-encoding",
                                                             "content-language",
                                                             "content-length",
                                                             "content-md5",
                                                             "content-type",
                                                             "date",
                                                             "if-modified-since",
                                                             "if-match",
                                                             "if-none-match",
                                                             "if-unmodified-since",
                                                             "range"};

// Header values are signed with runs of blanks folded to one space and the ends trimmed.
std::string CanonicalHeaderValue(std::string_view value) {
    std::string out;
    bool blank = false;
    for (char c : TrimmedView(value)) {
        if (c == ' ' || c == '\t') {
            blank = true;
            continue;
        }
        if (blank && !out.empty()) {
            out += ' ';
        }
        blank = false;
        out += c;
    }
    return out;
}

std::string CanonicalizedResource(const AzureSignedRequest& request) {
    std::string out = "/" + request.account + request.encoded_path;
    std::map<std::string, std::vector<std::string>> params;
    for (const auto& [name, value] : request.query) {
        params[Lower(name)].push_back(value);
    }
    for (auto& [name, values] : params) {
        std::sort(values.begin(), values.end());
        out += "\n" + name + ":";
        for (std::size_t i = 0; i < values.size(); ++i) {
            out += (i == 0 ? "" : ",") + values[i];
        }
    }
    return out;
}

Result<std::string> DecodeBase64(std::string_view text) {
    std::string out(text.size(), '\0');
    std::size_t length = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                          text.size(), nullptr, &length, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        length == 0) {
        return Error::InvalidArgument("the account key is not valid base64", "account_key");
    }
    out.resize(length);
    return out;
}

std::string EncodeBase64(const unsigned char* data, std::size_t size) {
    std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);  // the terminating NUL
    return out;
}

}  // namespace

std::string SharedKeyStringToSign(const AzureSignedRequest& request) {
    std::map<std::string, std::string> headers;  // lower-case name -> value, sorted
    for (const auto& [name, value] : request.headers) {
        headers[Lower(name)] = CanonicalHeaderValue(value);
    }
    std::string out = request.method + "\n";
    for (std::string_view name : kSignedHeaders) {
        auto it = headers.find(std::string(name));
        std::string value = it == headers.end() ? "" : it->second;
        if (name == "content-length" && value == "0") {
            value.clear();  // since 2015-02-21 a zero length is signed as empty
        }
        out += value + "\n";
    }
    for (const auto& [name, value] : headers) {
        if (name.starts_with("x-ms-")) {
            out += name + ":" + value + "\n";
        }
    }
    return out + CanonicalizedResource(request);
}

Result<std::string> AzureHmacSignature(std::string_view account_key_base64, std::string_view text) {
    TESSERA_ASSIGN_OR_RETURN(std::string key, DecodeBase64(account_key_base64));
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                                key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(text.data()),
                                  text.size());
    crypto_auth_hmacsha256_final(&state, mac.data());
    sodium_memzero(key.data(), key.size());
    return EncodeBase64(mac.data(), mac.size());
}

Result<std::string> SharedKeyAuthorization(const AzureSignedRequest& request,
                                           std::string_view account_key_base64) {
    TESSERA_ASSIGN_OR_RETURN(
        std::string signature,
        AzureHmacSignature(account_key_base64, SharedKeyStringToSign(request)));
    return "SharedKey " + request.account + ":" + signature;
}

Result<std::string> MakeContainerSas(const ContainerSasOptions& options,
                                     std::string_view account_key_base64) {
    if (options.expiry.empty() || options.permissions.empty()) {
        return Error::InvalidArgument("a SAS needs permissions and an expiry time");
    }
    const std::string resource = "/blob/" + options.account + "/" + options.container;
    // Service SAS, version 2020-12-06 and later: sp, st, se, resource, si, sip, spr, sv, sr,
    // snapshot time, encryption scope, then the five response-header overrides.
    const std::string to_sign = options.permissions + "\n" + options.start + "\n" + options.expiry +
                                "\n" + resource + "\n" + "\n" + "\n" + options.protocol + "\n" +
                                options.version + "\n" + "c\n" + "\n" + "\n" + "\n\n\n\n";
    TESSERA_ASSIGN_OR_RETURN(std::string signature,
                             AzureHmacSignature(account_key_base64, to_sign));
    std::string sas = "sv=" + PercentEncode(options.version, false);
    if (!options.start.empty()) {
        sas += "&st=" + PercentEncode(options.start, false);
    }
    sas += "&se=" + PercentEncode(options.expiry, false) +
           "&sr=c&sp=" + PercentEncode(options.permissions, false);
    if (!options.protocol.empty()) {
        sas += "&spr=" + PercentEncode(options.protocol, false);
    }
    return sas + "&sig=" + PercentEncode(signature, false);
}

std::string HttpDate(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::array<char, 64> buffer{};
    // strftime's %a and %b follow the C locale, which the server never changes.
    std::size_t n = std::strftime(buffer.data(), buffer.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return std::string(buffer.data(), n);
}

std::string PercentEncode(std::string_view text, bool keep_slash) {
    static constexpr std::string_view kHex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/');
        if (plain) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

}  // namespace tessera
