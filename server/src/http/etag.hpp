#pragma once
// Conditional GET support shared by static files and images.
#include <string_view>

#include "http/message.hpp"

namespace tessera::http {

// True when the request's If-None-Match lists `etag` (or "*"): answer 304.
bool IfNoneMatch(const RawRequest& request, std::string_view etag);

}  // namespace tessera::http
