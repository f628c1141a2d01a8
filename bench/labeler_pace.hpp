#pragma once
// A labeler's pace for the queue benchmarks' --think-ms (load_bench, http_load_bench): how long
// each item is looked at before its submit, and how late each labeler starts, so that 50 of
// them do not move in step. Both take a uniform 64-bit draw from the caller's seeded generator.
#include <chrono>
#include <cstdint>

namespace tessera::bench {

// A look at one item: uniform in [think/2, 3·think/2] milliseconds.
inline std::chrono::microseconds Look(std::uint64_t draw, int think_ms) {
    const auto think_us = static_cast<std::uint64_t>(think_ms) * 1000;
    return std::chrono::microseconds(think_us / 2 + draw % (think_us + 1));
}

// A labeler's start: uniform over a page's worth of looks.
inline std::chrono::microseconds Stagger(std::uint64_t draw, int think_ms, int page) {
    const auto page_us =
        static_cast<std::uint64_t>(think_ms) * 1000 * static_cast<std::uint64_t>(page);
    return std::chrono::microseconds(draw % (page_us + 1));
}

}  // namespace tessera::bench
