#pragma once
// Manifests: a list of images, and optionally earlier labels, in a CSV or JSONL file or in an
// Azure MLTable folder (docs/formats/manifests.md). The reader is pure and streamed: rows come
// one at a time from an std::istream, each bounded like a JSONL line (kMaxJsonlLineBytes), so a
// manifest of millions of rows is never held whole. A row that cannot be read is reported with
// its line and the rest are kept; a mapping that names a column the file lacks is refused with
// the columns it has.
#include <cstddef>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace tessera {

enum class ManifestFormat { kCsv, kJsonl, kMlTable };
std::optional<ManifestFormat> ParseManifestFormat(std::string_view name);
std::string_view ManifestFormatName(ManifestFormat format);

// Which column (CSV header cell) or key (JSONL; "a.b" reaches a nested key) holds what.
struct ManifestMapping {
    std::string image;       // required
    std::string category;    // optional: "" when the manifest holds no labels
    std::string confidence;  // optional
};

struct ManifestRow {
    int line = 0;       // 1-based line where the row starts
    std::string image;  // the reference as written (path, azureml://, AmlDatastore://...)
    // Labels: a JSON list gives several; a JSON string or a CSV cell gives one cell, which
    // `categories` also holds split at commas (Azure's multi-label CSV) so the caller picks
    // by the project's task type.
    std::string category_cell;
    std::vector<std::string> categories;
    std::optional<double> confidence;  // 0..1; Azure's list of per-label scores is averaged
};

struct ManifestRowError {
    int line = 0;
    std::string message;
};

struct ManifestReadStats {
    std::int64_t rows = 0;                 // rows handed to the callback
    std::vector<ManifestRowError> errors;  // the first kMaxManifestRowErrors
    std::int64_t error_count = 0;          // all of them
};

inline constexpr std::size_t kMaxManifestRowErrors = 100;

// Reads a CSV (header row; ',', ';' or tab detected from the header; quoted cells; BOM) or
// JSONL manifest. `on_row` returns false to stop. kInvalidArgument (field "mapping.image", ...)
// when the mapping names a column the file does not have, naming those it has; an empty file
// or a header-only CSV gives no rows and no error.
Result<ManifestReadStats> ReadManifest(std::istream& in, ManifestFormat format,
                                       const ManifestMapping& mapping,
                                       const std::function<bool(ManifestRow&&)>& on_row);

// The columns of a manifest and the first rows as text, with a guess at the mapping, for the
// wizard's column-mapping step.
struct ManifestPreview {
    std::vector<std::string> columns;  // CSV header, or the keys of the first JSONL objects
    std::vector<std::vector<std::string>> rows;  // up to `max_rows`, cells by `columns`
    ManifestMapping guess;                       // "" where nothing looks right
    char delimiter = ',';                        // CSV only
};
Result<ManifestPreview> PreviewManifest(std::istream& in, ManifestFormat format,
                                        std::size_t max_rows = 5);

// The MLTable YAML subset Azure writes: `paths:` entries (`- file:`, `- pattern:`, or
// `- folder:`) relative to the MLTable's folder, and the reading transformation
// (`read_json_lines` or `read_delimited`, with its `delimiter`). Other transformations
// (convert_column_types, ...) are accepted and ignored; read_parquet and remote paths are
// refused with a message saying so.
struct MlTablePath {
    enum class Kind { kFile, kPattern, kFolder } kind = Kind::kFile;
    std::string value;  // relative, as written ("./" dropped)
};
struct MlTable {
    std::vector<MlTablePath> paths;
    ManifestFormat format = ManifestFormat::kJsonl;  // kJsonl or kCsv
};
Result<MlTable> ParseMlTable(std::string_view yaml);

// Guesses for the mapping from column names (Azure's image_url/Url, label/Label,
// label_confidence, and common names like file_name, path, class).
ManifestMapping GuessManifestMapping(const std::vector<std::string>& columns);

}  // namespace tessera
