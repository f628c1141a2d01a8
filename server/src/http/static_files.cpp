#include "http/static_files.hpp"

#include <cctype>
#include <cstdio>

#include "http/error_mapping.hpp"
#include "http/etag.hpp"

namespace tessera::http {
namespace {

std::string ContentEtag(std::string_view data) {
    std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a: cheap, and only needs to differ
    for (unsigned char c : data) {
        hash = (hash ^ c) * 1099511628211ULL;
    }
    char buf[24];
    std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(hash));
    return buf;
}

}  // namespace

bool IsHashedAsset(std::string_view path) {
    // Vite names build output "<name>-<8 hash chars>.<ext>"; the hash alphabet includes '-'.
    constexpr std::size_t kHashLength = 8;
    std::size_t slash = path.rfind('/');
    std::string_view name = path.substr(slash == std::string_view::npos ? 0 : slash + 1);
    std::size_t dot = name.find('.');
    if (dot == std::string_view::npos) {
        return false;
    }
    std::string_view stem = name.substr(0, dot);
    if (stem.size() < kHashLength + 2 || stem[stem.size() - kHashLength - 1] != '-') {
        return false;
    }
    for (char c : stem.substr(stem.size() - kHashLength)) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
            return false;
        }
    }
    return true;
}

StaticFiles::StaticFiles(std::span<const EmbeddedFile> files) {
    for (const EmbeddedFile& file : files) {
        files_.emplace(std::string(file.path), Entry{&file, ContentEtag(file.data)});
    }
}

Response StaticFiles::Serve(const Request& request) const {
    std::string_view path = request.path == "/" ? "/index.html" : std::string_view(request.path);
    auto it = files_.find(path);
    if (it == files_.end()) {
        std::size_t slash = path.rfind('/');
        bool looks_like_file = path.find('.', slash) != std::string_view::npos;
        it = looks_like_file ? files_.end() : files_.find(std::string_view("/index.html"));
    }
    if (it == files_.end()) {
        return ErrorResponse(Error::NotFound("no such file: " + request.path));
    }
    return Send(request, it->second);
}

Response StaticFiles::Send(const Request& request, const Entry& entry) const {
    Response response;
    const EmbeddedFile& file = *entry.file;
    bool is_html = file.content_type.starts_with("text/html");
    response.Header("ETag", entry.etag);
    response.Header("Cache-Control",
                    IsHashedAsset(file.path) ? "public, max-age=31536000, immutable" : "no-cache");
    response.Header("X-Content-Type-Options", "nosniff");
    if (is_html) {
        response.Header("Content-Security-Policy", kHtmlContentSecurityPolicy);
        response.Header("X-Frame-Options", "DENY");
        response.Header("Referrer-Policy", "same-origin");
    }
    if (IfNoneMatch(request.raw, entry.etag)) {
        response.status = 304;
        return response;
    }
    response.Header("Content-Type", std::string(file.content_type));
    response.body.assign(file.data);
    return response;
}

}  // namespace tessera::http
