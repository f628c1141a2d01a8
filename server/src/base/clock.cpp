#include "base/clock.hpp"

#include <sys/random.h>

#include <cstring>
#include <stdexcept>

namespace tessera {

TimeMs SystemClock::NowMs() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::uint64_t Random::NextU64() {
    std::uint64_t v = 0;
    Fill(&v, sizeof v);
    return v;
}

std::string Random::HexToken(std::size_t bytes) {
    std::string raw(bytes, '\0');
    Fill(raw.data(), bytes);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    for (unsigned char c : raw) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    return out;
}

void SystemRandom::Fill(void* out, std::size_t n) {
    auto* p = static_cast<unsigned char*>(out);
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            // The kernel CSPRNG failing is not survivable: tokens would be predictable.
            throw std::runtime_error("getrandom failed");
        }
        p += got;
        n -= static_cast<std::size_t>(got);
    }
}

void SeededRandom::Fill(void* out, std::size_t n) {
    std::lock_guard lock(mu_);
    auto* p = static_cast<unsigned char*>(out);
    while (n > 0) {
        std::uint64_t v = engine_();
        std::size_t take = n < sizeof v ? n : sizeof v;
        std::memcpy(p, &v, take);
        p += take;
        n -= take;
    }
}

}  // namespace tessera
