#pragma once
// Where written bytes go (an HTTP chunked response, a zip entry, a file). Write blocks until
// accepted; an error (the client went away) stops the writer that called it.
#include <string_view>

#include "base/result.hpp"

namespace tessera {

class ByteSink {
public:
    virtual ~ByteSink() = default;
    virtual Status Write(std::string_view bytes) = 0;
};

}  // namespace tessera
