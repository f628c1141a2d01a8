#include "services/auth_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include "base/log.hpp"
#include "services/permissions.hpp"
#include "services/sha256.hpp"

namespace tessera {
namespace {

constexpr std::size_t kMinPasswordLength = 8;
constexpr std::size_t kMaxPasswordLength = 1024;

std::string SessionKey(const std::string& token_hash) {
    return "session:" + token_hash;
}
std::string TokenKey(const std::string& token_hash) {
    return "token:" + token_hash;
}

Status ValidateUsername(const std::string& name) {
    if (name.empty() || name.size() > 64) {
        return Error::InvalidArgument("username must be 1-64 characters", "username");
    }
    for (unsigned char c : name) {
        if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') {
            return Error::InvalidArgument(
                "username may contain only letters, digits, '_', '-' and '.'", "username");
        }
    }
    return Status::Ok();
}

Status ValidatePassword(const std::string& password) {
    if (password.size() < kMinPasswordLength) {
        return Error::InvalidArgument("password must be at least 8 characters", "password");
    }
    if (password.size() > kMaxPasswordLength) {
        return Error::InvalidArgument("password is longer than 1024 characters", "password");
    }
    return Status::Ok();
}

}  // namespace

AuthService::AuthService(Repository& repo, const Clock& clock, Random& random,
                         AuthSettings settings, PasswordHasher* hasher)
    : repo_(repo),
      clock_(clock),
      random_(random),
      settings_(settings),
      own_hasher_(hasher == nullptr
                      ? std::make_unique<Argon2Hasher>(settings.opslimit, settings.memlimit)
                      : nullptr),
      hasher_(hasher == nullptr ? *own_hasher_ : *hasher),
      throttle_(clock, settings.throttle),
      credentials_(settings.credential_cache_ttl_ms, settings.credential_cache_entries) {
    // sodium_init is idempotent and thread-safe; failing means no usable CSPRNG or hashing.
    if (sodium_init() < 0) {
        log::Error("libsodium failed to initialise");
    }
    // Made up front, so the first unknown name is no quicker than the rest. Same cost as a
    // real hash, of a password nobody is told. Should hashing fail (out of memory), unknown
    // names verify against an empty string: quick, but the memory shortage is the bigger
    // problem then.
    auto dummy = hasher_.Hash(random_.HexToken(16));
    dummy_hash_ = dummy.ok() ? std::move(dummy).value() : std::string();
}

std::string AuthService::HashToken(const std::string& token) {
    return Sha256Hex(token);
}

bool AuthService::CheckPassword(const std::optional<User>& user, const std::string& password) {
    if (password.size() > kMaxPasswordLength) {
        return false;  // never hashed, whoever asks: the same for known and unknown names
    }
    if (!user) {
        (void)hasher_.Verify(dummy_hash_, password);
        return false;
    }
    return hasher_.Verify(user->password_hash, password);
}

Result<User> AuthService::CreateUser(const std::string& username, const std::string& password,
                                     Role role) {
    TESSERA_TRY(ValidateUsername(username));
    TESSERA_TRY(ValidatePassword(password));
    TESSERA_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(password));
    User user;
    user.username = username;
    user.role = role;
    user.password_hash = std::move(hash);
    user.created_at = clock_.NowMs();
    return repo_.CreateUser(user);
}

Result<std::optional<std::string>> AuthService::EnsureAdmin(const std::string& password) {
    auto existing = repo_.FindUserByName("admin");
    if (existing.ok()) {
        return std::optional<std::string>{};
    }
    if (existing.error().code != ErrorCode::kNotFound) {
        return existing.error();
    }
    std::string chosen = password.empty() ? random_.HexToken(12) : password;
    auto created = CreateUser("admin", chosen, Role::kOwner);
    if (!created.ok()) {
        return created.error();
    }
    if (password.empty()) {
        return std::optional<std::string>{chosen};
    }
    return std::optional<std::string>{};
}

Result<LoginResult> AuthService::Login(const std::string& username, const std::string& password,
                                       const std::string& client_address) {
    TESSERA_ASSIGN_OR_RETURN(LoginThrottle::Attempt attempt,
                             throttle_.Begin(username, client_address));
    std::optional<User> user;
    if (auto found = repo_.FindUserByName(username); found.ok()) {
        user = std::move(found).value();
    } else if (found.error().code != ErrorCode::kNotFound) {
        return found.error();  // the attempt is dropped uncounted
    }
    if (!CheckPassword(user, password)) {
        attempt.Failed();
        return Error::Unauthenticated("wrong username or password");
    }
    attempt.Succeeded();
    const TimeMs now = clock_.NowMs();
    LoginResult result;
    result.session_token = random_.HexToken(32);
    result.csrf_token = random_.HexToken(32);
    result.user = *user;
    Session session;
    session.token_hash = HashToken(result.session_token);
    session.user_id = user->id;
    session.csrf_token = result.csrf_token;
    session.created_at = now;
    session.expires_at = now + settings_.session_ttl_ms;
    TESSERA_TRY(repo_.CreateSession(session));
    return result;
}

Status AuthService::Logout(const std::string& session_token) {
    const std::string hash = HashToken(session_token);
    Status deleted = repo_.DeleteSession(hash);
    // Erased after the delete: a request that read the session just before the delete then
    // finds the cache's generation changed and does not put the session back.
    credentials_.Erase(SessionKey(hash));
    return deleted;
}

Result<LogoutEverywhereResult> AuthService::LogoutEverywhere(const User& user, bool revoke_tokens) {
    Result<std::int64_t> sessions = repo_.DeleteUserSessions(user.id, "");
    Result<std::int64_t> tokens = std::int64_t{0};
    if (revoke_tokens && sessions.ok()) {
        tokens = repo_.DeleteUserApiTokens(user.id);
    }
    // After the deletes, as Logout does; also when the second failed, since the first ran.
    ForgetUser(user.id);
    TESSERA_TRY(sessions);
    TESSERA_TRY(tokens);
    return LogoutEverywhereResult{*sessions, *tokens};
}

Status AuthService::ChangePassword(const User& user, const std::string& keep_session_token,
                                   const std::string& current_password,
                                   const std::string& new_password,
                                   const std::string& client_address) {
    if (Status valid = ValidatePassword(new_password); !valid.ok()) {
        Error error = valid.error();
        error.field = "new_password";
        return error;
    }
    TESSERA_ASSIGN_OR_RETURN(LoginThrottle::Attempt attempt,
                             throttle_.Begin(user.username, client_address));
    // The stored hash, not the cached user's: another process may have changed it.
    TESSERA_ASSIGN_OR_RETURN(User stored, repo_.GetUser(user.id));
    if (!CheckPassword(stored, current_password)) {
        attempt.Failed();
        Error error = Error::PermissionDenied("current password is wrong");
        error.field = "current_password";
        return error;
    }
    attempt.Succeeded();
    TESSERA_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(new_password));
    const std::string keep = keep_session_token.empty() ? "" : HashToken(keep_session_token);
    Status changed = repo_.ChangePassword(user.id, hash, keep);
    ForgetUser(user.id);
    return changed;
}

Result<AuthenticatedSession> AuthService::AuthenticateSession(const std::string& session_token) {
    if (session_token.empty()) {
        return Error::Unauthenticated("not logged in");
    }
    const TimeMs now = clock_.NowMs();
    const std::string hash = HashToken(session_token);
    const std::string key = SessionKey(hash);
    // A session due for extension goes to the database, so the cache never vouches for a user
    // longer than its TTL.
    auto cached = credentials_.Get(key, now);
    if (cached && cached->expires_at - now >= settings_.session_ttl_ms / 2) {
        return AuthenticatedSession{std::move(cached->user), std::move(cached->csrf_token)};
    }
    const std::uint64_t generation = credentials_.Generation();
    auto found = repo_.FindSession(hash, now);
    if (!found.ok()) {
        if (found.error().code == ErrorCode::kNotFound) {
            return Error::Unauthenticated("session expired; log in again");
        }
        return found.error();
    }
    CachedCredential credential{std::move(found->user), std::move(found->session.csrf_token),
                                found->session.expires_at};
    // Extend once half the lifetime is used: sliding expiry without a write per request.
    if (credential.expires_at - now < settings_.session_ttl_ms / 2) {
        credential.expires_at = now + settings_.session_ttl_ms;
        Status extended = repo_.ExtendSession(hash, credential.expires_at);
        if (!extended.ok()) {
            if (extended.error().code == ErrorCode::kNotFound) {  // logged out meanwhile
                return Error::Unauthenticated("session expired; log in again");
            }
            return extended.error();
        }
    }
    credentials_.Put(key, credential, now, generation);
    return AuthenticatedSession{std::move(credential.user), std::move(credential.csrf_token)};
}

Result<User> AuthService::AuthenticateBearer(const std::string& api_token) {
    const TimeMs now = clock_.NowMs();
    const std::string hash = HashToken(api_token);
    const std::string key = TokenKey(hash);
    if (auto cached = credentials_.Get(key, now)) {
        return std::move(cached->user);
    }
    const std::uint64_t generation = credentials_.Generation();
    auto found = repo_.FindApiToken(hash);
    if (!found.ok()) {
        if (found.error().code == ErrorCode::kNotFound) {
            return Error::Unauthenticated("unknown API token");
        }
        return found.error();
    }
    if (found->token.expires_at <= now) {
        return Error::Unauthenticated("API token expired; create a new one");
    }
    // The cache drops the entry once the token expires (CachedCredential::expires_at).
    credentials_.Put(key, CachedCredential{found->user, "", found->token.expires_at}, now,
                     generation);
    return std::move(found->user);
}

void AuthService::ForgetUser(Id user_id) {
    credentials_.EraseUser(user_id);
}

Result<std::vector<User>> AuthService::ListUsers(const User& actor) {
    TESSERA_TRY(RequireOwner(actor, "list users"));
    return repo_.ListUsers();
}

Result<User> AuthService::UpdateUser(const User& actor, Id user_id, const UserPatch& patch) {
    TESSERA_TRY(RequireOwner(actor, "change users"));
    if (!patch.role && !patch.password) {
        return Error::InvalidArgument("nothing to change: give role and/or password");
    }
    std::string hash;
    if (patch.password) {
        if (Status valid = ValidatePassword(*patch.password); !valid.ok()) {
            Error error = valid.error();
            error.field = "password";
            return error;
        }
        TESSERA_ASSIGN_OR_RETURN(hash, hasher_.Hash(*patch.password));
    }
    TESSERA_TRY(repo_.GetUser(user_id));  // kNotFound before anything changes
    Status changed = Status::Ok();
    if (patch.role) {
        changed = repo_.SetUserRole(user_id, *patch.role);
    }
    if (changed.ok() && patch.password) {
        changed = repo_.ChangePassword(user_id, hash, "");  // every session of the user ends
    }
    ForgetUser(user_id);
    TESSERA_TRY(changed);
    return repo_.GetUser(user_id);
}

Result<CreatedApiToken> AuthService::CreateApiToken(const User& user, const std::string& name,
                                                    std::optional<TimeMs> ttl_ms) {
    if (name.empty() || name.size() > 100) {
        return Error::InvalidArgument("token name must be 1-100 characters", "name");
    }
    const TimeMs ttl = ttl_ms.value_or(settings_.api_token_default_ttl_ms);
    if (ttl <= 0 || ttl > settings_.api_token_max_ttl_ms) {
        return Error::InvalidArgument(
            "expires_in_days must be from 1 to " +
                std::to_string(settings_.api_token_max_ttl_ms / (TimeMs{24} * 3600 * 1000)),
            "expires_in_days");
    }
    CreatedApiToken created;
    created.token = "tsr_" + random_.HexToken(32);
    ApiToken token;
    token.user_id = user.id;
    token.name = name;
    token.token_hash = HashToken(created.token);
    token.created_at = clock_.NowMs();
    token.expires_at = token.created_at + ttl;
    TESSERA_ASSIGN_OR_RETURN(created.record, repo_.CreateApiToken(token));
    return created;
}

Result<std::vector<ApiToken>> AuthService::ListApiTokens(const User& user) {
    return repo_.ListApiTokens(user.id);
}

Status AuthService::RevokeApiToken(const User& user, Id token_id) {
    Status deleted = repo_.DeleteApiToken(user.id, token_id);
    // After the delete, as Logout does: a request that read the token just before cannot put
    // it back into the cache.
    ForgetUser(user.id);
    return deleted;
}

}  // namespace tessera
