#include "formats/json_stream.hpp"

#include <algorithm>
#include <optional>

#include "formats/import_limits.hpp"

namespace tessera {

namespace {

// The parse error a SAX handler reports: "[json.exception.parse_error.101] parse error at line
// 1, column 9: ..." cut to the part a user can act on, with the byte offset.
Error JsonParseError(std::size_t position, const nlohmann::detail::exception& e) {
    std::string what = e.what();
    if (const std::size_t colon = what.find(": "); colon != std::string::npos) {
        what = what.substr(colon + 2);
    }
    return Error::InvalidArgument("invalid JSON at byte " + std::to_string(position) + ": " + what);
}

using nlohmann::json;

// Builds one array element from SAX events.
class ElementBuilder {
public:
    bool active() const { return !open_.empty(); }

    // A scalar value or the start of a container; true when the element is complete.
    bool Value(json value) {
        json* inserted = Insert(std::move(value));
        if (inserted->is_structured()) {
            open_.push_back(inserted);
            return false;
        }
        return open_.empty();
    }
    void Key(std::string key) { key_ = std::move(key); }
    // The end of the innermost open container; true when that completed the element.
    bool End() {
        open_.pop_back();
        return open_.empty();
    }
    json Take() { return std::move(root_); }

private:
    json* Insert(json value) {
        if (open_.empty()) {
            root_ = std::move(value);
            return &root_;
        }
        json& parent = *open_.back();
        if (parent.is_array()) {
            // Only the innermost container grows, so pointers to the outer ones stay valid.
            parent.push_back(std::move(value));
            return &parent.back();
        }
        json& slot = parent[key_];
        slot = std::move(value);
        return &slot;
    }

    json root_;
    std::vector<json*> open_;  // containers not yet closed, outermost first
    std::string key_;
};

class ArraySax final : public nlohmann::json_sax<json> {
public:
    explicit ArraySax(const JsonArrayStream& stream) : stream_(stream) {
        for (const std::string& key : stream.keys) {
            seen_[key] = JsonTopLevel::kAbsent;
        }
        for (const std::string& key : stream.objects) {
            seen_[key] = JsonTopLevel::kAbsent;
        }
    }

    std::optional<Error> error;
    const std::map<std::string, JsonTopLevel>& seen() const { return seen_; }

    bool null() override { return Scalar(nullptr); }
    bool boolean(bool value) override { return Scalar(value); }
    bool number_integer(number_integer_t value) override { return Scalar(value); }
    bool number_unsigned(number_unsigned_t value) override { return Scalar(value); }
    bool number_float(number_float_t value, const string_t&) override { return Scalar(value); }
    bool string(string_t& value) override { return Scalar(std::move(value)); }
    // Only binary formats (CBOR, MessagePack) produce these; JSON text never does.
    bool binary(binary_t&) override { return Scalar(nullptr); }

    bool start_object(std::size_t) override { return Open(json::object()); }
    bool start_array(std::size_t) override { return Open(json::array()); }
    bool end_object() override { return Close(); }
    bool end_array() override { return Close(); }

    bool key(string_t& key) override {
        if (builder_.active()) {
            builder_.Key(std::move(key));
        } else if (depth_ == 1) {
            key_ = std::move(key);
        }
        return true;
    }

    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& e) override {
        error = JsonParseError(position, e);
        return false;
    }

private:
    bool Wanted() const { return depth_ == 1 && seen_.contains(key_); }
    bool IsIn(const std::vector<std::string>& keys) const {
        return std::find(keys.begin(), keys.end(), key_) != keys.end();
    }

    bool Scalar(json value) {
        if (depth_ == 0) {
            return NotAnObject();
        }
        if (builder_.active() || (depth_ == 2 && streaming_)) {
            builder_.Value(std::move(value));
            return builder_.active() || Deliver();
        }
        if (Wanted()) {
            seen_[key_] = JsonTopLevel::kOther;
        }
        return true;
    }

    bool Open(json container) {
        if (depth_ == 0 && !container.is_object()) {
            return NotAnObject();
        }
        // Each open level is a heap node (and nlohmann's parser state): a file of millions of
        // '[' must not cost gigabytes.
        if (depth_ >= kMaxImportNesting) {
            error = NestingTooDeep("the JSON");
            return false;
        }
        if (builder_.active() || (depth_ == 2 && streaming_)) {
            builder_.Value(std::move(container));
        } else if (Wanted()) {
            const bool array = container.is_array();
            seen_[key_] = array ? JsonTopLevel::kArray : JsonTopLevel::kOther;
            index_ = 0;
            streaming_ = array && IsIn(stream_.keys);
            if (!array && IsIn(stream_.objects)) {
                builder_.Value(std::move(container));  // built whole, delivered when it closes
            }
        }
        ++depth_;
        return true;
    }

    bool Close() {
        --depth_;
        if (builder_.active()) {
            return !builder_.End() || Deliver();
        }
        if (depth_ == 1) {
            streaming_ = false;
        }
        return true;
    }

    bool Deliver() {
        Status status = stream_.element(key_, index_++, builder_.Take());
        if (!status.ok()) {
            error = status.error();
            return false;
        }
        return true;
    }

    bool NotAnObject() {
        error = Error::InvalidArgument("not a JSON object");
        return false;
    }

    const JsonArrayStream& stream_;
    std::map<std::string, JsonTopLevel> seen_;
    ElementBuilder builder_;
    std::string key_;         // the current top-level key
    int depth_ = 0;           // containers open around the next event
    bool streaming_ = false;  // inside a wanted top-level array
    std::size_t index_ = 0;   // of the next element in that array
};

// The elements of a top-level list, or a top-level object whole.
class ElementSax final : public nlohmann::json_sax<json> {
public:
    explicit ElementSax(const JsonElementVisitor& visit) : visit_(visit) {}

    std::optional<Error> error;

    bool null() override { return Scalar(nullptr); }
    bool boolean(bool value) override { return Scalar(value); }
    bool number_integer(number_integer_t value) override { return Scalar(value); }
    bool number_unsigned(number_unsigned_t value) override { return Scalar(value); }
    bool number_float(number_float_t value, const string_t&) override { return Scalar(value); }
    bool string(string_t& value) override { return Scalar(std::move(value)); }
    bool binary(binary_t&) override { return Scalar(nullptr); }

    bool start_object(std::size_t) override { return Open(json::object()); }
    bool start_array(std::size_t) override { return Open(json::array()); }
    bool end_object() override { return Close(); }
    bool end_array() override { return Close(); }

    bool key(string_t& key) override {
        builder_.Key(std::move(key));
        return true;
    }

    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& e) override {
        error = JsonParseError(position, e);
        return false;
    }

private:
    bool Scalar(json value) {
        if (!started_) {
            error = Error::InvalidArgument("not a JSON list or object");
            return false;
        }
        return builder_.Value(std::move(value)) ? Deliver() : true;
    }

    bool Open(json container) {
        if (!started_) {
            started_ = true;
            if (container.is_array()) {
                return true;  // its elements are delivered, not the list
            }
        }
        builder_.Value(std::move(container));
        return true;
    }

    bool Close() {
        if (!builder_.active()) {
            return true;  // the top-level list's end
        }
        return !builder_.End() || Deliver();
    }

    bool Deliver() {
        Status status = visit_(index_++, builder_.Take());
        if (!status.ok()) {
            error = status.error();
            return false;
        }
        return true;
    }

    const JsonElementVisitor& visit_;
    ElementBuilder builder_;
    bool started_ = false;
    std::size_t index_ = 0;
};

template <typename Input>
Status StreamElements(Input&& input, const JsonElementVisitor& visit) {
    ElementSax sax(visit);
    bool ok = false;
    try {
        ok = json::sax_parse(std::forward<Input>(input), &sax);
    } catch (const std::exception& e) {
        return Error::InvalidArgument(std::string("invalid JSON: ") + e.what());
    }
    if (!ok) {
        return sax.error.value_or(Error::InvalidArgument("invalid JSON"));
    }
    return Status::Ok();
}

template <typename Input>
Result<std::map<std::string, JsonTopLevel>> Stream(Input&& input, const JsonArrayStream& stream) {
    ArraySax sax(stream);
    bool ok = false;
    try {
        ok = json::sax_parse(std::forward<Input>(input), &sax);
    } catch (const std::exception& e) {
        // sax_parse reports syntax errors through parse_error; this is anything else it throws.
        return Error::InvalidArgument(std::string("invalid JSON: ") + e.what());
    }
    if (!ok) {
        return sax.error.value_or(Error::InvalidArgument("invalid JSON"));
    }
    return sax.seen();
}

}  // namespace

Result<std::map<std::string, JsonTopLevel>> StreamJsonArrays(std::istream& in,
                                                             const JsonArrayStream& stream) {
    return Stream(in, stream);
}

Result<std::map<std::string, JsonTopLevel>> StreamJsonArrays(std::string_view text,
                                                             const JsonArrayStream& stream) {
    return Stream(text, stream);
}

Status StreamJsonElements(std::istream& in, const JsonElementVisitor& visit) {
    return StreamElements(in, visit);
}

Status StreamJsonElements(std::string_view text, const JsonElementVisitor& visit) {
    return StreamElements(text, visit);
}

}  // namespace tessera
