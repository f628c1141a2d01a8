#include "services/ml_models.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "base/log.hpp"
#include "services/sha256.hpp"

namespace tessera {
namespace {

constexpr std::size_t kMaxNameLength = 64;
constexpr int kMaxRedirects = 5;
// The built-in backbones' names: a registered model under one would share its embeddings' key.
constexpr std::array<const char*, 2> kBuiltinNames = {"mobilenet_v2_140", "handcrafted"};

Status CheckName(const std::string& name) {
    const auto allowed = [](char c) {
        return std::islower(static_cast<unsigned char>(c)) != 0 ||
               std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
    };
    if (name.empty() || name.size() > kMaxNameLength || !allowed(name.front()) ||
        name.front() == '_' || name.front() == '.' || name.front() == '-' ||
        !std::all_of(name.begin(), name.end(), allowed)) {
        return Error::InvalidArgument(
            "a model's name is 1 to 64 of a-z, 0-9, '_', '.' and '-', starting with a letter "
            "or digit",
            "name");
    }
    if (std::find(kBuiltinNames.begin(), kBuiltinNames.end(), name) != kBuiltinNames.end()) {
        return Error::InvalidArgument("'" + name + "' is a built-in backbone's name", "name");
    }
    return Status::Ok();
}

Status CheckNormalisation(const ModelToAdd& m) {
    for (const double v : m.mean) {
        if (!std::isfinite(v) || v < -10 || v > 10) {
            return Error::InvalidArgument("the mean is three finite numbers (on [0,1] pixels)",
                                          "mean");
        }
    }
    for (const double v : m.std) {
        if (!std::isfinite(v) || v <= 0 || v > 10) {
            return Error::InvalidArgument("the std is three positive numbers", "std");
        }
    }
    return Status::Ok();
}

bool IsSha256(const std::string& text) {
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return std::isdigit(static_cast<unsigned char>(c)) != 0 || (c >= 'a' && c <= 'f');
           });
}

std::string Lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool IsHttps(const std::string& url) {
    return Lower(url.substr(0, 8)) == "https://" && url.size() > 8;
}

// A redirect's target: absolute (https only, checked by the caller) or a path on the same origin.
std::string Resolve(const std::string& from, const std::string& location) {
    if (location.rfind('/', 0) == 0 && location.rfind("//", 0) != 0) {
        const std::size_t path = from.find('/', 8);
        return from.substr(0, path) + location;
    }
    return location;
}

}  // namespace

ml::BackboneSpec RegisteredSpec(const MlModel& model) {
    ml::BackboneSpec spec;
    spec.name = model.name;
    spec.version = model.sha256;
    spec.input_width = model.input_width;
    spec.input_height = model.input_height;
    for (std::size_t c = 0; c < 3; ++c) {
        spec.mean[c] = static_cast<float>(model.mean[c]);
        spec.std[c] = static_cast<float>(model.std[c]);
    }
    spec.dimensions = model.dimensions;
    return spec;
}

MlModelRegistry::MlModelRegistry(Repository& repo, const Clock& clock, ModelProbe probe)
    : repo_(repo), clock_(clock), probe_(std::move(probe)) {}

Result<MlModel> MlModelRegistry::Add(const ModelToAdd& request, const std::string& onnx) {
    TESSERA_TRY(CheckName(request.name));
    if (request.input_width < 16 || request.input_height < 16 || request.input_width > 4096 ||
        request.input_height > 4096) {
        return Error::InvalidArgument("the input size is WIDTHxHEIGHT, 16 to 4096 pixels a side",
                                      "input");
    }
    TESSERA_TRY(CheckNormalisation(request));
    if (onnx.empty()) {
        return Error::InvalidArgument("the model file is empty", "model");
    }
    MlModel model;
    model.name = request.name;
    model.sha256 = Sha256Hex(onnx);
    if (request.sha256 && Lower(*request.sha256) != model.sha256) {
        return Error::InvalidArgument(
            "the model's sha256 is " + model.sha256 + ", not " + *request.sha256, "sha256");
    }
    model.input_width = request.input_width;
    model.input_height = request.input_height;
    model.mean = request.mean;
    model.std = request.std;
    model.source = request.source;
    model.created_at = clock_.NowMs();
    const auto bytes = std::as_bytes(std::span(onnx.data(), onnx.size()));
    auto width = probe_(bytes, RegisteredSpec(model));
    if (!width.ok()) {
        return Error::InvalidArgument(width.error().message, "model");
    }
    model.dimensions = *width;
    TESSERA_TRY(repo_.AddMlModel(model, onnx));
    return model;
}

Result<std::vector<MlModel>> MlModelRegistry::List() {
    return repo_.ListMlModels();
}

Result<std::int64_t> MlModelRegistry::Remove(const std::string& name) {
    TESSERA_ASSIGN_OR_RETURN(const std::vector<MlModel> models, repo_.ListMlModels());
    const auto found = std::find_if(models.begin(), models.end(),
                                    [&](const MlModel& m) { return m.name == name; });
    if (found == models.end()) {
        return Error::NotFound("no model named '" + name + "'");
    }
    TESSERA_TRY(repo_.RemoveMlModel(name));
    return repo_.DeleteEmbeddings(ml::BackboneId(RegisteredSpec(*found)));
}

Result<std::string> DownloadModel(HttpTransport& transport, const std::string& url,
                                  const std::string& sha256, std::uint64_t max_bytes) {
    if (!IsSha256(Lower(sha256))) {
        return Error::InvalidArgument("--sha256 is the model file's digest: 64 hex digits",
                                      "sha256");
    }
    std::string at = url;
    for (int hop = 0; hop <= kMaxRedirects; ++hop) {
        if (!IsHttps(at)) {
            return Error::InvalidArgument(hop == 0 ? "a model URL must be https://"
                                                   : "the download redirects to a "
                                                     "URL that is not https://",
                                          "url");
        }
        std::string body;
        bool too_big = false;
        HttpRequest request;
        request.url = at;
        const HttpResponse response =
            transport.Send(request, [&](int status, std::string_view chunk) {
                if (status != 200) {
                    return true;  // a redirect's or an error's body: not the model
                }
                if (body.size() + chunk.size() > max_bytes) {
                    too_big = true;
                    return false;
                }
                body.append(chunk);
                return true;
            });
        if (too_big) {
            return Error::InvalidArgument(
                "the model is larger than " + std::to_string(max_bytes >> 20) + " MiB", "url");
        }
        if (response.status == 0) {
            return Error::Unavailable("the model's download failed: " + response.failure);
        }
        if (response.status >= 300 && response.status < 400) {
            const std::string location = response.Header("location");
            if (location.empty()) {
                return Error::Unavailable("the download answered " +
                                          std::to_string(response.status) + " without a Location");
            }
            at = Resolve(at, location);
            continue;
        }
        if (response.status != 200) {
            return Error::Unavailable("the download answered HTTP " +
                                      std::to_string(response.status));
        }
        const std::string got = Sha256Hex(body);
        if (got != Lower(sha256)) {
            return Error::InvalidArgument(
                "the downloaded file's sha256 is " + got + ", not " + sha256, "sha256");
        }
        return body;
    }
    return Error::Unavailable("the download redirects more than " + std::to_string(kMaxRedirects) +
                              " times");
}

RegisteredBackbones::RegisteredBackbones(Repository& repo, Factory make)
    : repo_(repo), make_(std::move(make)) {}

Result<std::vector<MlBackbone>> RegisteredBackbones::Current() {
    TESSERA_ASSIGN_OR_RETURN(const std::vector<MlModel> models, repo_.ListMlModels());
    const std::lock_guard lock(mutex_);
    std::vector<MlBackbone> out;
    for (const MlModel& model : models) {
        const ml::BackboneSpec spec = RegisteredSpec(model);
        const std::string id = ml::BackboneId(spec);
        auto found = loaded_.find(id);
        if (found == loaded_.end()) {
            auto onnx = repo_.GetMlModelOnnx(model.name);
            if (!onnx.ok()) {  // removed since it was listed: leave it out
                log::Warn("registered model not read",
                          {{"model", model.name}, {"error", onnx.error().message}});
                continue;
            }
            found = loaded_.emplace(id, Loaded{}).first;
            Loaded& loaded = found->second;  // the bytes stay where the backbone reads them
            const auto bytes = std::as_bytes(std::span(onnx->data(), onnx->size()));
            loaded.onnx.assign(bytes.begin(), bytes.end());
            loaded.backbone = make_(loaded.onnx, spec);
        }
        out.push_back({found->second.backbone.get(), id});
    }
    return out;
}

}  // namespace tessera
