#pragma once
// Opens a project's datasources for the code that reads their files (ingest, refresh, the image
// and tile services) and prepares an `azure_blob` datasource for storage at project creation:
// the one place that knows every listable kind, the server key (SecretBox), the blob cache
// folder and the HTTP transport. Blob sources are kept per datasource id, so a container's
// client and cache accounting are built once per process. Thread-safe.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "blobs/azure_image_source.hpp"
#include "blobs/http_transport.hpp"
#include "blobs/image_probe.hpp"
#include "blobs/image_source.hpp"
#include "blobs/url_fetch.hpp"
#include "domain/model.hpp"
#include "services/azure_datasource.hpp"
#include "services/secret_box.hpp"

namespace tessera {

struct DatasourceOpenerSettings {
    std::filesystem::path blob_cache_dir;  // <data dir>/blobs: one folder per datasource
    std::uint64_t blob_cache_limit_bytes = std::uint64_t{8} << 30;  // per datasource
    // The server key: TESSERA_SECRET_KEY, or the data dir's key file made on first use.
    std::function<Result<SecretBox>()> secret_box;
    AzureDatasourcePolicy azure_policy;
    std::shared_ptr<HttpTransport> transport;  // libcurl in the server, a fake in tests
    // Fetches manifests' http(s) images from the admin's allowed hosts; none: URLs are off.
    std::shared_ptr<UrlFetcher> url_fetcher;
};

// A datasource opened for listing and reading: its files, and the decoder's probe of one entry
// (for what the header reader leaves undecided; called from the ingest pipeline's threads).
struct OpenedSource {
    std::shared_ptr<ImageSource> source;
    std::function<Result<ImageInfo>(const SourceEntry&)> fallback;
    // Header reads to keep in flight (the ingest pipeline's threads) when the job sets none:
    // 0 for folders (one per core); more for a blob container, whose reads wait on the network.
    int readers = 0;
};

// Whether Open lists this kind: "local" and "upload" folders and "azure_blob" containers (a
// manifest names its files instead).
bool CanListDatasource(std::string_view kind);

class DatasourceOpener {
public:
    // Default settings open local and upload folders only (no server key for blob credentials).
    explicit DatasourceOpener(DatasourceOpenerSettings settings = {});

    // The datasource's files, for ingest and refresh alike. kFailedPrecondition for a kind
    // CanListDatasource refuses, or an azure_blob credential that cannot be opened (the server
    // key changed). `prober` outlives the result.
    Result<OpenedSource> Open(const Datasource& datasource, ImageProber& prober);

    // From the API's datasource object to the row to store: validated, the credentials tried
    // with one List request, the credential sealed, config_json without it. Errors as
    // ParseAzureDatasource; kInvalidArgument naming datasource.sas_token/account_key when Azure
    // refuses them and datasource.container when it does not exist; kUnavailable (naming the
    // account URL) when the account cannot be reached; kFailedPrecondition when the server key
    // cannot be read.
    Result<Datasource> PrepareAzure(const nlohmann::json& api_object);

    // The azure_blob datasource's source. kFailedPrecondition when its credential cannot be
    // opened (the server key changed).
    Result<std::shared_ptr<AzureImageSource>> Azure(const Datasource& datasource);

    // The item's file: for a local datasource beneath its folder (ItemSourcePath); for a blob,
    // the cached copy, downloaded or revalidated now.
    Result<SourceRef> ItemFile(const Project& project, const Item& item);

    // The fetcher of a manifest's http(s) images (the `url` datasource kind); nullptr when the
    // admin allows no host.
    UrlFetcher* Urls() const;

private:
    Result<SecretBox> Box();
    Status CheckAccess(const AzureDatasourceSpec& spec) const;

    DatasourceOpenerSettings settings_;
    std::mutex mu_;
    std::optional<SecretBox> box_;
    std::map<Id, std::shared_ptr<AzureImageSource>> sources_;
};

}  // namespace tessera
