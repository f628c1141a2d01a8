#include "blobs/dicom_stream.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace tessera::blobs_internal {

offile_off_t FdDicomProducer::avail() {
    return static_cast<offile_off_t>(std::max<std::int64_t>(0, size_ - offset_));
}

offile_off_t FdDicomProducer::read(void* buf, offile_off_t buflen) {
    if (!status_.good() || buflen <= 0) {
        return 0;
    }
    auto* out = static_cast<char*>(buf);
    const auto want = std::min<std::int64_t>(static_cast<std::int64_t>(buflen), size_ - offset_);
    std::int64_t done = 0;
    while (done < want) {
        ssize_t n = ::pread(fd_, out + done, static_cast<std::size_t>(want - done),
                            static_cast<off_t>(offset_ + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            // The file shrank or the disk failed: the parser sees the end and reports it.
            status_ = EC_InvalidStream;
            break;
        }
        done += n;
    }
    offset_ += done;
    return static_cast<offile_off_t>(done);
}

offile_off_t FdDicomProducer::skip(offile_off_t skiplen) {
    const auto step = std::clamp<std::int64_t>(static_cast<std::int64_t>(skiplen), 0,
                                               std::max<std::int64_t>(0, size_ - offset_));
    offset_ += step;
    return static_cast<offile_off_t>(step);
}

void FdDicomProducer::putback(offile_off_t num) {
    // DCMTK puts back only what it read since its mark; more is a parser bug, not input.
    offset_ = std::max<std::int64_t>(0, offset_ - static_cast<std::int64_t>(num));
}

FdDicomStream::FdDicomStream(int fd, std::int64_t size)
    : FdDicomProducerHolder{FdDicomProducer(fd, size)}, DcmInputStream(&producer) {}

}  // namespace tessera::blobs_internal
