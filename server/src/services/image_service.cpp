#include "services/image_service.hpp"

#include <algorithm>
#include <cmath>

#include "blobs/image_renderer.hpp"
#include "blobs/model_input.hpp"
#include "ml/object_outline.hpp"
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
    auto found = LocateItemFile(repo_, opener_, project, item);
    if (!found.ok()) {
        return ItemSourceError(found.error());
    }
    return Source{std::move(item), std::move(*found)};
}

Result<Ring> OutlineInImage(const SourceFile& file, int width, int height, const Box& box) {
    constexpr double kWorkingSide = 400;  // the box's longest side as GrabCut sees it
    constexpr double kMaxImageSide = 4096;
    const double scale = std::min(
        {1.0, kWorkingSide / std::max(box.w, box.h), kMaxImageSide / std::max(width, height)});
    const int scaled_width = std::max(1, static_cast<int>(std::lround(width * scale)));
    const int scaled_height = std::max(1, static_cast<int>(std::lround(height * scale)));
    TESSERA_ASSIGN_OR_RETURN(RgbPixels pixels, DecodeForModel(file, scaled_width, scaled_height));
    const double sx = static_cast<double>(scaled_width) / width;
    const double sy = static_cast<double>(scaled_height) / height;
    const ml::PixelBox scaled{
        static_cast<int>(std::floor(box.x * sx)), static_cast<int>(std::floor(box.y * sy)),
        static_cast<int>(std::ceil(box.w * sx)), static_cast<int>(std::ceil(box.h * sy))};
    auto ring = ml::OutlineObject({scaled_width, scaled_height, pixels.pixels}, scaled);
    Ring out;
    if (ring) {
        for (const auto& [x, y] : *ring) {
            out.push_back({std::clamp(x / sx, 0.0, static_cast<double>(width)),
                           std::clamp(y / sy, 0.0, static_cast<double>(height))});
        }
    }
    return out;
}

Result<Ring> ImageService::Outline(const User& actor, Id project_id, Id item_id, const Box& box) {
    constexpr double kMinSide = 4;
    TESSERA_ASSIGN_OR_RETURN(Source source, Resolve(actor, project_id, item_id));
    const Item& item = source.item;
    const bool finite = std::isfinite(box.x) && std::isfinite(box.y) && std::isfinite(box.w) &&
                        std::isfinite(box.h);
    if (!finite || box.w < kMinSide || box.h < kMinSide) {
        return Error::InvalidArgument("the box must be at least 4 pixels a side", "box");
    }
    if (box.x < 0 || box.y < 0 || box.x + box.w > item.width || box.y + box.h > item.height) {
        return Error::InvalidArgument("the box must lie inside the " + std::to_string(item.width) +
                                          " x " + std::to_string(item.height) + " image",
                                      "box");
    }
    if (item.format == "dicom") {
        return Error::FailedPrecondition("outlining is not available for DICOM images yet");
    }
    auto file = SourceFile::Open(source.path);
    if (!file.ok()) {
        return ItemSourceError(file.error());
    }
    return OutlineInImage(*file, item.width, item.height, box);
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
