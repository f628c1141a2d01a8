#include "services/ml_training.hpp"

#include <algorithm>

#include "ml/calibrated_classifier.hpp"
#include "ml/embedding_codec.hpp"
#include "ml/multilabel_classifier.hpp"
#include "services/id_chunks.hpp"

namespace tessera {

namespace {

std::string JoinNames(const std::vector<MlBackbone>& backbones, bool ids) {
    std::string out;
    for (const MlBackbone& b : backbones) {
        out += (out.empty() ? "" : "+") + (ids ? b.id : b.backbone->Spec().name);
    }
    return out;
}

// Every backbone alone, then all of them together.
std::vector<std::vector<MlBackbone>> Candidates(const std::vector<MlBackbone>& backbones) {
    std::vector<std::vector<MlBackbone>> out;
    out.reserve(backbones.size() + 1);
    for (const MlBackbone& b : backbones) {
        out.push_back({b});
    }
    if (backbones.size() > 1) {
        out.push_back(backbones);
    }
    return out;
}

struct Rows {
    std::vector<std::vector<float>> x;
    std::vector<std::vector<int>> y;
    std::vector<bool> judged;
};

std::unique_ptr<ml::Classifier> FitClassifier(Rows rows, const LabeledItems& labels,
                                              const ml::ClassifierOptions& options,
                                              ml::FinalHead final) {
    if (labels.multi_label) {
        return std::make_unique<ml::MultiLabelClassifier>(ml::MultiLabelClassifier::Fit(
            std::move(rows.x), rows.y, labels.class_count, options, rows.judged, final));
    }
    std::vector<int> single;
    single.reserve(rows.y.size());
    for (const std::vector<int>& classes : rows.y) {
        single.push_back(classes.size() == 1 ? classes.front() : -1);
    }
    return std::make_unique<ml::CalibratedClassifier>(ml::CalibratedClassifier::Fit(
        std::move(rows.x), single, labels.class_count, options, rows.judged, final));
}

Result<Rows> RowsOf(Repository& repo, Id project_id, const std::vector<MlBackbone>& features,
                    const LabeledItems& labels, const std::vector<std::size_t>& which) {
    std::vector<Id> ids;
    ids.reserve(which.size());
    for (const std::size_t i : which) {
        ids.push_back(labels.items[i].id);
    }
    TESSERA_ASSIGN_OR_RETURN(auto features_of, LoadFeatureRows(repo, project_id, features, ids));
    Rows rows;
    for (const std::size_t i : which) {
        auto it = features_of.find(labels.items[i].id);
        if (it != features_of.end()) {
            rows.x.push_back(std::move(it->second));
            rows.y.push_back(labels.classes[i]);
            rows.judged.push_back(labels.blind[i]);
        }
    }
    return rows;
}

// More held-out labels covered at the target wins; then held-out accuracy.
bool Better(const ml::ClassifierValidation& a, const ml::ClassifierValidation& b) {
    const bool a_has = a.choice.lowest().has_value();
    const bool b_has = b.choice.lowest().has_value();
    if (a_has != b_has) {
        return a_has;
    }
    if (a_has && a.choice.covered != b.choice.covered) {
        return a.choice.covered > b.choice.covered;
    }
    return a.accuracy > b.accuracy;
}

}  // namespace

Result<std::map<Id, std::vector<float>>> LoadFeatureRows(Repository& repo, Id project_id,
                                                         const std::vector<MlBackbone>& backbones,
                                                         const std::vector<Id>& item_ids) {
    std::map<Id, std::vector<float>> out;
    TESSERA_TRY(ForEachIdChunk(item_ids, [&](std::size_t, const std::vector<Id>& ids) -> Status {
        std::map<Id, std::vector<float>> chunk;
        std::map<Id, std::size_t> parts;
        for (const MlBackbone& b : backbones) {
            TESSERA_ASSIGN_OR_RETURN(std::vector<ItemEmbedding> stored,
                                     repo.GetEmbeddings(project_id, b.id, ids));
            for (const ItemEmbedding& e : stored) {
                std::vector<float> part = ml::DecodeFloat16(e.vector);
                ml::NormalizeL2(part);
                std::vector<float>& row = chunk[e.item_id];
                row.insert(row.end(), part.begin(), part.end());
                ++parts[e.item_id];
            }
        }
        for (auto& [id, row] : chunk) {
            if (parts[id] == backbones.size()) {
                out.emplace(id, std::move(row));
            }
        }
        return Status::Ok();
    }));
    return out;
}

Result<TrainedClassifier> TrainClassifier(Repository& repo, Id project_id,
                                          const std::vector<MlBackbone>& backbones,
                                          const LabeledItems& labels,
                                          const TrainingOptions& options) {
    const std::size_t n = labels.items.size();
    std::vector<std::size_t> all(n);
    for (std::size_t i = 0; i < n; ++i) {
        all[i] = i;
    }
    // An even spread of the labels to compare candidates on (all of them when few).
    const auto limit = static_cast<std::size_t>(std::max(options.compare_on_labels, 1));
    std::vector<std::size_t> sample;
    for (std::size_t k = 0; k < std::min(n, limit); ++k) {
        sample.push_back(n <= limit ? k : k * n / limit);
    }
    const bool sampled = sample.size() < n;

    TrainedClassifier best;
    Rows best_rows;  // kept when every label was compared on: the final head's rows
    for (const std::vector<MlBackbone>& features : Candidates(backbones)) {
        TESSERA_ASSIGN_OR_RETURN(Rows rows, RowsOf(repo, project_id, features, labels, sample));
        const auto count = static_cast<std::int64_t>(rows.x.size());
        Rows kept;
        if (!sampled) {
            kept = rows;
        }
        auto classifier =
            FitClassifier(std::move(rows), labels, options.classifier, ml::FinalHead::kNever);
        best.candidates.push_back({JoinNames(features, false), count, classifier->validation()});
        if (!best.classifier || Better(classifier->validation(), best.classifier->validation())) {
            best.features = features;
            best.classifier = std::move(classifier);
            best.rows = count;
            best_rows = std::move(kept);
        }
    }
    if (!best.classifier) {
        return Error::Internal("no backbone to train on");
    }
    best.features_name = JoinNames(best.features, false);
    best.features_id = JoinNames(best.features, true);
    if (sampled) {
        // Validated on the sample; validated again and fitted on every label.
        TESSERA_ASSIGN_OR_RETURN(Rows rows, RowsOf(repo, project_id, best.features, labels, all));
        best.rows = static_cast<std::int64_t>(rows.x.size());
        best.classifier =
            FitClassifier(std::move(rows), labels, options.classifier, ml::FinalHead::kAlways);
    } else {
        best.classifier->FitFinalHead(std::move(best_rows.x), best_rows.y, labels.class_count,
                                      options.classifier);
    }
    return best;
}

}  // namespace tessera
