#include "storage/sql/sql_codec.hpp"

#include <nlohmann/json.hpp>

namespace tessera {
namespace {

std::string Qualify(std::string_view alias, std::initializer_list<std::string_view> columns) {
    std::string out;
    for (std::string_view column : columns) {
        if (!out.empty()) {
            out += ", ";
        }
        if (!alias.empty()) {
            out.append(alias).append(".");
        }
        out.append(column);
    }
    return out;
}

}  // namespace

std::string UserColumns(std::string_view alias) {
    return Qualify(alias, {"id", "username", "role", "password_hash", "created_at"});
}

std::string ProjectColumns(std::string_view alias) {
    return Qualify(alias,
                   {"id", "name", "task_type", "status", "labels_json", "instructions_text",
                    "instructions_url", "datasource_kind", "datasource_path", "datasource_pattern",
                    "item_limit", "shuffle_seed", "item_limit_reached", "created_by", "created_at",
                    "deleted_at", "refresh_enabled", "refresh_interval_s", "refresh_last_at"});
}

std::string ItemColumns(std::string_view alias) {
    const std::string lease = std::string(alias) + "_lease";
    return Qualify(alias, {"id", "project_id", "path", "size_bytes", "width", "height", "format",
                           "state", "error", "rank"}) +
           ", " + Qualify(lease, {"token", "owner_id", "expires_at"}) + ", " +
           Qualify(alias, {"created_at", "source_id"});
}

std::string ItemLeaseJoin(std::string_view alias) {
    const std::string item(alias);
    return " LEFT JOIN leases " + item + "_lease ON " + item + "_lease.item_id = " + item + ".id";
}

std::string AnnotationColumns(std::string_view alias) {
    return Qualify(alias, {"id", "project_id", "item_id", "author_id", "source", "payload_json",
                           "confidence", "lease_token", "created_at", "updated_at", "ml_round_id"});
}

std::string DatasourceColumns(SqlDialect dialect) {
    return "id, kind, path, pattern, config_json, " + BytesColumn(dialect, "secret") +
           ", created_at";
}

std::string BytesColumn(SqlDialect dialect, std::string_view column) {
    return dialect == SqlDialect::kPostgres ? "encode(" + std::string(column) + ", 'hex')"
                                            : std::string(column);
}

std::string ReadBytes(SqlDialect dialect, std::string cell) {
    if (dialect != SqlDialect::kPostgres) {
        return cell;
    }
    auto nibble = [](char c) {
        return c <= '9' ? c - '0' : c - 'a' + 10;  // encode() writes lower-case hex
    };
    std::string bytes;
    bytes.reserve(cell.size() / 2);
    for (std::size_t i = 0; i + 1 < cell.size(); i += 2) {
        bytes += static_cast<char>(nibble(cell[i]) * 16 + nibble(cell[i + 1]));
    }
    return bytes;
}

std::string BytesParam(SqlDialect dialect, int index) {
    const std::string param = "$" + std::to_string(index);
    return dialect == SqlDialect::kPostgres ? "decode(" + param + ", 'hex')"
                                            : "CAST(" + param + " AS BLOB)";
}

SqlValue BytesValue(SqlDialect dialect, const std::string& bytes) {
    if (bytes.empty()) {
        return std::monostate{};
    }
    if (dialect == SqlDialect::kSqlite) {
        return bytes;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        hex += kHex[c >> 4];
        hex += kHex[c & 0xf];
    }
    return hex;
}

Datasource ReadDatasource(const SqlRow& row, SqlDialect dialect, std::size_t at) {
    Datasource d;
    d.id = row.Int(at);
    d.kind = row.Text(at + 1);
    d.path = row.Text(at + 2);
    d.pattern = row.Text(at + 3);
    d.config_json = row.Text(at + 4);
    d.secret = ReadBytes(dialect, row.Text(at + 5));
    d.created_at = row.Int(at + 6);
    return d;
}

std::string JobColumns(std::string_view alias) {
    return Qualify(alias, {"id", "kind", "project_id", "state", "payload_json", "worker",
                           "progress_done", "progress_total", "error", "created_at", "started_at",
                           "finished_at", "heartbeat_at"});
}

User ReadUser(const SqlRow& row, std::size_t at) {
    User u;
    u.id = row.Int(at);
    u.username = row.Text(at + 1);
    u.role = ParseRole(row.Text(at + 2)).value_or(Role::kLabeler);
    u.password_hash = row.Text(at + 3);
    u.created_at = row.Int(at + 4);
    return u;
}

Project ReadProject(const SqlRow& row, std::size_t at) {
    Project p;
    p.id = row.Int(at);
    p.name = row.Text(at + 1);
    p.task_type = ParseTaskType(row.Text(at + 2)).value_or(TaskType::kMulticlass);
    p.status = ParseProjectStatus(row.Text(at + 3)).value_or(ProjectStatus::kDraft);
    p.labels_json = row.Text(at + 4);
    p.instructions_text = row.Text(at + 5);
    p.instructions_url = row.Text(at + 6);
    p.datasource.kind = row.Text(at + 7);
    p.datasource.path = row.Text(at + 8);
    p.datasource.pattern = row.Text(at + 9);
    p.item_limit = row.Int(at + 10);
    // Stored as the signed bit pattern: SQL has no unsigned 64-bit integer.
    p.shuffle_seed = static_cast<std::uint64_t>(row.Int(at + 11));
    p.item_limit_reached = row.Int(at + 12) != 0;
    p.created_by = row.Int(at + 13);
    p.created_at = row.Int(at + 14);
    if (auto deleted = row.OptInt(at + 15)) {
        p.deleted_at = *deleted;
    }
    p.refresh.enabled = row.Int(at + 16) != 0;
    p.refresh.interval_s = row.Int(at + 17);
    p.refresh.last_at = row.OptInt(at + 18);
    return p;
}

Item ReadItem(const SqlRow& row, std::size_t at) {
    Item i;
    i.id = row.Int(at);
    i.project_id = row.Int(at + 1);
    i.path = row.Text(at + 2);
    i.size_bytes = row.Int(at + 3);
    i.width = static_cast<int>(row.Int(at + 4));
    i.height = static_cast<int>(row.Int(at + 5));
    i.format = row.Text(at + 6);
    i.state = ParseItemState(row.Text(at + 7)).value_or(ItemState::kError);
    i.error = row.Text(at + 8);
    i.rank = row.Int(at + 9);
    i.lease_token = row.Text(at + 10);
    i.lease_owner = row.Int(at + 11);
    i.lease_expires_at = row.Int(at + 12);
    i.created_at = row.Int(at + 13);
    i.source_id = row.Int(at + 14);  // 0 (NULL): the primary datasource
    return i;
}

Annotation ReadAnnotation(const SqlRow& row, std::size_t at) {
    Annotation a;
    a.id = row.Int(at);
    a.project_id = row.Int(at + 1);
    a.item_id = row.Int(at + 2);
    a.author_id = row.OptInt(at + 3);
    a.source = ParseAnnotationSource(row.Text(at + 4));
    a.payload_json = row.Text(at + 5);
    a.confidence = row.OptReal(at + 6);
    a.lease_token = row.Text(at + 7);
    a.created_at = row.Int(at + 8);
    a.updated_at = row.Int(at + 9);
    a.ml_round_id = row.OptInt(at + 10);
    return a;
}

Job ReadJob(const SqlRow& row, std::size_t at) {
    Job j;
    j.id = row.Int(at);
    j.kind = row.Text(at + 1);
    j.project_id = row.Int(at + 2);
    j.state = ParseJobState(row.Text(at + 3));
    j.payload_json = row.Text(at + 4);
    j.worker = row.Text(at + 5);
    j.progress_done = row.Int(at + 6);
    j.progress_total = row.Int(at + 7);
    j.error = row.Text(at + 8);
    j.created_at = row.Int(at + 9);
    j.started_at = row.Int(at + 10);
    j.finished_at = row.Int(at + 11);
    j.heartbeat_at = row.Int(at + 12);
    return j;
}

JobState ParseJobState(std::string_view text) {
    for (JobState s : {JobState::kQueued, JobState::kRunning, JobState::kDone, JobState::kFailed}) {
        if (JobStateName(s) == text) {
            return s;
        }
    }
    return JobState::kFailed;
}

AnnotationSource ParseAnnotationSource(std::string_view text) {
    for (AnnotationSource s : {AnnotationSource::kHuman, AnnotationSource::kPrelabel,
                               AnnotationSource::kConsensus, AnnotationSource::kImport}) {
        if (AnnotationSourceName(s) == text) {
            return s;
        }
    }
    return AnnotationSource::kImport;
}

std::string NameKey(std::string_view name) {
    std::string key(name);
    for (char& c : key) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return key;
}

std::int64_t ShuffleRank(std::uint64_t seed, std::string_view path) {
    // FNV-1a over the path, then a SplitMix64 finalizer mixed with the seed: cheap, stable
    // across platforms and releases (ranks are persisted, so this must never change).
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : path) {
        h = (h ^ c) * 1099511628211ull;
    }
    std::uint64_t z = h ^ (seed + 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return static_cast<std::int64_t>(z >> 1);
}

std::string EncodeLabels(const std::vector<std::string>& labels) {
    return nlohmann::json(labels).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> DecodeLabels(const std::string& json) {
    auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    std::vector<std::string> out;
    if (!parsed.is_array()) {
        return out;
    }
    for (const auto& v : parsed) {
        if (v.is_string()) {
            out.push_back(v.get<std::string>());
        }
    }
    return out;
}

}  // namespace tessera
