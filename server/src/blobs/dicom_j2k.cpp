#include "blobs/dicom_j2k.hpp"

#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <openjpeg.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

namespace tessera::blobs_internal {
namespace {

// A frame's codestream in memory, as OpenJPEG's stream callbacks read it.
struct MemoryInput {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
    std::size_t at = 0;
};

OPJ_SIZE_T ReadBytes(void* buffer, OPJ_SIZE_T count, void* user) {
    auto* in = static_cast<MemoryInput*>(user);
    if (in->at >= in->size) {
        return static_cast<OPJ_SIZE_T>(-1);  // OpenJPEG's end-of-stream
    }
    const std::size_t n = std::min<std::size_t>(count, in->size - in->at);
    std::memcpy(buffer, in->data + in->at, n);
    in->at += n;
    return n;
}

OPJ_OFF_T SkipBytes(OPJ_OFF_T count, void* user) {
    auto* in = static_cast<MemoryInput*>(user);
    const auto room = static_cast<OPJ_OFF_T>(in->size - in->at);
    const OPJ_OFF_T step = std::clamp<OPJ_OFF_T>(count, -static_cast<OPJ_OFF_T>(in->at), room);
    in->at = static_cast<std::size_t>(static_cast<OPJ_OFF_T>(in->at) + step);
    return step;
}

OPJ_BOOL SeekTo(OPJ_OFF_T offset, void* user) {
    auto* in = static_cast<MemoryInput*>(user);
    if (offset < 0 || static_cast<std::size_t>(offset) > in->size) {
        return OPJ_FALSE;
    }
    in->at = static_cast<std::size_t>(offset);
    return OPJ_TRUE;
}

void KeepError(const char* msg, void* user) {
    auto* text = static_cast<std::string*>(user);
    if (text->empty() && msg != nullptr) {
        *text = msg;
        while (!text->empty() && (text->back() == '\n' || text->back() == ' ')) {
            text->pop_back();
        }
    }
}

void Ignore(const char* /*msg*/, void* /*user*/) {}

// opj_codec_t and opj_stream_t are both void: one deleter each.
struct CodecDeleter {
    void operator()(opj_codec_t* c) const { opj_destroy_codec(c); }
};
struct StreamDeleter {
    void operator()(opj_stream_t* s) const { opj_stream_destroy(s); }
};
struct ImageDeleter {
    void operator()(opj_image_t* i) const { opj_image_destroy(i); }
};
using OpjImage = std::unique_ptr<opj_image_t, ImageDeleter>;

// The fragments of one frame, joined: one fragment per frame in most files, several when the
// encoder split a frame (the basic offset table or the fragment count says which).
Result<std::vector<std::uint8_t>> FrameCodestream(DcmDataset& dataset, int frame, int frames) {
    DcmElement* element = nullptr;
    if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
        return Error::FailedPrecondition("the DICOM file has no pixel data");
    }
    auto* pixel_data = dynamic_cast<DcmPixelData*>(element);
    DcmPixelSequence* sequence = nullptr;
    if (pixel_data == nullptr ||
        pixel_data->getEncapsulatedRepresentation(dataset.getOriginalXfer(), nullptr, sequence)
            .bad() ||
        sequence == nullptr || sequence->card() < 2) {
        return Error::FailedPrecondition("the JPEG 2000 pixel data holds no fragments");
    }
    Uint32 first = 0;
    if (frames == 1) {
        first = 1;
    } else if (DcmCodec::determineStartFragment(static_cast<Uint32>(frame), frames, sequence, first)
                   .bad()) {
        return Error::FailedPrecondition("cannot find frame " + std::to_string(frame) +
                                         " in the JPEG 2000 pixel data");
    }
    Uint32 end = static_cast<Uint32>(sequence->card());
    if (frame + 1 < frames &&
        DcmCodec::determineStartFragment(static_cast<Uint32>(frame + 1), frames, sequence, end)
            .bad()) {
        return Error::FailedPrecondition("cannot find frame " + std::to_string(frame + 1) +
                                         " in the JPEG 2000 pixel data");
    }
    std::vector<std::uint8_t> bytes;
    for (Uint32 i = first; i < end && i < sequence->card(); ++i) {
        DcmPixelItem* item = nullptr;
        Uint8* data = nullptr;
        if (sequence->getItem(item, i).bad() || item == nullptr) {
            break;
        }
        const Uint32 length = item->getLength();
        if (length > 0 && item->getUint8Array(data).good() && data != nullptr) {
            bytes.insert(bytes.end(), data, data + length);
        }
    }
    if (bytes.empty()) {
        return Error::FailedPrecondition("frame " + std::to_string(frame) +
                                         " of the JPEG 2000 pixel data is empty");
    }
    return bytes;
}

bool IsJp2File(const std::vector<std::uint8_t>& bytes) {
    // A JP2 signature box; a raw codestream starts with SOC (FF 4F).
    constexpr std::array<std::uint8_t, 4> kJp2Box{0x6a, 0x50, 0x20, 0x20};
    return bytes.size() >= 8 && std::equal(kJp2Box.begin(), kJp2Box.end(), bytes.begin() + 4);
}

Result<OpjImage> DecodeCodestream(const std::vector<std::uint8_t>& bytes, int rows, int columns,
                                  int samples) {
    std::string error;
    std::unique_ptr<opj_codec_t, CodecDeleter> codec(
        opj_create_decompress(IsJp2File(bytes) ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K));
    MemoryInput input{bytes.data(), bytes.size(), 0};
    std::unique_ptr<opj_stream_t, StreamDeleter> stream(opj_stream_create(1 << 16, OPJ_TRUE));
    if (!codec || !stream) {
        return Error::Internal("cannot start the JPEG 2000 decoder");
    }
    opj_set_error_handler(codec.get(), KeepError, &error);
    opj_set_warning_handler(codec.get(), Ignore, nullptr);
    opj_set_info_handler(codec.get(), Ignore, nullptr);
    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);
    opj_stream_set_user_data(stream.get(), &input, nullptr);
    opj_stream_set_user_data_length(stream.get(), bytes.size());
    opj_stream_set_read_function(stream.get(), ReadBytes);
    opj_stream_set_skip_function(stream.get(), SkipBytes);
    opj_stream_set_seek_function(stream.get(), SeekTo);
    auto failed = [&](const std::string& what) {
        return Error::FailedPrecondition("cannot decode the JPEG 2000 frame: " +
                                         (error.empty() ? what : error));
    };
    opj_image_t* raw = nullptr;
    if (!opj_setup_decoder(codec.get(), &parameters) ||
        !opj_read_header(stream.get(), codec.get(), &raw)) {
        opj_image_destroy(raw);
        return failed("bad header");
    }
    OpjImage image(raw);
    // The codestream's own size is checked against the DICOM header (already within the
    // limits) before OpenJPEG allocates for it.
    if (static_cast<int>(image->numcomps) != samples ||
        image->x1 - image->x0 != static_cast<OPJ_UINT32>(columns) ||
        image->y1 - image->y0 != static_cast<OPJ_UINT32>(rows)) {
        return Error::FailedPrecondition(
            "the JPEG 2000 frame's size or components differ from the DICOM header");
    }
    if (!opj_decode(codec.get(), stream.get(), image.get()) ||
        !opj_end_decompress(codec.get(), stream.get())) {
        return failed("bad codestream");
    }
    for (OPJ_UINT32 c = 0; c < image->numcomps; ++c) {
        const opj_image_comp_t& comp = image->comps[c];
        if (comp.data == nullptr || comp.w != static_cast<OPJ_UINT32>(columns) ||
            comp.h != static_cast<OPJ_UINT32>(rows) || comp.prec < 1 || comp.prec > 16) {
            return Error::FailedPrecondition(
                "the JPEG 2000 frame has subsampled components or over 16 bits a sample");
        }
    }
    return image;
}

// The attributes rendering needs, copied into the single-frame dataset.
const std::array<DcmTagKey, 14> kRenderingTags{
    DCM_Rows,
    DCM_Columns,
    DCM_SamplesPerPixel,
    DCM_PhotometricInterpretation,
    DCM_RescaleSlope,
    DCM_RescaleIntercept,
    DCM_RescaleType,
    DCM_WindowCenter,
    DCM_WindowWidth,
    DCM_VOILUTSequence,
    DCM_ModalityLUTSequence,
    DCM_RedPaletteColorLookupTableDescriptor,
    DCM_GreenPaletteColorLookupTableDescriptor,
    DCM_BluePaletteColorLookupTableDescriptor,
};
const std::array<DcmTagKey, 3> kPaletteData{
    DCM_RedPaletteColorLookupTableData,
    DCM_GreenPaletteColorLookupTableData,
    DCM_BluePaletteColorLookupTableData,
};

void CopyTag(DcmDataset& from, DcmDataset& to, const DcmTagKey& tag) {
    DcmElement* element = nullptr;
    if (from.findAndGetElement(tag, element).good() && element != nullptr) {
        to.insert(dynamic_cast<DcmElement*>(element->clone()), true);
    }
}

}  // namespace

Result<std::unique_ptr<DcmDataset>> DecodeJpeg2000Frame(DcmDataset& dataset, int frame,
                                                        int frames) {
    Uint16 rows = 0;
    Uint16 columns = 0;
    Uint16 samples = 1;
    dataset.findAndGetUint16(DCM_Rows, rows);
    dataset.findAndGetUint16(DCM_Columns, columns);
    dataset.findAndGetUint16(DCM_SamplesPerPixel, samples);
    TESSERA_ASSIGN_OR_RETURN(auto codestream, FrameCodestream(dataset, frame, frames));
    TESSERA_ASSIGN_OR_RETURN(auto image, DecodeCodestream(codestream, rows, columns, samples));

    auto out = std::make_unique<DcmDataset>();
    for (const DcmTagKey& tag : kRenderingTags) {
        CopyTag(dataset, *out, tag);
    }
    for (const DcmTagKey& tag : kPaletteData) {
        CopyTag(dataset, *out, tag);
    }
    const OPJ_UINT32 precision = image->comps[0].prec;
    const bool is_signed = image->comps[0].sgnd != 0;
    const bool wide = precision > 8;
    out->putAndInsertUint16(DCM_BitsAllocated, wide ? 16 : 8);
    out->putAndInsertUint16(DCM_BitsStored, static_cast<Uint16>(precision));
    out->putAndInsertUint16(DCM_HighBit, static_cast<Uint16>(precision - 1));
    out->putAndInsertUint16(DCM_PixelRepresentation, is_signed ? 1 : 0);
    out->putAndInsertUint16(DCM_PlanarConfiguration, 0);
    OFString photometric;
    dataset.findAndGetOFString(DCM_PhotometricInterpretation, photometric);
    // OpenJPEG undoes the component transform a YBR_ICT / YBR_RCT codestream was made with.
    if (photometric == "YBR_ICT" || photometric == "YBR_RCT") {
        out->putAndInsertString(DCM_PhotometricInterpretation, "RGB");
    }

    const std::size_t count = std::size_t{rows} * columns * samples;
    auto sample = [&](std::size_t i) {
        return image->comps[i % samples].data[i / samples];  // interleaved from planes
    };
    if (wide) {
        std::vector<Uint16> words(count);
        for (std::size_t i = 0; i < count; ++i) {
            words[i] = static_cast<Uint16>(sample(i));  // two's complement when signed
        }
        out->putAndInsertUint16Array(DCM_PixelData, words.data(),
                                     static_cast<unsigned long>(count));
    } else {
        std::vector<Uint8> bytes(count);
        for (std::size_t i = 0; i < count; ++i) {
            bytes[i] = static_cast<Uint8>(sample(i));
        }
        out->putAndInsertUint8Array(DCM_PixelData, bytes.data(), static_cast<unsigned long>(count));
    }
    return out;
}

}  // namespace tessera::blobs_internal
