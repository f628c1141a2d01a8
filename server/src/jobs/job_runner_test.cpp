#include "jobs/job_runner.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <thread>

#include "fakes/fake_clock.hpp"
#include "storage/sqlite/sqlite_repository.hpp"

namespace tessera {
namespace {

// A handler whose body each test supplies.
class LambdaHandler final : public JobHandler {
public:
    using Body = std::function<JobOutcome(const Job&, JobContext&, std::string&)>;
    explicit LambdaHandler(Body body) : body_(std::move(body)) {}
    JobOutcome Run(const Job& job, JobContext& context, std::string& error) override {
        ++runs;
        return body_(job, context, error);
    }
    std::atomic<int> runs{0};

private:
    Body body_;
};

class JobRunnerTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = SqliteRepository::Open(":memory:");
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        repo_ = std::move(opened).value();
        ASSERT_TRUE(repo_->Migrate().ok());
    }

    Id Enqueue(const std::string& kind, TimeMs created_at = 0) {
        Job job;
        job.kind = kind;
        job.project_id = 7;
        job.payload_json = "{}";
        job.created_at = created_at != 0 ? created_at : clock_.NowMs();
        auto r = repo_->EnqueueJob(job);
        EXPECT_TRUE(r.ok()) << r.error().message;
        return r.ok() ? r->id : 0;
    }
    Job Get(Id id) { return *repo_->GetJob(id); }

    std::unique_ptr<Repository> repo_;
    FakeClock clock_;
    JobRunnerSettings settings_{"test", 1, 10, 60'000, 1000};
};

TEST_F(JobRunnerTest, RunsQueuedJobsOfRegisteredKindsInOrder) {
    std::vector<Id> order;
    LambdaHandler handler([&](const Job& job, JobContext&, std::string&) {
        order.push_back(job.id);
        return JobOutcome::kDone;
    });
    Id first = Enqueue("ingest", clock_.NowMs() - 2);
    Id second = Enqueue("ingest", clock_.NowMs() - 1);
    Id other = Enqueue("train");
    JobRunner runner(*repo_, clock_, settings_);
    runner.Register("ingest", handler);
    EXPECT_EQ(runner.RunUntilIdle(), 2);
    EXPECT_EQ(order, (std::vector<Id>{first, second}));
    EXPECT_EQ(Get(first).state, JobState::kDone);
    EXPECT_EQ(Get(first).finished_at, clock_.NowMs());
    EXPECT_EQ(Get(first).worker, "test");
    EXPECT_EQ(Get(other).state, JobState::kQueued);
}

TEST_F(JobRunnerTest, FailureCarriesTheHandlersMessage) {
    LambdaHandler handler([](const Job&, JobContext&, std::string& error) {
        error = "folder vanished";
        return JobOutcome::kFailed;
    });
    Id id = Enqueue("ingest");
    JobRunner runner(*repo_, clock_, settings_);
    runner.Register("ingest", handler);
    EXPECT_EQ(runner.RunUntilIdle(), 1);
    EXPECT_EQ(Get(id).state, JobState::kFailed);
    EXPECT_EQ(Get(id).error, "folder vanished");
}

TEST_F(JobRunnerTest, ThrowingHandlerFailsTheJobAndTheRunnerGoesOn) {
    LambdaHandler handler([](const Job& job, JobContext&, std::string&) -> JobOutcome {
        if (job.payload_json == "{}") {
            throw std::runtime_error("boom");
        }
        return JobOutcome::kDone;
    });
    Id bad = Enqueue("ingest", clock_.NowMs() - 1);
    Job good_job;
    good_job.kind = "ingest";
    good_job.payload_json = R"({"ok":true})";
    good_job.created_at = clock_.NowMs();
    Id good = repo_->EnqueueJob(good_job)->id;
    JobRunner runner(*repo_, clock_, settings_);
    runner.Register("ingest", handler);
    EXPECT_EQ(runner.RunUntilIdle(), 2);
    EXPECT_EQ(Get(bad).state, JobState::kFailed);
    EXPECT_NE(Get(bad).error.find("boom"), std::string::npos);
    EXPECT_EQ(Get(good).state, JobState::kDone);
}

TEST_F(JobRunnerTest, ProgressIsWrittenAtMostOncePerInterval) {
    std::vector<std::int64_t> seen;
    Id id = 0;
    LambdaHandler handler([&](const Job&, JobContext& context, std::string&) {
        context.ReportProgress(1, 10);  // first report: written at once
        seen.push_back(Get(id).progress_done);
        clock_.Advance(500);
        context.ReportProgress(2, 10);  // within the interval: held back
        seen.push_back(Get(id).progress_done);
        clock_.Advance(500);
        context.ReportProgress(3, 10);  // a second after the last write
        seen.push_back(Get(id).progress_done);
        context.ReportProgress(4, 10);  // held back, but flushed when the job ends
        return JobOutcome::kDone;
    });
    id = Enqueue("ingest");
    JobRunner runner(*repo_, clock_, settings_);
    runner.Register("ingest", handler);
    runner.RunUntilIdle();
    EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 1, 3}));
    EXPECT_EQ(Get(id).progress_done, 4);
    EXPECT_EQ(Get(id).progress_total, 10);
}

TEST_F(JobRunnerTest, StaleRunningJobIsReclaimed) {
    Id id = Enqueue("ingest");
    // A worker that claimed the job and died.
    ASSERT_TRUE(repo_->ClaimJob({"ingest"}, "dead", clock_.NowMs(), 0).ok());
    LambdaHandler handler([](const Job&, JobContext&, std::string&) { return JobOutcome::kDone; });
    JobRunner runner(*repo_, clock_, settings_);
    runner.Register("ingest", handler);
    EXPECT_EQ(runner.RunUntilIdle(), 0);  // heartbeat still fresh
    clock_.Advance(settings_.stale_after_ms + 1);
    EXPECT_EQ(runner.RunUntilIdle(), 1);
    EXPECT_EQ(Get(id).state, JobState::kDone);
}

TEST_F(JobRunnerTest, ThreadsRunJobsAndStopJoins) {
    LambdaHandler handler([](const Job&, JobContext&, std::string&) { return JobOutcome::kDone; });
    std::vector<Id> ids;
    ids.reserve(5);
    for (int i = 0; i < 5; ++i) {
        ids.push_back(Enqueue("ingest", clock_.NowMs() + i));
    }
    settings_.threads = 2;
    JobRunner runner(*repo_, clock_, settings_);
    runner.Register("ingest", handler);
    runner.Start();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Get(ids.back()).state != JobState::kDone &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    runner.Stop();
    runner.Stop();  // idempotent
    for (Id id : ids) {
        EXPECT_EQ(Get(id).state, JobState::kDone) << id;
    }
    EXPECT_EQ(handler.runs.load(), 5);
}

TEST_F(JobRunnerTest, StopInterruptsARunningJobWhichStaysClaimable) {
    std::atomic<bool> started{false};
    LambdaHandler handler([&](const Job&, JobContext& context, std::string&) {
        started = true;
        while (!context.StopRequested()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return JobOutcome::kInterrupted;
    });
    Id id = Enqueue("ingest");
    {
        JobRunner runner(*repo_, clock_, settings_);
        runner.Register("ingest", handler);
        runner.Start();
        while (!started) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        runner.Stop();
    }
    EXPECT_EQ(Get(id).state, JobState::kRunning);
    clock_.Advance(settings_.stale_after_ms + 1);
    LambdaHandler finisher([](const Job&, JobContext&, std::string&) { return JobOutcome::kDone; });
    JobRunner next(*repo_, clock_, settings_);
    next.Register("ingest", finisher);
    EXPECT_EQ(next.RunUntilIdle(), 1);
    EXPECT_EQ(Get(id).state, JobState::kDone);
}

TEST_F(JobRunnerTest, HeartbeatContinuesWhileAJobIsBusy) {
    settings_.progress_interval_ms = 5;
    settings_.stale_after_ms = 30;
    std::atomic<TimeMs> beat_seen{0};
    Id id = Enqueue("ingest");
    TimeMs claimed_at = clock_.NowMs();
    LambdaHandler handler([&](const Job&, JobContext&, std::string&) {
        clock_.Advance(1000);  // the job is busy and never reports progress
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            TimeMs beat = Get(id).heartbeat_at;
            if (beat > claimed_at) {
                beat_seen = beat;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        return JobOutcome::kDone;
    });
    JobRunner runner(*repo_, clock_, settings_);
    runner.Register("ingest", handler);
    EXPECT_EQ(runner.RunUntilIdle(), 1);
    EXPECT_EQ(beat_seen.load(), claimed_at + 1000);
}

}  // namespace
}  // namespace tessera
