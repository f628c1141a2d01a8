#include "services/image_service.hpp"

#include "blobs/image_renderer.hpp"
#include "services/datasource_opener.hpp"
#include "services/item_cache.hpp"

namespace tessera {

ImageService::ImageService(Repository& repo, ImageRenderer& renderer, DatasourceOpener* opener)
    : repo_(repo), renderer_(renderer), opener_(opener) {}

Result<ImageFile> ImageService::Get(const User& actor, Id project_id, Id item_id,
                                    Rendition rendition) {
    if (actor.id == 0) {
        return Error::Unauthenticated("sign in to see images");
    }
    // Every signed-in user may see every project for now (permissions.hpp); deleted projects
    // are kNotFound from the repository.
    TESSERA_ASSIGN_OR_RETURN(Project project, repo_.GetProject(project_id));
    TESSERA_ASSIGN_OR_RETURN(Item item, repo_.GetItem(project_id, item_id));
    auto found =
        opener_ != nullptr ? opener_->ItemFile(project, item) : ItemSourcePath(project, item);
    if (!found.ok() && found.error().code == ErrorCode::kNotFound) {
        return Error::FailedPrecondition("the source image is missing");
    }
    TESSERA_ASSIGN_OR_RETURN(SourceRef source, std::move(found));
    bool thumb = rendition == Rendition::kThumbnail;
    auto rendered =
        renderer_.Render(source, thumb ? RenditionSpec::Thumbnail() : RenditionSpec::Display(),
                         ItemCacheKey(project_id, item_id, thumb ? "-thumb" : "-display"));
    if (!rendered.ok()) {
        const Error& e = rendered.error();
        if (e.code == ErrorCode::kNotFound) {
            return Error::FailedPrecondition("the source image is missing");
        }
        if (e.code == ErrorCode::kFailedPrecondition) {
            return Error::FailedPrecondition(e.message);
        }
        return e;
    }
    ImageFile file;
    file.path = *rendered;
    // The cache file name already encodes key, source mtime/size and spec: a changed source
    // gives a new ETag.
    file.etag = "\"" + rendered->stem().string() + "\"";
    file.content_type = "image/jpeg";
    return file;
}

}  // namespace tessera
