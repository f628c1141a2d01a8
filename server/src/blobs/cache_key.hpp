#pragma once
// How callers name what the disk caches (renditions, tile pyramids) keep for them. Entries live
// under <cache dir>/<group>/<shard>/<name>_..., so everything of one group (a project) can be
// removed at once without walking the rest of the cache.
#include <string>

namespace tessera {

struct CacheKey {
    std::string group;  // removed together by RemoveGroup, e.g. "p12" for project 12
    std::string name;   // unique within the group, e.g. "i42-thumb"
};

}  // namespace tessera
