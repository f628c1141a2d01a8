#include "services/auth_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>

#include "base/log.hpp"
#include "services/permissions.hpp"

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

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
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
                         AuthSettings settings)
    : repo_(repo),
      clock_(clock),
      random_(random),
      settings_(settings),
      credentials_(settings.credential_cache_ttl_ms, settings.credential_cache_entries) {
    // sodium_init is idempotent and thread-safe; failing means no usable CSPRNG or hashing.
    if (sodium_init() < 0) {
        log::Error("libsodium failed to initialise");
    }
    if (settings_.opslimit == 0) {
        settings_.opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    }
    if (settings_.memlimit == 0) {
        settings_.memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    }
}

std::string AuthService::HashToken(const std::string& token) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : digest) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    return out;
}

Result<std::string> AuthService::HashPassword(const std::string& password) const {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), settings_.opslimit,
                          settings_.memlimit) != 0) {
        return Error::Unavailable("out of memory while hashing the password");
    }
    return std::string(out);
}

bool AuthService::VerifyPassword(const std::string& hash, const std::string& password) const {
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Result<User> AuthService::CreateUser(const std::string& username, const std::string& password,
                                     Role role) {
    TESSERA_TRY(ValidateUsername(username));
    TESSERA_TRY(ValidatePassword(password));
    TESSERA_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
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

Result<LoginResult> AuthService::Login(const std::string& username, const std::string& password) {
    const std::string key = Lower(username);
    const TimeMs now = clock_.NowMs();
    {
        std::lock_guard lock(mu_);
        auto it = failures_.find(key);
        if (it != failures_.end() && it->second.locked_until > now) {
            return Error::TooManyRequests(
                "too many failed logins; try again in " +
                std::to_string((it->second.locked_until - now) / 1000 + 1) + " s");
        }
    }
    auto user = repo_.FindUserByName(username);
    if (!user.ok() && user.error().code != ErrorCode::kNotFound) {
        return user.error();
    }
    const bool good = user.ok() && password.size() <= kMaxPasswordLength &&
                      VerifyPassword(user->password_hash, password);
    if (!good) {
        std::lock_guard lock(mu_);
        Failures& f = failures_[key];
        f.count += 1;
        if (f.count >= settings_.failures_before_delay) {
            f.locked_until = now + settings_.failure_delay_ms;
            f.count = 0;
        }
        return Error::Unauthenticated("wrong username or password");
    }
    {
        std::lock_guard lock(mu_);
        failures_.erase(key);
    }
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
    credentials_.Put(key, CachedCredential{found->user, "", 0}, now, generation);
    return std::move(found->user);
}

void AuthService::ForgetUser(Id user_id) {
    credentials_.EraseUser(user_id);
}

Result<std::vector<User>> AuthService::ListUsers(const User& actor) {
    TESSERA_TRY(RequireOwner(actor, "list users"));
    return repo_.ListUsers();
}

Result<std::string> AuthService::CreateApiToken(const User& user, const std::string& name) {
    if (name.empty() || name.size() > 100) {
        return Error::InvalidArgument("token name must be 1-100 characters", "name");
    }
    std::string plain = "tsr_" + random_.HexToken(32);
    ApiToken token;
    token.user_id = user.id;
    token.name = name;
    token.token_hash = HashToken(plain);
    token.created_at = clock_.NowMs();
    TESSERA_TRY(repo_.CreateApiToken(token));
    return plain;
}

}  // namespace tessera
