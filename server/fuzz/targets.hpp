#pragma once
// The fuzz targets as plain functions, so that the same code runs under libFuzzer (the `fuzz`
// preset: libfuzzer_main.cpp, one executable per target) and as regression tests in every other
// build (replay_main.cpp: `fuzz_replay TARGET PATH...` over the seed corpus and the committed
// regression inputs, under the asan preset's sanitizers). Any return is fine; a crash, a
// sanitizer report or a leak is a finding.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::fuzz {

inline std::string Bytes(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// One import format's reader (import_fuzzer.cpp; `format` without the import_ prefix).
std::vector<std::string> ImportFormats();
void FuzzImport(std::string_view format, const std::uint8_t* data, std::size_t size);
void FuzzShapes(const std::uint8_t* data, std::size_t size);
void FuzzJsonCodec(const std::uint8_t* data, std::size_t size);
void FuzzHttpRequest(const std::uint8_t* data, std::size_t size);
void InitImageProbe(const char* argv0);
void FuzzImageProbe(const std::uint8_t* data, std::size_t size);
void FuzzHeaderProbe(const std::uint8_t* data, std::size_t size);
// The manifest reader (manifest_fuzzer.cpp): CSV, JSONL or MLTable by the first byte.
void FuzzManifest(const std::uint8_t* data, std::size_t size);
void FuzzDicom(const std::uint8_t* data, std::size_t size);
void FuzzAzureList(const std::uint8_t* data, std::size_t size);

// Every target's name (import_coco, ..., shapes, json_codec, image_probe, header_probe,
// manifest, dicom, azure_list).
std::vector<std::string> FuzzTargetNames();
// Runs `target` once over the bytes; false when no target has that name.
bool RunFuzzTarget(std::string_view target, const std::uint8_t* data, std::size_t size);
// What a target needs once per process (libvips for image_probe); false for an unknown name.
bool InitFuzzTarget(std::string_view target, const char* argv0);

}  // namespace tessera::fuzz
