#pragma once
// Small checks on user-given text shared across modules.
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

}  // namespace tessera
