#include "blobs/glob.hpp"

namespace tessera {
namespace {

constexpr std::string_view kDefaultPattern = "**/*.*";

bool MatchFrom(std::string_view p, std::string_view s) {
    // Iterative wildcard match with single-star backtracking: linear-ish, no recursion.
    std::size_t pi = 0;
    std::size_t si = 0;
    std::size_t star = std::string_view::npos;
    std::size_t star_s = 0;
    while (si < s.size()) {
        if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
            ++pi;
            ++si;
        } else if (pi < p.size() && p[pi] == '*') {
            star = pi++;
            star_s = si;
        } else if (star != std::string_view::npos) {
            pi = star + 1;
            si = ++star_s;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*') {
        ++pi;
    }
    return pi == p.size();
}

}  // namespace

bool MatchSegment(std::string_view pattern, std::string_view name) {
    if (!name.empty() && name[0] == '.' && !pattern.empty() &&
        (pattern[0] == '*' || pattern[0] == '?')) {
        return false;
    }
    return MatchFrom(pattern, name);
}

Result<Glob> Glob::Parse(std::string_view pattern) {
    if (pattern.empty()) {
        pattern = kDefaultPattern;
    }
    if (pattern[0] == '/') {
        return Error::InvalidArgument("pattern must be relative to the folder", "pattern");
    }
    Glob glob;
    std::size_t start = 0;
    while (start <= pattern.size()) {
        std::size_t end = pattern.find('/', start);
        if (end == std::string_view::npos) {
            end = pattern.size();
        }
        std::string_view seg = pattern.substr(start, end - start);
        if (seg == "..") {
            return Error::InvalidArgument("pattern must not contain '..'", "pattern");
        }
        if (!seg.empty() && seg != ".") {
            glob.segments_.emplace_back(seg);
        }
        start = end + 1;
    }
    if (glob.segments_.empty()) {
        return Error::InvalidArgument("pattern is empty", "pattern");
    }
    if (glob.segments_.size() > kMaxSegments) {
        return Error::InvalidArgument("pattern has too many segments", "pattern");
    }
    return glob;
}

Glob::State Glob::Closure(State state) const {
    // `**` may match zero segments: being before it also means being after it.
    for (std::size_t i = 0; i < segments_.size(); ++i) {
        if ((state >> i & 1) && segments_[i] == "**") {
            state |= State{1} << (i + 1);
        }
    }
    return state;
}

Glob::State Glob::Start() const {
    return Closure(1);
}

Glob::State Glob::Step(State state, std::string_view segment) const {
    State next = 0;
    for (std::size_t i = 0; i < segments_.size(); ++i) {
        if (!(state >> i & 1)) {
            continue;
        }
        if (segments_[i] == "**") {
            if (segment.empty() || segment[0] != '.') {
                next |= State{1} << i;
            }
        } else if (MatchSegment(segments_[i], segment)) {
            next |= State{1} << (i + 1);
        }
    }
    return Closure(next);
}

bool Glob::Accepts(State state) const {
    return (state >> segments_.size() & 1) != 0;
}

bool Glob::CanContinue(State state) const {
    return (state & ((State{1} << segments_.size()) - 1)) != 0;
}

bool Glob::Matches(std::string_view relative_path) const {
    State state = Start();
    std::size_t start = 0;
    while (state != 0 && start <= relative_path.size()) {
        std::size_t end = relative_path.find('/', start);
        if (end == std::string_view::npos) {
            end = relative_path.size();
        }
        state = Step(state, relative_path.substr(start, end - start));
        start = end + 1;
    }
    return Accepts(state);
}

}  // namespace tessera
