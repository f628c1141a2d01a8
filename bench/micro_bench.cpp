// Micro-benchmarks for the per-request and per-row CPU work around the storage hot paths:
//   - LabelTree::FromJson + ValidateClassification (every submit validates its answer),
//   - ParseClassificationPayload + MakeExportRecord + JsonlLine (every exported row).
// Run: tessera_micro_bench [--benchmark_filter=...]. Results: docs/PERFORMANCE.md.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "domain/classification.hpp"
#include "domain/label_tree.hpp"
#include "formats/jsonl_writer.hpp"
#include "services/export_record.hpp"

namespace tessera {
namespace {

nlohmann::json FlatLabels() {
    return nlohmann::json::parse(
        R"([{"name":"Cat"},{"name":"Dog"},{"name":"Car"},{"name":"Tree"},{"name":"House"},)"
        R"({"name":"Person"}])");
}

// Two levels, 10 x 10 = 110 nodes: a realistic larger taxonomy.
nlohmann::json NestedLabels() {
    nlohmann::json roots = nlohmann::json::array();
    for (int i = 0; i < 10; ++i) {
        nlohmann::json children = nlohmann::json::array();
        for (int j = 0; j < 10; ++j) {
            children.push_back({{"name", "Leaf" + std::to_string(j)}});
        }
        roots.push_back({{"name", "Group" + std::to_string(i)}, {"children", children}});
    }
    return roots;
}

void BM_LabelTreeFromJsonFlat(benchmark::State& state) {
    const nlohmann::json labels = FlatLabels();
    for (auto _ : state) {
        auto tree = LabelTree::FromJson(labels);
        benchmark::DoNotOptimize(tree);
    }
}
BENCHMARK(BM_LabelTreeFromJsonFlat);

void BM_LabelTreeFromJsonNested(benchmark::State& state) {
    const nlohmann::json labels = NestedLabels();
    for (auto _ : state) {
        auto tree = LabelTree::FromJson(labels);
        benchmark::DoNotOptimize(tree);
    }
}
BENCHMARK(BM_LabelTreeFromJsonNested);

void BM_ValidateClassificationMulticlass(benchmark::State& state) {
    auto tree = LabelTree::FromJson(NestedLabels());
    const std::vector<std::string> answer{"Group7/Leaf3"};
    for (auto _ : state) {
        auto labels = ValidateClassification(TaskType::kMulticlass, *tree, answer);
        benchmark::DoNotOptimize(labels);
    }
}
BENCHMARK(BM_ValidateClassificationMulticlass);

void BM_ValidateClassificationMultilabel(benchmark::State& state) {
    auto tree = LabelTree::FromJson(NestedLabels());
    const std::vector<std::string> answer{"Group7/Leaf3", "Group1", "Group9/Leaf9", "Group1"};
    for (auto _ : state) {
        auto labels = ValidateClassification(TaskType::kMultilabel, *tree, answer);
        benchmark::DoNotOptimize(labels);
    }
}
BENCHMARK(BM_ValidateClassificationMultilabel);

// What a submit does before it reaches the repository: parse the project's labels, validate.
void BM_SubmitValidationPath(benchmark::State& state) {
    const nlohmann::json labels = NestedLabels();
    const std::vector<std::string> answer{"Group7/Leaf3"};
    for (auto _ : state) {
        auto tree = LabelTree::FromJson(labels);
        auto valid = ValidateClassification(TaskType::kMulticlass, *tree, answer);
        benchmark::DoNotOptimize(valid);
    }
}
BENCHMARK(BM_SubmitValidationPath);

ExportRow SampleRow() {
    ExportRow row;
    row.item.id = 123456;
    row.item.path = "dir123/img123456.jpg";
    row.item.format = "jpeg";
    row.item.width = 640;
    row.item.height = 480;
    row.annotation.payload_json = ClassificationPayload({"Dog"});
    row.annotation.updated_at = 1'700'000'000'123;
    row.author = "labeler17";
    return row;
}

Project SampleProject() {
    Project p;
    p.task_type = TaskType::kMulticlass;
    p.datasource.path = "/bench";
    return p;
}

void BM_ParseClassificationPayload(benchmark::State& state) {
    const std::string payload = ClassificationPayload({"Dog"});
    for (auto _ : state) {
        auto labels = ParseClassificationPayload(payload);
        benchmark::DoNotOptimize(labels);
    }
}
BENCHMARK(BM_ParseClassificationPayload);

void BM_MakeExportRecord(benchmark::State& state) {
    const Project project = SampleProject();
    const ExportRow row = SampleRow();
    for (auto _ : state) {
        auto record = MakeExportRecord(project, row);
        benchmark::DoNotOptimize(record);
    }
}
BENCHMARK(BM_MakeExportRecord);

void BM_JsonlLine(benchmark::State& state) {
    auto record = MakeExportRecord(SampleProject(), SampleRow());
    for (auto _ : state) {
        std::string line = JsonlLine(*record);
        benchmark::DoNotOptimize(line);
    }
}
BENCHMARK(BM_JsonlLine);

// The whole per-row CPU cost of a JSONL export outside the database.
void BM_ExportRowToJsonl(benchmark::State& state) {
    const Project project = SampleProject();
    const ExportRow row = SampleRow();
    for (auto _ : state) {
        auto record = MakeExportRecord(project, row);
        std::string line = JsonlLine(*record);
        benchmark::DoNotOptimize(line);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExportRowToJsonl);

}  // namespace
}  // namespace tessera

BENCHMARK_MAIN();
