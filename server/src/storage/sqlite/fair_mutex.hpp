#pragma once
// A FIFO mutex for the SQLite writer. std::mutex lets a thread that just unlocked take the lock
// again ahead of threads already waiting; with dozens of labelers that starves a few of them
// for hundreds of milliseconds. Tickets bound a wait to (queue length x transaction time).
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace tessera {

class FairMutex {
public:
    void lock() {
        std::unique_lock<std::mutex> guard(mu_);
        const std::uint64_t ticket = next_ticket_++;
        cv_.wait(guard, [&] { return now_serving_ == ticket; });
    }
    void unlock() {
        {
            std::lock_guard<std::mutex> guard(mu_);
            ++now_serving_;
        }
        cv_.notify_all();
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::uint64_t next_ticket_ = 0;  // guarded by mu_
    std::uint64_t now_serving_ = 0;  // guarded by mu_
};

}  // namespace tessera
