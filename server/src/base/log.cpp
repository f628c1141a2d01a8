#include "base/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace tessera::log {
namespace {

std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};

const char* LevelName(Level level) {
    switch (level) {
        case Level::kDebug: return "debug";
        case Level::kInfo: return "info";
        case Level::kWarn: return "warn";
        case Level::kError: return "error";
    }
    return "info";
}

std::string Timestamp() {
    using namespace std::chrono;
    auto now = system_clock::now();
    auto secs = system_clock::to_time_t(now);
    auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms));
    return buf;
}

}  // namespace

void SetMinLevel(Level level) {
    g_min_level = static_cast<int>(level);
}

std::string FormatValue(std::string_view value) {
    bool needs_quotes = value.empty();
    for (char c : value) {
        if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') {
            needs_quotes = true;
            break;
        }
    }
    if (!needs_quotes) {
        return std::string(value);
    }
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
    return out;
}

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
    if (static_cast<int>(level) < g_min_level.load()) {
        return;
    }
    std::string line =
        "ts=" + Timestamp() + " level=" + LevelName(level) + " msg=" + FormatValue(msg);
    for (const auto& [key, value] : fields) {
        line.push_back(' ');
        line.append(key);
        line.push_back('=');
        line += FormatValue(value);
    }
    line.push_back('\n');
    // One fwrite per line keeps concurrent lines whole.
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace tessera::log
