#include "targets.hpp"

namespace tessera::fuzz {

namespace {

constexpr std::string_view kImportPrefix = "import_";

std::optional<std::string_view> ImportFormatOf(std::string_view target) {
    if (!target.starts_with(kImportPrefix)) {
        return std::nullopt;
    }
    const std::string_view format = target.substr(kImportPrefix.size());
    for (const std::string& known : ImportFormats()) {
        if (known == format) {
            return format;
        }
    }
    return std::nullopt;
}

}  // namespace

std::vector<std::string> FuzzTargetNames() {
    std::vector<std::string> names;
    for (const std::string& format : ImportFormats()) {
        names.push_back(std::string(kImportPrefix) + format);
    }
    names.insert(names.end(), {"shapes", "json_codec", "http_request", "image_probe",
                               "header_probe", "manifest", "dicom", "azure_list"});
    return names;
}

bool InitFuzzTarget(std::string_view target, const char* argv0) {
    if (target == "image_probe") {
        InitImageProbe(argv0);
        return true;
    }
    return target == "shapes" || target == "json_codec" || target == "http_request" ||
           target == "header_probe" || target == "manifest" || target == "dicom" ||
           target == "azure_list" || ImportFormatOf(target).has_value();
}

bool RunFuzzTarget(std::string_view target, const std::uint8_t* data, std::size_t size) {
    if (auto format = ImportFormatOf(target)) {
        FuzzImport(*format, data, size);
    } else if (target == "shapes") {
        FuzzShapes(data, size);
    } else if (target == "json_codec") {
        FuzzJsonCodec(data, size);
    } else if (target == "http_request") {
        FuzzHttpRequest(data, size);
    } else if (target == "image_probe") {
        FuzzImageProbe(data, size);
    } else if (target == "header_probe") {
        FuzzHeaderProbe(data, size);
    } else if (target == "manifest") {
        FuzzManifest(data, size);
    } else if (target == "dicom") {
        FuzzDicom(data, size);
    } else if (target == "azure_list") {
        FuzzAzureList(data, size);
    } else {
        return false;
    }
    return true;
}

}  // namespace tessera::fuzz
