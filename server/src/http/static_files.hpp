#pragma once
// Serves the embedded web UI: exact files, and index.html for any other path without a file
// extension (client-side routes). Hashed build assets are cached for a year, index.html never.
#include <map>
#include <span>
#include <string>

#include "http/embedded_files.hpp"
#include "http/message.hpp"

namespace tessera::http {

inline constexpr const char* kHtmlContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'";

class StaticFiles {
public:
    explicit StaticFiles(std::span<const EmbeddedFile> files);
    Response Serve(const Request& request) const;

private:
    struct Entry {
        const EmbeddedFile* file;
        std::string etag;
    };
    Response Send(const Request& request, const Entry& entry) const;

    std::map<std::string, Entry, std::less<>> files_;
};

// True for Vite-style content-hashed names ("/assets/index-4f3a9c1d.js"): safe to cache forever.
bool IsHashedAsset(std::string_view path);

}  // namespace tessera::http
