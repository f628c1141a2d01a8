// Backbones registered with `tessera model add` (ml_models, migration 0016) and the removal of
// a model's embeddings.
#include <charconv>
#include <cstdio>

#include "storage/sql/sql_codec.hpp"
#include "storage/sql/sql_repository.hpp"

namespace tessera {
namespace {

// "r,g,b" with enough digits to read back the same doubles.
std::string Triple(const std::array<double, 3>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", v[i]);
        if (i > 0) {
            out += ',';
        }
        out += buf;
    }
    return out;
}

std::array<double, 3> ReadTriple(const std::string& text, std::array<double, 3> fallback) {
    std::array<double, 3> out{};
    std::size_t at = 0;
    for (double& value : out) {
        const std::size_t end = std::min(text.find(',', at), text.size());
        const auto [ptr, ec] = std::from_chars(text.data() + at, text.data() + end, value);
        if (ec != std::errc() || ptr != text.data() + end) {
            return fallback;
        }
        at = end + 1;
    }
    return out;
}

}  // namespace

Result<std::int64_t> SqlRepository::DeleteEmbeddings(const std::string& backbone) {
    std::int64_t removed = 0;
    TESSERA_TRY(db().Write([&](SqlConn& conn) -> Status {
        TESSERA_ASSIGN_OR_RETURN(
            removed, conn.Exec("DELETE FROM item_embeddings WHERE backbone = $1", {backbone}));
        return Status::Ok();
    }));
    return removed;
}

Status SqlRepository::AddMlModel(const MlModel& model, const std::string& onnx) {
    const SqlDialect dialect = db().dialect();
    return db().Write([&](SqlConn& conn) -> Status {
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows taken, conn.Query("SELECT 1 FROM ml_models WHERE name = $1", {model.name}));
        if (!taken.empty()) {
            return Error::Conflict("a model named '" + model.name +
                                   "' is registered already (tessera model remove it first)");
        }
        TESSERA_TRY(
            conn.Exec("INSERT INTO ml_models (name, sha256, input_width, input_height, mean, std, "
                      "dimensions, source, onnx, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                      "$8, " +
                          BytesParam(dialect, 9) + ", $10)",
                      {model.name, model.sha256, std::int64_t{model.input_width},
                       std::int64_t{model.input_height}, Triple(model.mean), Triple(model.std),
                       std::int64_t{model.dimensions}, model.source, BytesValue(dialect, onnx),
                       model.created_at}));
        return Status::Ok();
    });
}

Result<std::vector<MlModel>> SqlRepository::ListMlModels() {
    using Out = std::vector<MlModel>;
    return ReadTx<Out>([&](SqlConn& conn) -> Result<Out> {
        TESSERA_ASSIGN_OR_RETURN(
            SqlRows rows,
            conn.Query("SELECT name, sha256, input_width, input_height, mean, std, dimensions, "
                       "source, created_at FROM ml_models ORDER BY name",
                       {}));
        Out out;
        out.reserve(rows.size());
        for (const SqlRow& row : rows) {
            MlModel m;
            m.name = row.Text(0);
            m.sha256 = row.Text(1);
            m.input_width = static_cast<int>(row.Int(2));
            m.input_height = static_cast<int>(row.Int(3));
            m.mean = ReadTriple(row.Text(4), {0, 0, 0});
            m.std = ReadTriple(row.Text(5), {1, 1, 1});
            m.dimensions = static_cast<int>(row.Int(6));
            m.source = row.Text(7);
            m.created_at = row.Int(8);
            out.push_back(std::move(m));
        }
        return out;
    });
}

Result<std::string> SqlRepository::GetMlModelOnnx(const std::string& name) {
    const SqlDialect dialect = db().dialect();
    return ReadTx<std::string>([&](SqlConn& conn) -> Result<std::string> {
        TESSERA_ASSIGN_OR_RETURN(SqlRows rows, conn.Query("SELECT " + BytesColumn(dialect, "onnx") +
                                                              " FROM ml_models WHERE name = $1",
                                                          {name}));
        if (rows.empty()) {
            return Error::NotFound("no model named '" + name + "'");
        }
        return ReadBytes(dialect, rows.front().Text(0));
    });
}

Status SqlRepository::RemoveMlModel(const std::string& name) {
    return db().Write([&](SqlConn& conn) -> Status {
        TESSERA_ASSIGN_OR_RETURN(const std::int64_t removed,
                                 conn.Exec("DELETE FROM ml_models WHERE name = $1", {name}));
        if (removed == 0) {
            return Error::NotFound("no model named '" + name + "'");
        }
        return Status::Ok();
    });
}

}  // namespace tessera
