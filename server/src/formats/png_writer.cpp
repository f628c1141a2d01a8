#include "formats/png_writer.hpp"

namespace tessera {
namespace {

constexpr std::size_t kIdatChunk = std::size_t{64} * 1024;

void PutU32(std::string& s, std::uint32_t v) {
    s += static_cast<char>((v >> 24) & 0xff);
    s += static_cast<char>((v >> 16) & 0xff);
    s += static_cast<char>((v >> 8) & 0xff);
    s += static_cast<char>(v & 0xff);
}

}  // namespace

IndexedPngWriter::IndexedPngWriter(ByteSink& out, int width, int height, std::vector<Rgb> palette)
    : out_(out), width_(width), height_(height), palette_(std::move(palette)) {}

IndexedPngWriter::~IndexedPngWriter() {
    if (zs_ready_) {
        deflateEnd(&zs_);
    }
}

Status IndexedPngWriter::WriteChunk(const char type[4], const std::string& data) {
    std::string chunk;
    chunk.reserve(data.size() + 12);
    PutU32(chunk, static_cast<std::uint32_t>(data.size()));
    chunk.append(type, 4);
    chunk += data;
    // The CRC covers the type and the data, not the length.
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(chunk.data() + 4), data.size() + 4);
    PutU32(chunk, static_cast<std::uint32_t>(crc));
    return out_.Write(chunk);
}

Status IndexedPngWriter::Begin() {
    if (width_ <= 0 || height_ <= 0 || palette_.empty() || palette_.size() > 256) {
        return Error::Internal("PNG needs a positive size and 1-256 palette entries");
    }
    if (deflateInit(&zs_, Z_DEFAULT_COMPRESSION) != Z_OK) {
        return Error::Internal("zlib deflateInit failed");
    }
    zs_ready_ = true;
    TESSERA_TRY(out_.Write(std::string_view("\x89PNG\r\n\x1a\n", 8)));
    std::string ihdr;
    PutU32(ihdr, static_cast<std::uint32_t>(width_));
    PutU32(ihdr, static_cast<std::uint32_t>(height_));
    ihdr += '\x08';                // bit depth
    ihdr += '\x03';                // colour type: palette
    ihdr += std::string(3, '\0');  // deflate, adaptive filtering, no interlace
    TESSERA_TRY(WriteChunk("IHDR", ihdr));
    std::string plte;
    for (const Rgb& c : palette_) {
        plte += static_cast<char>(c.r);
        plte += static_cast<char>(c.g);
        plte += static_cast<char>(c.b);
    }
    return WriteChunk("PLTE", plte);
}

Status IndexedPngWriter::Deflate(const std::uint8_t* data, std::size_t size, int flush) {
    zs_.next_in = const_cast<Bytef*>(data);
    zs_.avail_in = static_cast<uInt>(size);
    unsigned char buf[16 * 1024];
    int rc = Z_OK;
    do {
        zs_.next_out = buf;
        zs_.avail_out = sizeof buf;
        rc = deflate(&zs_, flush);
        if (rc == Z_STREAM_ERROR) {
            return Error::Internal("zlib deflate failed");
        }
        idat_.append(reinterpret_cast<char*>(buf), sizeof buf - zs_.avail_out);
        if (idat_.size() >= kIdatChunk) {
            TESSERA_TRY(FlushIdat());
        }
    } while (zs_.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return Status::Ok();
}

Status IndexedPngWriter::FlushIdat() {
    if (idat_.empty()) {
        return Status::Ok();
    }
    Status written = WriteChunk("IDAT", idat_);
    idat_.clear();
    return written;
}

Status IndexedPngWriter::WriteRow(const std::vector<std::uint8_t>& row) {
    if (!zs_ready_ || rows_written_ >= height_ || row.size() != static_cast<std::size_t>(width_)) {
        return Error::Internal("PNG row out of order or of the wrong width");
    }
    for (std::uint8_t v : row) {
        if (v >= palette_.size()) {
            return Error::Internal("PNG pixel outside the palette");
        }
    }
    const std::uint8_t filter_none = 0;
    TESSERA_TRY(Deflate(&filter_none, 1, Z_NO_FLUSH));
    TESSERA_TRY(Deflate(row.data(), row.size(), Z_NO_FLUSH));
    ++rows_written_;
    return Status::Ok();
}

Status IndexedPngWriter::Finish() {
    if (!zs_ready_ || rows_written_ != height_) {
        return Error::Internal("PNG finished before all rows were written");
    }
    TESSERA_TRY(Deflate(nullptr, 0, Z_FINISH));
    TESSERA_TRY(FlushIdat());
    return WriteChunk("IEND", "");
}

}  // namespace tessera
