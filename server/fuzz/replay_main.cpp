// Runs a fuzz target once over each input file, without libFuzzer: the regression test of every
// build that is not the `fuzz` preset (under the asan preset, with its sanitizers).
//   fuzz_replay TARGET PATH...   each PATH a file or a folder (its files, recursively)
//   fuzz_replay --list           the target names
// Exits 0 after running every input, 2 on a usage mistake or when no input was found (a replay
// of nothing proves nothing), 77 (ctest: skipped) for no input when
// TESSERA_ALLOW_MISSING_DATASETS=1 says ../shared/datasets may be absent; a finding crashes it
// (the sanitizer's report follows the line naming the input).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "targets.hpp"

namespace {

std::vector<std::filesystem::path> InputsUnder(const std::filesystem::path& path) {
    std::vector<std::filesystem::path> inputs;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        for (const auto& entry : std::filesystem::recursive_directory_iterator(path, ec)) {
            if (entry.is_regular_file()) {
                inputs.push_back(entry.path());
            }
        }
    } else if (std::filesystem::is_regular_file(path, ec)) {
        inputs.push_back(path);
    }
    std::sort(inputs.begin(), inputs.end());  // the same order on every machine
    return inputs;
}

std::string ReadAll(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
    using namespace tessera::fuzz;
    if (argc == 2 && std::string(argv[1]) == "--list") {
        for (const std::string& name : FuzzTargetNames()) {
            std::printf("%s\n", name.c_str());
        }
        return 0;
    }
    if (argc < 3) {
        std::fprintf(stderr, "usage: fuzz_replay TARGET PATH... | fuzz_replay --list\n");
        return 2;
    }
    const std::string target = argv[1];
    if (!InitFuzzTarget(target, argv[0])) {
        std::fprintf(stderr, "fuzz_replay: no target named %s (see --list)\n", target.c_str());
        return 2;
    }
    std::size_t count = 0;
    for (int i = 2; i < argc; ++i) {
        for (const auto& input : InputsUnder(argv[i])) {
            std::fprintf(stderr, "fuzz_replay %s: %s\n", target.c_str(), input.c_str());
            const std::string bytes = ReadAll(input);
            (void)RunFuzzTarget(target, reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                bytes.size());
            ++count;
        }
    }
    if (count == 0) {
        std::fprintf(stderr, "fuzz_replay %s: no input files under the paths given\n",
                     target.c_str());
        const char* allow = std::getenv("TESSERA_ALLOW_MISSING_DATASETS");
        return allow != nullptr && std::string(allow) == "1" ? 77 : 2;
    }
    std::printf("fuzz_replay %s: %zu inputs, no finding\n", target.c_str(), count);
    return 0;
}
