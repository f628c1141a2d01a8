#pragma once
// A clock tests move by hand.
#include <atomic>

#include "base/clock.hpp"

namespace tessera {

class FakeClock final : public Clock {
public:
    explicit FakeClock(TimeMs start = 1'700'000'000'000) : now_(start) {}
    TimeMs NowMs() const override { return now_.load(); }
    void Advance(TimeMs ms) { now_ += ms; }

private:
    std::atomic<TimeMs> now_;
};

}  // namespace tessera
