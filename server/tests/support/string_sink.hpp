#pragma once
// Test sinks for export code: collect everything, or fail after N bytes (a client that left).
#include <string>

#include "base/byte_sink.hpp"

namespace tessera::testing {

class StringSink final : public ByteSink {
public:
    Status Write(std::string_view bytes) override {
        data.append(bytes);
        ++writes;
        return Status::Ok();
    }
    std::string data;
    int writes = 0;
};

class FailingSink final : public ByteSink {
public:
    explicit FailingSink(std::size_t accept) : accept_(accept) {}
    Status Write(std::string_view bytes) override {
        if (taken + bytes.size() > accept_) {
            return Error::Unavailable("client went away");
        }
        taken += bytes.size();
        return Status::Ok();
    }
    std::size_t taken = 0;

private:
    std::size_t accept_;
};

}  // namespace tessera::testing
