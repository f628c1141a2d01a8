#pragma once
// Reads a JSON document whose top level is an object without building it: the elements of the
// top-level arrays a reader asks for are handed over one at a time, each as a small DOM, and
// everything else is tokenised and dropped. Memory is one element, whatever the file's size
// (nlohmann's SAX interface underneath), and one element is bounded: kPayloadTooLarge naming it
// ("annotations[7] is longer than 64 MiB, ...") past kMaxJsonElementBytes of text or
// kMaxJsonElementValues values, and the same for one token (a string, a number) outside the
// elements; containers nested over kMaxImportNesting deep are kInvalidArgument "the JSON nests
// deeper than 64 levels, ..." (formats/import_limits.hpp).
#include <functional>
#include <istream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace tessera {

// What a requested top-level key held.
enum class JsonTopLevel { kAbsent, kArray, kOther };

struct JsonArrayStream {
    // The top-level keys whose array elements are wanted.
    std::vector<std::string> keys;
    // Top-level keys whose value, when it is an object, is wanted whole (a small header such as
    // Datumaro's "categories"): handed to `element` as index 0 once it is complete.
    std::vector<std::string> objects;
    // Called for each element, in file order; an error stops the parse and is returned.
    std::function<Status(const std::string& key, std::size_t index, nlohmann::json&& element)>
        element;
};

// kInvalidArgument "not a JSON object" when the top level is something else, and "invalid JSON
// at byte N: ..." for a syntax error or a truncated file (N counts from 1; one past the end
// when the file ends too early). Elements before the error were delivered: callers apply
// nothing until this returned success. On success: what each requested key held.
Result<std::map<std::string, JsonTopLevel>> StreamJsonArrays(std::istream& in,
                                                             const JsonArrayStream& stream);
// The same over text in memory.
Result<std::map<std::string, JsonTopLevel>> StreamJsonArrays(std::string_view text,
                                                             const JsonArrayStream& stream);

// Reads a document whose top level is a list (each element is handed over in turn) or an object
// (handed over whole, as element 0). Memory is one element, as above. kInvalidArgument "not a
// JSON list or object" for a scalar top level, and "invalid JSON at byte N: ..." as above.
using JsonElementVisitor = std::function<Status(std::size_t index, nlohmann::json&& element)>;
Status StreamJsonElements(std::istream& in, const JsonElementVisitor& visit);
Status StreamJsonElements(std::string_view text, const JsonElementVisitor& visit);

}  // namespace tessera
