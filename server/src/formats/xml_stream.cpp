#include "formats/xml_stream.hpp"

#include <expat.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "formats/import_limits.hpp"

namespace tessera {

namespace {

constexpr std::size_t kChunkBytes = std::size_t{64} * 1024;

struct ParseState {
    const XmlStreamHandler* handler = nullptr;
    XML_Parser parser = nullptr;
    std::string path;  // for messages
    int depth = 0;
    Status error = Status::Ok();  // the callback's, when it stopped the parse
    // One past the last byte expat has handed over (as any event): what it was given beyond
    // that is a tag it has not finished, and holds.
    XML_Index handed_over = 0;
};

// Every event moves `handed_over`; a tag still open after the limit's worth of bytes is refused.
void Handed(ParseState& state) {
    const XML_Index end =
        XML_GetCurrentByteIndex(state.parser) + XML_GetCurrentByteCount(state.parser);
    state.handed_over = std::max(state.handed_over, end);
}

// Expat is C: an exception must not unwind through it, so a throwing callback (bad_alloc) is
// turned into an error here and the parse stopped like any other callback error.
template <typename Call>
void Dispatch(ParseState& state, Call&& call) {
    if (!state.error.ok()) {
        return;
    }
    try {
        state.error = call();
    } catch (const std::exception& e) {
        state.error = Error::Internal(std::string("reading XML: ") + e.what());
    }
    if (!state.error.ok()) {
        XML_StopParser(state.parser, XML_FALSE);
    }
}

void OnStart(void* data, const XML_Char* name, const XML_Char** attributes) {
    auto& state = *static_cast<ParseState*>(data);
    Handed(state);
    ++state.depth;
    // Expat keeps every open element's name: bound what a deep file can make it hold.
    if (state.depth > kMaxImportNesting && state.error.ok()) {
        state.error = NestingTooDeep(state.path);
        XML_StopParser(state.parser, XML_FALSE);
        return;
    }
    Dispatch(state,
             [&] { return state.handler->start(XmlStartTag(name, attributes, state.depth)); });
}

void OnEnd(void* data, const XML_Char* name) {
    auto& state = *static_cast<ParseState*>(data);
    Handed(state);
    if (state.handler->end) {
        Dispatch(state, [&] { return state.handler->end(name, state.depth); });
    }
    --state.depth;
}

// Text, comments, declarations, processing instructions: only their end matters.
void OnOther(void* data, const XML_Char*, int) {
    Handed(*static_cast<ParseState*>(data));
}

Error TagTooLong(const std::string& path, XML_Index at) {
    return Error{ErrorCode::kPayloadTooLarge,
                 path + ": the tag at byte " + std::to_string(at) + " is longer than " +
                     std::to_string(kMaxXmlTagBytes >> 20) +
                     " MiB, the limit for one XML tag with its attributes",
                 {}};
}

Error SyntaxError(XML_Parser parser, const std::string& path) {
    return Error::InvalidArgument(path + ": not valid XML at line " +
                                  std::to_string(XML_GetCurrentLineNumber(parser)) + ", column " +
                                  std::to_string(XML_GetCurrentColumnNumber(parser) + 1) +
                                  " (byte " + std::to_string(XML_GetCurrentByteIndex(parser)) +
                                  "): " + XML_ErrorString(XML_GetErrorCode(parser)));
}

}  // namespace

std::string_view XmlStartTag::Attribute(std::string_view name) const {
    for (const char** at = attributes_; at[0] != nullptr; at += 2) {
        if (name == at[0]) {
            return at[1];
        }
    }
    return {};
}

Status StreamXml(std::istream& in, const std::string& path, const XmlStreamHandler& handler) {
    // UTF-8 unless the document declares another encoding expat knows (UTF-16, ISO-8859-1).
    std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate(nullptr),
                                                                        &XML_ParserFree);
    if (!parser) {
        return Error::Internal("cannot create an XML parser");
    }
    ParseState state;
    state.handler = &handler;
    state.path = path;
    state.parser = parser.get();
    XML_SetUserData(parser.get(), &state);
    XML_SetElementHandler(parser.get(), &OnStart, &OnEnd);
    // Expand: a default handler alone would stop expat replacing internal entities.
    XML_SetDefaultHandlerExpand(parser.get(), &OnOther);
    XML_Index fed = 0;
    while (true) {
        const auto pending =
            static_cast<std::size_t>(std::max<XML_Index>(fed - state.handed_over, 0));
        if (pending > kMaxXmlTagBytes) {
            return TagTooLong(path, state.handed_over);
        }
        // Expat scans an unfinished tag again from its start with each chunk: chunks as long as
        // the tag so far keep a long tag linear in time, not quadratic. Never past the limit by
        // more than a chunk.
        const std::size_t chunk =
            std::max(kChunkBytes, std::min(pending, kMaxXmlTagBytes - pending));
        void* buffer = XML_GetBuffer(parser.get(), static_cast<int>(chunk));
        if (buffer == nullptr) {
            return Error::Internal(path + ": out of memory reading XML");
        }
        in.read(static_cast<char*>(buffer), static_cast<std::streamsize>(chunk));
        if (in.bad()) {
            return Error::Internal(path + ": cannot read the file");
        }
        const bool last = !in.good();  // a short read hit the end
        if (XML_ParseBuffer(parser.get(), static_cast<int>(in.gcount()),
                            last ? XML_TRUE : XML_FALSE) != XML_STATUS_OK) {
            if (!state.error.ok()) {
                return state.error;
            }
            return SyntaxError(parser.get(), path);
        }
        if (last) {
            return Status::Ok();
        }
        fed += in.gcount();
    }
}

}  // namespace tessera
