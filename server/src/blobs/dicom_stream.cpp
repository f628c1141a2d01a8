#include "blobs/dicom_stream.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace tessera::blobs_internal {
namespace {

// Reopens the reader at the offset of a value DCMTK did not load while parsing.
class ReaderDicomFactory final : public DcmInputStreamFactory {
public:
    ReaderDicomFactory(DicomByteReader read, std::int64_t size, offile_off_t offset)
        : read_(std::move(read)), size_(size), offset_(offset) {}

    DcmInputStream* create() const override {
        auto* stream = new ReaderDicomStream(read_, size_);
        stream->skip(offset_);
        return stream;
    }
    DcmInputStreamFactory* clone() const override {
        return new ReaderDicomFactory(read_, size_, offset_);
    }
    DcmInputStreamFactoryType ident() const override { return DFT_DcmInputFileStreamFactory; }

private:
    DicomByteReader read_;
    std::int64_t size_;
    offile_off_t offset_;
};

}  // namespace

offile_off_t ReaderDicomProducer::avail() {
    return static_cast<offile_off_t>(std::max<std::int64_t>(0, size_ - offset_));
}

offile_off_t ReaderDicomProducer::read(void* buf, offile_off_t buflen) {
    if (!status_.good() || buflen <= 0) {
        return 0;
    }
    const auto want = std::min<std::int64_t>(static_cast<std::int64_t>(buflen), size_ - offset_);
    if (want <= 0) {
        return 0;
    }
    const std::string bytes = read_(offset_, static_cast<std::size_t>(want));
    if (static_cast<std::int64_t>(bytes.size()) < want) {
        // The file shrank or the disk failed: the parser sees the end and reports it.
        status_ = EC_InvalidStream;
    }
    std::memcpy(buf, bytes.data(), bytes.size());
    offset_ += static_cast<std::int64_t>(bytes.size());
    return static_cast<offile_off_t>(bytes.size());
}

offile_off_t ReaderDicomProducer::skip(offile_off_t skiplen) {
    const auto step = std::clamp<std::int64_t>(static_cast<std::int64_t>(skiplen), 0,
                                               std::max<std::int64_t>(0, size_ - offset_));
    offset_ += step;
    return static_cast<offile_off_t>(step);
}

void ReaderDicomProducer::putback(offile_off_t num) {
    // DCMTK puts back only what it read since its mark; more is a parser bug, not input.
    offset_ = std::max<std::int64_t>(0, offset_ - static_cast<std::int64_t>(num));
}

ReaderDicomStream::ReaderDicomStream(const DicomByteReader& read, std::int64_t size)
    : ReaderDicomProducerHolder{ReaderDicomProducer(read, size)},
      DcmInputStream(&producer),
      read_(read),
      size_(size) {}

OFCondition ReaderDicomStream::installCompressionFilter(E_StreamCompression filter_type) {
    compressed_ = true;
    return DcmInputStream::installCompressionFilter(filter_type);
}

DcmInputStreamFactory* ReaderDicomStream::newFactory() const {
    if (compressed_) {
        return nullptr;
    }
    return new ReaderDicomFactory(read_, size_, tell());
}

}  // namespace tessera::blobs_internal
