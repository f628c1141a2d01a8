#pragma once
// The remembered queue fronts of LeaseNext (docs/design/storage.md, "The remembered queue
// front"): per project, the highest rank this process's leases took, so the next lease starts
// there instead of walking the dead and leased entries before it. Thread-safe.
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "domain/model.hpp"

namespace tessera {

class QueueFronts {
public:
    // How often one lease checks a project's front from the start (items another process put
    // back behind it wait about this long).
    static constexpr TimeMs kCheckEveryMs = 5000;

    // Where the next lease of the project starts, or nothing: from the start. When the front is
    // due for a check, this caller gets nothing and the front counts as checked from `now`, so
    // the callers beside it keep the front instead of all walking from the start together.
    std::optional<std::int64_t> Get(Id project_id, TimeMs now);
    // A lease took items up to `rank`. One that started from the start found the true front
    // and sets it (lower when items came back behind it); the others only raise it.
    void Advance(Id project_id, std::int64_t rank, TimeMs now, bool from_start);
    // Items may have come back behind the front (release, insert, shuffle, restart...).
    void Forget(Id project_id);

private:
    struct Front {
        std::int64_t rank = 0;
        TimeMs checked_at = 0;  // remembered, or last checked from the start
    };
    std::mutex mu_;
    std::unordered_map<Id, Front> fronts_;  // guarded by mu_
};

}  // namespace tessera
