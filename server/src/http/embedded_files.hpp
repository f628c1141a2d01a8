#pragma once
// Files compiled into the binary by the embed_files tool (see CMakeLists.txt): the built web
// UI (or a page saying it was not built) and the OpenAPI document.
#include <span>
#include <string_view>

namespace tessera::http {

struct EmbeddedFile {
    std::string_view path;  // "/index.html", "/assets/app-1a2b3c.js"
    std::string_view content_type;
    std::string_view data;
};

std::span<const EmbeddedFile> EmbeddedUiFiles();
std::span<const EmbeddedFile> EmbeddedApiFiles();  // "/openapi.json"

}  // namespace tessera::http
