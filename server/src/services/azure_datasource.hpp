#pragma once
// The `azure_blob` datasource kind as the API takes it, as the database keeps it and as ingest
// and the image service open it:
//   {"kind": "azure_blob", "account_url", "container", "prefix", "pattern",
//    "sas_token" | "account_key", "account_name" (optional: a custom domain's account)}
// The credential is sealed with the server's SecretBox before it is stored; the stored config
// and everything shown to a user name only which kind of credential is set, never its value.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "blobs/azure_blob_client.hpp"
#include "blobs/azure_image_source.hpp"
#include "blobs/http_transport.hpp"
#include "services/secret_box.hpp"

namespace tessera {

struct AzureDatasourceSpec {
    std::string account_url;  // as parsed: scheme and host in lower case, no trailing '/'
    std::string container;
    std::string prefix;     // a folder in the container, "" for all of it
    std::string pattern;    // glob below the prefix, "" for "**/*.*"
    std::string sas_token;  // exactly one of the two; plaintext lives only in memory
    std::string account_key;
    std::string account_name;  // "" unless the URL is a custom domain (AzureBlobConfig)
};

// What the blob client is built from.
AzureBlobConfig ClientConfig(const AzureDatasourceSpec& spec);

struct AzureDatasourcePolicy {
    // Plain http to a host other than 127.0.0.1, ::1 or localhost (Azurite) leaks the
    // credentials and the images: refused unless the admin allows it.
    bool allow_http = false;
};

// Validates a datasource object from the API. kInvalidArgument with `field`
// "datasource.<name>" for a missing or malformed field, http where https is required, or a
// credential count other than one. Makes no request.
Result<AzureDatasourceSpec> ParseAzureDatasource(const nlohmann::json& json,
                                                 const AzureDatasourcePolicy& policy);

// What a datasource row keeps: the config without the credential (also what the API shows;
// "credential" says "sas_token" or "account_key"), and the sealed credential.
struct SealedAzureDatasource {
    nlohmann::json config;
    std::string secret;
};
SealedAzureDatasource SealAzureDatasource(const AzureDatasourceSpec& spec, const SecretBox& box);

// The inverse. kFailedPrecondition when the secret cannot be opened (the server key changed).
Result<AzureDatasourceSpec> UnsealAzureDatasource(const nlohmann::json& config,
                                                  std::string_view secret, const SecretBox& box);

// The source for ingest and the image service; `cache_dir` is this datasource's folder of the
// blob cache in the data dir. Makes no request (errors come from List/Open).
Result<std::unique_ptr<ImageSource>> OpenAzureSource(const AzureDatasourceSpec& spec,
                                                     std::shared_ptr<HttpTransport> transport,
                                                     AzureImageSourceOptions options);

}  // namespace tessera
