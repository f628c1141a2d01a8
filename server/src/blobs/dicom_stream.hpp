#pragma once
// DCMTK input streams over an opened SourceFile's descriptor (read with pread, never reopened
// by name) or over bytes in memory (the fuzz target). Internal to blobs.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcerror.h>
#include <dcmtk/dcmdata/dcistrma.h>

#include <cstdint>
#include <string_view>

namespace tessera::blobs_internal {

// Reads [0, size) of `fd` with pread; the descriptor stays the caller's.
class FdDicomProducer final : public DcmProducer {
public:
    FdDicomProducer(int fd, std::int64_t size) : fd_(fd), size_(size) {}

    OFBool good() const override { return status_.good(); }
    OFCondition status() const override { return status_; }
    OFBool eos() override { return offset_ >= size_; }
    offile_off_t avail() override;
    offile_off_t read(void* buf, offile_off_t buflen) override;
    offile_off_t skip(offile_off_t skiplen) override;
    void putback(offile_off_t num) override;

private:
    int fd_;
    std::int64_t size_;
    std::int64_t offset_ = 0;
    OFCondition status_ = EC_Normal;
};

// Holds the producer so that it is built before the stream that reads from it.
struct FdDicomProducerHolder {
    FdDicomProducer producer;
};

// Element values are read into memory as the parser meets them (newFactory() is null), so
// nothing is ever read again by file name later.
class FdDicomStream final : private FdDicomProducerHolder, public DcmInputStream {
public:
    FdDicomStream(int fd, std::int64_t size);
    DcmInputStreamFactory* newFactory() const override { return nullptr; }
};

}  // namespace tessera::blobs_internal
