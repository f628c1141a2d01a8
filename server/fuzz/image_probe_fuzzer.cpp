// The image header probe that ingest runs on every file of a folder: any bytes, written to a
// file (the prober reads paths, as ingest does) and probed with libvips.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "blobs/image_probe.hpp"
#include "blobs/source_file.hpp"
#include "blobs/vips_init.hpp"
#include "targets.hpp"

namespace tessera::fuzz {
namespace {

// One file per process, rewritten for each input; /dev/shm keeps the fuzzer off the disk.
const std::string& ScratchPath() {
    static const std::string kPath = [] {
        std::string templ = "/dev/shm/tessera-probe-fuzz-XXXXXX";
        const int fd = mkstemp(templ.data());
        if (fd < 0) {
            std::perror("mkstemp");
            std::abort();  // the fuzzing machine, not an input
        }
        close(fd);
        std::atexit([] { unlink(ScratchPath().c_str()); });
        return templ;
    }();
    return kPath;
}

}  // namespace

void InitImageProbe(const char* argv0) {
    if (!InitVips(argv0).ok()) {
        std::abort();  // the fuzzing machine, not an input
    }
}

void FuzzImageProbe(const std::uint8_t* data, std::size_t size) {
    std::FILE* file = std::fopen(ScratchPath().c_str(), "wb");
    if (file == nullptr) {
        std::abort();  // the fuzzing machine, not an input
    }
    std::fwrite(data, 1, size, file);
    std::fclose(file);
    VipsImageProber prober;
    // Read through SourceFile like ingest does: the scratch file beneath /dev/shm.
    const std::filesystem::path path = std::filesystem::canonical(ScratchPath());
    (void)prober.Probe(SourceRef{path.parent_path(), path});
}

}  // namespace tessera::fuzz
