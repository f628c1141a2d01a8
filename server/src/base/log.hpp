#pragma once
// Structured one-line logs on stderr: `ts=... level=info msg="..." key=value ...`.
// Thread-safe; each call writes one whole line.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace tessera::log {

enum class Level { kDebug, kInfo, kWarn, kError };

using Field = std::pair<std::string_view, std::string>;

void SetMinLevel(Level level);
void Write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});

inline void Info(std::string_view msg, std::initializer_list<Field> fields = {}) {
    Write(Level::kInfo, msg, fields);
}
inline void Warn(std::string_view msg, std::initializer_list<Field> fields = {}) {
    Write(Level::kWarn, msg, fields);
}
inline void Error(std::string_view msg, std::initializer_list<Field> fields = {}) {
    Write(Level::kError, msg, fields);
}

// Quotes a value when it contains spaces, quotes or '='; exposed for tests.
std::string FormatValue(std::string_view value);

}  // namespace tessera::log
