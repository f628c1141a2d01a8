#include "blobs/azure_blob_client.hpp"

#include <expat.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "base/percent_decode.hpp"
#include "base/text.hpp"
#include "blobs/azure_shared_key.hpp"

namespace tessera {
namespace {

// Error bodies are small XML documents; anything past this is dropped unread.
constexpr std::size_t kMaxErrorBody = std::size_t{64} * 1024;
// Azure's own limits: blob names up to 1024 characters, markers are short opaque strings.
constexpr std::size_t kMaxXmlText = 4096;
constexpr int kMaxXmlDepth = 16;
constexpr int kServicePageSize = 5000;

bool IsRetryableStatus(int status) {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::string Unquote(std::string_view etag) {
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
        etag = etag.substr(1, etag.size() - 2);
    }
    return std::string(etag);
}

bool IsAccountName(std::string_view name) {
    return name.size() >= 3 && name.size() <= 24 &&
           std::all_of(name.begin(), name.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

bool IsIpv4(std::string_view host) {
    return !host.empty() && std::all_of(host.begin(), host.end(),
                                        [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// Streams an XML document through expat, calling back with element paths and their text.
// Refuses DOCTYPEs (no entity tricks), deep nesting and long texts, so memory stays bounded.
class XmlWalker {
public:
    // `on_end` gets the path of open elements (the ending one last) and its text.
    using OnEnd = std::function<Status(const std::vector<std::string>& path,
                                       const std::string& text, bool encoded)>;

    explicit XmlWalker(OnEnd on_end) : on_end_(std::move(on_end)) {
        parser_ = XML_ParserCreate("UTF-8");
        XML_SetUserData(parser_, this);
        XML_SetElementHandler(parser_, &XmlWalker::Start, &XmlWalker::End);
        XML_SetCharacterDataHandler(parser_, &XmlWalker::Text);
        XML_SetStartDoctypeDeclHandler(parser_, &XmlWalker::Doctype);
    }
    ~XmlWalker() { XML_ParserFree(parser_); }
    XmlWalker(const XmlWalker&) = delete;
    XmlWalker& operator=(const XmlWalker&) = delete;

    bool Feed(std::string_view chunk, bool last) {
        if (!status_.ok()) {
            return false;
        }
        if (XML_Parse(parser_, chunk.data(), static_cast<int>(chunk.size()), last ? 1 : 0) ==
                XML_STATUS_ERROR &&
            status_.ok()) {
            status_ = Error::Unavailable(std::string("the answer is not valid XML: ") +
                                         XML_ErrorString(XML_GetErrorCode(parser_)));
        }
        return status_.ok();
    }
    const Status& status() const { return status_; }
    const std::string& root() const { return root_; }

private:
    void Fail(Error error) {
        if (status_.ok()) {
            status_ = std::move(error);
        }
        XML_StopParser(parser_, XML_FALSE);
    }

    static void Start(void* user, const XML_Char* name, const XML_Char** attributes) {
        auto* self = static_cast<XmlWalker*>(user);
        if (static_cast<int>(self->path_.size()) >= kMaxXmlDepth) {
            self->Fail(Error::Unavailable("the answer nests XML too deeply"));
            return;
        }
        if (self->path_.empty()) {
            self->root_ = name;
        }
        self->path_.emplace_back(name);
        self->text_.clear();
        self->encoded_ = false;
        for (int i = 0; attributes[i] != nullptr; i += 2) {
            if (std::string_view(attributes[i]) == "Encoded" &&
                std::string_view(attributes[i + 1]) == "true") {
                self->encoded_ = true;
            }
        }
    }
    static void End(void* user, const XML_Char* /*name*/) {
        auto* self = static_cast<XmlWalker*>(user);
        Status status = self->on_end_(self->path_, self->text_, self->encoded_);
        if (!status.ok()) {
            self->Fail(status.error());
            return;
        }
        self->path_.pop_back();
        self->text_.clear();
        self->encoded_ = false;
    }
    static void Text(void* user, const XML_Char* text, int length) {
        auto* self = static_cast<XmlWalker*>(user);
        if (self->text_.size() + static_cast<std::size_t>(length) > kMaxXmlText) {
            self->Fail(Error::Unavailable("the answer holds an XML text longer than 4096 bytes"));
            return;
        }
        self->text_.append(text, static_cast<std::size_t>(length));
    }
    static void Doctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
        static_cast<XmlWalker*>(user)->Fail(Error::Unavailable("the answer declares a DOCTYPE"));
    }

    XML_Parser parser_;
    OnEnd on_end_;
    std::vector<std::string> path_;
    std::string text_;
    bool encoded_ = false;
    std::string root_;
    Status status_;
};

bool PathIs(const std::vector<std::string>& path, std::initializer_list<std::string_view> want) {
    return path.size() == want.size() && std::equal(path.begin(), path.end(), want.begin());
}

// The <Code> of an Azure error document, or "".
std::string ErrorCodeFromBody(const std::string& body) {
    std::string code;
    XmlWalker walker(
        [&](const std::vector<std::string>& path, const std::string& text, bool) -> Status {
            if (PathIs(path, {"Error", "Code"})) {
                code = text;
            }
            return Status::Ok();
        });
    walker.Feed(body, true);
    return code;
}

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& query) {
    std::string out;
    for (const auto& [name, value] : query) {
        out += (out.empty() ? "" : "&") + PercentEncode(name, false) + "=" +
               PercentEncode(value, false);
    }
    return out;
}

std::int64_t SystemNowUnix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

struct AzureBlobClient::Call {
    bool listing = false;
    std::string encoded_path;  // "/container" or "/container/blob%20name", after the account
    std::vector<std::pair<std::string, std::string>> query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string blob_name;  // for messages
};

Result<AzureAccountUrl> ParseAzureAccountUrl(std::string_view url, std::string_view account_name) {
    if (!account_name.empty() && !IsAccountName(account_name)) {
        return Error::InvalidArgument(
            "account_name must be the storage account's name (3-24 lower-case letters and "
            "digits)",
            "account_name");
    }
    auto bad = [&](const std::string& why) {
        return Error::InvalidArgument(
            "account_url " + why +
                ": use https://ACCOUNT.blob.core.windows.net, or for Azurite "
                "http://127.0.0.1:10000/devstoreaccount1",
            "account_url");
    };
    if (HasControlCharacter(url) || url.find_first_of(" ?#@\\") != std::string_view::npos) {
        return bad("must be a plain URL without spaces, user, query or fragment");
    }
    AzureAccountUrl out;
    const std::string lower = Lower(url);
    std::size_t rest = 0;
    if (lower.starts_with("https://")) {
        out.https = true;
        rest = 8;
    } else if (lower.starts_with("http://")) {
        rest = 7;
    } else {
        return bad("must start with https://");
    }
    std::string_view remainder = url.substr(rest);
    while (remainder.ends_with('/')) {
        remainder.remove_suffix(1);
    }
    const std::size_t slash = remainder.find('/');
    std::string_view authority = remainder.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? "" : remainder.substr(slash + 1);
    std::string_view host = authority;
    if (authority.starts_with('[')) {
        auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return bad("has a malformed host");
        }
        host = authority.substr(0, close + 1);
        authority.remove_prefix(close + 1);
    } else {
        auto colon = authority.find(':');
        host = authority.substr(0, colon);
        authority = colon == std::string_view::npos ? "" : authority.substr(colon);
    }
    if (!authority.empty()) {  // ":PORT"
        std::string_view port = authority.substr(1);
        if (!authority.starts_with(':') || port.empty() || port.size() > 5 ||
            !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return bad("has a malformed port");
        }
    }
    if (host.empty()) {
        return bad("names no host");
    }
    out.host = Lower(host);
    if (!path.empty()) {
        if (path.find('/') != std::string_view::npos || !IsAccountName(path)) {
            return bad("path must be just the account name (3-24 lower-case letters and digits)");
        }
        out.path_style = true;
        out.account = std::string(path);
        if (!account_name.empty() && account_name != out.account) {
            return Error::InvalidArgument(
                "account_name differs from the account the account_url's path names",
                "account_name");
        }
    } else if (!account_name.empty()) {
        out.account = std::string(account_name);  // a custom domain: any host
    } else {
        if (IsIpv4(out.host) || out.host.starts_with('[') ||
            out.host.find('.') == std::string::npos) {
            return bad("names no account");
        }
        out.account = out.host.substr(0, out.host.find('.'));
        if (!IsAccountName(out.account)) {
            return bad("names no valid account (3-24 lower-case letters and digits)");
        }
    }
    out.base = std::string(lower.substr(0, rest)) + std::string(remainder);
    out.base.replace(rest, host.size(), out.host);
    return out;
}

Status ValidateAzureContainerName(std::string_view name) {
    bool ok = name.size() >= 3 && name.size() <= 63 && name.front() != '-' && name.back() != '-' &&
              name.find("--") == std::string_view::npos &&
              std::all_of(name.begin(), name.end(), [](char c) {
                  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
              });
    if (!ok) {
        return Error::InvalidArgument(
            "container must be 3-63 lower-case letters, digits and single hyphens, starting "
            "and ending with a letter or digit",
            "container");
    }
    return Status::Ok();
}

Result<AzureBlobClient> AzureBlobClient::Create(AzureBlobConfig config,
                                                std::shared_ptr<HttpTransport> transport,
                                                AzureBlobClientOptions options) {
    TESSERA_ASSIGN_OR_RETURN(AzureAccountUrl account,
                             ParseAzureAccountUrl(config.account_url, config.account_name));
    TESSERA_TRY(ValidateAzureContainerName(config.container));
    if (config.sas_token.empty() == config.account_key.empty()) {
        return Error::InvalidArgument("give exactly one of sas_token and account_key",
                                      config.sas_token.empty() ? "sas_token" : "account_key");
    }
    if (config.sas_token.starts_with('?')) {
        config.sas_token.erase(0, 1);
    }
    if (!config.sas_token.empty() && (HasControlCharacter(config.sas_token) ||
                                      config.sas_token.find_first_of(" #?") != std::string::npos ||
                                      config.sas_token.find("://") != std::string::npos ||
                                      config.sas_token.find("sig=") == std::string::npos)) {
        return Error::InvalidArgument(
            "sas_token must be the query string of a SAS (sv=...&sig=...), without the URL",
            "sas_token");
    }
    if (!config.account_key.empty()) {
        // Signing a fixed text checks that the key is base64 before any request is made.
        TESSERA_TRY(AzureHmacSignature(config.account_key, "check"));
    }
    if (!options.sleep) {
        options.sleep = [](std::chrono::milliseconds ms) { std::this_thread::sleep_for(ms); };
    }
    if (!options.now_unix) {
        options.now_unix = SystemNowUnix;
    }
    options.max_attempts = std::max(options.max_attempts, 1);
    return AzureBlobClient(std::move(config), std::move(account), std::move(transport),
                           std::move(options));
}

AzureBlobClient::AzureBlobClient(AzureBlobConfig config, AzureAccountUrl account,
                                 std::shared_ptr<HttpTransport> transport,
                                 AzureBlobClientOptions options)
    : config_(std::move(config)),
      account_(std::move(account)),
      transport_(std::move(transport)),
      options_(std::move(options)) {}

std::string AzureBlobClient::Describe() const {
    return account_.base + "/" + config_.container;
}

HttpRequest AzureBlobClient::BuildRequest(const Call& call) const {
    HttpRequest request;
    request.method = "GET";
    std::string query = QueryString(call.query);
    if (!config_.sas_token.empty()) {
        query += (query.empty() ? "" : "&") + config_.sas_token;
    }
    request.url = account_.base + call.encoded_path + (query.empty() ? "" : "?" + query);
    request.headers = call.headers;
    request.headers.emplace_back("x-ms-version", std::string(kAzureApiVersion));
    request.headers.emplace_back("x-ms-date", HttpDate(options_.now_unix()));
    if (!config_.account_key.empty()) {
        AzureSignedRequest signed_request;
        signed_request.method = request.method;
        signed_request.account = account_.account;
        signed_request.encoded_path =
            (account_.path_style ? "/" + account_.account : std::string()) + call.encoded_path;
        signed_request.query = call.query;
        signed_request.headers = request.headers;
        // The key was checked in Create, so signing cannot fail here.
        auto authorization = SharedKeyAuthorization(signed_request, config_.account_key);
        if (authorization.ok()) {
            request.headers.emplace_back("Authorization", *authorization);
        }
    }
    return request;
}

Result<HttpResponse> AzureBlobClient::Get(const Call& call, const HttpBodySink& sink,
                                          std::string* error_body, bool* sink_failed) const {
    std::chrono::milliseconds backoff = options_.first_backoff;
    for (int attempt = 1;; ++attempt) {
        error_body->clear();
        bool reached_sink = false;
        HttpBodySink wrapped = [&](int status, std::string_view chunk) {
            if (status >= 200 && status < 300) {
                reached_sink = true;
                if (!sink(status, chunk)) {
                    *sink_failed = true;
                    return false;
                }
                return true;
            }
            std::size_t room = kMaxErrorBody - std::min(kMaxErrorBody, error_body->size());
            error_body->append(chunk.substr(0, room));
            return true;
        };
        HttpResponse response = transport_->Send(BuildRequest(call), wrapped);
        const bool last = attempt >= options_.max_attempts;
        if (response.aborted) {
            return response;
        }
        if (response.status == 0) {
            if (response.retryable && !reached_sink && !last) {
                options_.sleep(backoff);
                backoff *= 2;
                continue;
            }
            return Error::Unavailable("cannot reach the Azure Blob account at " + account_.base +
                                      ": " + response.failure +
                                      " (check the account URL and the network)");
        }
        if (IsRetryableStatus(response.status) && !reached_sink && !last) {
            options_.sleep(backoff);
            backoff *= 2;
            continue;
        }
        return response;
    }
}

Error AzureBlobClient::ErrorFor(const Call& call, const HttpResponse& response,
                                const std::string& error_body) const {
    std::string code = response.Header("x-ms-error-code");
    if (code.empty()) {
        code = ErrorCodeFromBody(error_body);
    }
    const std::string what = call.listing ? "container " + Describe()
                                          : "blob \"" + call.blob_name + "\" in " + Describe();
    const std::string answered =
        " (HTTP " + std::to_string(response.status) + (code.empty() ? "" : " " + code) + ")";
    const bool sas = !config_.sas_token.empty();
    if (response.status == 403) {
        if (code == "AuthenticationFailed") {
            return Error::PermissionDenied(
                std::string(sas ? "the SAS signature is wrong" : "the account key is wrong") +
                " for " + what + ": Azure could not authenticate the request" + answered);
        }
        if (code == "AuthorizationPermissionMismatch" ||
            code == "AuthorizationResourceTypeMismatch") {
            std::string need = call.listing ? "listing (needs l permission)"
                                            : "reading blobs (needs r permission)";
            return Error::PermissionDenied(
                (sas ? "the SAS token does not allow " : "the credentials do not allow ") + need +
                " on " + what + answered);
        }
        if (code == "AuthorizationFailure") {
            // Azure's answer when a token expired, is limited to other addresses or protocols,
            // or key access is disabled; Azurite's to any bad signature.
            return Error::PermissionDenied(
                std::string(sas ? "the SAS signature is wrong or the token is not allowed for "
                                : "the account key is wrong or not allowed for ") +
                what + ": check it, its expiry and its address and protocol limits" + answered);
        }
        return Error::PermissionDenied("Azure refused access to " + what + answered);
    }
    if (response.status == 404) {
        if (code == "ContainerNotFound") {
            return Error::NotFound("the container \"" + config_.container +
                                   "\" does not exist in the account at " + account_.base);
        }
        if (code == "BlobNotFound") {
            return Error::NotFound("blob \"" + call.blob_name + "\" no longer exists in " +
                                   Describe());
        }
        return Error::NotFound(what + " was not found" + answered +
                               ": check the account URL and container");
    }
    if (IsRetryableStatus(response.status)) {
        return Error::Unavailable("the Azure Blob service at " + account_.base + " kept failing" +
                                  answered + " after " + std::to_string(options_.max_attempts) +
                                  " attempts; try again later");
    }
    return Error::Unavailable("unexpected answer from Azure for " + what + answered);
}

Result<AzureBlobPage> AzureBlobClient::ListBlobs(std::string_view prefix,
                                                 std::string_view marker) const {
    Call call;
    call.listing = true;
    call.encoded_path = "/" + config_.container;
    call.query = {{"restype", "container"}, {"comp", "list"}};
    if (!prefix.empty()) {
        call.query.emplace_back("prefix", std::string(prefix));
    }
    if (!marker.empty()) {
        call.query.emplace_back("marker", std::string(marker));
    }
    if (options_.max_results > 0) {
        call.query.emplace_back("maxresults", std::to_string(options_.max_results));
    }
    const std::size_t max_items =
        static_cast<std::size_t>(std::max(options_.max_results, kServicePageSize));

    AzureBlobPage page;
    AzureBlobItem item;
    Status item_status;
    auto walker = std::make_unique<XmlWalker>([&](const std::vector<std::string>& path,
                                                  const std::string& text, bool encoded) -> Status {
        if (PathIs(path, {"EnumerationResults", "Blobs", "Blob", "Name"})) {
            if (encoded) {
                auto decoded = PercentDecode(text);  // '+' stays '+' in blob names
                if (!decoded) {
                    return Error::InvalidArgument("bad percent escape in blob name \"" + text +
                                                  "\"");
                }
                item.name = std::move(*decoded);
            } else {
                item.name = text;
            }
        } else if (PathIs(path, {"EnumerationResults", "Blobs", "Blob", "Properties", "Etag"})) {
            item.etag = Unquote(text);
        } else if (PathIs(path, {"EnumerationResults", "Blobs", "Blob", "Properties",
                                 "Content-Length"})) {
            char* end = nullptr;
            long long size = std::strtoll(text.c_str(), &end, 10);
            item.size_bytes = (end != text.c_str() && *end == '\0' && size >= 0) ? size : -1;
        } else if (PathIs(path, {"EnumerationResults", "Blobs", "Blob"})) {
            if (page.blobs.size() >= max_items) {
                return Status(Error::Unavailable("the listing page holds more than " +
                                                 std::to_string(max_items) + " blobs"));
            }
            page.blobs.push_back(std::move(item));
            item = AzureBlobItem{};
        } else if (PathIs(path, {"EnumerationResults", "NextMarker"})) {
            page.next_marker = text;
        }
        return Status::Ok();
    });
    std::size_t received = 0;
    bool too_large = false;
    HttpBodySink sink = [&](int, std::string_view chunk) {
        received += chunk.size();
        if (received > options_.max_list_page_bytes) {
            too_large = true;
            return false;
        }
        return walker->Feed(chunk, false);
    };
    std::string error_body;
    bool sink_failed = false;
    TESSERA_ASSIGN_OR_RETURN(HttpResponse response, Get(call, sink, &error_body, &sink_failed));
    if (sink_failed || response.aborted) {
        if (too_large) {
            return Error::Unavailable("a listing page from " + Describe() + " is larger than " +
                                      std::to_string(options_.max_list_page_bytes >> 20) +
                                      " MiB; is the account URL an Azure Blob endpoint?");
        }
        return Error::Unavailable(
            "the listing from " + Describe() +
            " is not a List Blobs answer: " + walker->status().error().message);
    }
    if (response.status != 200) {
        return ErrorFor(call, response, error_body);
    }
    if (!walker->Feed("", true)) {
        return Error::Unavailable(
            "the listing from " + Describe() +
            " is not a List Blobs answer: " + walker->status().error().message);
    }
    if (walker->root() != "EnumerationResults") {
        return Error::Unavailable("the listing from " + Describe() +
                                  " is not a List Blobs answer; is the account URL an Azure Blob "
                                  "endpoint?");
    }
    return page;
}

Result<std::string> AzureBlobClient::GetBlob(std::string_view name,
                                             std::optional<AzureBlobRange> range,
                                             std::size_t max_bytes) const {
    Call call;
    call.blob_name = std::string(name);
    call.encoded_path = "/" + config_.container + "/" + PercentEncode(name, true);
    if (range.has_value()) {
        if (range->length == 0) {
            return std::string();
        }
        call.headers.emplace_back("x-ms-range",
                                  "bytes=" + std::to_string(range->offset) + "-" +
                                      std::to_string(range->offset + range->length - 1));
    }
    std::string bytes;
    HttpBodySink sink = [&](int, std::string_view chunk) {
        if (bytes.size() + chunk.size() > max_bytes) {
            return false;
        }
        bytes.append(chunk);
        return true;
    };
    std::string error_body;
    bool sink_failed = false;
    TESSERA_ASSIGN_OR_RETURN(HttpResponse response, Get(call, sink, &error_body, &sink_failed));
    if (sink_failed) {
        return Error{ErrorCode::kPayloadTooLarge,
                     "blob \"" + call.blob_name + "\" is larger than " + std::to_string(max_bytes) +
                         " bytes",
                     {}};
    }
    if (response.status == 416) {  // the range starts past the end (an empty blob, say)
        return std::string();
    }
    if (response.status != 200 && response.status != 206) {
        return ErrorFor(call, response, error_body);
    }
    return bytes;
}

Result<AzureBlobDownload> AzureBlobClient::DownloadBlob(
    std::string_view name, std::string_view if_none_match,
    const std::function<bool(std::string_view)>& sink, std::uint64_t max_bytes) const {
    Call call;
    call.blob_name = std::string(name);
    call.encoded_path = "/" + config_.container + "/" + PercentEncode(name, true);
    if (!if_none_match.empty()) {
        call.headers.emplace_back("If-None-Match", "\"" + std::string(if_none_match) + "\"");
    }
    AzureBlobDownload download;
    bool too_large = false;
    HttpBodySink body = [&](int, std::string_view chunk) {
        download.bytes += static_cast<std::int64_t>(chunk.size());
        if (static_cast<std::uint64_t>(download.bytes) > max_bytes) {
            too_large = true;
            return false;
        }
        return sink(chunk);
    };
    std::string error_body;
    bool sink_failed = false;
    TESSERA_ASSIGN_OR_RETURN(HttpResponse response, Get(call, body, &error_body, &sink_failed));
    if (sink_failed) {
        if (too_large) {
            return Error{ErrorCode::kPayloadTooLarge,
                         "blob \"" + call.blob_name + "\" is larger than the " +
                             std::to_string(max_bytes >> 20) + " MiB limit",
                         {}};
        }
        return Error::Internal("could not store blob \"" + call.blob_name + "\"");
    }
    if (response.status == 304) {
        download.not_modified = true;
        download.etag = std::string(if_none_match);
        return download;
    }
    if (response.status != 200) {
        return ErrorFor(call, response, error_body);
    }
    download.etag = Unquote(response.Header("etag"));
    return download;
}

}  // namespace tessera
