#pragma once
// Errors as values between modules. An Error carries one ErrorCode (mapped to HTTP in exactly
// one place: http/error_mapping.cpp) and a message meant for the API user.

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "base/error_code.hpp"

namespace tessera {

struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;
    // Optional machine-readable detail, e.g. the field or shape that failed validation.
    std::string field;

    static Error InvalidArgument(std::string msg, std::string field = {}) {
        return {ErrorCode::kInvalidArgument, std::move(msg), std::move(field)};
    }
    static Error NotFound(std::string msg) { return {ErrorCode::kNotFound, std::move(msg), {}}; }
    static Error Conflict(std::string msg) { return {ErrorCode::kConflict, std::move(msg), {}}; }
    static Error Unauthenticated(std::string msg) {
        return {ErrorCode::kUnauthenticated, std::move(msg), {}};
    }
    static Error PermissionDenied(std::string msg) {
        return {ErrorCode::kPermissionDenied, std::move(msg), {}};
    }
    static Error FailedPrecondition(std::string msg) {
        return {ErrorCode::kFailedPrecondition, std::move(msg), {}};
    }
    static Error LeaseInvalid(std::string msg) {
        return {ErrorCode::kLeaseInvalid, std::move(msg), {}};
    }
    static Error TooManyRequests(std::string msg) {
        return {ErrorCode::kTooManyRequests, std::move(msg), {}};
    }
    static Error Unavailable(std::string msg) {
        return {ErrorCode::kUnavailable, std::move(msg), {}};
    }
    static Error Internal(std::string msg) { return {ErrorCode::kInternal, std::move(msg), {}}; }
};

// A value or an Error. Deliberately tiny: C++20 has no std::expected.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return std::holds_alternative<T>(v_); }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<T>(v_); }
    const T& value() const& { return std::get<T>(v_); }
    T&& value() && { return std::get<T>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { return std::get<Error>(v_); }

private:
    std::variant<T, Error> v_;
};

// Result for operations that produce no value.
class [[nodiscard]] Status {
public:
    Status() = default;
    Status(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
    static Status Ok() { return {}; }

    bool ok() const { return !error_.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return *error_; }

private:
    std::optional<Error> error_;
};

}  // namespace tessera

// Propagate an error from a Status or Result expression.
#define TESSERA_TRY(expr)                \
    do {                                 \
        auto&& tessera_try_ = (expr);    \
        if (!tessera_try_.ok()) {        \
            return tessera_try_.error(); \
        }                                \
    } while (false)

#define TESSERA_CONCAT_INNER(a, b) a##b
#define TESSERA_CONCAT(a, b) TESSERA_CONCAT_INNER(a, b)
// NOLINTBEGIN(bugprone-macro-parentheses): tmp and lhs are declarators (`auto x`), not exprs.
#define TESSERA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
    auto tmp = (expr);                                \
    if (!tmp.ok()) {                                  \
        return tmp.error();                           \
    }                                                 \
    lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

// TESSERA_ASSIGN_OR_RETURN(auto x, Foo()); declares x from a Result or returns its error.
#define TESSERA_ASSIGN_OR_RETURN(lhs, expr) \
    TESSERA_ASSIGN_OR_RETURN_IMPL(TESSERA_CONCAT(tessera_r_, __LINE__), lhs, expr)
