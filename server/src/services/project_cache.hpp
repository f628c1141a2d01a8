#pragma once
// Projects read in the last few seconds. The labeling hot path (next page, submit, renew, skip)
// needs the project's type, labels and status on every request; with 50 labelers that was one
// database read per request, as many as the writes themselves. ProjectService erases a
// project's entry when it starts, pauses or deletes it, so this process sees those changes at
// once; another server process sharing the database sees them once the entry's TTL has run out
// (default 2 s). Deletion is also enforced by the queue's own SQL, whatever the cache says.
//
// Bounded: when full, the whole cache is dropped (projects are few; a refill costs one read
// each).
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/model.hpp"
#include "storage/repository.hpp"

namespace tessera {

class ProjectCache {
public:
    // ttl_ms <= 0 or max_entries == 0 turns the cache off (every Get reads the repository).
    ProjectCache(const Clock& clock, TimeMs ttl_ms, std::size_t max_entries);

    // The project from the cache, or read from `repo` and remembered. Errors are not cached.
    Result<Project> Get(Repository& repo, Id project_id);
    // Called after every change to the project's row made through this process.
    void Erase(Id project_id);
    std::size_t Size() const;

private:
    struct Entry {
        Project project;
        TimeMs cached_at = 0;
    };

    const Clock& clock_;
    const TimeMs ttl_ms_;
    const std::size_t max_entries_;
    mutable std::mutex mu_;
    std::unordered_map<Id, Entry> entries_;  // guarded by mu_
    // Bumped by Erase: a read that started before an Erase must not put back what it read.
    std::uint64_t generation_ = 0;  // guarded by mu_
};

}  // namespace tessera
