#pragma once
// Accounts, login sessions and API tokens. Passwords are hashed with argon2id (libsodium);
// session and API tokens are random 32-byte values of which only a SHA-256 hash is stored.
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/model.hpp"
#include "services/credential_cache.hpp"
#include "storage/repository.hpp"

namespace tessera {

struct AuthSettings {
    TimeMs session_ttl_ms = 7LL * 24 * 3600 * 1000;  // sliding: extended on use
    int failures_before_delay = 5;                   // per username
    TimeMs failure_delay_ms = TimeMs{30} * 1000;     // locked out this long after that
    // Validated credentials are kept this long, so a burst of requests costs one database
    // lookup. Logout and ForgetUser in this process take effect at once; other processes on
    // the same database see a logout up to this much later. 0 turns the cache off.
    TimeMs credential_cache_ttl_ms = TimeMs{3} * 1000;
    std::size_t credential_cache_entries = 10'000;
    // argon2id cost; tests lower it so they stay fast.
    unsigned long long opslimit = 0;  // 0: libsodium's INTERACTIVE
    std::size_t memlimit = 0;         // 0: libsodium's INTERACTIVE
};

struct LoginResult {
    std::string session_token;  // goes in the HttpOnly cookie
    std::string csrf_token;     // returned in the body; sent back as X-CSRF-Token
    User user;
};

struct AuthenticatedSession {
    User user;
    std::string csrf_token;
};

class AuthService {
public:
    AuthService(Repository& repo, const Clock& clock, Random& random, AuthSettings settings);

    // kInvalidArgument for a bad name or a password shorter than 8 characters; kConflict when
    // the name is taken.
    Result<User> CreateUser(const std::string& username, const std::string& password, Role role);
    // Creates the `admin` owner on first start. Returns the generated password when `password`
    // is empty (the caller prints it once), nullopt when admin already existed or was given.
    Result<std::optional<std::string>> EnsureAdmin(const std::string& password);

    // kUnauthenticated for a wrong name or password (one message for both); kTooManyRequests
    // while the name is in its post-failure delay.
    Result<LoginResult> Login(const std::string& username, const std::string& password);
    Status Logout(const std::string& session_token);
    // kUnauthenticated for unknown or expired sessions. Extends the session (sliding expiry).
    Result<AuthenticatedSession> AuthenticateSession(const std::string& session_token);
    // kUnauthenticated for unknown tokens.
    Result<User> AuthenticateBearer(const std::string& api_token);
    // Drops the user's cached credentials, so this process checks the database on their next
    // request. Whatever changes who a user is or whether they may log in (password change,
    // deactivation, role change, token revocation) must call it once the change is stored.
    void ForgetUser(Id user_id);
    // Returns the plain token once; only its hash is kept.
    Result<std::string> CreateApiToken(const User& user, const std::string& name);
    // Owners only.
    Result<std::vector<User>> ListUsers(const User& actor);

    static std::string HashToken(const std::string& token);  // hex SHA-256

private:
    Result<std::string> HashPassword(const std::string& password) const;
    bool VerifyPassword(const std::string& hash, const std::string& password) const;

    Repository& repo_;
    const Clock& clock_;
    Random& random_;
    AuthSettings settings_;

    struct Failures {
        int count = 0;
        TimeMs locked_until = 0;
    };
    std::mutex mu_;
    std::map<std::string, Failures> failures_;  // GUARDED_BY(mu_), keyed by lower-case name
    CredentialCache credentials_;  // keyed by "session:" or "token:" + the token's hash
};

}  // namespace tessera
