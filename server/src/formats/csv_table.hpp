#pragma once
// RFC 4180 tables as the CSV importers read them (kaggle-csv, csv): records of cells, with the
// line each record starts on so row errors can name it.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace tessera {

struct CsvRecord {
    int line = 0;  // 1-based line of the file where the record starts
    std::vector<std::string> cells;
};

// Quoted cells may hold commas, doubled quotes and line breaks; records end at LF or CRLF (a
// lone CR too). A UTF-8 byte-order mark is dropped and blank lines are skipped. Blanks around a
// cell are dropped (Roboflow writes "filename, label_0"), but not those inside its quotes.
// `delimiter` separates cells (',' unless a manifest says ';' or tab).
std::vector<CsvRecord> ReadCsvRecords(std::string_view text, char delimiter = ',');

// "a, b, c": a header's names as an error message lists them.
std::string JoinedNames(const std::vector<std::string>& names);

// The column of the first of `names` (lower case, in order of preference) that a header cell
// equals, case aside; -1 when none does.
int FirstColumnOf(const std::vector<std::string>& header,
                  std::initializer_list<std::string_view> names);

}  // namespace tessera
