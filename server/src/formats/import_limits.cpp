#include "formats/import_limits.hpp"

namespace tessera {

Error NestingTooDeep(const std::string& what) {
    return Error::InvalidArgument(what + " nests deeper than " + std::to_string(kMaxImportNesting) +
                                  " levels, the limit for imports");
}

Error JsonElementTooLong(const std::string& what) {
    return Error{ErrorCode::kPayloadTooLarge,
                 what + " is longer than " + std::to_string(kMaxJsonElementBytes >> 20) +
                     " MiB, the limit for one element of a streamed JSON file",
                 {}};
}

Error JsonElementTooManyValues(const std::string& what) {
    return Error{ErrorCode::kPayloadTooLarge,
                 what + " holds more than " + std::to_string(kMaxJsonElementValues) +
                     " values, the limit for one element of a streamed JSON file",
                 {}};
}

Status CheckJsonNesting(std::string_view text, const std::string& what) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;  // the escaped character, even a quote
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxImportNesting) {
                return NestingTooDeep(what);
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return Status::Ok();
}

namespace {

// Where the construct starting at `at` ends (one past `close`), or the end of the text.
std::size_t SkipPast(std::string_view text, std::size_t at, std::string_view close) {
    std::size_t end = text.find(close, at);
    return end == std::string_view::npos ? text.size() : end + close.size();
}

// One past the '>' closing the tag that starts at `at`; quoted attribute values may hold '>'.
// Sets self_closing when the tag ends with "/>".
std::size_t SkipTag(std::string_view text, std::size_t at, bool& self_closing) {
    char quote = 0;
    for (std::size_t i = at; i < text.size(); ++i) {
        const char c = text[i];
        if (quote != 0) {
            if (c == quote) {
                quote = 0;
            }
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            self_closing = i > at && text[i - 1] == '/';
            return i + 1;
        }
    }
    return text.size();
}

}  // namespace

Status CheckXmlNesting(std::string_view text, const std::string& what) {
    int depth = 0;
    std::size_t i = 0;
    while ((i = text.find('<', i)) != std::string_view::npos) {
        std::string_view rest = text.substr(i);
        if (rest.starts_with("<!--")) {
            i = SkipPast(text, i + 4, "-->");
        } else if (rest.starts_with("<![CDATA[")) {
            i = SkipPast(text, i + 9, "]]>");
        } else if (rest.starts_with("<?")) {
            i = SkipPast(text, i + 2, "?>");
        } else if (rest.starts_with("<!")) {
            bool ignored = false;
            i = SkipTag(text, i + 2, ignored);
        } else if (rest.starts_with("</")) {
            depth = depth > 0 ? depth - 1 : 0;
            i = SkipPast(text, i + 2, ">");
        } else {
            bool self_closing = false;
            i = SkipTag(text, i + 1, self_closing);
            if (!self_closing && ++depth > kMaxImportNesting) {
                return NestingTooDeep(what);
            }
        }
    }
    return Status::Ok();
}

}  // namespace tessera
