#pragma once
// Azurite, Microsoft's Azure Storage emulator, for the Azure Blob tests. scripts/azurite.sh
// starts one and prints its blob endpoint; scripts/test.sh exports it as
// TESSERA_TEST_AZURITE_URL with TESSERA_REQUIRE_AZURITE=1. Blobs are uploaded with Microsoft's
// own @azure/storage-blob client through web/e2e/azurite_upload.mjs (the test target defines
// TESSERA_WEB_DIR).
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace tessera::testing {

// Azurite's well-known development account and key, published by Microsoft.
inline constexpr std::string_view kAzuriteAccount = "devstoreaccount1";
inline constexpr std::string_view kAzuriteKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

// "http://127.0.0.1:PORT/devstoreaccount1", or "" without Azurite.
inline std::string AzuriteUrl() {
    const char* url = std::getenv("TESSERA_TEST_AZURITE_URL");
    return url == nullptr ? "" : url;
}

// A container name no other test (or test process) uses.
inline std::string UniqueContainer(std::string_view what) {
    static std::atomic<int> counter{0};
    return std::string(what) + "-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

#ifdef TESSERA_WEB_DIR
// Runs `node e2e/azurite_upload.mjs URL CONTAINER ARGS` (ARGS shell-quoted by the caller):
// the number of blobs uploaded, or -1 when it failed.
inline int UploadWithAzureSdk(const std::string& container, const std::string& args) {
    const std::string command = "cd '" TESSERA_WEB_DIR "' && node e2e/azurite_upload.mjs '" +
                                AzuriteUrl() + "' '" + container + "' " + args;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return -1;
    }
    std::array<char, 64> out{};
    std::string text;
    while (fgets(out.data(), out.size(), pipe) != nullptr) {
        text += out.data();
    }
    return pclose(pipe) == 0 ? std::atoi(text.c_str()) : -1;
}
#endif

}  // namespace tessera::testing

// Use at the top of a TEST body: skips without Azurite, or fails under TESSERA_REQUIRE_AZURITE=1.
#define TESSERA_REQUIRE_AZURITE()                                                              \
    do {                                                                                       \
        if (::tessera::testing::AzuriteUrl().empty()) {                                        \
            const char* require = std::getenv("TESSERA_REQUIRE_AZURITE");                      \
            if (require != nullptr && std::string_view(require) == "1") {                      \
                FAIL() << "TESSERA_TEST_AZURITE_URL is not set (scripts/azurite.sh start DIR " \
                          "prints it)";                                                        \
            }                                                                                  \
            GTEST_SKIP() << "no Azurite: set TESSERA_TEST_AZURITE_URL (scripts/azurite.sh)";   \
        }                                                                                      \
    } while (0)
