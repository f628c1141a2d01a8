#pragma once
// Path globs for datasources, matched one '/'-separated segment at a time so a folder walk can
// prune folders that cannot match. `**` is any number of whole segments (zero included); `*`
// and `?` match within one segment. Names match case-sensitively. As in a shell, a wildcard
// never matches a leading '.', so hidden files and folders (and macOS "._x.jpg" sidecars) are
// left out unless the pattern names them.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace tessera {

class Glob {
public:
    // Set of positions in the pattern that a partial path can be at.
    using State = std::uint64_t;
    static constexpr std::size_t kMaxSegments = 60;

    // "" means "**/*.*". kInvalidArgument for absolute patterns, ".." or too many segments.
    static Result<Glob> Parse(std::string_view pattern);

    State Start() const;
    // The state after one more path segment; 0 when nothing can match any more.
    State Step(State state, std::string_view segment) const;
    // The path that led to `state` matches the whole pattern.
    bool Accepts(State state) const;
    // Some longer path through `state` could still match (worth descending into a folder).
    bool CanContinue(State state) const;

    // Whole relative path, '/'-separated.
    bool Matches(std::string_view relative_path) const;

private:
    State Closure(State state) const;

    std::vector<std::string> segments_;
};

// '*' and '?' within one name; exposed for tests.
bool MatchSegment(std::string_view pattern, std::string_view name);

}  // namespace tessera
