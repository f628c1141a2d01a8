#include "blobs/source_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <utility>

namespace tessera {
namespace {

namespace fs = std::filesystem;

fs::path WithoutTrailingSlash(fs::path path) {
    path = path.lexically_normal();
    if (!path.has_filename() && path.has_parent_path() && path != path.root_path()) {
        path = path.parent_path();
    }
    return path;
}

// The path the kernel has for the open file, whatever names led to it.
Result<fs::path> RealPathOf(int fd) {
    std::string link = "/proc/self/fd/" + std::to_string(fd);
    std::array<char, 4096> buf{};
    ssize_t n = ::readlink(link.c_str(), buf.data(), buf.size());
    if (n < 0 || static_cast<std::size_t>(n) >= buf.size()) {
        return Error::Internal("cannot check where an image file lies (is /proc mounted?)");
    }
    return fs::path(std::string(buf.data(), static_cast<std::size_t>(n)));
}

}  // namespace

bool IsBeneath(const fs::path& path, const fs::path& root) {
    fs::path p = WithoutTrailingSlash(path);
    fs::path r = WithoutTrailingSlash(root);
    auto [ri, pi] = std::mismatch(r.begin(), r.end(), p.begin(), p.end());
    return ri == r.end();
}

Result<SourceFile> SourceFile::Open(const SourceRef& ref) {
    if (ref.root.empty() || !ref.root.is_absolute() || !IsBeneath(ref.path, ref.root)) {
        return Error::PermissionDenied("the image file is outside the datasource folder");
    }
    int fd = ::open(ref.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (errno == EACCES || errno == EPERM) {
            return Error::NotFound("the image file cannot be read (permission denied)");
        }
        return Error::NotFound("the image file is missing");
    }
    SourceFile file(fd, 0, 0);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        return Error::NotFound("the image file is not a regular file");
    }
    TESSERA_ASSIGN_OR_RETURN(fs::path real, RealPathOf(fd));
    if (!IsBeneath(real, ref.root)) {
        return Error::PermissionDenied("the image file is outside the datasource folder");
    }
    // Reads go through pread and libvips sources; blocking reads are what they expect.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    file.size_ = static_cast<std::int64_t>(st.st_size);
    file.mtime_ns_ = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1000000000ULL +
                     static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
    return file;
}

SourceFile::SourceFile(SourceFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(other.size_), mtime_ns_(other.mtime_ns_) {}

SourceFile& SourceFile::operator=(SourceFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = std::exchange(other.fd_, -1);
        size_ = other.size_;
        mtime_ns_ = other.mtime_ns_;
    }
    return *this;
}

SourceFile::~SourceFile() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

std::string SourceFile::ReadPrefix(std::size_t count) const {
    std::string bytes(count, '\0');
    ssize_t n = ::pread(fd_, bytes.data(), count, 0);
    bytes.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return bytes;
}

Result<std::string> SourceFile::ReadAll() const {
    std::string bytes(static_cast<std::size_t>(size_), '\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n =
            ::pread(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return Error::Internal("cannot read the image file");
        }
        done += static_cast<std::size_t>(n);
    }
    return bytes;
}

}  // namespace tessera
