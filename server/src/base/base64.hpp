#pragma once
// Standard base64 (RFC 4648 section 4) with padding: tus Upload-Metadata values (read by the
// server, written by `tessera upload`).
#include <optional>
#include <string>
#include <string_view>

namespace tessera {

// nullopt when `text` is not padded base64 of the standard alphabet.
std::optional<std::string> DecodeBase64(std::string_view text);
std::string EncodeBase64(std::string_view bytes);

}  // namespace tessera
