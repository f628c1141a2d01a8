#include "ml/softmax_head.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <thread>

#include "ml/calibration.hpp"

namespace tessera::ml {
namespace {

// The rows a fit may use: the ones of the common width with a class in range.
std::vector<std::size_t> UsableRows(const std::vector<std::vector<float>>& x,
                                    const std::vector<int>& y, int classes, int dims) {
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (static_cast<int>(x[i].size()) == dims && y[i] >= 0 && y[i] < classes) {
            rows.push_back(i);
        }
    }
    return rows;
}

// a · b over n floats, in eight independent partial sums: a plain loop is one serial chain of
// additions the compiler may not reorder, which kept the fit scalar (0.196 s an iteration at
// 10,000 × 1792 × 10 classes).
float Dot(const float* a, const float* b, std::size_t n) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::size_t d = 0;
    for (; d + 8 <= n; d += 8) {
        for (std::size_t l = 0; l < 8; ++l) {
            acc[l] += a[d + l] * b[d + l];
        }
    }
    float sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; d < n; ++d) {
        sum += a[d] * b[d];
    }
    return sum;
}

}  // namespace

std::vector<double> SoftmaxHead::Logits(const std::vector<float>& row) const {
    std::vector<double> z(static_cast<std::size_t>(classes_), 0.0);
    if (static_cast<int>(row.size()) != dims_) {
        return z;
    }
    const auto stride = static_cast<std::size_t>(dims_) + 1;
    for (std::size_t k = 0; k < z.size(); ++k) {
        const float* w = &weights_[k * stride];
        z[k] = static_cast<double>(Dot(w, row.data(), row.size())) + w[dims_];
    }
    return z;
}

SoftmaxHead SoftmaxHead::Fit(const std::vector<std::vector<float>>& x, const std::vector<int>& y,
                             int classes, const HeadOptions& options) {
    SoftmaxHead head;
    head.classes_ = std::max(classes, 1);
    head.dims_ = x.empty() ? 0 : static_cast<int>(x[0].size());
    const auto stride = static_cast<std::size_t>(head.dims_) + 1;
    const auto k_count = static_cast<std::size_t>(head.classes_);
    head.weights_.assign(k_count * stride, 0.0F);
    const std::vector<std::size_t> rows = UsableRows(x, y, head.classes_, head.dims_);
    if (rows.empty()) {
        return head;
    }
    // Class weights (mean 1 over the rows), and the step: the loss's gradient is Lipschitz
    // with at most max weight * max |x|^2 / 2 (the bias counted in |x|) plus the L2 term.
    std::vector<double> class_weight(k_count, 1.0);
    if (options.balance_classes) {
        std::vector<double> count(k_count, 0.0);
        for (const std::size_t i : rows) {
            count[static_cast<std::size_t>(y[i])] += 1;
        }
        for (std::size_t k = 0; k < k_count; ++k) {
            class_weight[k] = count[k] > 0 ? std::pow(static_cast<double>(rows.size()) /
                                                          (static_cast<double>(k_count) * count[k]),
                                                      options.balance_power)
                                           : 0;
        }
    }
    double max_norm = 0;
    double max_weight = 0;
    for (const std::size_t i : rows) {
        double norm = 1;  // the bias input
        for (const float v : x[i]) {
            norm += static_cast<double>(v) * v;
        }
        max_norm = std::max(max_norm, norm);
        max_weight = std::max(max_weight, class_weight[static_cast<std::size_t>(y[i])]);
    }
    const double step = 1.0 / (0.5 * max_weight * max_norm + options.l2);
    const auto n = static_cast<double>(rows.size());

    std::vector<float>& w = head.weights_;
    std::vector<float> previous = w;
    std::vector<float> look(w.size());
    const std::size_t threads =
        std::clamp<std::size_t>(options.threads > 0 ? static_cast<std::size_t>(options.threads)
                                                    : std::thread::hardware_concurrency(),
                                1, std::min<std::size_t>(8, rows.size()));
    // Each thread sums the gradient and loss of its share of the rows; the shares are added in
    // thread order, so a fit with the same thread count is always the same.
    std::vector<std::vector<float>> gradients(threads, std::vector<float>(w.size()));
    std::vector<double> losses(threads);
    auto accumulate = [&](std::size_t t) {
        std::vector<float>& gradient = gradients[t];
        std::fill(gradient.begin(), gradient.end(), 0.0F);
        std::vector<double> z(k_count);
        double loss = 0;
        for (std::size_t r = t; r < rows.size(); r += threads) {
            const std::vector<float>& row = x[rows[r]];
            for (std::size_t k = 0; k < k_count; ++k) {
                const float* wk = &look[k * stride];
                z[k] = static_cast<double>(Dot(wk, row.data(), row.size())) + wk[head.dims_];
            }
            SoftmaxInPlace(z);
            const auto truth = static_cast<std::size_t>(y[rows[r]]);
            const double weight = class_weight[truth] / n;
            loss -= weight * std::log(std::max(z[truth], 1e-300));
            for (std::size_t k = 0; k < k_count; ++k) {
                const auto g = static_cast<float>(weight * (z[k] - (k == truth ? 1.0 : 0.0)));
                float* gk = &gradient[k * stride];
                for (std::size_t d = 0; d < row.size(); ++d) {
                    gk[d] += g * row[d];
                }
                gk[head.dims_] += g;
            }
        }
        losses[t] = loss;
    };
    double last_loss = std::numeric_limits<double>::infinity();
    for (int it = 1; it <= options.max_iterations; ++it) {
        // Nesterov: the gradient at w + (it - 1) / (it + 2) * (w - previous).
        const auto momentum = static_cast<float>(it - 1) / static_cast<float>(it + 2);
        for (std::size_t j = 0; j < w.size(); ++j) {
            look[j] = w[j] + momentum * (w[j] - previous[j]);
        }
        std::vector<std::thread> workers;
        for (std::size_t t = 1; t < threads; ++t) {
            workers.emplace_back(accumulate, t);
        }
        accumulate(0);
        for (std::thread& worker : workers) {
            worker.join();
        }
        std::vector<float>& gradient = gradients[0];
        double loss = losses[0];
        for (std::size_t t = 1; t < threads; ++t) {
            for (std::size_t j = 0; j < w.size(); ++j) {
                gradient[j] += gradients[t][j];
            }
            loss += losses[t];
        }
        const auto l2 = static_cast<float>(options.l2);
        for (std::size_t k = 0; k < k_count; ++k) {
            for (std::size_t d = 0; d < static_cast<std::size_t>(head.dims_); ++d) {
                const std::size_t j = k * stride + d;
                gradient[j] += l2 * look[j];
                loss += 0.5 * options.l2 * look[j] * look[j];
            }
        }
        previous = w;
        const auto rate = static_cast<float>(step);
        for (std::size_t j = 0; j < w.size(); ++j) {
            w[j] = look[j] - rate * gradient[j];
        }
        head.iterations_ = it;
        if (std::abs(last_loss - loss) < options.tolerance) {
            break;
        }
        last_loss = loss;
    }
    return head;
}

std::vector<std::vector<double>> OutOfFoldLogits(const std::vector<std::vector<float>>& x,
                                                 const std::vector<int>& y, int classes, int folds,
                                                 std::uint64_t seed, const HeadOptions& options) {
    const std::size_t n = std::min(x.size(), y.size());
    std::vector<std::vector<double>> out(n);
    folds = std::clamp(folds, 2, static_cast<int>(std::max<std::size_t>(n, 2)));
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 random(seed);
    std::shuffle(order.begin(), order.end(), random);
    for (int f = 0; f < folds; ++f) {
        std::vector<std::vector<float>> train_x;
        std::vector<int> train_y;
        std::vector<std::size_t> held;
        for (std::size_t pos = 0; pos < n; ++pos) {
            const std::size_t i = order[pos];
            if (static_cast<int>(pos % static_cast<std::size_t>(folds)) == f) {
                held.push_back(i);
            } else {
                train_x.push_back(x[i]);
                train_y.push_back(y[i]);
            }
        }
        const SoftmaxHead head = SoftmaxHead::Fit(train_x, train_y, classes, options);
        for (const std::size_t i : held) {
            out[i] = head.Logits(x[i]);
        }
    }
    return out;
}

}  // namespace tessera::ml
