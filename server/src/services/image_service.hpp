#pragma once
// Display renditions and thumbnails of items, made with libvips on first request and cached on
// disk under the data dir. Only users who may see the project get them.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "base/result.hpp"
#include "blobs/dicom_image.hpp"
#include "blobs/source_file.hpp"
#include "domain/model.hpp"
#include "domain/shapes.hpp"
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

// ImageService::Outline's work on an open image file of `width` x `height` displayed pixels.
Result<Ring> OutlineInImage(const SourceFile& file, int width, int height, const Box& box);

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
    // Remembered per file version (path, mtime, size), like the renditions.
    Result<DicomInfo> Dicom(const User& actor, Id project_id, Id item_id);
    // The drawing page's "outline in box" helper (ml/object_outline.hpp): the object inside
    // `box` (the item's displayed pixels) as one polygon ring, empty when nothing stands out
    // from its surroundings. The image is decoded so that the box is at most 400 pixels a side
    // (GrabCut's cost grows with the pixels). kInvalidArgument for a box under 4 pixels a side
    // or not inside the image; kFailedPrecondition for DICOM items and undecodable files.
    Result<Ring> Outline(const User& actor, Id project_id, Id item_id, const Box& box);

private:
    struct Source {
        Item item;
        SourceRef path;
    };
    Result<Source> Resolve(const User& actor, Id project_id, Id item_id);

    // A file's version: its path, mtime (ns) and size. The metadata of a file that states no
    // window decodes its first frame for the min/max window (0.2 s for a 4,096 x 4,096 frame,
    // 0.6 s compressed), and the drawing page asks for it on each view of the item.
    using DicomVersion = std::tuple<std::string, std::uint64_t, std::int64_t>;
    std::optional<DicomInfo> RememberedDicom(const DicomVersion& version);
    void RememberDicom(const DicomVersion& version, const DicomInfo& info);

    Repository& repo_;
    ImageRenderer& renderer_;
    DatasourceOpener* opener_;
    std::mutex dicom_mu_;
    std::map<DicomVersion, DicomInfo> dicom_infos_;  // GUARDED_BY(dicom_mu_)
    std::deque<DicomVersion> dicom_order_;           // GUARDED_BY(dicom_mu_): oldest first
};

// How many files' DICOM metadata ImageService remembers (a few hundred bytes each).
inline constexpr std::size_t kMaxRememberedDicom = 4096;

}  // namespace tessera
