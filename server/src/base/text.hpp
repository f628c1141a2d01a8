#pragma once
// Small ASCII text helpers shared by every module (names, headers, table cells, file names).
#include <string>
#include <string_view>

namespace tessera {

// True when `text` holds an ASCII control character (0x00-0x1F or 0x7F). Paths and patterns
// with one are refused outright: a NUL would silently cut a path short at the system call
// ("<root>/ok\0/../../x" opens "<root>/ok"), and the others only hide what a name says.
inline bool HasControlCharacter(std::string_view text) {
    for (unsigned char c : text) {
        if (c < 0x20 || c == 0x7F) {
            return true;
        }
    }
    return false;
}

// Whitespace that ends a line as well as spaces and tabs: for cells, lines and names read from
// files.
inline constexpr std::string_view kWhitespace = " \t\r\n";
// Spaces and tabs only: where a CR or LF is part of the value and must be seen (and rejected)
// by the caller's validation.
inline constexpr std::string_view kBlanks = " \t";

// `text` without leading and trailing characters from `strip`.
std::string Trim(std::string_view text, std::string_view strip = kWhitespace);
// The same as a view into `text` (no copy: header and line parsing).
std::string_view TrimmedView(std::string_view text, std::string_view strip = kWhitespace);

// ASCII lower case; other bytes (UTF-8 included) are kept as they are.
std::string Lower(std::string_view text);

// A /-separated path's folder with its final slash ("a/b/" for "a/b/c.jpg"); "" for a bare name.
std::string FolderOf(std::string_view path);

}  // namespace tessera
