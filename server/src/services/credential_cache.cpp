#include "services/credential_cache.hpp"

#include <utility>

namespace tessera {

CredentialCache::CredentialCache(TimeMs ttl_ms, std::size_t max_entries)
    : ttl_ms_(ttl_ms), max_entries_(max_entries) {}

std::uint64_t CredentialCache::Generation() const {
    std::lock_guard<std::mutex> lock(mu_);
    return generation_;
}

std::optional<CachedCredential> CredentialCache::Get(const std::string& key, TimeMs now) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        return std::nullopt;
    }
    const CachedCredential& credential = it->second.credential;
    const bool session_expired = credential.expires_at != 0 && credential.expires_at <= now;
    const bool stale = now < it->second.cached_at || it->second.valid_until <= now;
    if (stale || session_expired) {
        order_.erase(it->second.order);
        entries_.erase(it);
        return std::nullopt;
    }
    return credential;
}

void CredentialCache::Put(const std::string& key, CachedCredential credential, TimeMs now,
                          std::uint64_t generation) {
    if (ttl_ms_ <= 0 || max_entries_ == 0) {
        return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (generation != generation_) {
        return;  // invalidated while the caller was reading the database
    }
    if (auto it = entries_.find(key); it != entries_.end()) {
        order_.erase(it->second.order);
        entries_.erase(it);
    }
    DropExpired(now);
    while (entries_.size() >= max_entries_) {
        entries_.erase(order_.front());
        order_.pop_front();
    }
    order_.push_back(key);
    entries_.emplace(key,
                     Entry{std::move(credential), now, now + ttl_ms_, std::prev(order_.end())});
}

void CredentialCache::Erase(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
    if (auto it = entries_.find(key); it != entries_.end()) {
        order_.erase(it->second.order);
        entries_.erase(it);
    }
}

void CredentialCache::EraseUser(Id user_id) {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->second.credential.user.id == user_id) {
            order_.erase(it->second.order);
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
}

std::size_t CredentialCache::Size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
}

void CredentialCache::DropExpired(TimeMs now) {
    while (!order_.empty()) {
        auto it = entries_.find(order_.front());
        if (it->second.valid_until > now) {
            return;
        }
        entries_.erase(it);
        order_.pop_front();
    }
}

}  // namespace tessera
