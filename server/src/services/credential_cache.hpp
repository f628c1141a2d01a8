#pragma once
// Credentials (session or API token hashes) that the database confirmed in the last few
// seconds, with the user they belong to. A labeler's burst of requests then costs one lookup
// instead of one per request. AuthService owns it and erases entries on logout; changes made by
// another process sharing the database are seen once an entry's TTL has run out.
//
// Bounded: all entries live the same TTL, so insertion order is expiry order; expired entries
// are dropped from the front on every insert and, when full, the oldest one goes.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/clock.hpp"
#include "domain/model.hpp"

namespace tessera {

struct CachedCredential {
    User user;
    std::string csrf_token;  // sessions only
    TimeMs expires_at = 0;   // the session's or API token's own expiry; 0: none
};

class CredentialCache {
public:
    // ttl_ms <= 0 or max_entries == 0 turns the cache off (Get always misses).
    CredentialCache(TimeMs ttl_ms, std::size_t max_entries);

    // Read before the database lookup whose result goes to Put: an Erase in between (a logout
    // racing with a request on the same session) bumps it, and Put then drops the stale result.
    std::uint64_t Generation() const;
    // Misses when absent, older than the TTL, or a session that expired at `now`. Also when
    // `now` is before the entry was put: a wall clock set back must not stretch the TTL.
    std::optional<CachedCredential> Get(const std::string& key, TimeMs now);
    void Put(const std::string& key, CachedCredential credential, TimeMs now,
             std::uint64_t generation);
    void Erase(const std::string& key);
    // Every credential of the user (password change, deactivation, role change).
    void EraseUser(Id user_id);
    std::size_t Size() const;

private:
    struct Entry {
        CachedCredential credential;
        TimeMs cached_at = 0;
        TimeMs valid_until = 0;
        std::list<std::string>::iterator order;
    };

    void DropExpired(TimeMs now);  // caller holds mu_

    const TimeMs ttl_ms_;
    const std::size_t max_entries_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
    std::list<std::string> order_;                    // guarded by mu_; oldest first
    std::uint64_t generation_ = 0;                    // guarded by mu_
};

}  // namespace tessera
