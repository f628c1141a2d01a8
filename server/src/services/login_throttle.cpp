#include "services/login_throttle.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "base/text.hpp"

namespace tessera {
namespace {

std::string RetryIn(TimeMs locked_until, TimeMs now) {
    return "try again in " + std::to_string((locked_until - now) / 1000 + 1) + " s";
}

}  // namespace

LoginThrottle::Attempt::Attempt(LoginThrottle* throttle, std::string user_key, std::string address)
    : throttle_(throttle), user_key_(std::move(user_key)), address_(std::move(address)) {}

LoginThrottle::Attempt::Attempt(Attempt&& other) noexcept
    : throttle_(std::exchange(other.throttle_, nullptr)),
      user_key_(std::move(other.user_key_)),
      address_(std::move(other.address_)) {}

LoginThrottle::Attempt::~Attempt() {
    if (throttle_ != nullptr) {
        throttle_->Finish(user_key_, address_, Outcome::kUnchecked);
    }
}

void LoginThrottle::Attempt::Succeeded() {
    if (LoginThrottle* throttle = std::exchange(throttle_, nullptr)) {
        throttle->Finish(user_key_, address_, Outcome::kRight);
    }
}

void LoginThrottle::Attempt::Failed() {
    if (LoginThrottle* throttle = std::exchange(throttle_, nullptr)) {
        throttle->Finish(user_key_, address_, Outcome::kWrong);
    }
}

LoginThrottle::LoginThrottle(const Clock& clock, LoginThrottleSettings settings)
    : clock_(clock), settings_(settings) {}

Result<LoginThrottle::Attempt> LoginThrottle::Begin(const std::string& username,
                                                    const std::string& address) {
    const TimeMs now = clock_.NowMs();
    std::string user_key = Lower(username);
    std::lock_guard lock(mu_);
    Prune(now);
    Counter& by_address = Fresh(addresses_, address, now);
    if (by_address.locked_until > now ||
        by_address.failures + by_address.in_flight >= settings_.failures_per_address) {
        const TimeMs until = std::max(by_address.locked_until, now);
        return Error::TooManyRequests("too many failed logins from this address; " +
                                      RetryIn(until, now));
    }
    Counter& by_user = Fresh(users_, user_key, now);
    const bool user_locked = by_user.locked_until > now ||
                             by_user.failures + by_user.in_flight >= settings_.failures_per_user;
    if (user_locked && Failing(by_address, now)) {
        const TimeMs until = std::max(by_user.locked_until, now);
        return Error::TooManyRequests("too many failed logins for this user; " +
                                      RetryIn(until, now));
    }
    if (in_flight_ >= settings_.max_concurrent_checks) {
        return Error::Unavailable(
            "too many logins are being checked at once; try again in a moment");
    }
    ++in_flight_;
    ++by_address.in_flight;
    ++by_user.in_flight;
    return Attempt(this, std::move(user_key), address);
}

void LoginThrottle::Finish(const std::string& user_key, const std::string& address,
                           Outcome outcome) {
    const TimeMs now = clock_.NowMs();
    std::lock_guard lock(mu_);
    --in_flight_;
    Counter& by_address = Fresh(addresses_, address, now);
    Counter& by_user = Fresh(users_, user_key, now);
    --by_address.in_flight;
    --by_user.in_flight;
    if (outcome == Outcome::kRight) {
        // The owner is in: earlier guesses at the name stop counting. A lock stays, so the
        // failing addresses do not get a fresh set of guesses from her login.
        by_user.failures = 0;
        return;
    }
    if (outcome == Outcome::kUnchecked) {
        return;
    }
    auto count_failure = [&](Counter& counter, int limit) {
        counter.last_failure = now;
        if (++counter.failures >= limit) {
            counter.failures = 0;
            counter.locked_until = now + settings_.delay_ms;
        }
    };
    count_failure(by_address, settings_.failures_per_address);
    count_failure(by_user, settings_.failures_per_user);
}

std::size_t LoginThrottle::Tracked() const {
    std::lock_guard lock(mu_);
    return users_.size() + addresses_.size();
}

LoginThrottle::Counter& LoginThrottle::Fresh(Counters& counters, const std::string& key,
                                             TimeMs now) {
    Counter& counter = counters[key];
    if (counter.failures > 0 && now - counter.last_failure >= settings_.window_ms) {
        counter.failures = 0;
    }
    return counter;
}

bool LoginThrottle::Failing(const Counter& counter, TimeMs now) const {
    const bool recent_failure =
        counter.last_failure != 0 && now - counter.last_failure < settings_.window_ms;
    return recent_failure || counter.in_flight > 0 || counter.locked_until > now;
}

void LoginThrottle::Prune(TimeMs now) {
    if (users_.size() + addresses_.size() <= settings_.prune_above) {
        return;
    }
    // An idle counter past its window and lock says nothing any more.
    auto prune = [&](Counters& counters) {
        for (auto it = counters.begin(); it != counters.end();) {
            const Counter& c = it->second;
            const bool idle = c.in_flight == 0 && c.locked_until <= now &&
                              (c.last_failure == 0 || now - c.last_failure >= settings_.window_ms);
            it = idle ? counters.erase(it) : std::next(it);
        }
    };
    prune(users_);
    prune(addresses_);
}

}  // namespace tessera
