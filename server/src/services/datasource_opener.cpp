#include "services/datasource_opener.hpp"

#include "blobs/local_image_source.hpp"
#include "services/item_cache.hpp"

namespace tessera {

namespace {

// Ranged GETs of blob headers in flight during ingest and refresh. Each waits on a round trip
// (milliseconds, against microseconds of CPU), so one per core leaves the cores idle:
// bench/azure_ingest_bench.mjs measured the rate against Azurite (docs/PERFORMANCE.md).
constexpr int kBlobReaders = 16;

}  // namespace

bool CanListDatasource(std::string_view kind) {
    return kind == "local" || kind == "upload" || kind == "azure_blob";
}

DatasourceOpener::DatasourceOpener(DatasourceOpenerSettings settings)
    : settings_(std::move(settings)) {}

Result<SecretBox> DatasourceOpener::Box() {
    std::lock_guard lock(mu_);
    if (!box_.has_value()) {
        if (!settings_.secret_box) {
            return Error::FailedPrecondition("this server has no secret key for credentials");
        }
        TESSERA_ASSIGN_OR_RETURN(SecretBox box, settings_.secret_box());
        box_.emplace(box);
    }
    return *box_;
}

// One listing request before the project exists, so that a SAS without l, a wrong key or a
// missing container is the creation's 400 naming the field, not a failed ingest job later.
Status DatasourceOpener::CheckAccess(const AzureDatasourceSpec& spec) const {
    AzureBlobClientOptions options;
    options.max_results = 1;
    TESSERA_ASSIGN_OR_RETURN(
        AzureBlobClient client,
        AzureBlobClient::Create(ClientConfig(spec), settings_.transport, options));
    auto page = client.ListBlobs(spec.prefix, "");
    if (page.ok()) {
        return Status::Ok();
    }
    Error error = page.error();
    if (error.code == ErrorCode::kPermissionDenied) {
        error.code = ErrorCode::kInvalidArgument;
        error.field = spec.sas_token.empty() ? "datasource.account_key" : "datasource.sas_token";
    } else if (error.code == ErrorCode::kNotFound) {
        error.code = ErrorCode::kInvalidArgument;
        error.field = "datasource.container";
    }
    return error;  // kUnavailable (unreachable account) stays 503: retry later
}

Result<Datasource> DatasourceOpener::PrepareAzure(const nlohmann::json& api_object) {
    TESSERA_ASSIGN_OR_RETURN(AzureDatasourceSpec spec,
                             ParseAzureDatasource(api_object, settings_.azure_policy));
    TESSERA_TRY(CheckAccess(spec));
    TESSERA_ASSIGN_OR_RETURN(SecretBox box, Box());
    SealedAzureDatasource sealed = SealAzureDatasource(spec, box);
    Datasource datasource;
    datasource.kind = "azure_blob";
    datasource.pattern = spec.pattern.empty() ? "**/*.*" : spec.pattern;
    datasource.config_json = sealed.config.dump();
    datasource.secret = sealed.secret;
    return datasource;
}

Result<std::shared_ptr<AzureImageSource>> DatasourceOpener::Azure(const Datasource& datasource) {
    {
        std::lock_guard lock(mu_);
        auto it = sources_.find(datasource.id);
        if (datasource.id != 0 && it != sources_.end()) {
            return it->second;
        }
    }
    nlohmann::json config = nlohmann::json::parse(datasource.config_json, nullptr, false);
    TESSERA_ASSIGN_OR_RETURN(SecretBox box, Box());
    TESSERA_ASSIGN_OR_RETURN(AzureDatasourceSpec spec,
                             UnsealAzureDatasource(config, datasource.secret, box));
    AzureImageSourceOptions options;
    options.cache_dir = settings_.blob_cache_dir / ("d" + std::to_string(datasource.id));
    options.cache_limit_bytes = settings_.blob_cache_limit_bytes;
    TESSERA_ASSIGN_OR_RETURN(AzureBlobClient client,
                             AzureBlobClient::Create(ClientConfig(spec), settings_.transport));
    TESSERA_ASSIGN_OR_RETURN(
        std::unique_ptr<AzureImageSource> made,
        AzureImageSource::Create(std::move(client), spec.prefix, spec.pattern, options));
    std::shared_ptr<AzureImageSource> source = std::move(made);
    std::lock_guard lock(mu_);
    if (datasource.id != 0) {
        sources_.emplace(datasource.id, source);
    }
    return source;
}

UrlFetcher* DatasourceOpener::Urls() const {
    UrlFetcher* fetcher = settings_.url_fetcher.get();
    return fetcher != nullptr && fetcher->enabled() ? fetcher : nullptr;
}

Result<OpenedSource> DatasourceOpener::Open(const Datasource& datasource, ImageProber& prober) {
    OpenedSource opened;
    if (datasource.kind == "azure_blob") {
        TESSERA_ASSIGN_OR_RETURN(std::shared_ptr<AzureImageSource> azure, Azure(datasource));
        // The decoder reads the blob's cached copy (downloaded now when not cached).
        opened.fallback = [&prober, azure](const SourceEntry& entry) -> Result<ImageInfo> {
            TESSERA_ASSIGN_OR_RETURN(SourceRef ref, azure->Fetch(entry.relative_path));
            return prober.Probe(ref);
        };
        opened.source = std::move(azure);
        opened.readers = kBlobReaders;
        return opened;
    }
    if (!CanListDatasource(datasource.kind)) {
        return Error::FailedPrecondition("datasource kind '" + datasource.kind +
                                         "' cannot be listed");
    }
    // An upload datasource is a folder too: listed, read and gone missing like any other.
    auto local = std::make_shared<LocalImageSource>(datasource.path, datasource.pattern);
    opened.fallback = [&prober, root = local->root()](const SourceEntry& entry) {
        return prober.Probe(SourceRef{root, root / entry.relative_path});
    };
    opened.source = std::move(local);
    return opened;
}

Result<SourceRef> DatasourceOpener::ItemFile(const Project& project, const Item& item) {
    if (project.datasource.kind == "url") {  // a manifest's http(s) image: item.path is the URL
        if (Urls() == nullptr) {
            return Error::FailedPrecondition(
                "the image is an http(s) URL and this server fetches none now");
        }
        auto ref = Urls()->Fetch(item.path);
        if (!ref.ok() && ref.error().code == ErrorCode::kNotFound) {
            return Error::NotFound("the source image is missing");
        }
        return ref;
    }
    if (project.datasource.kind != "azure_blob") {
        return ItemSourcePath(project, item);
    }
    TESSERA_ASSIGN_OR_RETURN(std::shared_ptr<AzureImageSource> source, Azure(project.datasource));
    auto ref = source->Fetch(item.path);
    if (!ref.ok() && ref.error().code == ErrorCode::kNotFound) {
        return Error::NotFound("the source image is missing");
    }
    return ref;
}

}  // namespace tessera
