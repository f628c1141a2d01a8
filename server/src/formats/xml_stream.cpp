#include "formats/xml_stream.hpp"

#include <expat.h>

#include <cstring>
#include <memory>

#include "formats/import_limits.hpp"

namespace tessera {

namespace {

constexpr int kChunkBytes = 64 * 1024;

struct ParseState {
    const XmlStreamHandler* handler = nullptr;
    XML_Parser parser = nullptr;
    std::string path;  // for messages
    int depth = 0;
    Status error = Status::Ok();  // the callback's, when it stopped the parse
};

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
    if (state.handler->end) {
        Dispatch(state, [&] { return state.handler->end(name, state.depth); });
    }
    --state.depth;
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
    while (true) {
        void* buffer = XML_GetBuffer(parser.get(), kChunkBytes);
        if (buffer == nullptr) {
            return Error::Internal(path + ": out of memory reading XML");
        }
        in.read(static_cast<char*>(buffer), kChunkBytes);
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
    }
}

}  // namespace tessera
