#pragma once
// Collects small writes (one CSV line, one deflate block) into chunks of about `capacity`
// bytes before they reach the real sink, so an HTTP response is not thousands of tiny chunks.
#include <string>
#include <string_view>

#include "base/byte_sink.hpp"

namespace tessera {

class BufferedSink final : public ByteSink {
public:
    explicit BufferedSink(ByteSink& out, std::size_t capacity = std::size_t{64} * 1024);
    Status Write(std::string_view bytes) override;
    // Hands over what is buffered. Call once at the end.
    Status Flush();

private:
    ByteSink& out_;
    std::size_t capacity_;
    std::string buffer_;
};

}  // namespace tessera
