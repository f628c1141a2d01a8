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
    return WilsonLowerBoundOf(static_cast<double>(successes) / n, n, z);
}

double WilsonLowerBoundOf(double share, double trials, double z) {
    if (!(trials > 0)) {
        return 0;
    }
    const double n = trials;
    const double p = share;
    const double z2 = z * z;
    const double center = p + z2 / (2 * n);
    const double margin = z * std::sqrt(std::max(0.0, p * (1 - p) / n + z2 / (4 * n * n)));
    return std::max(0.0, (center - margin) / (1 + z2 / n));
}

namespace {

// Weighted counts of judged labels; with every weight 1 they are plain counts, and the bound is
// WilsonLowerBound's.
struct Tally {
    std::int64_t labels = 0;
    double weight = 0;
    double right = 0;
    double squares = 0;

    void Add(double w, bool correct) {
        ++labels;
        weight += w;
        right += correct ? w : 0;
        squares += w * w;
    }
    void Add(const Tally& t) {
        labels += t.labels;
        weight += t.weight;
        right += t.right;
        squares += t.squares;
    }
    double Precision() const { return weight > 0 ? right / weight : 0; }
    // Kish's effective sample size: uneven weights prove less than as many equal ones.
    double Effective() const { return squares > 0 ? weight * weight / squares : 0; }
    double Bound(double z) const { return WilsonLowerBoundOf(Precision(), Effective(), z); }
};

}  // namespace

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
    Tally above;
    double best_bound = -1;  // of the cuts so far: reported when none qualifies
    for (std::size_t k = 0; k < held_out.size(); ++k) {
        above.Add(held_out[k].weight, held_out[k].correct);
        const bool cut =
            k + 1 == held_out.size() || held_out[k + 1].confidence < held_out[k].confidence;
        if (!cut || !(above.weight > 0)) {
            continue;
        }
        const auto covered = static_cast<std::int64_t>(k + 1);
        const double bound = above.Bound(rule.z);
        const double precision = above.Precision();
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

namespace {

constexpr double kConfidenceSteps = 1e4;  // WeighToStandFor's resolution of confidences

}  // namespace

void WeighToStandFor(std::vector<ClassScoredLabel>& labels, const std::vector<ClassScore>& targets,
                     int classes, std::size_t per_band, std::size_t max_bands) {
    if (targets.empty() || labels.empty() || classes <= 0) {
        return;
    }
    const auto n_classes = static_cast<std::size_t>(classes);
    std::vector<std::vector<std::size_t>> by_class(n_classes);  // label indexes
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const int c = labels[i].predicted;
        if (c >= 0 && static_cast<std::size_t>(c) < n_classes) {
            by_class[static_cast<std::size_t>(c)].push_back(i);
        } else {
            labels[i].weight = 0;
        }
    }
    std::vector<std::vector<double>> target_confidences(n_classes);
    for (const ClassScore& t : targets) {
        if (t.predicted >= 0 && static_cast<std::size_t>(t.predicted) < n_classes) {
            target_confidences[static_cast<std::size_t>(t.predicted)].push_back(t.confidence);
        }
    }
    const auto label_total = static_cast<double>(labels.size());
    const auto target_total = static_cast<double>(targets.size());
    for (std::size_t c = 0; c < n_classes; ++c) {
        std::vector<std::size_t>& members = by_class[c];
        if (members.empty()) {
            continue;
        }
        std::sort(members.begin(), members.end(), [&](std::size_t x, std::size_t y) {
            return labels[x].confidence < labels[y].confidence;
        });
        const std::size_t wanted =
            std::clamp<std::size_t>(members.size() / std::max<std::size_t>(per_band, 1), 1,
                                    std::max<std::size_t>(max_bands, 1));
        // Band starts at the quantiles, each moved up to where the confidence changes: labels of
        // one confidence are never split between bands (which half of a tie is right would
        // decide the weights). Confidences equal to four decimals are one: a head fitted on
        // separable classes puts most labels within 1e-9 of 1, and which of them reach 1 exactly
        // depends on the order of floating-point sums, not on anything about the label.
        const auto tied = [&](std::size_t a, std::size_t b) {
            return std::round(labels[a].confidence * kConfidenceSteps) ==
                   std::round(labels[b].confidence * kConfidenceSteps);
        };
        std::vector<std::size_t> start{0};
        for (std::size_t b = 1; b < wanted; ++b) {
            std::size_t at = std::max(b * members.size() / wanted, start.back() + 1);
            while (at < members.size() && tied(members[at], members[at - 1])) {
                ++at;
            }
            if (at < members.size()) {
                start.push_back(at);
            }
        }
        const std::size_t bands = start.size();
        start.push_back(members.size());
        // A band's upper edge: halfway between its last label's confidence and the next one's.
        std::vector<double> upper(bands, std::numeric_limits<double>::infinity());
        for (std::size_t b = 0; b + 1 < bands; ++b) {
            upper[b] = (labels[members[start[b + 1] - 1]].confidence +
                        labels[members[start[b + 1]]].confidence) /
                       2;
        }
        std::vector<double> in_band(bands, 0);
        for (const double confidence : target_confidences[c]) {
            const auto band = static_cast<std::size_t>(
                std::lower_bound(upper.begin(), upper.end(), confidence) - upper.begin());
            in_band[std::min(band, bands - 1)] += 1;
        }
        for (std::size_t b = 0; b < bands; ++b) {
            const auto count = static_cast<double>(start[b + 1] - start[b]);
            const double weight = (in_band[b] / target_total) / (count / label_total);
            for (std::size_t k = start[b]; k < start[b + 1]; ++k) {
                labels[members[k]].weight = weight;
            }
        }
    }
}

double EffectiveSampleSize(const std::vector<ClassScoredLabel>& labels) {
    Tally all;
    for (const ClassScoredLabel& label : labels) {
        all.Add(label.weight, label.correct);
    }
    return all.Effective();
}

ClassThresholdRule ClassThresholdRule::For(double target_precision) {
    ClassThresholdRule rule;
    rule.pooled.target_precision = target_precision;
    return rule;
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
    Tally above;  // the class's labels at or above it
};

// One class's cut, never below `floor` (the pooled threshold): `floor` itself when the class's
// labels at or above it reach `target`; else the lowest higher cut that does with at least
// `min_covered` labels; else none (the class is not prelabeled). `sorted` is by confidence,
// highest first.
ClassCut ClassCutAbove(const std::vector<ClassScoredLabel>& sorted, double floor, double target,
                       std::int64_t min_covered) {
    Tally above;
    for (const ClassScoredLabel& label : sorted) {
        if (label.confidence >= floor) {
            above.Add(label.weight, label.correct);
        }
    }
    if (above.weight > 0 && above.Precision() >= target) {
        return {floor, above};
    }
    ClassCut best;
    Tally walked;
    for (std::size_t k = 0; k < sorted.size() && sorted[k].confidence >= floor; ++k) {
        walked.Add(sorted[k].weight, sorted[k].correct);
        const bool cut = k + 1 == sorted.size() || sorted[k + 1].confidence < sorted[k].confidence;
        if (cut && walked.labels >= min_covered && walked.weight > 0 &&
            walked.Precision() >= target) {
            best = {sorted[k].confidence, walked};
        }
    }
    return best;
}

// A class's labels at or above `floor`.
Tally CountAbove(const std::vector<ClassScoredLabel>& sorted, double floor) {
    Tally out;
    for (std::size_t k = 0; k < sorted.size() && sorted[k].confidence >= floor; ++k) {
        out.Add(sorted[k].weight, sorted[k].correct);
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
        pooled.push_back({label.confidence, label.correct, label.weight});
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
        double best_weight = 0;
        for (const double floor : floors) {
            ClassThresholds t = out;
            t.class_target = goal;
            Tally covered;
            for (std::size_t c = 0; c < by_class.size(); ++c) {
                ClassCut cut = at_pooled[c];
                if (floor < *global.threshold) {
                    const Tally above = CountAbove(by_class[c], floor);
                    if (above.labels >= rule.min_covered_per_class && above.weight > 0 &&
                        above.Bound(rule.pooled.z) >= goal) {
                        cut = {floor, above};
                    }
                }
                t.per_class[c] = cut.threshold;
                if (cut.threshold) {
                    covered.Add(cut.above);
                }
            }
            if (covered.labels == 0 || !(covered.weight > 0)) {
                continue;
            }
            t.covered = covered.labels;
            t.precision = covered.Precision();
            t.lower_bound = covered.Bound(rule.pooled.z);
            // The most weight covered: with weights that stand for the items to prelabel, the
            // most of them prelabeled.
            if (t.lower_bound >= target && (!best || covered.weight > best_weight)) {
                best = std::move(t);
                best_weight = covered.weight;
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
