#include "blobs/dicom_image.hpp"

#include <unistd.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcstack.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmimage/diregist.h>  // colour images for DicomImage
#include <dcmtk/dcmimgle/dcmimage.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>

#include "blobs/dicom_j2k.hpp"
#include "blobs/dicom_scan.hpp"
#include "blobs/dicom_stream.hpp"
#include "blobs/image_format.hpp"

namespace tessera {
namespace {

using blobs_internal::DecodeJpeg2000Frame;
using blobs_internal::ReaderDicomStream;

// Registered once per process; DCMTK's codec list is guarded by its own lock. DCMTK's log goes
// to stderr by default: its warnings about odd files would drown the server's log.
void InitDcmtk() {
    static std::once_flag once;
    std::call_once(once, [] {
        OFLog::configure(OFLogger::OFF_LOG_LEVEL);
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
    });
}

bool IsJpeg2000(E_TransferSyntax xfer) {
    return xfer == EXS_JPEG2000LosslessOnly || xfer == EXS_JPEG2000;
}

// The transfer syntaxes we decode: native ones by DCMTK's parser, compressed ones by the codecs
// registered in InitDcmtk, JPEG 2000 by OpenJPEG.
bool IsDecoded(E_TransferSyntax xfer) {
    switch (xfer) {
        case EXS_LittleEndianImplicit:
        case EXS_LittleEndianExplicit:
        case EXS_BigEndianExplicit:
        case EXS_DeflatedLittleEndianExplicit:
        case EXS_JPEGProcess1:
        case EXS_JPEGProcess2_4:
        case EXS_JPEGProcess6_8:
        case EXS_JPEGProcess10_12:
        case EXS_JPEGProcess14:
        case EXS_JPEGProcess14SV1:
        case EXS_JPEGLSLossless:
        case EXS_JPEGLSLossy:
        case EXS_RLELossless: return true;
        default: return IsJpeg2000(xfer);
    }
}

// Names of transfer syntaxes this DCMTK (3.6.7) does not know, for the refusal message.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kNewerSyntaxes{{
    {"1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)"},
    {"1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options (Lossless Only)"},
    {"1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression"},
    {"1.2.840.10008.1.2.4.110", "JPEG XL Lossless"},
    {"1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression"},
    {"1.2.840.10008.1.2.4.112", "JPEG XL"},
}};

std::string SyntaxName(const std::string& uid) {
    for (const auto& [known, name] : kNewerSyntaxes) {
        if (uid == known) {
            return std::string(name);
        }
    }
    DcmXfer xfer(uid.c_str());
    if (xfer.getXfer() == EXS_Unknown) {
        return "unknown transfer syntax";
    }
    return xfer.getXferName();
}

Error Refusal(const std::string& uid) {
    return Error::InvalidArgument(
        "DICOM transfer syntax " + uid + " (" + SyntaxName(uid) +
        ") is not supported; supported: uncompressed (little/big endian, implicit/explicit VR), "
        "deflate, JPEG baseline/extended/lossless, JPEG-LS, RLE, JPEG 2000");
}

std::string OneLine(const char* text) {
    std::string out = text == nullptr ? "" : text;
    for (char& c : out) {
        if (c == '\n' || c == '\r') {
            c = ' ';
        }
    }
    return out;
}

struct Parsed {
    std::unique_ptr<DcmFileFormat> file = std::make_unique<DcmFileFormat>();
    DicomInfo info;
    E_TransferSyntax xfer = EXS_Unknown;
};

// The descriptive tags read here are short; a longer value is treated as absent. Reading a
// value loads it (dicom_stream.hpp) at its stated length, which is checked first.
constexpr Uint32 kMaxTagValueBytes = 1 << 16;

bool ShortValue(DcmItem& item, const DcmTagKey& tag) {
    DcmElement* element = nullptr;
    return item.findAndGetElement(tag, element, OFFalse).good() && element != nullptr &&
           element->getLengthField() <= kMaxTagValueBytes;
}

std::string StringTag(DcmItem& item, const DcmTagKey& tag, unsigned long index = 0) {
    OFString value;
    if (!ShortValue(item, tag) || item.findAndGetOFString(tag, value, index).bad()) {
        return "";
    }
    return std::string(value.c_str());
}

std::optional<double> NumberTag(DcmItem& item, const DcmTagKey& tag, unsigned long index = 0) {
    Float64 value = 0;
    if (!ShortValue(item, tag) || item.findAndGetFloat64(tag, value, index).bad() ||
        !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

int IntTag(DcmItem& item, const DcmTagKey& tag, int fallback) {
    Uint16 value = 0;
    if (!ShortValue(item, tag) || item.findAndGetUint16(tag, value).bad()) {
        return fallback;
    }
    return value;
}

Result<int> FrameCount(DcmItem& dataset) {
    std::string text = StringTag(dataset, DCM_NumberOfFrames);
    if (text.empty()) {
        return 1;
    }
    int frames = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, frames);
    if (ec != std::errc() || ptr != end || frames < 1) {
        return Error::InvalidArgument("DICOM Number of Frames is not a positive number: " + text);
    }
    return frames;
}

Status CheckLimits(const DicomInfo& info) {
    if (info.rows < 1 || info.columns < 1) {
        return Error::InvalidArgument("DICOM file has no image size (Rows/Columns)");
    }
    if (info.samples_per_pixel != 1 && info.samples_per_pixel != 3) {
        return Error::InvalidArgument("DICOM Samples per Pixel must be 1 or 3, not " +
                                      std::to_string(info.samples_per_pixel));
    }
    const std::int64_t frame_pixels = std::int64_t{info.rows} * info.columns;
    if (frame_pixels > kMaxDicomFramePixels) {
        return Error::InvalidArgument("DICOM frame of " + std::to_string(info.columns) + " x " +
                                      std::to_string(info.rows) + " is over the limit of " +
                                      std::to_string(kMaxDicomFramePixels) + " pixels a frame");
    }
    if (frame_pixels * info.frames * info.samples_per_pixel > kMaxDicomSamples) {
        return Error::InvalidArgument("DICOM image of " + std::to_string(info.frames) +
                                      " frames is over the limit of " +
                                      std::to_string(kMaxDicomSamples) + " samples in all");
    }
    return Status::Ok();
}

Result<DicomInfo> Describe(DcmFileFormat& file, E_TransferSyntax& xfer) {
    DcmDataset& dataset = *file.getDataset();
    DicomInfo info;
    info.transfer_syntax_uid = StringTag(*file.getMetaInfo(), DCM_TransferSyntaxUID);
    if (info.transfer_syntax_uid.empty()) {
        // No meta header: the parser guessed the encoding of a bare dataset.
        info.transfer_syntax_uid = DcmXfer(dataset.getOriginalXfer()).getXferID();
    }
    xfer = DcmXfer(info.transfer_syntax_uid.c_str()).getXfer();
    if (!IsDecoded(xfer)) {
        return Refusal(info.transfer_syntax_uid);
    }
    info.transfer_syntax_name = SyntaxName(info.transfer_syntax_uid);
    info.rows = IntTag(dataset, DCM_Rows, 0);
    info.columns = IntTag(dataset, DCM_Columns, 0);
    info.samples_per_pixel = IntTag(dataset, DCM_SamplesPerPixel, 1);
    info.bits_allocated = IntTag(dataset, DCM_BitsAllocated, 0);
    info.bits_stored = IntTag(dataset, DCM_BitsStored, info.bits_allocated);
    info.is_signed = IntTag(dataset, DCM_PixelRepresentation, 0) == 1;
    info.photometric = StringTag(dataset, DCM_PhotometricInterpretation);
    TESSERA_ASSIGN_OR_RETURN(info.frames, FrameCount(dataset));
    TESSERA_TRY(CheckLimits(info));
    info.modality = StringTag(dataset, DCM_Modality);
    info.study_description = StringTag(dataset, DCM_StudyDescription);
    info.series_description = StringTag(dataset, DCM_SeriesDescription);
    auto row_spacing = NumberTag(dataset, DCM_PixelSpacing, 0);
    auto column_spacing = NumberTag(dataset, DCM_PixelSpacing, 1);
    if (row_spacing && column_spacing) {
        info.pixel_spacing = std::pair{*row_spacing, *column_spacing};
    }
    info.rescale_slope = NumberTag(dataset, DCM_RescaleSlope).value_or(1);
    info.rescale_intercept = NumberTag(dataset, DCM_RescaleIntercept).value_or(0);
    info.rescale_type = StringTag(dataset, DCM_RescaleType);
    auto center = NumberTag(dataset, DCM_WindowCenter);
    auto width = NumberTag(dataset, DCM_WindowWidth);
    if (info.IsMonochrome() && center && width && *width > 0) {
        info.default_window = DicomWindow{*center, *width};
        info.window_source = DicomWindowSource::kFile;
    }
    return info;
}

using ByteReader = blobs_internal::DicomByteReader;
// A fresh DCMTK stream over the file, from its start.
using StreamMaker = std::function<std::unique_ptr<DcmInputStream>()>;

Error StatedTooLong(const DcmObject& object, Uint32 length) {
    return Error::InvalidArgument(
        "corrupt DICOM file: element " + std::string(object.getTag().toString().c_str()) +
        " states " + std::to_string(length) + " bytes, more than the rest of the file");
}

// The encapsulated pixel data's fragments (item 0 is the offset table), or none.
DcmPixelSequence* PixelSequence(DcmDataset& dataset) {
    DcmElement* element = nullptr;
    auto* pixel_data = dataset.findAndGetElement(DCM_PixelData, element).good()
                           ? dynamic_cast<DcmPixelData*>(element)
                           : nullptr;
    DcmPixelSequence* sequence = nullptr;
    if (pixel_data == nullptr ||
        pixel_data->getEncapsulatedRepresentation(dataset.getOriginalXfer(), nullptr, sequence)
            .bad()) {
        return nullptr;
    }
    return sequence;
}

// Values over DCMTK's read limit were not loaded while parsing (dicom_stream.hpp); each is
// allocated at its stated length when used. No value can be longer than its file: anything
// stating more is refused before rendering touches it. Encapsulated fragments are checked too.
Status CheckStatedLengths(DcmDataset& dataset, std::int64_t size) {
    DcmStack stack;
    while (dataset.nextObject(stack, OFTrue).good()) {
        DcmObject* object = stack.top();
        const Uint32 length = object->getLengthField();
        if (length != DCM_UndefinedLength && static_cast<std::int64_t>(length) > size) {
            return StatedTooLong(*object, length);
        }
    }
    DcmPixelSequence* sequence = PixelSequence(dataset);
    if (sequence == nullptr) {
        return Status::Ok();
    }
    for (unsigned long i = 0; i < sequence->card(); ++i) {
        DcmPixelItem* item = nullptr;
        if (sequence->getItem(item, i).good() && item != nullptr &&
            static_cast<std::int64_t>(item->getLengthField()) > size) {
            return StatedTooLong(*item, item->getLengthField());
        }
    }
    return Status::Ok();
}

// DCMTK 3.6.7's RLE decoder trusts a fragment's segment offsets and reads past the fragment
// when one points beyond it (found by the dicom fuzz target: a segment at 0x60000040 of an
// 84-byte fragment). An RLE frame is one fragment (PS3.5 A.4.2) that starts with a 64-byte
// header: the number of segments (1-15), then their offsets, increasing, inside the fragment.
// Refused like any frame DCMTK cannot decode.
Status CheckRleFragment(DcmPixelItem& item) {
    Uint8* bytes = nullptr;
    const Uint32 length = item.getLength();
    const auto refuse = [](const std::string& why) {
        return Error::FailedPrecondition("cannot decode the DICOM image: an RLE frame's header " +
                                         why);
    };
    if (length < 64 || item.getUint8Array(bytes).bad() || bytes == nullptr) {
        return refuse("is shorter than 64 bytes");
    }
    const auto word = [bytes](std::size_t k) {
        return static_cast<Uint32>(bytes[4 * k]) | static_cast<Uint32>(bytes[4 * k + 1]) << 8 |
               static_cast<Uint32>(bytes[4 * k + 2]) << 16 |
               static_cast<Uint32>(bytes[4 * k + 3]) << 24;
    };
    const Uint32 segments = word(0);
    if (segments < 1 || segments > 15) {
        return refuse("states " + std::to_string(segments) + " segments (1 to 15 allowed)");
    }
    Uint32 previous = 64;
    for (std::size_t k = 1; k <= segments; ++k) {
        const Uint32 offset = word(k);
        if (offset < previous || offset >= length) {
            return refuse("puts segment " + std::to_string(k) + " at byte " +
                          std::to_string(offset) + " of a " + std::to_string(length) +
                          "-byte fragment");
        }
        previous = offset;
    }
    return Status::Ok();
}

// The fragment of `frame` when each frame has its own, as RLE requires; every fragment when
// the count says otherwise (DCMTK then decides which it reads).
Status CheckRleFrame(DcmDataset& dataset, int frame, int frames) {
    DcmPixelSequence* sequence = PixelSequence(dataset);
    if (sequence == nullptr) {
        return Status::Ok();
    }
    const unsigned long count = sequence->card();
    const bool one_per_frame = count == static_cast<unsigned long>(frames) + 1;
    for (unsigned long i = one_per_frame ? frame + 1 : 1; i < count; ++i) {
        DcmPixelItem* item = nullptr;
        if (sequence->getItem(item, i).good() && item != nullptr) {
            TESSERA_TRY(CheckRleFragment(*item));
        }
        if (one_per_frame) {
            break;
        }
    }
    return Status::Ok();
}

// Parses the file, up to the pixel data (header) or whole, and checks what it states.
Result<Parsed> Parse(const StreamMaker& open, const ByteReader& read_bytes, std::int64_t size,
                     bool with_pixels) {
    InitDcmtk();
    TESSERA_TRY(blobs_internal::CheckDicomLengths(read_bytes, size));
    Parsed parsed;
    std::unique_ptr<DcmInputStream> stream = open();
    OFCondition read = parsed.file->readUntilTag(*stream, EXS_Unknown, EGL_noChange,
                                                 DCM_MaxReadLength, DCM_PixelData);
    // An unsupported transfer syntax can make the dataset unreadable: name it first.
    std::string uid = StringTag(*parsed.file->getMetaInfo(), DCM_TransferSyntaxUID);
    if (!uid.empty() && !IsDecoded(DcmXfer(uid.c_str()).getXfer())) {
        return Refusal(uid);
    }
    if (read.bad()) {
        return Error::InvalidArgument("corrupt DICOM file: " + OneLine(read.text()));
    }
    TESSERA_ASSIGN_OR_RETURN(parsed.info, Describe(*parsed.file, parsed.xfer));
    if (!with_pixels) {
        return parsed;
    }
    Parsed whole;
    whole.info = std::move(parsed.info);
    whole.xfer = parsed.xfer;
    read = whole.file->read(*open(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
    if (read.bad()) {
        return Error::InvalidArgument("corrupt DICOM file: " + OneLine(read.text()));
    }
    if (!whole.file->getDataset()->tagExists(DCM_PixelData)) {
        return Error::InvalidArgument("DICOM file has no pixel data");
    }
    // A deflated dataset's values were inflated and loaded as met (no factory), and may be
    // longer than the file; DCMTK checked them against the inflated bytes left.
    if (whole.xfer != EXS_DeflatedLittleEndianExplicit) {
        TESSERA_TRY(CheckStatedLengths(*whole.file->getDataset(), size));
    }
    return whole;
}

Result<Parsed> ParseFile(const SourceFile& file, bool with_pixels) {
    if (file.size() > kMaxDicomFileBytes) {
        return Error::InvalidArgument("DICOM file is over the limit of " +
                                      std::to_string(kMaxDicomFileBytes >> 20) + " MiB");
    }
    const int fd = file.fd();
    const std::int64_t size = file.size();
    ByteReader read = [fd](std::int64_t offset, std::size_t count) {
        std::string bytes(count, '\0');
        std::size_t done = 0;
        while (done < count) {
            ssize_t n = ::pread(fd, bytes.data() + done, count - done,
                                static_cast<off_t>(offset + static_cast<std::int64_t>(done)));
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                break;
            }
            done += static_cast<std::size_t>(n);
        }
        bytes.resize(done);
        return bytes;
    };
    auto open = [read, size]() -> std::unique_ptr<DcmInputStream> {
        return std::make_unique<ReaderDicomStream>(read, size);
    };
    return Parse(open, read, size, with_pixels);
}

Result<Parsed> ParseBytes(std::string_view bytes) {
    const auto size = static_cast<std::int64_t>(bytes.size());
    ByteReader read = [bytes](std::int64_t offset, std::size_t count) {
        if (offset < 0 || static_cast<std::size_t>(offset) >= bytes.size()) {
            return std::string();
        }
        return std::string(bytes.substr(static_cast<std::size_t>(offset), count));
    };
    auto open = [read, size]() -> std::unique_ptr<DcmInputStream> {
        return std::make_unique<ReaderDicomStream>(read, size);
    };
    return Parse(open, read, size, true);
}

Status CheckView(const DicomInfo& info, const DicomView& view) {
    if (view.frame < 0 || view.frame >= info.frames) {
        return Error::InvalidArgument("frame " + std::to_string(view.frame) +
                                          " is out of range: the image has " +
                                          std::to_string(info.frames) + " frame(s)",
                                      "frame");
    }
    if (view.window && !info.IsMonochrome()) {
        return Error::InvalidArgument(
            "window centre/width apply to monochrome images only, not " + info.photometric, "wc");
    }
    if (view.window && !(view.window->width > 0)) {
        return Error::InvalidArgument("window width must be above 0", "ww");
    }
    return Status::Ok();
}

// One decoded frame, with the dataset it was decoded from kept alive (DicomImage reads it).
struct Decoded {
    std::unique_ptr<DcmDataset> native;  // JPEG 2000 only
    std::unique_ptr<DicomImage> image;
};

Result<Decoded> DecodeFrame(Parsed& parsed, int frame) {
    Decoded decoded;
    DcmDataset* dataset = parsed.file->getDataset();
    E_TransferSyntax xfer = dataset->getOriginalXfer();
    unsigned long first = static_cast<unsigned long>(frame);
    if (parsed.xfer == EXS_RLELossless) {
        TESSERA_TRY(CheckRleFrame(*dataset, frame, parsed.info.frames));
    }
    if (IsJpeg2000(parsed.xfer)) {
        TESSERA_ASSIGN_OR_RETURN(decoded.native,
                                 DecodeJpeg2000Frame(*dataset, frame, parsed.info.frames));
        dataset = decoded.native.get();
        xfer = EXS_LittleEndianExplicit;
        first = 0;
    }
    decoded.image =
        std::make_unique<DicomImage>(dataset, xfer, CIF_UsePartialAccessToPixelData, first, 1);
    EI_Status status = decoded.image->getStatus();
    if (status != EIS_Normal) {
        return Error::FailedPrecondition("cannot decode the DICOM image: " +
                                         OneLine(DicomImage::getString(status)));
    }
    return decoded;
}

// The default view: the file's first window, else its first VOI LUT, else the frame's range.
DicomWindowSource ApplyDefaultWindow(DicomImage& image) {
    if (image.getWindowCount() > 0 && image.setWindow(0) != 0) {
        return DicomWindowSource::kFile;
    }
    if (image.getVoiLutCount() > 0 && image.setVoiLut(0) != 0) {
        return DicomWindowSource::kVoiLut;
    }
    image.setMinMaxWindow(0);
    return DicomWindowSource::kMinMax;
}

Result<DicomRaster> RenderParsed(Parsed& parsed, const DicomView& view) {
    TESSERA_TRY(CheckView(parsed.info, view));
    TESSERA_ASSIGN_OR_RETURN(Decoded decoded, DecodeFrame(parsed, view.frame));
    DicomImage& image = *decoded.image;
    const bool mono = image.isMonochrome() != 0;
    if (mono) {
        if (view.window) {
            image.setWindow(view.window->center, view.window->width);
        } else {
            ApplyDefaultWindow(image);
        }
    }
    DicomRaster raster;
    raster.width = static_cast<int>(image.getWidth());
    raster.height = static_cast<int>(image.getHeight());
    raster.bands = mono ? 1 : 3;
    const unsigned long size = image.getOutputDataSize(8);
    const auto expected = static_cast<unsigned long>(raster.width) *
                          static_cast<unsigned long>(raster.height) *
                          static_cast<unsigned long>(raster.bands);
    const void* data = image.getOutputData(8, 0, 0);
    if (data == nullptr || size != expected) {
        return Error::FailedPrecondition("cannot render the DICOM image: " +
                                         OneLine(DicomImage::getString(image.getStatus())));
    }
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    raster.pixels.assign(bytes, bytes + size);
    return raster;
}

}  // namespace

const char* DicomWindowSourceName(DicomWindowSource source) {
    switch (source) {
        case DicomWindowSource::kFile: return "file";
        case DicomWindowSource::kVoiLut: return "voi_lut";
        case DicomWindowSource::kMinMax: return "min_max";
        case DicomWindowSource::kNone: break;
    }
    return "none";
}

bool IsDicomPath(const std::filesystem::path& path) {
    return blobs_internal::HasDicomExtension(path);
}

bool LooksLikeDicom(std::string_view prefix) {
    return prefix.size() >= 132 && prefix.substr(128, 4) == "DICM";
}

Result<DicomInfo> ReadDicomInfo(const SourceFile& file) {
    TESSERA_ASSIGN_OR_RETURN(Parsed parsed, ParseFile(file, false));
    return parsed.info;
}

Result<DicomInfo> ReadDicomMetadata(const SourceFile& file) {
    TESSERA_ASSIGN_OR_RETURN(Parsed header, ParseFile(file, false));
    if (!header.info.IsMonochrome() || header.info.default_window) {
        return header.info;
    }
    TESSERA_ASSIGN_OR_RETURN(Parsed parsed, ParseFile(file, true));
    TESSERA_ASSIGN_OR_RETURN(Decoded decoded, DecodeFrame(parsed, 0));
    DicomImage& image = *decoded.image;
    parsed.info.window_source = ApplyDefaultWindow(image);
    double center = 0;
    double width = 0;
    if (parsed.info.window_source == DicomWindowSource::kMinMax &&
        image.getWindow(center, width) != 0 && width > 0) {
        parsed.info.default_window = DicomWindow{center, width};
    }
    return parsed.info;
}

Result<DicomRaster> RenderDicom(const SourceFile& file, const DicomView& view) {
    auto parsed = ParseFile(file, true);
    if (!parsed.ok()) {
        return Error::FailedPrecondition(parsed.error().message);
    }
    return RenderParsed(*parsed, view);
}

Result<DicomRaster> RenderDicomBytes(std::string_view bytes, const DicomView& view) {
    TESSERA_ASSIGN_OR_RETURN(Parsed parsed, ParseBytes(bytes));
    return RenderParsed(parsed, view);
}

}  // namespace tessera
