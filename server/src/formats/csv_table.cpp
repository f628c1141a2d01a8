#include "formats/csv_table.hpp"

#include <algorithm>

#include "base/text.hpp"

namespace tessera {

namespace {

constexpr const char* kBlanks = " \t";

bool IsBlank(std::string_view s) {
    return s.find_first_not_of(kBlanks) == std::string_view::npos;
}

// One cell as read so far: the text, and how much of it came from inside quotes (kept as is).
class CellBuilder {
public:
    void Add(char c) { text_ += c; }
    void OpenQuote() {
        if (!quoted_ && IsBlank(text_)) {
            text_.clear();  // blanks before the opening quote are not part of the cell
        }
        quoted_ = true;
    }
    void CloseQuote() { kept_ = text_.size(); }
    bool empty() const { return !quoted_ && IsBlank(text_); }

    std::string Take() {
        std::size_t begin = 0;
        if (!quoted_) {
            begin = text_.find_first_not_of(kBlanks);
            begin = begin == std::string::npos ? text_.size() : begin;
        }
        std::size_t end = text_.find_last_not_of(kBlanks);
        end = end == std::string::npos ? 0 : end + 1;
        end = std::max(end, kept_);
        std::string out = end > begin ? text_.substr(begin, end - begin) : std::string();
        *this = CellBuilder();
        return out;
    }

private:
    std::string text_;
    bool quoted_ = false;
    std::size_t kept_ = 0;
};

}  // namespace

std::vector<CsvRecord> ReadCsvRecords(std::string_view text, char delimiter) {
    if (text.starts_with("\xEF\xBB\xBF")) {
        text.remove_prefix(3);  // a UTF-8 byte-order mark, as spreadsheets write
    }
    std::vector<CsvRecord> records;
    CsvRecord record{1, {}};
    CellBuilder cell;
    bool in_quotes = false;
    int line = 1;
    auto end_record = [&] {
        // A record of one blank cell is a blank line.
        if (!record.cells.empty() || !cell.empty()) {
            record.cells.push_back(cell.Take());
            records.push_back(std::move(record));
        }
        record = CsvRecord{line, {}};
        cell = CellBuilder();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_quotes) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                cell.Add('"');
                ++i;
            } else if (c == '"') {
                in_quotes = false;
                cell.CloseQuote();
            } else {
                line += c == '\n' ? 1 : 0;
                cell.Add(c);
            }
        } else if (c == '"') {
            in_quotes = true;
            cell.OpenQuote();
        } else if (c == delimiter) {
            record.cells.push_back(cell.Take());
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;
            }
            ++line;
            end_record();
        } else {
            cell.Add(c);
        }
    }
    end_record();
    return records;
}

std::string JoinedNames(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names) {
        out += (out.empty() ? "" : ", ") + name;
    }
    return out;
}

int FirstColumnOf(const std::vector<std::string>& header,
                  std::initializer_list<std::string_view> names) {
    for (std::string_view name : names) {
        for (std::size_t i = 0; i < header.size(); ++i) {
            if (Lower(header[i]) == name) {
                return static_cast<int>(i);
            }
        }
    }
    return -1;
}

}  // namespace tessera
