#include "domain/model.hpp"

namespace tessera {

std::string_view JobStateName(JobState state) {
    switch (state) {
        case JobState::kQueued: return "queued";
        case JobState::kRunning: return "running";
        case JobState::kDone: return "done";
        case JobState::kFailed: return "failed";
    }
    return "queued";
}

std::string_view AnnotationSourceName(AnnotationSource source) {
    switch (source) {
        case AnnotationSource::kHuman: return "human";
        case AnnotationSource::kPrelabel: return "prelabel";
        case AnnotationSource::kConsensus: return "consensus";
        case AnnotationSource::kImport: return "import";
    }
    return "human";
}

}  // namespace tessera
