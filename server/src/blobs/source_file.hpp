#pragma once
// Opening a datasource's image file so that it cannot be swapped for a file outside the
// datasource folder. The folder walk refuses links that leave the root, but the folder can
// change after ingest: a file (or a folder above it) replaced by a symlink to /etc/... must not
// be served to labelers. Every read of a source file goes through SourceFile: it opens the file,
// then checks the real path of the open descriptor (not of the name, which could change between
// check and use) and hands out only that descriptor.
#include <cstdint>
#include <filesystem>
#include <string>

#include "base/result.hpp"

namespace tessera {

struct SourceRef {
    std::filesystem::path root;  // the datasource folder, canonical (as ProjectService stored it)
    std::filesystem::path path;  // the file: root / the item's relative path
};

class SourceFile {
public:
    // Opens ref.path read-only (a FIFO or device never blocks the open) and keeps it only when
    // it is a regular file whose real path lies beneath ref.root. Links that stay inside the
    // root are followed, as the folder walk lists them. Errors name no path, so they may reach
    // any labeler: kNotFound when the file is missing or not a regular file,
    // kPermissionDenied when it resolves outside the root, kInternal when the descriptor's path
    // cannot be read back (no /proc).
    static Result<SourceFile> Open(const SourceRef& ref);

    SourceFile(SourceFile&& other) noexcept;
    SourceFile& operator=(SourceFile&& other) noexcept;
    SourceFile(const SourceFile&) = delete;
    SourceFile& operator=(const SourceFile&) = delete;
    ~SourceFile();

    int fd() const { return fd_; }
    std::int64_t size() const { return size_; }
    // Modification time in nanoseconds since the epoch: with size, the version of the file.
    std::uint64_t mtime_ns() const { return mtime_ns_; }
    // Up to `count` bytes from the start of the file ("" on a read error).
    std::string ReadPrefix(std::size_t count) const;
    // The whole file; kInternal on a read error.
    Result<std::string> ReadAll() const;

private:
    SourceFile(int fd, std::int64_t size, std::uint64_t mtime_ns)
        : fd_(fd), size_(size), mtime_ns_(mtime_ns) {}

    int fd_ = -1;
    std::int64_t size_ = 0;
    std::uint64_t mtime_ns_ = 0;
};

// True when the lexically normal `path` is `root` or lies below it.
bool IsBeneath(const std::filesystem::path& path, const std::filesystem::path& root);

}  // namespace tessera
