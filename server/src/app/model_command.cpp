#include "app/model_command.hpp"

#include <charconv>
#include <iomanip>
#include <ostream>

#include "app/app.hpp"
#include "blobs/curl_transport.hpp"
#include "ml/onnx_backbone.hpp"
#include "services/ml_models.hpp"

namespace tessera::app {
namespace {

constexpr std::uint64_t kMaxModelBytes = std::uint64_t{1} << 30;

bool ParseNumber(std::string_view text, double& value) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && ptr == text.data() + text.size();
}

Result<std::string> ReadSource(const std::string& source, const std::optional<std::string>& sha) {
    if (source.rfind("https://", 0) == 0 || source.rfind("http://", 0) == 0) {
        if (!sha) {
            return Error::InvalidArgument(
                "a model from a URL needs --sha256 (the file's digest, to check what arrives)",
                "--sha256");
        }
        const auto transport = MakeCurlTransport(CurlTransportOptions{});
        return DownloadModel(*transport, source, *sha, kMaxModelBytes);
    }
    TESSERA_ASSIGN_OR_RETURN(const std::vector<std::byte> bytes, ml::ReadModelFile(source));
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

void PrintModel(const MlModel& m, std::ostream& out) {
    out << m.name << "  " << m.input_width << "x" << m.input_height << "  " << m.dimensions
        << "-d  sha256 " << m.sha256.substr(0, 16) << "…  mean " << m.mean[0] << "," << m.mean[1]
        << "," << m.mean[2] << "  std " << m.std[0] << "," << m.std[1] << "," << m.std[2]
        << "  from " << m.source << "\n";
}

}  // namespace

Result<std::pair<int, int>> ParseInputSize(const std::string& text) {
    const std::size_t x = text.find('x');
    int w = 0;
    int h = 0;
    const char* end = text.data() + text.size();
    const bool ok = x != std::string::npos &&
                    std::from_chars(text.data(), text.data() + x, w).ptr == text.data() + x &&
                    std::from_chars(text.data() + x + 1, end, h).ptr == end && x > 0 &&
                    x + 1 < text.size();
    if (!ok || w < 16 || h < 16 || w > 4096 || h > 4096) {
        return Error::InvalidArgument(
            "--input is WIDTHxHEIGHT in pixels, 16 to 4096 a side, e.g. 224x224", "--input");
    }
    return std::pair{w, h};
}

Result<std::array<double, 3>> ParseTriple(const std::string& text, const std::string& flag) {
    std::array<double, 3> out{};
    std::size_t at = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const std::size_t comma = i + 1 < out.size() ? text.find(',', at) : text.size();
        if (comma == std::string::npos ||
            !ParseNumber(std::string_view(text).substr(at, comma - at), out[i])) {
            return Error::InvalidArgument(
                flag + " is three numbers for R,G,B on [0,1] pixels, e.g. 0.485,0.456,0.406", flag);
        }
        at = comma + 1;
    }
    return out;
}

Status RunModelCommand(const Config& config, const CliOptions& options, std::ostream& out) {
    const std::vector<std::string>& args = options.positional;
    TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<Repository> repo, OpenRepository(config));
    SystemClock clock;
    MlModelRegistry registry(*repo, clock, ml::ProbeEmbeddingWidth);
    if (args[0] == "list") {
        TESSERA_ASSIGN_OR_RETURN(const std::vector<MlModel> models, registry.List());
        if (models.empty()) {
            out << "no models registered (the built-in backbones are always used)\n";
        }
        for (const MlModel& m : models) {
            PrintModel(m, out);
        }
        return Status::Ok();
    }
    if (args[0] == "remove") {
        TESSERA_ASSIGN_OR_RETURN(const std::int64_t embeddings, registry.Remove(args[1]));
        out << "removed model " << args[1] << " and its " << embeddings << " stored embeddings\n";
        return Status::Ok();
    }
    ModelToAdd request;
    request.name = args[1];
    request.source = args[2];
    request.sha256 = options.sha256;
    if (options.input) {
        TESSERA_ASSIGN_OR_RETURN(const auto size, ParseInputSize(*options.input));
        request.input_width = size.first;
        request.input_height = size.second;
    }
    if (options.mean) {
        TESSERA_ASSIGN_OR_RETURN(request.mean, ParseTriple(*options.mean, "--mean"));
    }
    if (options.std) {
        TESSERA_ASSIGN_OR_RETURN(request.std, ParseTriple(*options.std, "--std"));
    }
    TESSERA_ASSIGN_OR_RETURN(const std::string onnx, ReadSource(request.source, request.sha256));
    TESSERA_ASSIGN_OR_RETURN(const MlModel model, registry.Add(request, onnx));
    out << "added model ";
    PrintModel(model, out);
    out << "ML assist rounds from now on validate it beside the built-in backbones\n";
    return Status::Ok();
}

}  // namespace tessera::app
