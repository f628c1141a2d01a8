// Users, sessions and API tokens.
#include <algorithm>

#include "storage/sql/sql_codec.hpp"
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

using sql_internal::ConflictAs;
using sql_internal::QueryInt;

namespace {

constexpr std::size_t kTokenColumnCount = 6;

std::string TokenColumns(const std::string& alias) {
    const std::string p = alias + ".";
    return p + "id, " + p + "user_id, " + p + "name, " + p + "token_hash, " + p + "created_at, " +
           p + "expires_at";
}

ApiToken ReadToken(const SqlRow& r) {
    return ApiToken{r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5)};
}

}  // namespace

Result<User> SqlRepository::CreateUser(const User& user) {
    Result<User> out = WriteTx<User>([&](SqlConn& conn) -> Result<User> {
        TESSERA_ASSIGN_OR_RETURN(Id id, QueryInt(conn,
                                                 "INSERT INTO users (username, username_key, role, "
                                                 "password_hash, created_at) VALUES ($1, $2, $3, "
                                                 "$4, $5) RETURNING id",
                                                 {user.username, NameKey(user.username),
                                                  std::string(RoleName(user.role)),
                                                  user.password_hash, user.created_at}));
        User created = user;
        created.id = id;
        return created;
    });
    if (!out.ok()) {
        return ConflictAs(out.error(), "username already exists: " + user.username);
    }
    return out;
}

Result<User> SqlRepository::GetUser(Id id) {
    return ReadTx<User>([&](SqlConn& conn) -> Result<User> {
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT " + UserColumns() + " FROM users WHERE id = $1", {id}));
        if (rows.empty()) {
            return Error::NotFound("user not found");
        }
        return ReadUser(rows[0]);
    });
}

Result<User> SqlRepository::FindUserByName(const std::string& username) {
    return ReadTx<User>([&](SqlConn& conn) -> Result<User> {
        TESSERA_ASSIGN_OR_RETURN(SqlRows rows, conn.Query("SELECT " + UserColumns() +
                                                              " FROM users WHERE username_key = $1",
                                                          {NameKey(username)}));
        if (rows.empty()) {
            return Error::NotFound("user not found");
        }
        return ReadUser(rows[0]);
    });
}

Result<std::int64_t> SqlRepository::CountUsers() {
    return ReadTx<std::int64_t>(
        [&](SqlConn& conn) { return QueryInt(conn, "SELECT count(*) FROM users", {}); });
}

Result<std::vector<User>> SqlRepository::ListUsers() {
    return ReadTx<std::vector<User>>([&](SqlConn& conn) -> Result<std::vector<User>> {
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT " + UserColumns() + " FROM users ORDER BY username_key", {}));
        std::vector<User> users;
        users.reserve(rows.size());
        for (const auto& row : rows) {
            users.push_back(ReadUser(row));
        }
        return users;
    });
}

Status SqlRepository::CreateSession(const Session& session) {
    return db().Write([&](SqlConn& conn) -> Status {
        Result<std::int64_t> n = conn.Exec(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) "
            "VALUES ($1, $2, $3, $4, $5)",
            {session.token_hash, session.user_id, session.csrf_token, session.created_at,
             session.expires_at});
        if (!n.ok()) {
            return n.error();
        }
        return Status::Ok();
    });
}

Result<SessionWithUser> SqlRepository::FindSession(const std::string& token_hash, TimeMs now) {
    return ReadTx<SessionWithUser>([&](SqlConn& conn) -> Result<SessionWithUser> {
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query(
                "SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at, s.expires_at, " +
                    UserColumns("u") +
                    " FROM sessions s JOIN users u ON u.id = s.user_id "
                    "WHERE s.token_hash = $1 AND s.expires_at > $2",
                {token_hash, now}));
        if (rows.empty()) {
            return Error::NotFound("session not found");
        }
        const SqlRow& r = rows[0];
        return SessionWithUser{Session{r.Text(0), r.Int(1), r.Text(2), r.Int(3), r.Int(4)},
                               ReadUser(r, 5)};
    });
}

Status SqlRepository::ExtendSession(const std::string& token_hash, TimeMs expires_at) {
    return db().Write([&](SqlConn& conn) -> Status {
        TESSERA_ASSIGN_OR_RETURN(
            std::int64_t n, conn.Exec("UPDATE sessions SET expires_at = $2 WHERE token_hash = $1",
                                      {token_hash, expires_at}));
        if (n == 0) {
            return Error::NotFound("session not found");
        }
        return Status::Ok();
    });
}

Status SqlRepository::DeleteSession(const std::string& token_hash) {
    return db().Write([&](SqlConn& conn) -> Status {
        TESSERA_TRY(conn.Exec("DELETE FROM sessions WHERE token_hash = $1", {token_hash}));
        return Status::Ok();
    });
}

Result<std::int64_t> SqlRepository::DeleteUserSessions(Id user_id,
                                                       const std::string& keep_token_hash) {
    return WriteTx<std::int64_t>([&](SqlConn& conn) {
        return conn.Exec("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
                         {user_id, keep_token_hash});
    });
}

Status SqlRepository::ChangePassword(Id user_id, const std::string& password_hash,
                                     const std::string& keep_session_hash) {
    return db().Write([&](SqlConn& conn) -> Status {
        TESSERA_ASSIGN_OR_RETURN(std::int64_t n,
                                 conn.Exec("UPDATE users SET password_hash = $2 WHERE id = $1",
                                           {user_id, password_hash}));
        if (n == 0) {
            return Error::NotFound("user not found");
        }
        TESSERA_TRY(conn.Exec("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
                              {user_id, keep_session_hash}));
        return Status::Ok();
    });
}

Status SqlRepository::SetUserRole(Id user_id, Role role) {
    const SqlDialect dialect = db().dialect();
    return db().Write([&](SqlConn& conn) -> Status {
        // PostgreSQL: the owners' rows are locked, so a concurrent demotion waits and then
        // counts what this one left.
        const std::string lock = dialect == SqlDialect::kPostgres ? " FOR UPDATE" : "";
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows owners, conn.Query("SELECT id FROM users WHERE role = 'owner'" + lock, {}));
        const bool is_owner = std::any_of(owners.begin(), owners.end(),
                                          [&](const SqlRow& row) { return row.Int(0) == user_id; });
        if (is_owner && role != Role::kOwner && owners.size() == 1) {
            return Error::FailedPrecondition("the server needs an owner: make another one first");
        }
        TESSERA_ASSIGN_OR_RETURN(std::int64_t n,
                                 conn.Exec("UPDATE users SET role = $2 WHERE id = $1",
                                           {user_id, std::string(RoleName(role))}));
        if (n == 0) {
            return Error::NotFound("user not found");
        }
        return Status::Ok();
    });
}

Result<ApiToken> SqlRepository::CreateApiToken(const ApiToken& token) {
    Result<ApiToken> out = WriteTx<ApiToken>([&](SqlConn& conn) -> Result<ApiToken> {
        TESSERA_ASSIGN_OR_RETURN(
            Id id,
            QueryInt(
                conn,
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) "
                "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                {token.user_id, token.name, token.token_hash, token.created_at, token.expires_at}));
        ApiToken created = token;
        created.id = id;
        return created;
    });
    if (!out.ok()) {
        return ConflictAs(out.error(), "token already exists");
    }
    return out;
}

Result<ApiTokenWithUser> SqlRepository::FindApiToken(const std::string& token_hash) {
    return ReadTx<ApiTokenWithUser>([&](SqlConn& conn) -> Result<ApiTokenWithUser> {
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows, conn.Query("SELECT " + TokenColumns("t") + ", " + UserColumns("u") +
                                         " FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                         "WHERE t.token_hash = $1",
                                     {token_hash}));
        if (rows.empty()) {
            return Error::NotFound("token not found");
        }
        const SqlRow& r = rows[0];
        return ApiTokenWithUser{ReadToken(r), ReadUser(r, kTokenColumnCount)};
    });
}

Result<std::vector<ApiToken>> SqlRepository::ListApiTokens(Id user_id) {
    return ReadTx<std::vector<ApiToken>>([&](SqlConn& conn) -> Result<std::vector<ApiToken>> {
        TESSERA_ASSIGN_OR_RETURN(SqlRows rows,
                                 conn.Query("SELECT " + TokenColumns("t") +
                                                " FROM api_tokens t WHERE t.user_id = $1 "
                                                "ORDER BY t.created_at DESC, t.id DESC",
                                            {user_id}));
        std::vector<ApiToken> tokens;
        tokens.reserve(rows.size());
        for (const auto& row : rows) {
            tokens.push_back(ReadToken(row));
        }
        return tokens;
    });
}

Status SqlRepository::DeleteApiToken(Id user_id, Id token_id) {
    return db().Write([&](SqlConn& conn) -> Status {
        TESSERA_ASSIGN_OR_RETURN(std::int64_t n,
                                 conn.Exec("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2",
                                           {token_id, user_id}));
        if (n == 0) {
            return Error::NotFound("token not found");
        }
        return Status::Ok();
    });
}

Result<std::int64_t> SqlRepository::DeleteUserApiTokens(Id user_id) {
    return WriteTx<std::int64_t>([&](SqlConn& conn) {
        return conn.Exec("DELETE FROM api_tokens WHERE user_id = $1", {user_id});
    });
}

}  // namespace tessera
