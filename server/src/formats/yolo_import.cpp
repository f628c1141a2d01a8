#include "formats/yolo_import.hpp"

#include <cmath>
#include <optional>
#include <sstream>

#include "base/text.hpp"

namespace tessera {

namespace {

std::string Unquote(std::string s) {
    s = Trim(std::move(s));
    if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front()) {
        return s.substr(1, s.size() - 2);
    }
    return s;
}

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    std::stringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(Trim(line));
    }
    return lines;
}

// Numbers of one line; nullopt when any token is not a number.
std::optional<std::vector<double>> Numbers(const std::string& line) {
    std::vector<double> out;
    std::stringstream in(line);
    std::string token;
    while (in >> token) {
        try {
            std::size_t used = 0;
            double v = std::stod(token, &used);
            if (used != token.size()) {
                return std::nullopt;
            }
            out.push_back(v);
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    return out;
}

// Label files are named after their image; "labels" folders mirror "images" folders.
std::string RecordName(const std::string& path) {
    std::string name = path.substr(0, path.size() - 4);  // drop ".txt"
    const std::size_t at = name.rfind("labels/");
    if (at != std::string::npos && (at == 0 || name[at - 1] == '/')) {
        name.replace(at, 7, "images/");
    }
    return name;
}

}  // namespace

std::vector<std::string> ParseYoloYamlNames(const std::string& yaml) {
    std::vector<std::string> names;
    std::vector<std::string> lines = Lines(yaml);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (!lines[i].starts_with("names:")) {
            continue;
        }
        std::string rest = Trim(lines[i].substr(6));
        if (rest.starts_with("[")) {
            rest = rest.substr(
                1, rest.find(']') == std::string::npos ? std::string::npos : rest.find(']') - 1);
            std::stringstream in(rest);
            std::string name;
            while (std::getline(in, name, ',')) {
                if (!Trim(name).empty()) {
                    names.push_back(Unquote(name));
                }
            }
            return names;
        }
        for (std::size_t j = i + 1; j < lines.size(); ++j) {
            const std::string& line = lines[j];
            if (line.empty() || line.starts_with("#")) {
                continue;
            }
            if (line.starts_with("- ")) {
                names.push_back(Unquote(line.substr(2)));
            } else if (const std::size_t colon = line.find(':');
                       colon != std::string::npos && !line.empty() && std::isdigit(line[0])) {
                const std::size_t index = std::stoul(line.substr(0, colon));
                if (names.size() <= index) {
                    names.resize(index + 1);
                }
                names[index] = Unquote(line.substr(colon + 1));
            } else {
                break;
            }
        }
        return names;
    }
    return names;
}

Result<ParsedImport> ParseYolo(const std::vector<ImportFile>& files) {
    std::vector<std::string> names;
    for (const ImportFile& file : files) {
        const std::string base = Lower(ImportBaseName(file.path));
        if (base == "obj.names" || base == "classes.txt") {
            for (std::string& line : Lines(file.bytes)) {
                if (!line.empty()) {
                    names.push_back(std::move(line));
                }
            }
        } else if (ImportEndsWith(base, ".yaml") || ImportEndsWith(base, ".yml")) {
            names = ParseYoloYamlNames(file.bytes);
        }
    }
    if (names.empty()) {
        // Class ids are positions in a names list only the trainer knew; mapping them to the
        // project's labels by position would silently mislabel whenever the orders differ.
        return Error::InvalidArgument(
            "YOLO upload has no class names: add obj.names or classes.txt (one name a line, "
            "class 0 first) or data.yaml (names: [...]); class ids are not guessed from the "
            "project's label order");
    }
    ParsedImport out;
    int row = 0;
    for (const ImportFile& file : files) {
        const std::string base = Lower(ImportBaseName(file.path));
        if (!ImportEndsWith(base, ".txt") || base == "classes.txt") {
            continue;
        }
        std::vector<std::string> lines = Lines(file.bytes);
        std::vector<std::vector<double>> rows;
        bool numeric = true;
        for (const std::string& line : lines) {
            if (line.empty()) {
                continue;
            }
            auto numbers = Numbers(line);
            if (!numbers) {
                numeric = false;
                break;
            }
            rows.push_back(std::move(*numbers));
        }
        if (!numeric) {
            continue;
        }
        ImportRecord record;
        record.row = ++row;
        record.name = RecordName(file.path);
        record.match_stem = true;
        record.space = CoordSpace::kNormalized;
        bool bad = false;
        for (std::size_t i = 0; i < rows.size() && !bad; ++i) {
            const std::vector<double>& v = rows[i];
            const std::string where = file.path + ": line " + std::to_string(i + 1);
            const double cls = v.empty() ? -1 : v[0];
            if (cls < 0 || cls != std::floor(cls) || cls >= static_cast<double>(names.size())) {
                out.errors.push_back({record.row, where + ": unknown class index"});
                bad = true;
            } else if (v.size() == 5) {
                record.shapes.push_back(MakeBoxShape(names[static_cast<std::size_t>(cls)],
                                                     v[1] - v[3] / 2, v[2] - v[4] / 2,
                                                     v[1] + v[3] / 2, v[2] + v[4] / 2));
            } else if (v.size() >= 7 && v.size() % 2 == 1) {
                Ring ring;
                for (std::size_t k = 1; k + 1 < v.size(); k += 2) {
                    ring.push_back({v[k], v[k + 1]});
                }
                Shape shape;
                shape.label = names[static_cast<std::size_t>(cls)];
                shape.geometry = Polygon{{std::move(ring)}};
                record.shapes.push_back(std::move(shape));
            } else {
                out.errors.push_back(
                    {record.row, where + ": expected 5 values (box) or 1 + 2n, n >= 3 (polygon)"});
                bad = true;
            }
        }
        if (!bad) {
            out.records.push_back(std::move(record));
        }
    }
    return out;
}

}  // namespace tessera
