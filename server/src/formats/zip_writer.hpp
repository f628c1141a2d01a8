#pragma once
// A streaming ZIP writer: entries are deflated (zlib, raw deflate) straight into the sink, with
// CRC-32 and sizes in a data descriptor after the data, so nothing is held whole and the output
// needs no seeking. ZIP64 throughout for entry data (local header ZIP64 field and 8-byte data
// descriptor sizes); the central directory and end record switch to ZIP64 only when a size,
// offset or count needs it. Readers tested: Info-ZIP unzip, Python zipfile.
#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_sink.hpp"
#include "base/clock.hpp"
#include "formats/buffered_sink.hpp"

namespace tessera {

class ZipWriter {
public:
    // Every entry gets `modified` (UTC) as its time stamp.
    ZipWriter(ByteSink& out, TimeMs modified);
    ~ZipWriter();
    ZipWriter(const ZipWriter&) = delete;
    ZipWriter& operator=(const ZipWriter&) = delete;

    // Starts an entry (a '/'-separated UTF-8 name); ends any open one first.
    Status BeginEntry(const std::string& name);
    // The open entry's data goes here; valid until EndEntry.
    ByteSink& entry() { return entry_sink_; }
    Status EndEntry();
    // Writes the central directory. Nothing may follow.
    Status Finish();

    void ForceZip64ForTest() { force_zip64_ = true; }

private:
    class EntrySink final : public ByteSink {
    public:
        explicit EntrySink(ZipWriter& zip) : zip_(zip) {}
        Status Write(std::string_view bytes) override { return zip_.WriteData(bytes); }

    private:
        ZipWriter& zip_;
    };

    struct Entry {
        std::string name;
        std::uint32_t crc = 0;
        std::uint64_t compressed = 0;
        std::uint64_t uncompressed = 0;
        std::uint64_t offset = 0;
    };

    Status WriteData(std::string_view bytes);
    Status Deflate(std::string_view bytes, int flush);
    Status Emit(std::string_view bytes);
    std::string CentralHeader(const Entry& entry) const;
    std::string EndRecords(std::uint64_t cd_offset, std::uint64_t cd_size) const;

    BufferedSink out_;
    std::uint16_t dos_time_ = 0;
    std::uint16_t dos_date_ = 0;
    bool force_zip64_ = false;
    std::uint64_t offset_ = 0;    // bytes emitted so far
    std::vector<Entry> entries_;  // grows by one small record per entry, not per byte
    bool in_entry_ = false;
    bool finished_ = false;
    z_stream zs_{};
    bool zs_ready_ = false;
    EntrySink entry_sink_{*this};
};

}  // namespace tessera
