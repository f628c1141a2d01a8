#include "storage/sql/sql_conn.hpp"

#include <charconv>
#include <cstdlib>
#include <exception>

namespace tessera {

bool SqlRow::IsNull(std::size_t i) const {
    return i >= cells_.size() || std::holds_alternative<std::monostate>(cells_[i]);
}

std::int64_t SqlRow::Int(std::size_t i) const {
    if (IsNull(i)) {
        return 0;
    }
    const SqlValue& v = cells_[i];
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
        return *n;
    }
    if (const auto* d = std::get_if<double>(&v)) {
        return static_cast<std::int64_t>(*d);
    }
    const std::string& s = std::get<std::string>(v);
    std::int64_t out = 0;
    std::from_chars(s.data(), s.data() + s.size(), out);
    return out;
}

double SqlRow::Real(std::size_t i) const {
    if (IsNull(i)) {
        return 0;
    }
    const SqlValue& v = cells_[i];
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
        return static_cast<double>(*n);
    }
    if (const auto* d = std::get_if<double>(&v)) {
        return *d;
    }
    // strtod, not from_chars: PostgreSQL spells infinities "Infinity".
    return std::strtod(std::get<std::string>(v).c_str(), nullptr);
}

std::string SqlRow::Text(std::size_t i) const {
    if (IsNull(i)) {
        return {};
    }
    const SqlValue& v = cells_[i];
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
        return std::to_string(*n);
    }
    if (const auto* d = std::get_if<double>(&v)) {
        return std::to_string(*d);
    }
    return std::get<std::string>(v);
}

std::optional<std::int64_t> SqlRow::OptInt(std::size_t i) const {
    if (IsNull(i)) {
        return std::nullopt;
    }
    return Int(i);
}

std::optional<double> SqlRow::OptReal(std::size_t i) const {
    if (IsNull(i)) {
        return std::nullopt;
    }
    return Real(i);
}

Status RunGuarded(const SqlWork& work, SqlConn& conn) {
    try {
        return work(conn);
    } catch (const std::exception& e) {
        return Error::Internal(std::string("storage: ") + e.what());
    } catch (...) {
        return Error::Internal("storage: unknown exception");
    }
}

}  // namespace tessera
