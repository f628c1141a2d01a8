#pragma once
// A minimal streaming PNG encoder for 8-bit palette images (colour type 3): rows go through
// zlib into IDAT chunks of bounded size as they arrive, so an image of any height is written in
// memory proportional to one row.
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/byte_sink.hpp"

namespace tessera {

struct Rgb {
    std::uint8_t r = 0;
    std::uint8_t g = 0;
    std::uint8_t b = 0;
    bool operator==(const Rgb&) const = default;
};

class IndexedPngWriter {
public:
    // 1..256 palette entries; pixel values must index into it.
    IndexedPngWriter(ByteSink& out, int width, int height, std::vector<Rgb> palette);
    ~IndexedPngWriter();
    IndexedPngWriter(const IndexedPngWriter&) = delete;
    IndexedPngWriter& operator=(const IndexedPngWriter&) = delete;

    Status Begin();
    // Exactly `height` calls, each with `width` palette indices.
    Status WriteRow(const std::vector<std::uint8_t>& row);
    Status Finish();

private:
    Status Deflate(const std::uint8_t* data, std::size_t size, int flush);
    Status WriteChunk(const char type[4], const std::string& data);
    Status FlushIdat();

    ByteSink& out_;
    int width_;
    int height_;
    std::vector<Rgb> palette_;
    int rows_written_ = 0;
    z_stream zs_{};
    bool zs_ready_ = false;
    std::string idat_;  // compressed bytes waiting for their chunk
};

}  // namespace tessera
