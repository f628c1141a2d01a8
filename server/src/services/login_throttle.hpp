#pragma once
// Limits password guessing (docs/design/security.md, "Authentication").
//
// Every password check (a login, or the current password of a password change) is an Attempt
// that is counted before the password is hashed: the check costs an argon2id hash (about
// 70 ms and 64 MiB), so counting afterwards let a burst of concurrent guesses all through
// before the first failure was recorded.
//
// - Per client address: `failures_per_address` failures within `window_ms` lock the address
//   out for `delay_ms`, whatever usernames it tried (one client spraying many names).
// - Per username (case-insensitive): `failures_per_user` failures lock the name for
//   `delay_ms`, but only against addresses that are failing themselves (a failure within the
//   window, a check under way, or locked). Someone else's guesses therefore cannot keep the
//   owner out: a right password from an address that is not failing is still checked.
// - At most `max_concurrent_checks` checks run at once; more are refused at once (kUnavailable)
//   instead of each holding its own hash memory.
// Attempts under way count towards the limits, so concurrent guesses cannot overtake them.
//
// State is in memory, per process, keyed by name and address; time is the injected Clock.
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace tessera {

struct LoginThrottleSettings {
    int failures_per_user = 5;
    int failures_per_address = 20;
    TimeMs delay_ms = TimeMs{30} * 1000;        // a lock lasts this long
    TimeMs window_ms = TimeMs{15} * 60 * 1000;  // failures older than this are forgotten
    int max_concurrent_checks = 4;
    // Counters that are idle and past their window are dropped once this many are kept.
    std::size_t prune_above = 10'000;
};

class LoginThrottle {
public:
    // One password check under way. Say how it ended with Succeeded or Failed; one that is
    // dropped without either (an error before the check) counts as neither.
    class Attempt {
    public:
        Attempt(Attempt&& other) noexcept;
        Attempt& operator=(Attempt&&) = delete;
        Attempt(const Attempt&) = delete;
        Attempt& operator=(const Attempt&) = delete;
        ~Attempt();
        void Succeeded();
        void Failed();

    private:
        friend class LoginThrottle;
        Attempt(LoginThrottle* throttle, std::string user_key, std::string address);
        LoginThrottle* throttle_;  // null once finished or moved from
        std::string user_key_;
        std::string address_;
    };

    LoginThrottle(const Clock& clock, LoginThrottleSettings settings);

    // kTooManyRequests while the address, or the name against a failing address, is locked;
    // kUnavailable when max_concurrent_checks are already under way.
    Result<Attempt> Begin(const std::string& username, const std::string& address);

    // Counters kept (for the bound's test).
    std::size_t Tracked() const;

private:
    struct Counter {
        int failures = 0;   // within the window, since the last lock
        int in_flight = 0;  // checks under way
        TimeMs last_failure = 0;
        TimeMs locked_until = 0;
    };
    using Counters = std::unordered_map<std::string, Counter>;
    enum class Outcome { kRight, kWrong, kUnchecked };

    void Finish(const std::string& user_key, const std::string& address, Outcome outcome);
    // Caller holds mu_. The counter with failures older than the window forgotten.
    Counter& Fresh(Counters& counters, const std::string& key, TimeMs now);
    bool Failing(const Counter& counter, TimeMs now) const;
    void Prune(TimeMs now);  // caller holds mu_

    const Clock& clock_;
    const LoginThrottleSettings settings_;
    mutable std::mutex mu_;
    Counters users_;      // guarded by mu_; keyed by lower-case username
    Counters addresses_;  // guarded by mu_
    int in_flight_ = 0;   // guarded by mu_
};

}  // namespace tessera
