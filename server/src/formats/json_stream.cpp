#include "formats/json_stream.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <streambuf>

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

// Reads a string in place (std::istringstream would copy it).
class ViewBuf final : public std::streambuf {
public:
    explicit ViewBuf(std::string_view text) {
        char* begin = const_cast<char*>(text.data());  // only ever read through the get area
        setg(begin, begin, begin + text.size());
    }
};

// The parser's input: the bytes of a streambuf, ended early once the current element (or,
// outside elements, the current token) runs past kMaxJsonElementBytes. The parser then sees
// the end of the input and reports a syntax error, which the handler replaces with the limit's.
// The count must happen here, below the parser: nlohmann's lexer holds a whole string or number
// before the SAX handler sees it.
class CappedInput {
public:
    using Traits = std::streambuf::traits_type;

    explicit CappedInput(std::streambuf* buf) : buf_(buf), next_(buf->sgetc()) {}

    // The next kMaxJsonElementBytes bytes may be read.
    void Restart() { start_ = read_; }
    // Where the bytes counted since Restart began (1-based, as parse errors count).
    std::size_t start() const { return start_ + 1; }
    // Whether the input was ended early.
    bool over() const { return over_; }

    // What nlohmann's iterator adapter reads through: `current != end`, `*current`, `++current`.
    class Iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = char;
        using difference_type = std::ptrdiff_t;
        using pointer = const char*;
        using reference = char;

        Iterator() = default;
        explicit Iterator(CappedInput* input) : input_(input) {}
        char operator*() const { return Traits::to_char_type(input_->next_); }
        Iterator& operator++() {
            input_->next_ = input_->buf_->snextc();
            ++input_->read_;
            return *this;
        }
        bool operator==(const Iterator& other) const { return Done() == other.Done(); }

    private:
        bool Done() const { return input_ == nullptr || input_->AtEnd(); }
        CappedInput* input_ = nullptr;
    };
    Iterator begin() { return Iterator(this); }
    static Iterator end() { return Iterator(); }

private:
    bool AtEnd() {
        if (Traits::eq_int_type(next_, Traits::eof())) {
            return true;
        }
        if (read_ - start_ >= kMaxJsonElementBytes) {
            over_ = true;
            return true;
        }
        return false;
    }

    std::streambuf* buf_;
    Traits::int_type next_;  // the byte `*` reads, or eof
    std::size_t read_ = 0;
    std::size_t start_ = 0;
    bool over_ = false;
};

// Builds one array element from SAX events.
class ElementBuilder {
public:
    bool active() const { return !open_.empty(); }
    // Values (scalars and containers) of the element so far.
    std::size_t values() const { return values_; }

    // A scalar value or the start of a container; true when the element is complete.
    bool Value(json value) {
        ++values_;
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
    json Take() {
        values_ = 0;
        return std::move(root_);
    }

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
    std::size_t values_ = 0;
};

// What both handlers share: the SAX events, the element being built and the limits on it.
// Each event is one of Scalar, Open, Close or Key; after it, unless an element is being built,
// the byte limit counts afresh, so it bounds a whole element or, outside elements, one token.
class BoundedSax : public nlohmann::json_sax<json> {
public:
    std::optional<Error> error;

    bool null() final { return Next(Scalar(nullptr)); }
    bool boolean(bool value) final { return Next(Scalar(value)); }
    bool number_integer(number_integer_t value) final { return Next(Scalar(value)); }
    bool number_unsigned(number_unsigned_t value) final { return Next(Scalar(value)); }
    bool number_float(number_float_t value, const string_t&) final { return Next(Scalar(value)); }
    bool string(string_t& value) final { return Next(Scalar(std::move(value))); }
    // Only binary formats (CBOR, MessagePack) produce these; JSON text never does.
    bool binary(binary_t&) final { return Next(Scalar(nullptr)); }

    bool start_object(std::size_t) final { return Next(Enter(json::object())); }
    bool start_array(std::size_t) final { return Next(Enter(json::array())); }
    bool end_object() final { return Next(Leave()); }
    bool end_array() final { return Next(Leave()); }
    bool key(string_t& key) final { return Next(Key(key)); }

    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& e) final {
        if (input_.over()) {
            error = JsonElementTooLong(builder_.active() ? ElementName()
                                                         : "the value near byte " +
                                                               std::to_string(input_.start()));
        } else {
            error = JsonParseError(position, e);
        }
        return false;
    }

protected:
    explicit BoundedSax(CappedInput& input) : input_(input) {}

    virtual bool Scalar(json value) = 0;
    virtual bool Open(json container) = 0;
    virtual bool Close() = 0;
    virtual bool Key(string_t& key) = 0;
    // The element being built, for messages: "annotations[7]".
    virtual std::string ElementName() const = 0;

    // Adds a value to the element being built; an error past kMaxJsonElementValues.
    bool Add(json value) {
        builder_.Value(std::move(value));
        if (builder_.values() > kMaxJsonElementValues) {
            error = JsonElementTooManyValues(ElementName());
            return false;
        }
        return true;
    }

    ElementBuilder builder_;
    int depth_ = 0;  // containers open around the next event

private:
    // Each open level is a heap node (and nlohmann's parser state): a file of millions of '['
    // must not cost gigabytes.
    bool Enter(json container) {
        if (depth_ >= kMaxImportNesting) {
            error = NestingTooDeep("the JSON");
            return false;
        }
        if (!Open(std::move(container))) {
            return false;
        }
        ++depth_;
        return true;
    }
    bool Leave() {
        --depth_;
        return Close();
    }

    bool Next(bool ok) {
        if (ok && !builder_.active()) {
            input_.Restart();
        }
        return ok;
    }

    CappedInput& input_;
};

class ArraySax final : public BoundedSax {
public:
    ArraySax(CappedInput& input, const JsonArrayStream& stream)
        : BoundedSax(input), stream_(stream) {
        for (const std::string& key : stream.keys) {
            seen_[key] = JsonTopLevel::kAbsent;
        }
        for (const std::string& key : stream.objects) {
            seen_[key] = JsonTopLevel::kAbsent;
        }
    }

    const std::map<std::string, JsonTopLevel>& seen() const { return seen_; }

private:
    bool Key(string_t& key) override {
        if (builder_.active()) {
            builder_.Key(std::move(key));
        } else if (depth_ == 1) {
            key_ = std::move(key);
        }
        return true;
    }

    std::string ElementName() const override { return key_ + "[" + std::to_string(index_) + "]"; }

    bool Wanted() const { return depth_ == 1 && seen_.contains(key_); }
    bool IsIn(const std::vector<std::string>& keys) const {
        return std::find(keys.begin(), keys.end(), key_) != keys.end();
    }

    bool Scalar(json value) override {
        if (depth_ == 0) {
            return NotAnObject();
        }
        if (builder_.active() || (depth_ == 2 && streaming_)) {
            return Add(std::move(value)) && (builder_.active() || Deliver());
        }
        if (Wanted()) {
            seen_[key_] = JsonTopLevel::kOther;
        }
        return true;
    }

    bool Open(json container) override {
        if (depth_ == 0 && !container.is_object()) {
            return NotAnObject();
        }
        if (builder_.active() || (depth_ == 2 && streaming_)) {
            if (!Add(std::move(container))) {
                return false;
            }
        } else if (Wanted()) {
            const bool array = container.is_array();
            seen_[key_] = array ? JsonTopLevel::kArray : JsonTopLevel::kOther;
            index_ = 0;
            streaming_ = array && IsIn(stream_.keys);
            if (!array && IsIn(stream_.objects)) {
                builder_.Value(std::move(container));  // built whole, delivered when it closes
            }
        }
        return true;
    }

    bool Close() override {
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
    std::string key_;         // the current top-level key
    bool streaming_ = false;  // inside a wanted top-level array
    std::size_t index_ = 0;   // of the next element in that array
};

// The elements of a top-level list, or a top-level object whole.
class ElementSax final : public BoundedSax {
public:
    ElementSax(CappedInput& input, const JsonElementVisitor& visit)
        : BoundedSax(input), visit_(visit) {}

private:
    bool Key(string_t& key) override {
        builder_.Key(std::move(key));
        return true;
    }

    std::string ElementName() const override {
        return in_list_ ? "element " + std::to_string(index_) : std::string("the JSON object");
    }

    bool Scalar(json value) override {
        if (!started_) {
            error = Error::InvalidArgument("not a JSON list or object");
            return false;
        }
        return Add(std::move(value)) && (builder_.active() || Deliver());
    }

    bool Open(json container) override {
        if (!started_) {
            started_ = true;
            if (container.is_array()) {
                in_list_ = true;
                return true;  // its elements are delivered, not the list
            }
        }
        return Add(std::move(container));
    }

    bool Close() override {
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
    bool started_ = false;
    bool in_list_ = false;
    std::size_t index_ = 0;
};

// Runs `sax` over `input`. sax_parse reports syntax errors through parse_error; an exception
// is anything else it throws.
Status Parse(CappedInput& input, BoundedSax& sax) {
    bool ok = false;
    try {
        ok = json::sax_parse(input.begin(), CappedInput::end(), &sax);
    } catch (const std::exception& e) {
        return Error::InvalidArgument(std::string("invalid JSON: ") + e.what());
    }
    if (!ok) {
        return sax.error.value_or(Error::InvalidArgument("invalid JSON"));
    }
    return Status::Ok();
}

Status StreamElements(std::streambuf* buf, const JsonElementVisitor& visit) {
    CappedInput input(buf);
    ElementSax sax(input, visit);
    return Parse(input, sax);
}

Result<std::map<std::string, JsonTopLevel>> Stream(std::streambuf* buf,
                                                   const JsonArrayStream& stream) {
    CappedInput input(buf);
    ArraySax sax(input, stream);
    TESSERA_TRY(Parse(input, sax));
    return sax.seen();
}

}  // namespace

Result<std::map<std::string, JsonTopLevel>> StreamJsonArrays(std::istream& in,
                                                             const JsonArrayStream& stream) {
    return Stream(in.rdbuf(), stream);
}

Result<std::map<std::string, JsonTopLevel>> StreamJsonArrays(std::string_view text,
                                                             const JsonArrayStream& stream) {
    ViewBuf buf(text);
    return Stream(&buf, stream);
}

Status StreamJsonElements(std::istream& in, const JsonElementVisitor& visit) {
    return StreamElements(in.rdbuf(), visit);
}

Status StreamJsonElements(std::string_view text, const JsonElementVisitor& visit) {
    ViewBuf buf(text);
    return StreamElements(&buf, visit);
}

}  // namespace tessera
