#pragma once
// Repository written once over SqlDb; SqliteRepository and PostgresRepository only open the
// right driver. Dialect differences stay inside the few methods that need them (bulk insert,
// shuffle, row locking) and inside the migration files.
#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "storage/repository.hpp"
#include "storage/sql/queue_fronts.hpp"
#include "storage/sql/sql_conn.hpp"

namespace tessera {

class SqlRepository : public Repository {
public:
    explicit SqlRepository(std::unique_ptr<SqlDb> db) : db_(std::move(db)) {}

    Result<int> Migrate() override;

    Result<User> CreateUser(const User& user) override;
    Result<User> GetUser(Id id) override;
    Result<User> FindUserByName(const std::string& username) override;
    Result<std::int64_t> CountUsers() override;
    Result<std::vector<User>> ListUsers() override;
    Status CreateSession(const Session& session) override;
    Result<SessionWithUser> FindSession(const std::string& token_hash, TimeMs now) override;
    Status ExtendSession(const std::string& token_hash, TimeMs expires_at) override;
    Status DeleteSession(const std::string& token_hash) override;
    Result<std::int64_t> DeleteUserSessions(Id user_id,
                                            const std::string& keep_token_hash) override;
    Status ChangePassword(Id user_id, const std::string& password_hash,
                          const std::string& keep_session_hash) override;
    Status SetUserRole(Id user_id, Role role) override;
    Result<ApiToken> CreateApiToken(const ApiToken& token) override;
    Result<ApiTokenWithUser> FindApiToken(const std::string& token_hash) override;
    Result<std::vector<ApiToken>> ListApiTokens(Id user_id) override;
    Status DeleteApiToken(Id user_id, Id token_id) override;
    Result<std::int64_t> DeleteUserApiTokens(Id user_id) override;

    Result<Project> CreateProject(const Project& project) override;
    Result<Project> GetProject(Id id) override;
    Result<std::vector<Project>> ListProjects() override;
    Status SetProjectStatus(Id id, ProjectStatus status) override;
    Status SetItemLimitReached(Id id, bool reached) override;
    Status SetRefreshSettings(Id id, const RefreshSettings& settings) override;
    Status RecordRefresh(Id id, TimeMs at) override;

    Result<Datasource> AddDatasource(Id project_id, const Datasource& source) override;
    Result<std::vector<Datasource>> ListDatasources(Id project_id) override;
    Result<std::vector<FolderStamp>> ListFolderStamps(Id datasource_id) override;
    Status ReplaceFolderStamps(Id datasource_id, const std::vector<FolderStamp>& stamps) override;
    Status EditProject(Id id, const ProjectEdit& edit) override;
    Status DeleteProject(Id id, TimeMs now) override;

    Result<std::int64_t> InsertItems(Id project_id, const std::vector<NewItem>& items,
                                     TimeMs now) override;
    Status ShuffleItems(Id project_id, std::uint64_t seed) override;
    Result<std::int64_t> CountItems(Id project_id) override;
    Result<Item> GetItem(Id project_id, Id item_id) override;
    Result<ItemRecord> GetItemRecord(Id project_id, Id item_id) override;
    Result<std::vector<Item>> ListItems(Id project_id, const ItemFilter& filter) override;
    Status ForEachKnownItem(Id project_id,
                            const std::function<bool(const KnownItem&)>& callback) override;
    Result<bool> CanListKnownItemsByFolder() override;
    Status ForEachKnownItemInFolder(Id project_id, const std::string& folder,
                                    const std::function<bool(const KnownItem&)>& callback) override;
    Result<Id> UpdateItemImage(Id project_id, const NewItem& image) override;
    Result<std::int64_t> SetItemsMissing(Id project_id, const std::vector<Id>& item_ids,
                                         bool missing) override;
    Result<ItemPage> FindItems(Id project_id, const ItemFilter& filter) override;

    Result<std::vector<Item>> LeaseNext(const LeaseRequest& request) override;
    Result<int> RenewLease(Id project_id, Id user_id, const std::string& lease_token, TimeMs now,
                           TimeMs expires_at) override;
    Status ReleaseLease(Id project_id, Id user_id, const std::string& lease_token) override;
    Result<SubmitOutcome> SubmitAnnotation(const SubmitRequest& request) override;
    Status SkipItem(const SkipRequest& request) override;
    Result<Annotation> GetAnnotation(Id project_id, Id item_id, Id user_id) override;
    Result<std::vector<std::pair<Item, Annotation>>> ListUserAnnotations(
        Id project_id, Id user_id, int limit, TimeMs before_updated_at) override;
    Status SaveDraft(Id project_id, Id item_id, Id user_id, const std::string& payload_json,
                     TimeMs now) override;
    Result<Draft> GetDraft(Id project_id, Id item_id, Id user_id) override;

    Result<ImportApplied> ApplyImport(const ImportRequest& request) override;
    Result<Annotation> GetPrelabel(Id project_id, Id item_id) override;

    Result<Progress> GetProgress(Id project_id, TimeMs now) override;
    Result<std::vector<LabelCount>> LabelDistribution(Id project_id) override;
    Result<std::vector<LabelerCount>> LabelerDistribution(Id project_id) override;
    Result<std::vector<EffortTotal>> LabelEffortTotals(Id project_id, int latest) override;

    Status ForEachExportRow(Id project_id,
                            const std::function<bool(const ExportRow&)>& callback) override;

    Result<Job> EnqueueJob(const Job& job) override;
    Result<std::optional<Job>> ClaimJob(const std::vector<std::string>& kinds,
                                        const std::string& worker, TimeMs now,
                                        TimeMs stale_before) override;
    Status UpdateJobProgress(Id job_id, std::int64_t done, std::int64_t total, TimeMs now) override;
    Status FinishJob(Id job_id, JobState state, const std::string& error, TimeMs now) override;
    Result<Job> GetJob(Id job_id) override;
    Result<std::vector<Job>> ListJobs(Id project_id) override;
    Result<std::int64_t> PruneFinishedJobs(Id project_id, const std::string& kind,
                                           int keep) override;

    Result<MlSettings> GetMlSettings(Id project_id) override;
    Status SetMlSettings(Id project_id, const MlSettings& settings) override;
    Result<MlRound> CreateMlRound(const MlRound& round, const Job& job) override;
    Status UpdateMlRound(const MlRound& round) override;
    Result<MlRound> GetMlRound(Id round_id) override;
    Result<std::vector<MlRound>> ListMlRounds(Id project_id, int limit) override;
    Status PutEmbeddings(const std::string& backbone,
                         const std::vector<ItemEmbedding>& embeddings) override;
    Result<std::vector<ItemEmbedding>> GetEmbeddings(Id project_id, const std::string& backbone,
                                                     const std::vector<Id>& item_ids) override;
    Result<std::vector<Id>> ListEmbeddedItems(Id project_id, const std::string& backbone,
                                              const std::vector<Id>& item_ids) override;
    Result<std::int64_t> DeleteEmbeddings(const std::string& backbone) override;
    Status AddMlModel(const MlModel& model, const std::string& onnx) override;
    Result<std::vector<MlModel>> ListMlModels() override;
    Result<std::string> GetMlModelOnnx(const std::string& name) override;
    Status RemoveMlModel(const std::string& name) override;
    Result<std::vector<Item>> ListQueueWindow(Id project_id, int limit) override;
    Status ReorderQueue(Id project_id, const std::vector<Id>& item_ids) override;
    Result<std::int64_t> ReplaceModelPrelabels(Id project_id, Id round_id,
                                               const std::vector<ImportedAnnotation>& prelabels,
                                               TimeMs now) override;
    Result<std::vector<Annotation>> GetPrelabels(Id project_id,
                                                 const std::vector<Id>& item_ids) override;
    Status ReplaceItemGroups(Id project_id, const std::vector<std::vector<Id>>& groups) override;
    Result<std::map<Id, std::int64_t>> GetItemGroups(Id project_id,
                                                     const std::vector<Id>& item_ids) override;

    Result<OpsCounts> CountForOps() override;
    PoolStats PoolStatus() override { return db_->Stats(); }

    // LeaseNext's statements since this repository was opened (bench/load_bench.cpp prints them).
    struct LeaseStats {
        std::int64_t statements = 0;  // lease statements run, first tries and reruns
        std::int64_t reruns = 0;      // statements run again to fill a page a first try left short
        std::int64_t refused = 0;     // items a statement picked and a concurrent lease took first
        std::int64_t from_start = 0;  // statements that walked the queue from its start
    };
    LeaseStats LeaseStatus() const;

    // Runs raw SQL in a write transaction: lets tests corrupt or age the database on purpose.
    Status ExecForTest(const std::string& sql);

protected:
    SqlDb& db() { return *db_; }

private:
    // Runs `work` in a write (or read) transaction and returns its value.
    template <typename T, typename F>
    Result<T> WriteTx(F&& work);
    template <typename T, typename F>
    Result<T> ReadTx(F&& work);

    // " FOR UPDATE SKIP LOCKED" on PostgreSQL; SQLite serializes writers instead.
    std::string SkipLocked() const;
    Status InsertItemBatch(SqlConn& conn, Id project_id, std::uint64_t seed, Id primary_source,
                           const std::vector<NewItem>& items, std::size_t begin, std::size_t end,
                           TimeMs now, std::int64_t& inserted);
    // Datasources (sql_repository_sources.cpp): the row insert shared by CreateProject and
    // AddDatasource, and Project::datasource filled from each project's first row.
    Result<Datasource> InsertDatasource(SqlConn& conn, Id project_id, const Datasource& source,
                                        TimeMs now);
    Status FillPrimaryDatasources(SqlConn& conn, std::vector<Project>& projects);
    // The id of the project's primary datasource (0 when it has none).
    static Result<Id> PrimarySourceId(SqlConn& conn, Id project_id);
    // One page of a live project's known items (id, path, source_id, size_bytes, state) whose
    // rows match `condition` ($1 is the project), and the project's primary datasource.
    static Result<SqlRows> KnownItemsPage(SqlConn& conn, Id project_id,
                                          const std::string& condition, const SqlParams& params,
                                          Id& primary);
    // Part of SubmitAnnotation's transaction: the submit supersedes the draft.
    static Status DeleteDraft(SqlConn& conn, Id item_id, Id user_id);
    Status RankBatch(SqlConn& conn, const std::vector<std::pair<Id, std::int64_t>>& ranks);
    // Parts of EditProject's transaction (sql_repository_project_edit.cpp).
    Status ApplyLabelChange(SqlConn& conn, Id project_id, const LabelChange& change);
    Status RenameLabel(SqlConn& conn, Id project_id, const LabelRename& rename, bool shapes);
    // Every answer goes (into the label history, replaced by `actor`).
    Status RestartItems(SqlConn& conn, Id project_id, LabelRestart restart, TimeMs now, Id actor);
    // Whether the name index of 0011_name_search.sql exists (on PostgreSQL it needs pg_trgm);
    // looked up once, and logged when it is missing.
    Result<bool> HasNameIndex(SqlConn& conn);

    // Drops the remembered queue front (queue_fronts.hpp) when this process may have put
    // items back behind it (release, insert, shuffle, pause, restart, missing items).
    void ForgetQueueHint(Id project_id);

    std::unique_ptr<SqlDb> db_;
    QueueFronts queue_fronts_;
    std::atomic<int> name_index_{-1};  // HasNameIndex: -1 not looked up yet
    std::atomic<std::int64_t> lease_first_tries_{0};
    std::atomic<std::int64_t> lease_reruns_{0};
    std::atomic<std::int64_t> lease_refused_{0};
    std::atomic<std::int64_t> lease_from_start_{0};
};

template <typename T, typename F>
Result<T> SqlRepository::WriteTx(F&& work) {
    std::optional<Result<T>> out;
    Status status = db_->Write([&](SqlConn& conn) -> Status {
        out.emplace(work(conn));
        if (!out->ok()) {
            return out->error();
        }
        return Status::Ok();
    });
    if (!status.ok()) {
        return status.error();
    }
    return std::move(*out);
}

template <typename T, typename F>
Result<T> SqlRepository::ReadTx(F&& work) {
    std::optional<Result<T>> out;
    Status status = db_->Read([&](SqlConn& conn) -> Status {
        out.emplace(work(conn));
        if (!out->ok()) {
            return out->error();
        }
        return Status::Ok();
    });
    if (!status.ok()) {
        return status.error();
    }
    return std::move(*out);
}

}  // namespace tessera
