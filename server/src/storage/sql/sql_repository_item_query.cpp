// Items by the Data tab's filters (repository.hpp, FindItems): one index range in item id order
// per page, the other filters checked on its rows within a bounded walk.
#include <algorithm>
#include <cctype>
#include <string_view>

#include "base/log.hpp"

#include "storage/sql/pg_array.hpp"
#include "storage/sql/sql_codec.hpp"
#include "storage/sql/sql_internal.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {

using sql_internal::RequireLiveProject;

namespace {

// The most items ListItems and FindItems return in one call, whatever the caller asks for.
constexpr int kMaxListLimit = 10000;
// A label with more subclasses than this is matched on each row of the item id walk instead
// of merging one range per label.
constexpr std::size_t kMaxLabelBranches = 32;
// On PostgreSQL, a name with more candidates than this after the page's start is a common one:
// combined with another filter it is checked on that filter's rows instead of driving the page
// (RareNameCandidates).
constexpr std::int64_t kRareNameCandidates = 2000;

// A statement's text and parameters, built together so "$n" always names the right value.
struct SqlBuilder {
    SqlParams params;
    std::string Add(SqlValue value) {
        params.push_back(std::move(value));
        // Appended, not "$" + ...: g++ 12 at -O3 warns (-Wrestrict) about the inlined concat.
        std::string name = "$";
        name += std::to_string(params.size());
        return name;
    }
};

// The index range a page walks: `table` with `where`, ordered by `key` (an item id).
struct Driver {
    std::string table;
    std::string where;
    std::string key;
    std::string join;         // how to reach the item row `i` from `table`
    bool name_index = false;  // the name index's candidates (NameIndexDriver)
};

// Picks the most selective filter an index answers in item id order. Filters it consumed are
// cleared from `rest`, which keeps the ones left to check on each row.
// A label and its subclasses: one item_labels range per label, each cut at kItemScanBudget
// entries after the page's start, merged (and deduplicated: an item may count two subclasses) in
// item id order. The first kItemScanBudget ids of the merge are exact, which is all a page reads
// (FindItems' bound). Expects `after` as $2.
Driver LabelTreeDriver(SqlBuilder& b, const ItemFilter& rest) {
    const std::string budget = b.Add(kItemScanBudget);
    std::string branches;
    auto add = [&](const std::string& label) {
        branches += (branches.empty() ? "" : " UNION ") +
                    std::string(
                        "SELECT item_id FROM (SELECT item_id FROM item_labels WHERE "
                        "project_id = $1 AND label = ") +
                    b.Add(label) + " AND item_id > $2 ORDER BY item_id LIMIT " + budget + ") b" +
                    std::to_string(b.params.size());
    };
    add(*rest.label);
    for (const std::string& label : rest.label_subclasses) {
        add(label);
    }
    return Driver{"(" + branches + ") d", "1 = 1", "d.item_id",
                  " JOIN items i ON i.id = d.item_id"};
}

// Whether the name index can answer `query` (0011_name_search.sql): FTS5's trigram tokenizer
// needs 3 characters; pg_trgm takes its trigrams from runs of letters and digits, and a pattern
// without a run of 3 would read the whole index.
bool NameIndexAnswers(std::string_view query, SqlDialect dialect) {
    if (dialect == SqlDialect::kSqlite) {
        const auto chars = std::count_if(query.begin(), query.end(), [](char c) {
            return (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // UTF-8 lead bytes
        });
        return chars >= 3;
    }
    int run = 0;
    for (const char c : query) {
        const auto byte = static_cast<unsigned char>(c);
        run = std::isalnum(byte) != 0 || byte >= 0x80 ? run + 1 : 0;
        if (run >= 3) {
            return true;
        }
    }
    return false;
}

// `query` as an FTS5 phrase: a string in double quotes, quotes doubled.
std::string FtsPhrase(std::string_view query) {
    std::string out = "\"";
    for (const char c : query) {
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return out + "\"";
}

// `query` as a LIKE pattern matching it anywhere (backslash escapes the wildcards).
std::string LikeSubstring(std::string_view query) {
    std::string out = "%";
    for (const char c : query) {
        if (c == '%' || c == '_' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "%";
}

// The items whose path may contain the name query, from the name index, in item id order. The
// index only narrows: RowConditions still checks the exact rule on each row, so FindItems
// bounds the walk as for any checked filter (for a common name the probe's 20,000 candidates
// are an index walk; for a rare one there are few).
Driver NameIndexDriver(SqlBuilder& b, const std::string& query, SqlDialect dialect) {
    if (dialect == SqlDialect::kSqlite) {
        // FTS5 gives its rows in rowid order and takes rowid ranges, so neither the page nor the
        // probe sorts; the index spans all projects and the join keeps this project's items.
        return Driver{"items_name_search d", "d.items_name_search MATCH " + b.Add(FtsPhrase(query)),
                      "d.rowid", " JOIN items i ON i.id = d.rowid AND i.project_id = $1", true};
    }
    // item_names (0012) holds lower(path) under item_names_trgm: the planner takes the trigram
    // index for a rare name (a bitmap, sorted by id) and the primary key's order for a common
    // one. The join repeats the page's start (`after`, $2) for `items`: PostgreSQL does not carry
    // `d.item_id > $2` across the join, and a merge join with one row per item otherwise read
    // `items` from the project's first id (a page 90% into 1,000,000 items: 238 ms, not 1).
    return Driver{"item_names d",
                  "d.project_id = $1 AND d.name LIKE lower(" + b.Add(LikeSubstring(query)) + ")",
                  "d.item_id", " JOIN items i ON i.id = d.item_id AND i.id > $2", true};
}

// On PostgreSQL, a name combined with another filter: the name index's candidates after
// `after_id` when there are fewer than kRareNameCandidates of them (a rare name), in item id
// order; nothing for a common name, which is then checked on the other filter's rows. The bound
// FindItems puts on a page is the key of its driver's 20,000th entry: for the trigram index that
// would mean all of a common name's matches, read from the heap, checked and sorted by id (1.7 s
// a page for 111,000 matches of 1,000,000). Without an order, the capped query is cheap either
// way: the planner reads a rare name's few candidates from the index, and stops a walk early for
// a common one, whose matches are everywhere. The candidates found drive the page themselves, so
// the index is read once a page. SQLite's FTS5 gives its candidates in rowid order, so its probe
// needs no sort and no such check.
Result<std::optional<std::vector<std::int64_t>>> RareNameCandidates(SqlConn& conn, Id project_id,
                                                                    Id after_id,
                                                                    const std::string& query) {
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows rows,
        conn.Query("SELECT d.item_id FROM item_names d WHERE d.project_id = $1 AND "
                   "d.name LIKE lower($2) AND d.item_id > $3 LIMIT $4",
                   {project_id, LikeSubstring(query), after_id, kRareNameCandidates}));
    if (static_cast<std::int64_t>(rows.size()) >= kRareNameCandidates) {
        return std::optional<std::vector<std::int64_t>>();
    }
    std::vector<std::int64_t> ids;
    ids.reserve(rows.size());
    for (const SqlRow& row : rows) {
        ids.push_back(row.Int(0));
    }
    std::sort(ids.begin(), ids.end());
    return std::optional<std::vector<std::int64_t>>(std::move(ids));
}

// Whether `f` asks for more than a name: a filter PickDriver may drive a page by, or one left
// to check on the driver's rows.
bool HasFiltersBesidesTheName(const ItemFilter& f) {
    return f.state || f.in_progress || f.label || f.labeler_id || f.source_id;
}

Driver PickDriver(SqlBuilder& b, ItemFilter& rest, SqlDialect dialect, bool name_index) {
    const std::string project = "$1";
    if (name_index && NameIndexAnswers(rest.name_query, dialect)) {
        // A name of 3 characters or more is taken to be the most selective filter. The name
        // stays in `rest`: the index's candidates are checked with the exact rule.
        return NameIndexDriver(b, rest.name_query, dialect);
    }
    if (rest.label && !rest.label_subclasses.empty() &&
        rest.label_subclasses.size() < kMaxLabelBranches) {
        Driver d = LabelTreeDriver(b, rest);
        rest.label.reset();
        rest.label_subclasses.clear();
        return d;
    }
    if (rest.label && rest.label_subclasses.empty()) {
        Driver d{"item_labels d",
                 "d.project_id = " + project + " AND d.label = " + b.Add(*rest.label), "d.item_id",
                 " JOIN items i ON i.id = d.item_id"};
        rest.label.reset();
        return d;
    }
    if (rest.labeler_id) {
        // The partial index annotations_author_item (source = 'human') in item id order; the
        // join keeps items whose counting answer is that annotation.
        Driver d{"annotations d",
                 "d.project_id = " + project + " AND d.author_id = " + b.Add(*rest.labeler_id) +
                     " AND d.source = 'human'",
                 "d.item_id",
                 " JOIN items i ON i.id = d.item_id AND i.result_annotation_id = d.id"};
        rest.labeler_id.reset();
        return d;
    }
    if (rest.in_progress) {
        // leases_expiry holds only the leases (live, or expired and not yet reclaimed): few,
        // whatever the project's size. Leased items are always unlabeled (0008_leases.sql).
        Driver d{"leases d", "d.project_id = " + project + " AND d.expires_at > " + b.Add(rest.now),
                 "d.item_id", " JOIN items i ON i.id = d.item_id AND i.state = 'unlabeled'"};
        rest.in_progress = false;
        rest.state.reset();
        return d;
    }
    if (rest.state) {
        Driver d{"items i",
                 "i.project_id = " + project +
                     " AND i.state = " + b.Add(std::string(ItemStateName(*rest.state))),
                 "i.id", ""};
        rest.state.reset();
        return d;
    }
    return Driver{"items i", "i.project_id = " + project, "i.id", ""};
}

// The filters left after the driver, as conditions on the item row `i`.
std::vector<std::string> RowConditions(SqlBuilder& b, const ItemFilter& rest, SqlDialect dialect,
                                       std::optional<Id> primary_source) {
    std::vector<std::string> out;
    if (rest.source_id) {
        // Items of the primary datasource are stored with NULL (0006_datasources.sql).
        const std::string source = b.Add(*rest.source_id);
        out.push_back(rest.source_id == primary_source
                          ? "(i.source_id IS NULL OR i.source_id = " + source + ")"
                          : "i.source_id = " + source);
    }
    if (rest.state) {
        out.push_back("i.state = " + b.Add(std::string(ItemStateName(*rest.state))));
    }
    if (rest.in_progress) {
        out.push_back(
            "i.state = 'unlabeled' AND EXISTS (SELECT 1 FROM leases l WHERE l.item_id = i.id AND "
            "l.expires_at > " +
            b.Add(rest.now) + ")");
    }
    if (rest.label && rest.label_subclasses.empty()) {
        out.push_back(
            "EXISTS (SELECT 1 FROM item_labels l WHERE l.project_id = i.project_id AND "
            "l.label = " +
            b.Add(*rest.label) + " AND l.item_id = i.id)");
    } else if (rest.label) {
        // The label or any path under it: "Animal/" < subclass < "Animal0" ('0' follows '/').
        out.push_back(
            "EXISTS (SELECT 1 FROM item_labels l WHERE l.item_id = i.id AND "
            "l.project_id = i.project_id AND (l.label = " +
            b.Add(*rest.label) + " OR (l.label > " + b.Add(*rest.label + "/") + " AND l.label < " +
            b.Add(*rest.label + "0") + ")))");
    }
    if (rest.labeler_id) {
        out.push_back(
            "EXISTS (SELECT 1 FROM annotations r WHERE r.id = i.result_annotation_id "
            "AND r.author_id = " +
            b.Add(*rest.labeler_id) + ")");
    }
    if (!rest.name_query.empty()) {
        // The exact rule, on the name index's candidates or on the rows of the bounded walk.
        const std::string find = dialect == SqlDialect::kPostgres ? "strpos" : "instr";
        out.push_back(find + "(lower(i.path), lower(" + b.Add(rest.name_query) + ")) > 0");
    }
    return out;
}

}  // namespace

Result<bool> SqlRepository::HasNameIndex(SqlConn& conn) {
    const int known = name_index_.load();
    if (known >= 0) {
        return known == 1;
    }
    const bool postgres = db().dialect() == SqlDialect::kPostgres;
    TESSERA_ASSIGN_OR_RETURN(
        SqlRows rows,
        conn.Query(postgres ? "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND "
                              "indexname = 'item_names_trgm'"
                            : "SELECT 1 FROM sqlite_master WHERE name = 'items_name_search'",
                   {}));
    const bool found = !rows.empty();
    if (!found && postgres) {
        log::Warn(
            "name search (q=) without the trigram index: pg_trgm could not be installed, so "
            "each page of a name search walks the items; see 0011_name_search.sql and "
            "0012_item_names.sql to add it",
            {{"index", "item_names_trgm"}});
    }
    name_index_.store(found ? 1 : 0);
    return found;
}

Result<ItemPage> SqlRepository::FindItems(Id project_id, const ItemFilter& filter) {
    const std::int64_t limit = std::clamp(filter.limit, 1, kMaxListLimit);
    const SqlDialect dialect = db().dialect();
    return ReadTx<ItemPage>([&](SqlConn& conn) -> Result<ItemPage> {
        TESSERA_TRY(RequireLiveProject(conn, project_id));
        SqlBuilder b;
        b.Add(project_id);
        const std::string after = b.Add(filter.after_id);
        ItemFilter rest = filter;
        bool name_index = false;
        if (!rest.name_query.empty()) {
            TESSERA_ASSIGN_OR_RETURN(name_index, HasNameIndex(conn));
        }
        std::optional<Driver> rare_name;
        if (name_index && HasFiltersBesidesTheName(rest) && dialect == SqlDialect::kPostgres &&
            NameIndexAnswers(rest.name_query, dialect)) {
            TESSERA_ASSIGN_OR_RETURN(
                auto candidates,
                RareNameCandidates(conn, project_id, filter.after_id, rest.name_query));
            if (candidates) {
                // Few enough to need no bound; the name stays in `rest` for the exact rule.
                // Each candidate is looked up by its key, behind an OFFSET 0 the planner does
                // not flatten: joined plainly, it walked the other filter's index instead (all
                // 39,000 labeled items for 111 candidates, when the statistics still said that
                // none were labeled).
                rare_name = Driver{
                    "unnest(" + b.Add(PgIntArray(*candidates)) + "::bigint[]) AS d(item_id)",
                    "1 = 1", "d.item_id",
                    " JOIN LATERAL (SELECT * FROM items x WHERE x.id = d.item_id AND x.project_id "
                    "= $1 OFFSET 0) i ON true",
                    true};
            } else {
                name_index = false;  // a common name: checked on the other filter's rows
            }
        }
        const Driver driver = rare_name ? *rare_name : PickDriver(b, rest, dialect, name_index);
        std::optional<Id> primary;
        if (rest.source_id) {
            TESSERA_ASSIGN_OR_RETURN(primary, PrimarySourceId(conn, project_id));
        }
        // The filters left to check on the driver's rows, besides the name.
        const bool others = HasFiltersBesidesTheName(rest);
        const bool checked = others || !rest.name_query.empty();
        // The name index's candidates alone need no bound: the exact rule turns away next to
        // none of them, so a page stops after `limit` of them, and the probe would only cost a
        // walk of 20,000 candidates for a common name (on PostgreSQL, a sort of its matches).
        const bool bounded = !rare_name && (others || (checked && !driver.name_index));
        ItemPage page;
        std::string where = driver.where + " AND " + driver.key + " > " + after;
        std::optional<Id> bound;
        if (bounded) {
            // The last key this page may look at: kItemScanBudget entries into the range.
            SqlBuilder probe;
            probe.params = b.params;
            const std::string offset = probe.Add(kItemScanBudget - 1);
            TESSERA_ASSIGN_OR_RETURN(
                SqlRows rows,
                conn.Query("SELECT " + driver.key + " FROM " + driver.table + " WHERE " + where +
                               " ORDER BY " + driver.key + " LIMIT 1 OFFSET " + offset,
                           probe.params));
            if (!rows.empty()) {
                bound = rows[0].Int(0);
                where += " AND " + driver.key + " <= " + b.Add(*bound);
            }
        }
        if (checked) {
            // Built after the probe: PostgreSQL refuses parameters a statement does not use.
            for (const std::string& condition : RowConditions(b, rest, dialect, primary)) {
                where += " AND " + condition;
            }
        }
        const std::string cap = b.Add(limit);
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows, conn.Query("SELECT " + ItemColumns("i") + " FROM " + driver.table +
                                         driver.join + ItemLeaseJoin("i") + " WHERE " + where +
                                         " ORDER BY " + driver.key + " LIMIT " + cap,
                                     b.params));
        page.items.reserve(rows.size());
        for (const SqlRow& row : rows) {
            page.items.push_back(ReadItem(row));
        }
        if (static_cast<std::int64_t>(page.items.size()) == limit) {
            page.next_after = page.items.back().id;
        } else if (bound) {
            page.next_after = *bound;  // the walk stopped before the end of the range
        }
        return page;
    });
}

Result<std::vector<Item>> SqlRepository::ListItems(Id project_id, const ItemFilter& filter) {
    ItemFilter paging;
    paging.state = filter.state;
    paging.source_id = filter.source_id;
    paging.after_id = filter.after_id;
    paging.limit = filter.limit;
    TESSERA_ASSIGN_OR_RETURN(ItemPage page, FindItems(project_id, paging));
    return std::move(page.items);
}

}  // namespace tessera
