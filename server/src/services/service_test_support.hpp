#pragma once
// Shared set-up for service tests: a real SQLite repository in memory, a fake clock and seeded
// randomness, plus a fast argon2 cost.
#include <gtest/gtest.h>
#include <sodium.h>

#include <memory>

#include "base/clock.hpp"
#include "fakes/fake_clock.hpp"
#include "storage/sqlite/sqlite_repository.hpp"

namespace tessera::testing {

struct ServiceEnv {
    std::unique_ptr<Repository> repo;
    FakeClock clock;
    SeededRandom random{42};

    ServiceEnv() {
        auto opened = SqliteRepository::Open(":memory:");
        if (!opened.ok()) {
            ADD_FAILURE() << opened.error().message;
            return;
        }
        repo = std::move(opened).value();
        auto migrated = repo->Migrate();
        if (!migrated.ok()) {
            ADD_FAILURE() << migrated.error().message;
        }
    }
};

}  // namespace tessera::testing
