#pragma once
// The shared datasets (../shared/datasets next to the repository root: other tools' real files,
// never copied into the repository). A test that needs one fails when it is absent, the way the
// PostgreSQL tests fail without TESSERA_TEST_PG_URL under TESSERA_REQUIRE_PG: CI always has the
// folder, so a missing one is a broken checkout, not a reason to pass. A developer without it
// sets TESSERA_ALLOW_MISSING_DATASETS=1 to skip those tests instead.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string_view>

namespace tessera::testing {

inline bool MissingDatasetsAllowed() {
    const char* allow = std::getenv("TESSERA_ALLOW_MISSING_DATASETS");
    return allow != nullptr && std::string_view(allow) == "1";
}

}  // namespace tessera::testing

// Use at the top of a TEST body: fails (or skips, when allowed) unless `path` exists.
#define TESSERA_REQUIRE_DATASET(path)                                                        \
    do {                                                                                     \
        if (!std::filesystem::exists(path)) {                                                \
            if (::tessera::testing::MissingDatasetsAllowed()) {                              \
                GTEST_SKIP() << "shared dataset " << (path)                                  \
                             << " absent; skipped (TESSERA_ALLOW_MISSING_DATASETS=1)";       \
            }                                                                                \
            FAIL() << "shared dataset " << (path) << " absent: the tests read other tools' " \
                   << "files from ../shared/datasets next to the repository root (set "      \
                   << "TESSERA_ALLOW_MISSING_DATASETS=1 to skip these tests instead)";       \
        }                                                                                    \
    } while (0)
