// The header reader that ingest runs on the first bytes of every file (blobs/header_probe.hpp):
// any bytes, probed as a whole file and, the way ingest reads, from a short prefix that grows
// while the probe asks for more. A probe asking for bytes it already has, or for more than the
// file holds, is a finding too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "blobs/header_probe.hpp"
#include "targets.hpp"

namespace tessera::fuzz {

void FuzzHeaderProbe(const std::uint8_t* data, std::size_t size) {
    const std::string bytes = Bytes(data, size);
    const auto file_size = static_cast<std::int64_t>(size);
    (void)ProbeHeader(bytes, file_size);
    std::size_t held = std::min<std::size_t>(size, 64);
    for (;;) {
        HeaderProbe probe = ProbeHeader(std::string_view(bytes).substr(0, held), file_size);
        if (probe.outcome == HeaderProbe::Outcome::kDecided &&
            (probe.info.width <= 0 || probe.info.height <= 0)) {
            std::abort();
        }
        if (probe.outcome != HeaderProbe::Outcome::kNeedMore) {
            return;
        }
        const auto needed = static_cast<std::size_t>(probe.bytes_needed);
        if (needed <= held || needed > size) {
            std::abort();
        }
        held = needed;
    }
}

}  // namespace tessera::fuzz
