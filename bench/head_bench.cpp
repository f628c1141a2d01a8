// Fit time of the ML assist classifier head (docs/design/ml.md, "Heads and calibration").
//
//   tessera_head_bench [--rows 10000] [--dims 1792] [--classes 10] [--iterations 100]
//                      [--threads 0]
//
// Fits SoftmaxHead on synthetic rows (L2-normalized, one noisy centre per class, seeded) for a
// fixed number of iterations and prints one line: the time an iteration takes and the training
// accuracy. Issue 10's budget is a train-validate-infer cycle on 10,000 items in 2 minutes,
// with five folds and a final fit. Results: docs/PERFORMANCE.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "ml/softmax_head.hpp"

namespace tessera::ml {
namespace {

struct Options {
    int rows = 10000;
    int dims = 1792;
    int classes = 10;
    int iterations = 100;
    int threads = 0;
};

bool Parse(int argc, char** argv, Options& opt) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        int value = 0;
        try {
            value = std::stoi(argv[i + 1]);
        } catch (const std::exception&) {
            return false;
        }
        if (flag == "--rows") {
            opt.rows = value;
        } else if (flag == "--dims") {
            opt.dims = value;
        } else if (flag == "--classes") {
            opt.classes = value;
        } else if (flag == "--iterations") {
            opt.iterations = value;
        } else if (flag == "--threads") {
            opt.threads = value;
        } else {
            return false;
        }
    }
    return argc % 2 == 1 && opt.rows > 0 && opt.dims > 0 && opt.classes > 1 && opt.iterations > 0 &&
           opt.threads >= 0;
}

int Main(int argc, char** argv) {
    Options opt;
    if (!Parse(argc, argv, opt)) {
        std::fprintf(stderr,
                     "usage: tessera_head_bench [--rows N] [--dims N] [--classes N] "
                     "[--iterations N] [--threads N]\n");
        return 2;
    }
    std::mt19937_64 random(1);
    std::normal_distribution<float> noise(0, 1);
    const auto dims = static_cast<std::size_t>(opt.dims);
    std::vector<std::vector<float>> centres(static_cast<std::size_t>(opt.classes),
                                            std::vector<float>(dims));
    for (auto& centre : centres) {
        std::generate(centre.begin(), centre.end(), [&] { return noise(random); });
    }
    std::vector<std::vector<float>> x;
    std::vector<int> y;
    x.reserve(static_cast<std::size_t>(opt.rows));
    y.reserve(static_cast<std::size_t>(opt.rows));
    for (int i = 0; i < opt.rows; ++i) {
        const int cls = i % opt.classes;
        std::vector<float> row(dims);
        double norm = 0;
        for (std::size_t d = 0; d < dims; ++d) {
            row[d] = centres[static_cast<std::size_t>(cls)][d] + 3 * noise(random);
            norm += static_cast<double>(row[d]) * row[d];
        }
        for (float& v : row) {
            v = static_cast<float>(v / std::sqrt(norm));
        }
        x.push_back(std::move(row));
        y.push_back(cls);
    }
    HeadOptions options;
    options.max_iterations = opt.iterations;
    options.tolerance = 0;  // run every iteration asked for
    options.threads = opt.threads;
    const auto start = std::chrono::steady_clock::now();
    const SoftmaxHead head = SoftmaxHead::Fit(x, y, opt.classes, options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int right = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const std::vector<double> z = head.Logits(x[i]);
        right += std::max_element(z.begin(), z.end()) - z.begin() == y[i] ? 1 : 0;
    }
    std::printf(
        "head_fit rows=%d dims=%d classes=%d threads=%d iterations=%d seconds=%.2f "
        "per_iteration_ms=%.1f train_accuracy=%.3f\n",
        opt.rows, opt.dims, opt.classes, opt.threads, head.iterations(), seconds,
        1000 * seconds / head.iterations(), static_cast<double>(right) / opt.rows);
    return 0;
}

}  // namespace
}  // namespace tessera::ml

int main(int argc, char** argv) {
    return tessera::ml::Main(argc, argv);
}
