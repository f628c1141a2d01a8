#pragma once
// Time and randomness are injected so tests can fix them (see tests/fakes).
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>

namespace tessera {

// Milliseconds since the Unix epoch; the one time unit stored in the database.
using TimeMs = std::int64_t;

class Clock {
public:
    virtual ~Clock() = default;
    // Thread-safe.
    virtual TimeMs NowMs() const = 0;
};

class SystemClock final : public Clock {
public:
    TimeMs NowMs() const override;
};

class Random {
public:
    virtual ~Random() = default;
    // Thread-safe. Cryptographically strong in production (session tokens, leases).
    virtual void Fill(void* out, std::size_t n) = 0;
    std::uint64_t NextU64();
    // Lower-case hex string of `bytes` random bytes.
    std::string HexToken(std::size_t bytes);
};

// Reads the kernel CSPRNG (getrandom).
class SystemRandom final : public Random {
public:
    void Fill(void* out, std::size_t n) override;
};

// Deterministic generator for tests and for stored-seed shuffles.
class SeededRandom final : public Random {
public:
    explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}
    void Fill(void* out, std::size_t n) override;

private:
    std::mutex mu_;
    std::mt19937_64 engine_;
};

}  // namespace tessera
