#pragma once
// Display renditions and thumbnails of items, made with libvips on first request and cached on
// disk under the data dir. Only users who may see the project get them.
#include <filesystem>
#include <string>

#include "base/result.hpp"
#include "blobs/dicom_image.hpp"
#include "domain/model.hpp"
#include "storage/repository.hpp"

namespace tessera {

class ImageRenderer;  // blobs/image_renderer.hpp

enum class Rendition { kDisplay, kThumbnail };

struct ImageFile {
    std::filesystem::path path;  // a cached file ready to send
    std::string etag;            // quoted, e.g. "\"a1b2...\""
    std::string content_type;    // "image/jpeg", or "image/png" for DICOM
};

class DatasourceOpener;

class ImageService {
public:
    // `opener` reads items of datasource kinds other than "local" (azure_blob: the blob's
    // cached copy); without one only local folders are read.
    ImageService(Repository& repo, ImageRenderer& renderer, DatasourceOpener* opener = nullptr);
    // kNotFound for unknown items; kFailedPrecondition (with the reason) when the source image
    // cannot be decoded. `view` (frame, window) applies to DICOM items only: for others, or a
    // frame out of range, kInvalidArgument.
    Result<ImageFile> Get(const User& actor, Id project_id, Id item_id, Rendition rendition,
                          const DicomView& view = {});
    // The DICOM header's display-relevant subset (no patient or study identifiers) and the
    // default window. kFailedPrecondition for an item that is not DICOM or cannot be read.
    Result<DicomInfo> Dicom(const User& actor, Id project_id, Id item_id);

private:
    struct Source {
        Item item;
        SourceRef path;
    };
    Result<Source> Resolve(const User& actor, Id project_id, Id item_id);

    Repository& repo_;
    ImageRenderer& renderer_;
    DatasourceOpener* opener_;
};

}  // namespace tessera
