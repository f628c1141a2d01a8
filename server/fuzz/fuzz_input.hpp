#pragma once
// What every fuzz target starts from: libFuzzer's bytes as a std::string, and the body as an
// upload the way the server sees one (a zip is unpacked, anything else is one file).
#include <cstddef>
#include <cstdint>
#include <string>

namespace tessera::fuzz {

inline std::string Bytes(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace tessera::fuzz
