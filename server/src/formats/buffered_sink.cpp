#include "formats/buffered_sink.hpp"

namespace tessera {

BufferedSink::BufferedSink(ByteSink& out, std::size_t capacity) : out_(out), capacity_(capacity) {
    buffer_.reserve(capacity_);
}

Status BufferedSink::Write(std::string_view bytes) {
    if (buffer_.size() + bytes.size() > capacity_) {
        TESSERA_TRY(Flush());
    }
    if (bytes.size() >= capacity_) {
        return out_.Write(bytes);
    }
    buffer_.append(bytes);
    return Status::Ok();
}

Status BufferedSink::Flush() {
    if (buffer_.empty()) {
        return Status::Ok();
    }
    Status written = out_.Write(buffer_);
    buffer_.clear();
    return written;
}

}  // namespace tessera
