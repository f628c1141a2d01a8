// libFuzzer's entry points for one target, named by TESSERA_FUZZ_TARGET at compile time
// (server/fuzz/CMakeLists.txt builds this small file once per target in the `fuzz` preset).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "targets.hpp"

#ifndef TESSERA_FUZZ_TARGET
#error "TESSERA_FUZZ_TARGET must name the target this executable fuzzes"
#endif

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** argv) {
    if (!tessera::fuzz::InitFuzzTarget(TESSERA_FUZZ_TARGET, (*argv)[0])) {
        std::fprintf(stderr, "fuzz: no target named %s\n", TESSERA_FUZZ_TARGET);
        std::abort();  // a build mistake, not an input
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)tessera::fuzz::RunFuzzTarget(TESSERA_FUZZ_TARGET, data, size);
    return 0;
}
