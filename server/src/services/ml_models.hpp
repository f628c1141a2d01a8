#pragma once
// Backbones registered with `tessera model add` (issue 10, point 3; docs/design/ml.md,
// "Backbones"): an ONNX CNN from a file, or from an https URL with its sha256, with its input
// size and normalisation. The model is checked by running it before it is stored (in the
// database, so workers on other machines use the same bytes), and every ML assist round from then
// on validates it beside the built-in backbones: a project uses it where its own labels say it
// is better.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "blobs/http_transport.hpp"
#include "domain/ml.hpp"
#include "ml/backbone.hpp"
#include "services/ml_featurizer.hpp"
#include "storage/repository.hpp"

namespace tessera {

struct ModelToAdd {
    std::string name;    // [a-z0-9][a-z0-9_.-]*, at most 64; not a built-in backbone's
    std::string source;  // the file or URL, recorded as given
    int input_width = 224;
    int input_height = 224;
    std::array<double, 3> mean{0, 0, 0};  // per RGB channel, on [0,1]
    std::array<double, 3> std{1, 1, 1};
    // Required for a URL (DownloadModel checks it); for a file, checked when given.
    std::optional<std::string> sha256;
};

// Runs a model as the server would and returns its embedding width (ml::ProbeEmbeddingWidth in
// the server; a fake in tests).
using ModelProbe = std::function<Result<int>(std::span<const std::byte>, const ml::BackboneSpec&)>;

// The spec a registered model runs under: its name, its sha256 as the version.
ml::BackboneSpec RegisteredSpec(const MlModel& model);

class MlModelRegistry {
public:
    MlModelRegistry(Repository& repo, const Clock& clock, ModelProbe probe);

    // Checks and stores `onnx`, the model file's bytes: the name, the settings, the sha256 when
    // one was given, and that the model runs (the probe). kInvalidArgument naming what is wrong
    // (field "name", "input", "mean", "std", "sha256" or "model"); kConflict for a name in use.
    Result<MlModel> Add(const ModelToAdd& request, const std::string& onnx);
    Result<std::vector<MlModel>> List();
    // Removes the model and its stored embeddings (returns how many). kNotFound for no such model.
    Result<std::int64_t> Remove(const std::string& name);

private:
    Repository& repo_;
    const Clock& clock_;
    ModelProbe probe_;
};

// Downloads a model over https: redirects followed (https only, at most 5), at most `max_bytes`,
// and the body's sha256 must be `sha256` (64 hex digits). kInvalidArgument for a URL that is not
// https or a digest that differs; kUnavailable when the download fails.
Result<std::string> DownloadModel(HttpTransport& transport, const std::string& url,
                                  const std::string& sha256, std::uint64_t max_bytes);

// The registered models as backbones for a round, read from the database when a round starts:
// one added while the server runs is used by the next round. Each is made on first sight (its
// bytes read once, through `make`: a lazily loaded ONNX backbone in the server) and kept for the
// process's life, so its pointer stays valid; a removed model is simply no longer listed.
class RegisteredBackbones {
public:
    using Factory = std::function<std::unique_ptr<ml::Backbone>(std::span<const std::byte> onnx,
                                                                ml::BackboneSpec spec)>;
    RegisteredBackbones(Repository& repo, Factory make);

    Result<std::vector<MlBackbone>> Current();

private:
    struct Loaded {
        std::vector<std::byte> onnx;  // what the backbone runs from: kept with it
        std::unique_ptr<ml::Backbone> backbone;
    };
    Repository& repo_;
    Factory make_;
    std::mutex mutex_;
    std::map<std::string, Loaded> loaded_;  // by backbone id; guarded by mutex_
};

}  // namespace tessera
