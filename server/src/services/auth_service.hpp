#pragma once
// Accounts, login sessions and API tokens. Passwords are hashed with argon2id (libsodium);
// session and API tokens are random 32-byte values of which only a SHA-256 hash is stored.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "domain/model.hpp"
#include "services/credential_cache.hpp"
#include "services/login_throttle.hpp"
#include "services/password_hasher.hpp"
#include "storage/repository.hpp"

namespace tessera {

struct AuthSettings {
    TimeMs session_ttl_ms = 7LL * 24 * 3600 * 1000;  // sliding: extended on use
    // Password guessing limits: per username, per client address, concurrent hashes
    // (login_throttle.hpp).
    LoginThrottleSettings throttle;
    // API tokens expire: the creator picks a lifetime up to the maximum, else the default.
    TimeMs api_token_default_ttl_ms = TimeMs{90} * 24 * 3600 * 1000;
    TimeMs api_token_max_ttl_ms = TimeMs{365} * 24 * 3600 * 1000;
    // Validated credentials are kept this long, so a burst of requests costs one database
    // lookup. Logout, revocation, password change and ForgetUser in this process take effect
    // at once; other processes on the same database see them up to this much later. 0 turns
    // the cache off.
    TimeMs credential_cache_ttl_ms = TimeMs{3} * 1000;
    std::size_t credential_cache_entries = 10'000;
    // argon2id cost; tests lower it so they stay fast. Unused when a hasher is injected.
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

struct CreatedApiToken {
    std::string token;  // the plain token, shown once
    ApiToken record;    // what is stored (its hash, name, times)
};

struct LogoutEverywhereResult {
    std::int64_t sessions_ended = 0;
    std::int64_t tokens_revoked = 0;
};

class AuthService {
public:
    // `hasher` null: argon2id with the settings' limits.
    AuthService(Repository& repo, const Clock& clock, Random& random, AuthSettings settings,
                PasswordHasher* hasher = nullptr);

    // kInvalidArgument for a bad name or a password shorter than 8 characters; kConflict when
    // the name is taken.
    Result<User> CreateUser(const std::string& username, const std::string& password, Role role);
    // Creates the `admin` owner on first start. Returns the generated password when `password`
    // is empty (the caller prints it once), nullopt when admin already existed or was given.
    Result<std::optional<std::string>> EnsureAdmin(const std::string& password);

    // kUnauthenticated for a wrong name or password (one message for both, and one password
    // hash for both, so neither the answer nor its timing tells which); kTooManyRequests or
    // kUnavailable from the throttle (login_throttle.hpp). `client_address` is the peer's IP.
    Result<LoginResult> Login(const std::string& username, const std::string& password,
                              const std::string& client_address);
    Status Logout(const std::string& session_token);
    // Ends every session of the user and, with `revoke_tokens`, deletes their API tokens.
    Result<LogoutEverywhereResult> LogoutEverywhere(const User& user, bool revoke_tokens);
    // Checks `current_password` (throttled like a login; a wrong one is kPermissionDenied on
    // field current_password), stores the new one and ends the user's other sessions: all but
    // `keep_session_token` (empty for a bearer-authenticated caller). API tokens stay.
    Status ChangePassword(const User& user, const std::string& keep_session_token,
                          const std::string& current_password, const std::string& new_password,
                          const std::string& client_address);
    // kUnauthenticated for unknown or expired sessions. Extends the session (sliding expiry).
    Result<AuthenticatedSession> AuthenticateSession(const std::string& session_token);
    // kUnauthenticated for unknown and expired tokens.
    Result<User> AuthenticateBearer(const std::string& api_token);
    // Drops the user's cached credentials, so this process checks the database on their next
    // request. Whatever changes who a user is or whether they may log in (password change,
    // deactivation, role change, token revocation) must call it once the change is stored.
    void ForgetUser(Id user_id);
    // Returns the plain token once; only its hash is kept. `ttl_ms` nullopt: the default
    // lifetime; otherwise 1 ms up to the maximum (kInvalidArgument on field expires_in_days).
    Result<CreatedApiToken> CreateApiToken(const User& user, const std::string& name,
                                           std::optional<TimeMs> ttl_ms = std::nullopt);
    // The user's own tokens, newest first (expired ones included, so they can be cleaned up).
    Result<std::vector<ApiToken>> ListApiTokens(const User& user);
    // kNotFound unless the token is the user's. Takes effect at once in this process.
    Status RevokeApiToken(const User& user, Id token_id);
    // Owners only.
    Result<std::vector<User>> ListUsers(const User& actor);
    // PATCH /users/{id}, owners only: a new account role (never leaving the server without an
    // owner) and/or a new password (the user's sessions all end: an owner's reset). Takes
    // effect at once in this process (ForgetUser), within 3 s in others.
    struct UserPatch {
        std::optional<Role> role;
        std::optional<std::string> password;
    };
    Result<User> UpdateUser(const User& actor, Id user_id, const UserPatch& patch);

    static std::string HashToken(const std::string& token);  // hex SHA-256

private:
    // Verifies against `user`'s hash, or against a dummy hash of the same cost when there is no
    // such user, so an unknown name takes as long as a wrong password.
    bool CheckPassword(const std::optional<User>& user, const std::string& password);

    Repository& repo_;
    const Clock& clock_;
    Random& random_;
    AuthSettings settings_;
    std::unique_ptr<Argon2Hasher> own_hasher_;  // when none was injected
    PasswordHasher& hasher_;
    LoginThrottle throttle_;
    CredentialCache credentials_;  // keyed by "session:" or "token:" + the token's hash
    std::string dummy_hash_;       // what unknown names are checked against
};

}  // namespace tessera
