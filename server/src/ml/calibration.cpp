#include "ml/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>

namespace tessera::ml {
namespace {

// Mean negative log-likelihood of the truth under softmax(logits / temperature).
double MeanNll(const std::vector<std::vector<double>>& logits, const std::vector<int>& truth,
               double temperature) {
    double total = 0;
    for (std::size_t i = 0; i < logits.size(); ++i) {
        const std::vector<double>& row = logits[i];
        double top = -std::numeric_limits<double>::infinity();
        for (const double z : row) {
            top = std::max(top, z / temperature);
        }
        double sum = 0;
        for (const double z : row) {
            sum += std::exp(z / temperature - top);
        }
        // -log softmax = log-sum-exp - z_truth, computed around the largest term.
        total += top + std::log(sum) - row[static_cast<std::size_t>(truth[i])] / temperature;
    }
    return total / static_cast<double>(logits.size());
}

bool WellFormed(const std::vector<std::vector<double>>& logits, const std::vector<int>& truth) {
    if (logits.empty() || logits.size() != truth.size() || logits[0].empty()) {
        return false;
    }
    for (std::size_t i = 0; i < logits.size(); ++i) {
        if (logits[i].size() != logits[0].size() || truth[i] < 0 ||
            static_cast<std::size_t>(truth[i]) >= logits[i].size()) {
            return false;
        }
    }
    return true;
}

std::string Percent(double share) {
    char text[16];
    std::snprintf(text, sizeof text, "%.1f%%", share * 100);
    return text;
}

}  // namespace

void SoftmaxInPlace(std::vector<double>& z, double temperature) {
    if (z.empty()) {
        return;
    }
    const double top = *std::max_element(z.begin(), z.end()) / temperature;
    double sum = 0;
    for (double& v : z) {
        v = std::exp(v / temperature - top);
        sum += v;
    }
    for (double& v : z) {
        v /= sum;
    }
}

std::vector<double> Softmax(const std::vector<double>& logits, double temperature) {
    std::vector<double> out = logits;
    SoftmaxInPlace(out, temperature);
    return out;
}

double FitTemperature(const std::vector<std::vector<double>>& logits,
                      const std::vector<int>& truth) {
    if (!WellFormed(logits, truth)) {
        return 1;
    }
    // Golden-section search over log T: the NLL is convex in 1/T, so it has one minimum along
    // any monotone reparametrization of T.
    const double phi = (std::sqrt(5.0) - 1) / 2;
    double lo = std::log(1e-2);
    double hi = std::log(1e2);
    double a = hi - phi * (hi - lo);
    double b = lo + phi * (hi - lo);
    double fa = MeanNll(logits, truth, std::exp(a));
    double fb = MeanNll(logits, truth, std::exp(b));
    for (int step = 0; step < 80 && hi - lo > 1e-6; ++step) {
        if (fa <= fb) {
            hi = b;
            b = a;
            fb = fa;
            a = hi - phi * (hi - lo);
            fa = MeanNll(logits, truth, std::exp(a));
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + phi * (hi - lo);
            fb = MeanNll(logits, truth, std::exp(b));
        }
    }
    return std::exp((lo + hi) / 2);
}

double WilsonLowerBound(std::int64_t successes, std::int64_t trials, double z) {
    if (trials <= 0) {
        return 0;
    }
    const auto n = static_cast<double>(trials);
    const double p = static_cast<double>(successes) / n;
    const double z2 = z * z;
    const double center = p + z2 / (2 * n);
    const double margin = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    return std::max(0.0, (center - margin) / (1 + z2 / n));
}

ThresholdChoice ChooseThreshold(std::vector<ScoredLabel> held_out, const ThresholdRule& rule) {
    ThresholdChoice choice;
    choice.held_out = static_cast<std::int64_t>(held_out.size());
    if (choice.held_out < rule.min_held_out) {
        choice.why_none =
            "too few held-out labels to judge prelabels: " + std::to_string(choice.held_out) +
            " of the " + std::to_string(rule.min_held_out) + " needed";
        return choice;
    }
    std::sort(held_out.begin(), held_out.end(), [](const ScoredLabel& x, const ScoredLabel& y) {
        return x.confidence > y.confidence;
    });
    // Walk down the confidences; a cut is only possible where the next label is less sure.
    std::int64_t correct = 0;
    double best_bound = -1;  // of the cuts so far: reported when none qualifies
    for (std::size_t k = 0; k < held_out.size(); ++k) {
        correct += held_out[k].correct ? 1 : 0;
        const bool cut =
            k + 1 == held_out.size() || held_out[k + 1].confidence < held_out[k].confidence;
        if (!cut) {
            continue;
        }
        const auto covered = static_cast<std::int64_t>(k + 1);
        const double bound = WilsonLowerBound(correct, covered, rule.z);
        const double precision = static_cast<double>(correct) / static_cast<double>(covered);
        if (bound >= rule.target_precision) {
            // Lower cuts cover more: the last qualifying one wins.
            choice.threshold = held_out[k].confidence;
            choice.covered = covered;
            choice.precision = precision;
            choice.lower_bound = bound;
        }
        if (bound > best_bound) {
            best_bound = bound;
            if (!choice.threshold) {
                choice.covered = covered;
                choice.precision = precision;
                choice.lower_bound = bound;
            }
        }
    }
    if (!choice.threshold) {
        choice.why_none =
            "no confidence reaches the target precision of " + Percent(rule.target_precision) +
            ": at best " + Percent(choice.precision) + " (lower bound " +
            Percent(choice.lower_bound) + ") on the " + std::to_string(choice.covered) +
            " most confident of " + std::to_string(choice.held_out) + " held-out labels";
    }
    return choice;
}

std::optional<double> ClassThresholds::lowest() const {
    std::optional<double> low;
    for (const auto& t : per_class) {
        if (t && (!low || *t < *low)) {
            low = t;
        }
    }
    return low;
}

namespace {

struct ClassCut {
    std::optional<double> threshold;
    std::int64_t covered = 0;
    std::int64_t correct = 0;
};

// One class's cut, never below `floor` (the pooled threshold): `floor` itself when the class's
// labels at or above it reach `target`; else the lowest higher cut that does with at least
// `min_covered` labels; else none (the class is not prelabeled). `sorted` is by confidence,
// highest first.
ClassCut ClassCutAbove(const std::vector<ClassScoredLabel>& sorted, double floor, double target,
                       std::int64_t min_covered) {
    std::int64_t above = 0;
    std::int64_t above_correct = 0;
    for (const ClassScoredLabel& label : sorted) {
        if (label.confidence >= floor) {
            ++above;
            above_correct += label.correct ? 1 : 0;
        }
    }
    if (static_cast<double>(above_correct) >= target * static_cast<double>(above)) {
        return {floor, above, above_correct};
    }
    ClassCut best;
    std::int64_t correct = 0;
    for (std::size_t k = 0; k < sorted.size() && sorted[k].confidence >= floor; ++k) {
        correct += sorted[k].correct ? 1 : 0;
        const bool cut = k + 1 == sorted.size() || sorted[k + 1].confidence < sorted[k].confidence;
        const auto covered = static_cast<std::int64_t>(k + 1);
        if (cut && covered >= min_covered &&
            static_cast<double>(correct) >= target * static_cast<double>(covered)) {
            best = {sorted[k].confidence, covered, correct};
        }
    }
    return best;
}

}  // namespace

namespace {

// A class's labels at or above `floor`, and how many of them are right.
struct Above {
    std::int64_t covered = 0;
    std::int64_t correct = 0;
};

Above CountAbove(const std::vector<ClassScoredLabel>& sorted, double floor) {
    Above out;
    for (std::size_t k = 0; k < sorted.size() && sorted[k].confidence >= floor; ++k) {
        ++out.covered;
        out.correct += sorted[k].correct ? 1 : 0;
    }
    return out;
}

// The floors below the pooled threshold worth trying: the held-out confidences under it, at
// most `limit` of them spread evenly by rank (each try costs a pass over the labels).
std::vector<double> LowerFloors(const std::vector<ClassScoredLabel>& held_out, double pooled,
                                std::size_t limit) {
    std::vector<double> below;
    for (const ClassScoredLabel& label : held_out) {
        if (label.confidence < pooled) {
            below.push_back(label.confidence);
        }
    }
    std::sort(below.begin(), below.end(), std::greater<>());
    below.erase(std::unique(below.begin(), below.end()), below.end());
    if (below.size() <= limit) {
        return below;
    }
    std::vector<double> out;
    for (std::size_t i = 0; i < limit; ++i) {
        out.push_back(below[i * below.size() / limit]);
    }
    return out;
}

}  // namespace

ClassThresholds ChooseClassThresholds(const std::vector<ClassScoredLabel>& held_out, int classes,
                                      const ClassThresholdRule& rule) {
    ClassThresholds out;
    out.held_out = static_cast<std::int64_t>(held_out.size());
    out.per_class.assign(static_cast<std::size_t>(std::max(classes, 0)), std::nullopt);
    const double target = rule.pooled.target_precision;
    // First the one threshold all prelabels together justify (ChooseThreshold's rule).
    std::vector<ScoredLabel> pooled;
    pooled.reserve(held_out.size());
    for (const ClassScoredLabel& label : held_out) {
        pooled.push_back({label.confidence, label.correct});
    }
    const ThresholdChoice global = ChooseThreshold(pooled, rule.pooled);
    if (!global.threshold) {
        out.covered = global.covered;
        out.precision = global.precision;
        out.lower_bound = global.lower_bound;
        out.why_none = global.why_none;
        return out;
    }
    std::vector<std::vector<ClassScoredLabel>> by_class(out.per_class.size());
    for (const ClassScoredLabel& label : held_out) {
        if (label.predicted >= 0 && label.predicted < classes) {
            by_class[static_cast<std::size_t>(label.predicted)].push_back(label);
        }
    }
    for (auto& labels : by_class) {
        std::sort(labels.begin(), labels.end(),
                  [](const auto& x, const auto& y) { return x.confidence > y.confidence; });
    }
    std::vector<double> floors{*global.threshold};
    const std::vector<double> lower = LowerFloors(held_out, *global.threshold, rule.max_floors);
    floors.insert(floors.end(), lower.begin(), lower.end());
    // Each class is held to the target on its own, which raises the weak ones above the pooled
    // threshold (a lower one chosen on a class's few labels would be luck). Raising them leaves
    // the pooled precision room, so the others may go below it, to a common floor, where their
    // own labels prove the target with the lower bound. The floor covering the most held-out
    // labels with the pooled bound at the target wins; failing any, every class's target is
    // raised by `step` and the search runs again.
    for (double class_target = target; class_target <= 1.0 + 1e-9; class_target += rule.step) {
        const double goal = std::min(class_target, 1.0);
        std::vector<ClassCut> at_pooled;
        at_pooled.reserve(by_class.size());
        for (const auto& labels : by_class) {
            at_pooled.push_back(
                ClassCutAbove(labels, *global.threshold, goal, rule.min_covered_per_class));
        }
        std::optional<ClassThresholds> best;
        for (const double floor : floors) {
            ClassThresholds t = out;
            t.class_target = goal;
            std::int64_t correct = 0;
            for (std::size_t c = 0; c < by_class.size(); ++c) {
                ClassCut cut = at_pooled[c];
                if (floor < *global.threshold) {
                    const Above above = CountAbove(by_class[c], floor);
                    if (above.covered >= rule.min_covered_per_class &&
                        WilsonLowerBound(above.correct, above.covered, rule.pooled.z) >= goal) {
                        cut = {floor, above.covered, above.correct};
                    }
                }
                t.per_class[c] = cut.threshold;
                t.covered += cut.covered;
                correct += cut.correct;
            }
            if (t.covered == 0) {
                continue;
            }
            t.precision = static_cast<double>(correct) / static_cast<double>(t.covered);
            t.lower_bound = WilsonLowerBound(correct, t.covered, rule.pooled.z);
            if (t.lower_bound >= target && (!best || t.covered > best->covered)) {
                best = std::move(t);
            }
        }
        if (best) {
            return *best;
        }
    }
    out.why_none = "no thresholds per class keep the target precision of " + Percent(target);
    return out;
}

}  // namespace tessera::ml
