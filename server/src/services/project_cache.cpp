#include "services/project_cache.hpp"

namespace tessera {

ProjectCache::ProjectCache(const Clock& clock, TimeMs ttl_ms, std::size_t max_entries)
    : clock_(clock), ttl_ms_(ttl_ms), max_entries_(max_entries) {}

Result<Project> ProjectCache::Get(Repository& repo, Id project_id) {
    if (ttl_ms_ <= 0 || max_entries_ == 0) {
        return repo.GetProject(project_id);
    }
    std::uint64_t generation = 0;
    {
        std::lock_guard<std::mutex> lock(mu_);
        const TimeMs now = clock_.NowMs();
        auto it = entries_.find(project_id);
        // A wall clock set back (now before cached_at) must not stretch the TTL either.
        if (it != entries_.end() && now >= it->second.cached_at &&
            now - it->second.cached_at < ttl_ms_) {
            return it->second.project;
        }
        generation = generation_;
    }
    TESSERA_ASSIGN_OR_RETURN(Project project, repo.GetProject(project_id));
    std::lock_guard<std::mutex> lock(mu_);
    if (generation == generation_) {
        if (entries_.size() >= max_entries_ && !entries_.contains(project_id)) {
            entries_.clear();
        }
        entries_[project_id] = Entry{project, clock_.NowMs()};
    }
    return project;
}

void ProjectCache::Erase(Id project_id) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.erase(project_id);
    ++generation_;
}

std::size_t ProjectCache::Size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
}

}  // namespace tessera
