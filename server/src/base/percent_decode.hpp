#pragma once
// Decoding %XX escapes: request targets and query strings, blob names from Azure's listings,
// paths inside manifest and Label Studio URLs. One decoder, so every reader refuses the same
// things.
#include <optional>
#include <string>
#include <string_view>

namespace tessera {

// nullopt for a malformed escape ("%", "%4", "%zz") or an encoded NUL, which would cut a path
// short in every C API it reaches. `plus_is_space` is for query strings and forms only.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space = false);

}  // namespace tessera
