#include "services/image_service.hpp"

#include "blobs/image_renderer.hpp"
#include "services/datasource_opener.hpp"
#include "services/item_cache.hpp"
#include "services/item_source.hpp"

namespace tessera {

ImageService::ImageService(Repository& repo, ImageRenderer& renderer, DatasourceOpener* opener)
    : repo_(repo), renderer_(renderer), opener_(opener) {}

Result<ImageService::Source> ImageService::Resolve(const User& actor, Id project_id, Id item_id) {
    if (actor.id == 0) {
        return Error::Unauthenticated("sign in to see images");
    }
    // Every signed-in user may see every project for now (permissions.hpp); deleted projects
    // are kNotFound from the repository.
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    TESSERA_ASSIGN_OR_RETURN(Item item, repo_.GetItem(project_id, item_id));
    // A blob's cached copy (downloaded on first view) or the local file.
    TESSERA_ASSIGN_OR_RETURN(Project seen, ProjectForItem(repo_, project, item));
    auto found = opener_ != nullptr ? opener_->ItemFile(seen, item) : ItemSourcePath(seen, item);
    if (!found.ok()) {
        return ItemSourceError(found.error());
    }
    return Source{std::move(item), std::move(*found)};
}

Result<DicomInfo> ImageService::Dicom(const User& actor, Id project_id, Id item_id) {
    TESSERA_ASSIGN_OR_RETURN(Source source, Resolve(actor, project_id, item_id));
    if (source.item.format != "dicom") {
        return Error::FailedPrecondition("the item is not a DICOM image");
    }
    auto file = SourceFile::Open(source.path);
    if (!file.ok()) {
        return ItemSourceError(file.error());
    }
    const DicomVersion version{source.path.path.string(), file->mtime_ns(), file->size()};
    if (auto remembered = RememberedDicom(version)) {
        return *std::move(remembered);
    }
    auto info = ReadDicomMetadata(*file);
    if (!info.ok()) {
        return Error::FailedPrecondition(info.error().message);
    }
    RememberDicom(version, *info);
    return info;
}

std::optional<DicomInfo> ImageService::RememberedDicom(const DicomVersion& version) {
    std::lock_guard lock(dicom_mu_);
    auto it = dicom_infos_.find(version);
    if (it == dicom_infos_.end()) {
        return std::nullopt;
    }
    return it->second;
}

void ImageService::RememberDicom(const DicomVersion& version, const DicomInfo& info) {
    std::lock_guard lock(dicom_mu_);
    if (!dicom_infos_.emplace(version, info).second) {
        return;
    }
    dicom_order_.push_back(version);
    if (dicom_order_.size() > kMaxRememberedDicom) {
        dicom_infos_.erase(dicom_order_.front());
        dicom_order_.pop_front();
    }
}

Result<ImageFile> ImageService::Get(const User& actor, Id project_id, Id item_id,
                                    Rendition rendition, const DicomView& view) {
    TESSERA_ASSIGN_OR_RETURN(Source resolved, Resolve(actor, project_id, item_id));
    SourceRef& source = resolved.path;
    bool thumb = rendition == Rendition::kThumbnail;
    RenditionSpec spec = thumb ? RenditionSpec::Thumbnail() : RenditionSpec::Display();
    spec.dicom = view;
    auto rendered = renderer_.Render(
        source, spec, ItemCacheKey(project_id, item_id, thumb ? "-thumb" : "-display"));
    if (!rendered.ok()) {
        return ItemSourceError(rendered.error());
    }
    ImageFile file;
    file.path = *rendered;
    // The cache file name already encodes key, source mtime/size and spec: a changed source
    // gives a new ETag.
    file.etag = "\"" + rendered->stem().string() + "\"";
    file.content_type = rendered->extension() == ".png" ? "image/png" : "image/jpeg";
    return file;
}

}  // namespace tessera
