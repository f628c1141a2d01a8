#pragma once
// SHA-256 as 64 lower-case hex digits (libsodium): API token hashes, model file digests.
#include <string>
#include <string_view>

namespace tessera {

std::string Sha256Hex(std::string_view bytes);

}  // namespace tessera
