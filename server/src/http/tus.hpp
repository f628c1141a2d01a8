#pragma once
// The tus 1.0.0 resumable-upload protocol's header values
// (https://tus.io/protocols/resumable-upload): what handlers/upload_handlers.cpp needs to read
// Upload-Metadata and the numeric headers.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace tessera::http {

inline constexpr std::string_view kTusVersion = "1.0.0";
inline constexpr std::string_view kTusExtensions =
    "creation,creation-with-upload,termination,expiration";

// `Upload-Metadata: key base64value,key2,key3 base64value`: keys map to decoded values (empty
// for a key without a value). kInvalidArgument naming the bad pair.
Result<std::map<std::string, std::string>> ParseUploadMetadata(std::string_view header);

// A non-negative decimal integer header (Upload-Length, Upload-Offset); kInvalidArgument naming
// `name` otherwise.
Result<std::int64_t> ParseTusNumber(std::string_view value, const std::string& name);

// RFC 7231 IMF-fixdate for Upload-Expires: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string HttpDate(std::int64_t unix_ms);

}  // namespace tessera::http
