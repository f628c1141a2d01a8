#include "blobs/dicom_test_files.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>
#include <openjpeg.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace tessera::testing {
namespace {

namespace fs = std::filesystem;

std::size_t FrameSamples(const DicomSpec& spec) {
    return static_cast<std::size_t>(spec.rows) * spec.columns * spec.samples;
}

// Everything but the pixel data.
void PutAttributes(DcmDataset& ds, const DicomSpec& spec, int bits_stored) {
    char uid[100];
    ds.putAndInsertString(DCM_SOPClassUID, UID_SecondaryCaptureImageStorage);
    ds.putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid));
    ds.putAndInsertString(DCM_PatientName, spec.patient_name.c_str());
    ds.putAndInsertString(DCM_PatientID, "PID-0001");
    ds.putAndInsertString(DCM_Modality, spec.modality.c_str());
    ds.putAndInsertString(DCM_StudyDescription, "Test study");
    ds.putAndInsertString(DCM_SeriesDescription, "Test series");
    ds.putAndInsertString(DCM_PixelSpacing, "0.5\\0.25");
    ds.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(spec.rows));
    ds.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(spec.columns));
    ds.putAndInsertUint16(DCM_SamplesPerPixel, static_cast<Uint16>(spec.samples));
    ds.putAndInsertString(DCM_PhotometricInterpretation, spec.photometric.c_str());
    ds.putAndInsertUint16(DCM_BitsAllocated, static_cast<Uint16>(spec.bits));
    ds.putAndInsertUint16(DCM_BitsStored, static_cast<Uint16>(bits_stored));
    ds.putAndInsertUint16(DCM_HighBit, static_cast<Uint16>(bits_stored - 1));
    ds.putAndInsertUint16(DCM_PixelRepresentation, spec.is_signed ? 1 : 0);
    if (spec.samples == 3) {
        ds.putAndInsertUint16(DCM_PlanarConfiguration, 0);
    }
    if (spec.frames > 1) {
        ds.putAndInsertString(DCM_NumberOfFrames, std::to_string(spec.frames).c_str());
    }
    if (spec.slope || spec.intercept) {
        ds.putAndInsertString(DCM_RescaleSlope, std::to_string(spec.slope.value_or(1)).c_str());
        ds.putAndInsertString(DCM_RescaleIntercept,
                              std::to_string(spec.intercept.value_or(0)).c_str());
        ds.putAndInsertString(DCM_RescaleType, "HU");
    }
    if (spec.window) {
        ds.putAndInsertString(DCM_WindowCenter, std::to_string(spec.window->first).c_str());
        ds.putAndInsertString(DCM_WindowWidth, std::to_string(spec.window->second).c_str());
    }
    if (spec.photometric == "PALETTE COLOR") {
        const Uint16 descriptor[3] = {256, 0, 16};
        for (const auto& tag :
             {DCM_RedPaletteColorLookupTableDescriptor, DCM_GreenPaletteColorLookupTableDescriptor,
              DCM_BluePaletteColorLookupTableDescriptor}) {
            ds.putAndInsertUint16Array(tag, descriptor, 3);
        }
        ds.putAndInsertUint16Array(DCM_RedPaletteColorLookupTableData, spec.red.data(), 256);
        ds.putAndInsertUint16Array(DCM_GreenPaletteColorLookupTableData, spec.green.data(), 256);
        ds.putAndInsertUint16Array(DCM_BluePaletteColorLookupTableData, spec.blue.data(), 256);
    }
}

void PutNativePixels(DcmDataset& ds, const DicomSpec& spec) {
    // As given, even when they do not fill the stated size (tests of corrupt headers).
    const std::size_t count = spec.values.size();
    if (spec.bits == 8) {
        std::vector<Uint8> bytes(count);
        for (std::size_t i = 0; i < count; ++i) {
            bytes[i] = static_cast<Uint8>(spec.values[i]);
        }
        ds.putAndInsertUint8Array(DCM_PixelData, bytes.data(), count);
    } else {
        std::vector<Uint16> words(count);
        for (std::size_t i = 0; i < count; ++i) {
            words[i] = static_cast<Uint16>(spec.values[i]);
        }
        ds.putAndInsertUint16Array(DCM_PixelData, words.data(), count);
    }
}

void Save(DcmFileFormat& file, const fs::path& path, E_TransferSyntax xfer,
          E_FileWriteMode mode = EWM_createNewMeta) {
    fs::create_directories(path.parent_path());
    OFCondition saved = file.saveFile(path.c_str(), xfer, EET_ExplicitLength, EGL_recalcGL,
                                      EPD_noChange, 0, 0, mode);
    ASSERT_TRUE(saved.good()) << "cannot write " << path << ": " << saved.text();
}

// OpenJPEG writes into this.
OPJ_SIZE_T WriteBytes(void* buffer, OPJ_SIZE_T count, void* user) {
    auto* out = static_cast<std::vector<Uint8>*>(user);
    const auto* bytes = static_cast<const Uint8*>(buffer);
    out->insert(out->end(), bytes, bytes + count);
    return count;
}

OPJ_OFF_T SkipBytes(OPJ_OFF_T count, void* user) {
    auto* out = static_cast<std::vector<Uint8>*>(user);
    out->resize(out->size() + static_cast<std::size_t>(count));
    return count;
}

OPJ_BOOL SeekBytes(OPJ_OFF_T /*offset*/, void* /*user*/) {
    return OPJ_FALSE;
}

std::vector<Uint8> EncodeJ2k(const DicomSpec& spec, int frame, bool lossless) {
    std::vector<opj_image_cmptparm_t> parms(static_cast<std::size_t>(spec.samples));
    for (auto& p : parms) {
        std::memset(&p, 0, sizeof p);
        p.dx = 1;
        p.dy = 1;
        p.w = static_cast<OPJ_UINT32>(spec.columns);
        p.h = static_cast<OPJ_UINT32>(spec.rows);
        p.prec = static_cast<OPJ_UINT32>(spec.bits);
        p.sgnd = spec.is_signed ? 1 : 0;
    }
    opj_image_t* image = opj_image_create(static_cast<OPJ_UINT32>(spec.samples), parms.data(),
                                          spec.samples == 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY);
    image->x1 = static_cast<OPJ_UINT32>(spec.columns);
    image->y1 = static_cast<OPJ_UINT32>(spec.rows);
    const std::size_t base = FrameSamples(spec) * static_cast<std::size_t>(frame);
    const std::size_t pixels = static_cast<std::size_t>(spec.rows) * spec.columns;
    for (std::size_t i = 0; i < pixels; ++i) {
        for (int c = 0; c < spec.samples; ++c) {
            image->comps[c].data[i] = spec.values[base + i * spec.samples + c];
        }
    }
    opj_cparameters_t parameters;
    opj_set_default_encoder_parameters(&parameters);
    parameters.tcp_numlayers = 1;
    parameters.cp_disto_alloc = 1;
    parameters.tcp_rates[0] = lossless ? 0 : 4;  // 0: lossless (reversible 5/3 wavelet)
    parameters.irreversible = lossless ? 0 : 1;
    parameters.tcp_mct = spec.samples == 3 ? 1 : 0;
    parameters.numresolution = 2;
    opj_codec_t* codec = opj_create_compress(OPJ_CODEC_J2K);
    std::vector<Uint8> out;
    opj_stream_t* stream = opj_stream_default_create(OPJ_FALSE);
    opj_stream_set_user_data(stream, &out, nullptr);
    opj_stream_set_write_function(stream, WriteBytes);
    opj_stream_set_skip_function(stream, SkipBytes);
    opj_stream_set_seek_function(stream, SeekBytes);
    bool ok = opj_setup_encoder(codec, &parameters, image) &&
              opj_start_compress(codec, image, stream) && opj_encode(codec, stream) &&
              opj_end_compress(codec, stream);
    opj_stream_destroy(stream);
    opj_destroy_codec(codec);
    opj_image_destroy(image);
    EXPECT_TRUE(ok) << "OpenJPEG could not encode the test frame";
    if (out.size() % 2 == 1) {
        out.push_back(0);  // fragments have even length
    }
    return out;
}

}  // namespace

std::vector<std::int32_t> Gradient(int rows, int columns, int low, int high) {
    std::vector<std::int32_t> values;
    const int count = rows * columns;
    values.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        values.push_back(static_cast<std::int32_t>(
            std::lround(low + (high - low) * static_cast<double>(i) / std::max(1, count - 1))));
    }
    return values;
}

void WriteDicom(const fs::path& path, const DicomSpec& spec) {
    DcmFileFormat file;
    PutAttributes(*file.getDataset(), spec, spec.bits);
    PutNativePixels(*file.getDataset(), spec);
    Save(file, path, EXS_LittleEndianExplicit);
}

void WriteJpeg2000Dicom(const fs::path& path, const DicomSpec& spec, bool lossless) {
    DcmFileFormat file;
    DcmDataset& ds = *file.getDataset();
    PutAttributes(ds, spec, spec.bits);
    if (spec.samples == 3) {
        ds.putAndInsertString(DCM_PhotometricInterpretation, lossless ? "YBR_RCT" : "YBR_ICT");
    }
    auto sequence = std::make_unique<DcmPixelSequence>(DCM_PixelSequenceTag);
    auto* offsets = new DcmPixelItem(DCM_PixelItemTag);
    sequence->insert(offsets);
    DcmOffsetList offset_list;
    for (int f = 0; f < spec.frames; ++f) {
        std::vector<Uint8> frame = EncodeJ2k(spec, f, lossless);
        ASSERT_TRUE(sequence
                        ->storeCompressedFrame(offset_list, frame.data(),
                                               static_cast<Uint32>(frame.size()), 0)
                        .good());
    }
    offsets->createOffsetTable(offset_list);
    const E_TransferSyntax xfer = lossless ? EXS_JPEG2000LosslessOnly : EXS_JPEG2000;
    auto* pixel_data = new DcmPixelData(DCM_PixelData);
    pixel_data->putOriginalRepresentation(xfer, nullptr, sequence.release());
    ds.insert(pixel_data, true);
    Save(file, path, xfer);
}

void WriteDicomClaiming(const fs::path& path, const DicomSpec& spec,
                        const std::string& transfer_syntax_uid) {
    DcmFileFormat file;
    PutAttributes(*file.getDataset(), spec, spec.bits);
    PutNativePixels(*file.getDataset(), spec);
    // Builds the meta header for explicit little endian, then changes what it states.
    Save(file, path, EXS_LittleEndianExplicit);
    DcmMetaInfo& meta = *file.getMetaInfo();
    meta.putAndInsertString(DCM_TransferSyntaxUID, transfer_syntax_uid.c_str());
    Save(file, path, EXS_LittleEndianExplicit, EWM_dontUpdateMeta);
}

void RunDcmtkTool(const std::string& tool, const std::string& options, const fs::path& in,
                  const fs::path& out) {
    const std::string command =
        tool + " " + options + " '" + in.string() + "' '" + out.string() + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0)
        << "DCMTK tool failed (is Debian's dcmtk installed?): " << command;
}

}  // namespace tessera::testing
