#include "formats/zip_writer.hpp"

#include <ctime>
#include <limits>

namespace tessera {
namespace {

constexpr std::uint32_t kLocalSig = 0x04034b50;
constexpr std::uint32_t kDescriptorSig = 0x08074b50;
constexpr std::uint32_t kCentralSig = 0x02014b50;
constexpr std::uint32_t kZip64EndSig = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::uint32_t kEndSig = 0x06054b50;
constexpr std::uint16_t kVersion = 45;         // 4.5: ZIP64
constexpr std::uint16_t kMadeByUnix = 3 << 8;  // so external attributes carry Unix modes
constexpr std::uint16_t kFlags = 0x0808;       // bit 3: data descriptor; bit 11: UTF-8 names
constexpr std::uint16_t kDeflate = 8;
constexpr std::uint32_t kMax32 = 0xffffffff;
constexpr std::uint16_t kMax16 = 0xffff;
constexpr std::size_t kChunk = std::size_t{64} * 1024;

void Put16(std::string& out, std::uint16_t v) {
    out += static_cast<char>(v & 0xff);
    out += static_cast<char>(v >> 8);
}
void Put32(std::string& out, std::uint32_t v) {
    Put16(out, static_cast<std::uint16_t>(v & 0xffff));
    Put16(out, static_cast<std::uint16_t>(v >> 16));
}
void Put64(std::string& out, std::uint64_t v) {
    Put32(out, static_cast<std::uint32_t>(v & 0xffffffff));
    Put32(out, static_cast<std::uint32_t>(v >> 32));
}
std::uint32_t Clamp32(std::uint64_t v, bool zip64) {
    return zip64 ? kMax32 : static_cast<std::uint32_t>(v);
}

}  // namespace

ZipWriter::ZipWriter(ByteSink& out, TimeMs modified) : out_(out) {
    std::time_t t = static_cast<std::time_t>(modified / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    int year = tm.tm_year + 1900 < 1980 ? 1980 : tm.tm_year + 1900;
    dos_time_ = static_cast<std::uint16_t>(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
    dos_date_ = static_cast<std::uint16_t>((year - 1980) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
}

ZipWriter::~ZipWriter() {
    if (zs_ready_) {
        deflateEnd(&zs_);
    }
}

Status ZipWriter::Emit(std::string_view bytes) {
    offset_ += bytes.size();
    return out_.Write(bytes);
}

Status ZipWriter::BeginEntry(const std::string& name) {
    if (finished_) {
        return Error::Internal("zip already finished");
    }
    if (in_entry_) {
        TESSERA_TRY(EndEntry());
    }
    if (name.empty() || name.size() > kMax16) {
        return Error::Internal("bad zip entry name");
    }
    zs_ = z_stream{};
    if (deflateInit2(&zs_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        return Error::Internal("zlib deflateInit2 failed");
    }
    zs_ready_ = true;
    in_entry_ = true;
    entries_.push_back(
        Entry{name, static_cast<std::uint32_t>(crc32(0, nullptr, 0)), 0, 0, offset_});

    std::string header;
    Put32(header, kLocalSig);
    Put16(header, kVersion);
    Put16(header, kFlags);
    Put16(header, kDeflate);
    Put16(header, dos_time_);
    Put16(header, dos_date_);
    Put32(header, 0);  // crc, sizes: in the data descriptor
    Put32(header, 0);
    Put32(header, 0);
    Put16(header, static_cast<std::uint16_t>(name.size()));
    Put16(header, 20);  // ZIP64 extra: announces 8-byte sizes in the descriptor
    header += name;
    Put16(header, 0x0001);
    Put16(header, 16);
    Put64(header, 0);
    Put64(header, 0);
    return Emit(header);
}

Status ZipWriter::WriteData(std::string_view bytes) {
    if (!in_entry_) {
        return Error::Internal("zip write outside an entry");
    }
    Entry& entry = entries_.back();
    // crc32 takes a uInt length: feed it in pieces that fit.
    std::string_view rest = bytes;
    while (!rest.empty()) {
        std::size_t n = std::min<std::size_t>(rest.size(), std::numeric_limits<uInt>::max());
        entry.crc = static_cast<std::uint32_t>(
            crc32(entry.crc, reinterpret_cast<const Bytef*>(rest.data()), static_cast<uInt>(n)));
        rest.remove_prefix(n);
    }
    entry.uncompressed += bytes.size();
    return Deflate(bytes, Z_NO_FLUSH);
}

Status ZipWriter::Deflate(std::string_view bytes, int flush) {
    char buffer[kChunk];
    std::string_view rest = bytes;
    do {
        std::size_t n = std::min<std::size_t>(rest.size(), std::numeric_limits<uInt>::max());
        zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(rest.data()));
        zs_.avail_in = static_cast<uInt>(n);
        rest.remove_prefix(n);
        int chunk_flush = rest.empty() ? flush : Z_NO_FLUSH;
        int rc = Z_OK;
        do {
            zs_.next_out = reinterpret_cast<Bytef*>(buffer);
            zs_.avail_out = sizeof buffer;
            rc = deflate(&zs_, chunk_flush);
            if (rc == Z_STREAM_ERROR) {
                return Error::Internal("zlib deflate failed");
            }
            std::size_t produced = sizeof buffer - zs_.avail_out;
            entries_.back().compressed += produced;
            TESSERA_TRY(Emit(std::string_view(buffer, produced)));
        } while (zs_.avail_out == 0 || (chunk_flush == Z_FINISH && rc != Z_STREAM_END));
    } while (!rest.empty());
    return Status::Ok();
}

Status ZipWriter::EndEntry() {
    if (!in_entry_) {
        return Status::Ok();
    }
    TESSERA_TRY(Deflate({}, Z_FINISH));
    deflateEnd(&zs_);
    zs_ready_ = false;
    in_entry_ = false;
    const Entry& entry = entries_.back();
    std::string descriptor;
    Put32(descriptor, kDescriptorSig);
    Put32(descriptor, entry.crc);
    Put64(descriptor, entry.compressed);
    Put64(descriptor, entry.uncompressed);
    return Emit(descriptor);
}

std::string ZipWriter::CentralHeader(const Entry& entry) const {
    bool big_u = force_zip64_ || entry.uncompressed >= kMax32;
    bool big_c = force_zip64_ || entry.compressed >= kMax32;
    bool big_o = force_zip64_ || entry.offset >= kMax32;
    std::string extra;
    if (big_u || big_c || big_o) {
        std::string fields;
        if (big_u) {
            Put64(fields, entry.uncompressed);
        }
        if (big_c) {
            Put64(fields, entry.compressed);
        }
        if (big_o) {
            Put64(fields, entry.offset);
        }
        Put16(extra, 0x0001);
        Put16(extra, static_cast<std::uint16_t>(fields.size()));
        extra += fields;
    }
    std::string h;
    Put32(h, kCentralSig);
    Put16(h, kMadeByUnix | kVersion);
    Put16(h, kVersion);
    Put16(h, kFlags);
    Put16(h, kDeflate);
    Put16(h, dos_time_);
    Put16(h, dos_date_);
    Put32(h, entry.crc);
    Put32(h, Clamp32(entry.compressed, big_c));
    Put32(h, Clamp32(entry.uncompressed, big_u));
    Put16(h, static_cast<std::uint16_t>(entry.name.size()));
    Put16(h, static_cast<std::uint16_t>(extra.size()));
    Put16(h, 0);               // comment
    Put16(h, 0);               // disk
    Put16(h, 0);               // internal attributes
    Put32(h, 0100644u << 16);  // regular file, rw-r--r--
    Put32(h, Clamp32(entry.offset, big_o));
    h += entry.name;
    h += extra;
    return h;
}

std::string ZipWriter::EndRecords(std::uint64_t cd_offset, std::uint64_t cd_size) const {
    std::uint64_t count = entries_.size();
    bool zip64 = force_zip64_ || count >= kMax16 || cd_offset >= kMax32 || cd_size >= kMax32;
    std::string out;
    if (zip64) {
        std::uint64_t record_offset = cd_offset + cd_size;
        Put32(out, kZip64EndSig);
        Put64(out, 44);  // size of the rest of this record
        Put16(out, kMadeByUnix | kVersion);
        Put16(out, kVersion);
        Put32(out, 0);
        Put32(out, 0);
        Put64(out, count);
        Put64(out, count);
        Put64(out, cd_size);
        Put64(out, cd_offset);
        Put32(out, kZip64LocatorSig);
        Put32(out, 0);
        Put64(out, record_offset);
        Put32(out, 1);
    }
    Put32(out, kEndSig);
    Put16(out, 0);
    Put16(out, 0);
    Put16(out, zip64 ? kMax16 : static_cast<std::uint16_t>(count));
    Put16(out, zip64 ? kMax16 : static_cast<std::uint16_t>(count));
    Put32(out, Clamp32(cd_size, zip64));
    Put32(out, Clamp32(cd_offset, zip64));
    Put16(out, 0);
    return out;
}

Status ZipWriter::Finish() {
    if (finished_) {
        return Status::Ok();
    }
    TESSERA_TRY(EndEntry());
    finished_ = true;
    std::uint64_t cd_offset = offset_;
    for (const Entry& entry : entries_) {
        TESSERA_TRY(Emit(CentralHeader(entry)));
    }
    std::uint64_t cd_size = offset_ - cd_offset;
    TESSERA_TRY(Emit(EndRecords(cd_offset, cd_size)));
    return out_.Flush();
}

}  // namespace tessera
