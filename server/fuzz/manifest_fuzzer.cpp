// The manifest reader (formats/manifest_reader): the first byte picks CSV, JSONL or the MLTable
// YAML, the rest is the file. CSV and JSONL are previewed, then read with the preview's guessed
// mapping (or Azure's column names when nothing was guessed), as the wizard and the job do.
#include <sstream>

#include "formats/manifest_reader.hpp"
#include "targets.hpp"

namespace tessera::fuzz {

void FuzzManifest(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return;
    }
    const int mode = data[0] % 3;
    const std::string text = Bytes(data + 1, size - 1);
    if (mode == 2) {
        (void)ParseMlTable(text);
        return;
    }
    const ManifestFormat format = mode == 0 ? ManifestFormat::kCsv : ManifestFormat::kJsonl;
    std::istringstream preview_in(text);
    auto preview = PreviewManifest(preview_in, format);
    ManifestMapping mapping{"image_url", "label", "label_confidence"};
    if (preview.ok() && !preview->guess.image.empty()) {
        mapping = preview->guess;
    }
    std::istringstream in(text);
    (void)ReadManifest(in, format, mapping, [](ManifestRow&&) { return true; });
}

}  // namespace tessera::fuzz
