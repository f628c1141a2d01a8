#pragma once
// DCMTK input streams over a DicomByteReader: an opened SourceFile's descriptor (read with
// pread, never reopened by name) or bytes in memory (the fuzz target). Internal to blobs.
//
// Values longer than the parser's read limit are not loaded while parsing: the stream hands
// DCMTK a factory that reads them later from the same reader, so an element or fragment that
// states a huge length is never allocated unless it is used, and what is used is checked
// against the file's size first (dicom_image.cpp).
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcerror.h>
#include <dcmtk/dcmdata/dcistrma.h>

#include <cstdint>

#include "blobs/dicom_scan.hpp"

namespace tessera::blobs_internal {

// Reads [0, size) through `read`.
class ReaderDicomProducer final : public DcmProducer {
public:
    ReaderDicomProducer(DicomByteReader read, std::int64_t size)
        : read_(std::move(read)), size_(size) {}

    OFBool good() const override { return status_.good(); }
    OFCondition status() const override { return status_; }
    OFBool eos() override { return offset_ >= size_; }
    offile_off_t avail() override;
    offile_off_t read(void* buf, offile_off_t buflen) override;
    offile_off_t skip(offile_off_t skiplen) override;
    void putback(offile_off_t num) override;

private:
    DicomByteReader read_;
    std::int64_t size_;
    std::int64_t offset_ = 0;
    OFCondition status_ = EC_Normal;
};

// Holds the producer so that it is built before the stream that reads from it.
struct ReaderDicomProducerHolder {
    ReaderDicomProducer producer;
};

class ReaderDicomStream final : private ReaderDicomProducerHolder, public DcmInputStream {
public:
    ReaderDicomStream(const DicomByteReader& read, std::int64_t size);
    // Deflated datasets: offsets in the inflated stream cannot be read again later, so their
    // values are loaded as met (no factory).
    OFCondition installCompressionFilter(E_StreamCompression filter_type) override;
    DcmInputStreamFactory* newFactory() const override;

private:
    DicomByteReader read_;
    std::int64_t size_;
    bool compressed_ = false;
};

}  // namespace tessera::blobs_internal
