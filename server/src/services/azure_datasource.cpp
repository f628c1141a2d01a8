#include "services/azure_datasource.hpp"

#include "base/text.hpp"
#include "blobs/azure_blob_client.hpp"
#include "blobs/glob.hpp"

namespace tessera {
namespace {

constexpr std::string_view kSasToken = "sas_token";
constexpr std::string_view kAccountKey = "account_key";

// A string field: "" when absent; kInvalidArgument when present but not a string.
Result<std::string> StringField(const nlohmann::json& json, std::string_view name) {
    auto it = json.find(name);
    if (it == json.end() || it->is_null()) {
        return std::string();
    }
    if (!it->is_string()) {
        return Error::InvalidArgument("datasource." + std::string(name) + " must be a string",
                                      "datasource." + std::string(name));
    }
    return it->get<std::string>();
}

bool IsLoopback(std::string_view host) {
    return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

// Azure's error fields are "account_url"; the API's are "datasource.account_url".
Error InDatasource(Error error) {
    if (!error.field.empty() && !error.field.starts_with("datasource.")) {
        error.field = "datasource." + error.field;
    }
    return error;
}

}  // namespace

Result<AzureDatasourceSpec> ParseAzureDatasource(const nlohmann::json& json,
                                                 const AzureDatasourcePolicy& policy) {
    if (!json.is_object()) {
        return Error::InvalidArgument("datasource must be an object", "datasource");
    }
    AzureDatasourceSpec spec;
    TESSERA_ASSIGN_OR_RETURN(std::string url, StringField(json, "account_url"));
    TESSERA_ASSIGN_OR_RETURN(spec.container, StringField(json, "container"));
    TESSERA_ASSIGN_OR_RETURN(spec.prefix, StringField(json, "prefix"));
    TESSERA_ASSIGN_OR_RETURN(spec.pattern, StringField(json, "pattern"));
    TESSERA_ASSIGN_OR_RETURN(spec.sas_token, StringField(json, kSasToken));
    TESSERA_ASSIGN_OR_RETURN(spec.account_key, StringField(json, kAccountKey));
    TESSERA_ASSIGN_OR_RETURN(spec.account_name, StringField(json, "account_name"));
    spec.account_name = Trim(spec.account_name);
    if (url.empty()) {
        return Error::InvalidArgument("datasource.account_url is required",
                                      "datasource.account_url");
    }
    auto account = ParseAzureAccountUrl(url, spec.account_name);
    if (!account.ok()) {
        return InDatasource(account.error());
    }
    if (!account->https && !IsLoopback(account->host) && !policy.allow_http) {
        return Error::InvalidArgument(
            "datasource.account_url must use https (plain http would send the credentials and "
            "images in the clear); http is accepted only for 127.0.0.1 or localhost (Azurite) "
            "unless the admin sets allow_http_blob_storage",
            "datasource.account_url");
    }
    spec.account_url = account->base;
    if (spec.container.empty()) {
        return Error::InvalidArgument("datasource.container is required", "datasource.container");
    }
    if (Status valid = ValidateAzureContainerName(spec.container); !valid.ok()) {
        return InDatasource(valid.error());
    }
    if (HasControlCharacter(spec.prefix) || HasControlCharacter(spec.pattern)) {
        return Error::InvalidArgument(
            "datasource prefix and pattern must not hold control "
            "characters",
            "datasource.prefix");
    }
    if (auto glob = Glob::Parse(spec.pattern); !glob.ok()) {
        Error error = glob.error();
        error.field = "datasource.pattern";
        return error;
    }
    spec.sas_token = Trim(spec.sas_token);
    spec.account_key = Trim(spec.account_key);
    if (spec.sas_token.empty() == spec.account_key.empty()) {
        return Error::InvalidArgument(
            "give exactly one credential: datasource.sas_token (a SAS with r and l permissions) "
            "or datasource.account_key",
            spec.sas_token.empty() ? "datasource.sas_token" : "datasource.account_key");
    }
    // The client checks the SAS's shape and the key's base64 without any request.
    auto client = AzureBlobClient::Create(ClientConfig(spec), nullptr);
    if (!client.ok()) {
        return InDatasource(client.error());
    }
    // The prefix is checked the way the source will use it.
    std::string prefix = spec.prefix;
    while (prefix.starts_with('/')) {
        prefix.erase(0, 1);
    }
    while (prefix.ends_with('/')) {
        prefix.pop_back();
    }
    if (!prefix.empty() && !IsSafeBlobPath(prefix)) {
        return Error::InvalidArgument(
            "datasource.prefix must be a folder path in the container, "
            "without empty, '.' or '..' parts",
            "datasource.prefix");
    }
    spec.prefix = prefix;
    return spec;
}

AzureBlobConfig ClientConfig(const AzureDatasourceSpec& spec) {
    return {spec.account_url, spec.container, spec.sas_token, spec.account_key, spec.account_name};
}

SealedAzureDatasource SealAzureDatasource(const AzureDatasourceSpec& spec, const SecretBox& box) {
    const bool sas = !spec.sas_token.empty();
    SealedAzureDatasource sealed;
    sealed.config = {{"kind", "azure_blob"},        {"account_url", spec.account_url},
                     {"container", spec.container}, {"prefix", spec.prefix},
                     {"pattern", spec.pattern},     {"credential", sas ? kSasToken : kAccountKey}};
    if (!spec.account_name.empty()) {
        sealed.config["account_name"] = spec.account_name;
    }
    sealed.secret = box.Seal(sas ? spec.sas_token : spec.account_key);
    return sealed;
}

Result<AzureDatasourceSpec> UnsealAzureDatasource(const nlohmann::json& config,
                                                  std::string_view secret, const SecretBox& box) {
    if (!config.is_object() || config.value("kind", "") != "azure_blob") {
        return Error::Internal("the stored datasource is not an azure_blob one");
    }
    AzureDatasourceSpec spec;
    spec.account_url = config.value("account_url", "");
    spec.container = config.value("container", "");
    spec.prefix = config.value("prefix", "");
    spec.pattern = config.value("pattern", "");
    spec.account_name = config.value("account_name", "");
    TESSERA_ASSIGN_OR_RETURN(std::string credential, box.Open(secret));
    if (config.value("credential", "") == kSasToken) {
        spec.sas_token = std::move(credential);
    } else {
        spec.account_key = std::move(credential);
    }
    return spec;
}

Result<std::unique_ptr<ImageSource>> OpenAzureSource(const AzureDatasourceSpec& spec,
                                                     std::shared_ptr<HttpTransport> transport,
                                                     AzureImageSourceOptions options) {
    TESSERA_ASSIGN_OR_RETURN(AzureBlobClient client,
                             AzureBlobClient::Create(ClientConfig(spec), std::move(transport)));
    TESSERA_ASSIGN_OR_RETURN(
        std::unique_ptr<AzureImageSource> source,
        AzureImageSource::Create(std::move(client), spec.prefix, spec.pattern, std::move(options)));
    return std::unique_ptr<ImageSource>(std::move(source));
}

}  // namespace tessera
