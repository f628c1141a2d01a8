#!/usr/bin/env python3
"""Builds the seed corpus of every fuzz target in OUT_DIR/<target>/.

Seeds come from three places, none of them copied into the repository:
  - the regression inputs committed in server/fuzz/regressions/<target>/ (findings we fixed);
  - the repository's own test data (server/src/*/testdata);
  - other tools' real files in ../shared/datasets (when present): each matching file alone, and
    each dataset folder as one zip (the import endpoint takes zips, and the zip reader is fuzzed
    under every import target).
The JSON-codec and shape targets get a few small request bodies written here, the header probe
a few BMP and TIFF headers (the datasets hold none).

Usage: tools/fuzz_corpus.py REPO_ROOT OUT_DIR
"""
import io
import json
import pathlib
import shutil
import struct
import subprocess
import sys
import zipfile

MAX_SEED_BYTES = 256 << 10  # larger files slow every run and add little coverage
MAX_FILES_PER_GLOB = 24

# target -> (single-file globs, folders zipped whole), relative to the datasets folder; "repo:"
# globs are relative to the repository.
IMPORT_SEEDS = {
    "coco": (["format-samples/coco_dataset/**/*.json", "format-samples/roboflow_dataset/coco/**/*.json",
              "repo:server/src/formats/testdata/coco_*.json"],
             ["format-samples/coco_dataset/coco_instances", "format-samples/roboflow_dataset/coco"]),
    "coco_panoptic": (["format-samples/coco_dataset/coco_panoptic/**/*.json"],
                      ["format-samples/coco_dataset/coco_panoptic"]),
    "cvat": (["format-samples/cvat_dataset/**/*.xml"], ["format-samples/cvat_dataset/for_images"]),
    "jsonl": (["repo:server/src/formats/testdata/*.jsonl", "repo:server/src/services/testdata/*.jsonl"], []),
    "voc": (["format-samples/voc_dataset/**/Annotations/*.xml", "bccd/Annotations/*.xml",
             "format-samples/roboflow_dataset/voc/**/*.xml", "repo:server/src/formats/testdata/voc_*.xml"],
            ["format-samples/voc_dataset/voc_dataset1"]),
    "voc_devkit": (["bccd/Annotations/*.xml"], []),
    "yolo": (["format-samples/yolo_dataset/**/*.txt", "repo:server/src/formats/testdata/yolo_*"],
             ["format-samples/yolo_dataset/strict", "format-samples/roboflow_dataset/yolo"]),
    "labelme": (["format-samples/labelme_dataset/**/*.json"], ["format-samples/labelme_dataset"]),
    "masks": (["format-samples/voc_dataset/**/SegmentationClass/*.png"],
              ["format-samples/camvid_dataset", "format-samples/common_semantic_segmentation_dataset/dataset",
               "format-samples/kaggle_dataset/image_mask_with_labelmap"]),
    "kaggle_csv": (["format-samples/kaggle_dataset/**/*.csv", "format-samples/roboflow_dataset/multiclass/**/*.csv"], []),
    "kaggle_txt": (["format-samples/kaggle_dataset/**/*.txt"], []),
    "createml": (["format-samples/roboflow_dataset/createml/**/*.json"], ["format-samples/roboflow_dataset/createml"]),
    "segment_anything": (["format-samples/segment_anything_dataset/*.json"], []),
    "csv": (["repo:server/src/services/testdata/*.csv"], []),
    "label_studio": (["label-studio/*.json"], []),
    "image_probe": (["bccd/JPEGImages/BloodImage_0000*.jpg", "format-samples/**/*.png",
                     "format-samples/**/*.jpg"], []),
    "header_probe": (["bccd/JPEGImages/BloodImage_0000*.jpg", "format-samples/**/*.png",
                      "format-samples/**/*.jpg"], []),
}

SHAPE_SEEDS = [
    [{"type": "box", "label": "RBC", "x": 10, "y": 20, "w": 30, "h": 40}],
    [{"type": "polygon", "label": "WBC/Neutrophil", "points": [[0, 0], [100, 0], [50, 80]]},
     {"type": "polygon", "label": "RBC", "rings": [[[0, 0], [9, 0], [9, 9]], [[1, 1], [2, 1], [2, 2]]]}],
    [{"type": "mask", "label": "Platelets", "rle": [0, 10, 640, 10], "confidence": 0.5, "id": "a"}],
]


def bmp_seed(dib: int, width: int, height: int, bits: int) -> bytes:
    """A small uncompressed BMP: OS/2 core header (dib 12) or BITMAPINFOHEADER and later."""
    if dib == 12:
        header = struct.pack("<IHHHH", 12, width, height, 1, bits)
    else:
        header = struct.pack("<IiiHHI", dib, width, height, 1, bits, 0) + bytes(dib - 20)
    palette = (1 << bits) * (3 if dib == 12 else 4) if bits <= 8 else 0
    pixels = ((width * bits + 31) // 32) * 4 * abs(height)
    offset = 14 + len(header) + palette
    return b"BM" + struct.pack("<IHHI", offset + pixels, 0, 0, offset) + header + bytes(palette + pixels)


def tiff_seed(big_endian: bool, width: int, height: int, orientation: int) -> bytes:
    """A minimal 8-bit grey TIFF, one uncompressed strip."""
    e = ">" if big_endian else "<"
    tags = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, 0), (274, 3, orientation), (277, 3, 1), (279, 4, width * height)]
    ifd_size = 2 + 12 * len(tags) + 4
    strip = 8 + ifd_size
    body = struct.pack(e + "H", len(tags))
    for tag, kind, value in tags:
        value = strip if tag == 273 else value
        packed = struct.pack(e + "HH", value, 0) if kind == 3 else struct.pack(e + "I", value)
        body += struct.pack(e + "HHI", tag, kind, 1) + packed
    head = b"MM\0*" if big_endian else b"II*\0"
    return head + struct.pack(e + "I", 8) + body + struct.pack(e + "I", 0) + bytes(width * height)


HEADER_PROBE_SEEDS = [bmp_seed(12, 5, 4, 24), bmp_seed(40, 7, -3, 8), bmp_seed(124, 4, 4, 32),
                      tiff_seed(False, 6, 5, 1), tiff_seed(True, 6, 5, 6)]
# labelme's JSON (the samples' labelme_dataset is the older MIT LabelMe XML).
LABELME_SEEDS = [
    {"version": "5.2.1", "imagePath": "a.jpg", "imageWidth": 64, "imageHeight": 48, "shapes": [
        {"label": "cat", "points": [[1, 2], [30, 4], [20, 40]], "shape_type": "polygon", "group_id": 1},
        {"label": "cat", "points": [[40, 2], [50, 10]], "shape_type": "rectangle", "group_id": 1},
        {"label": "dog", "points": [[10, 10], [15, 10]], "shape_type": "circle", "group_id": None},
        {"label": "__ignore__", "points": [[0, 0], [5, 5]], "shape_type": "rectangle"}]},
]
# Datumaro's JSON as CVAT's "Datumaro 1.0" export writes it (no sample in the datasets), written
# here from the format's description: every annotation type, a compressed RLE mask, a subset.
DATUMARO_SEEDS = [
    {"dm_format_version": "1.0", "infos": {},
     "categories": {"label": {"labels": [{"name": "cat", "parent": "", "attributes": []},
                                         {"name": "dog", "parent": "", "attributes": []}],
                              "label_groups": [], "attributes": ["occluded"]},
                    "points": {"items": []}},
     "items": [
         {"id": "sub/a", "attr": {"frame": 0}, "image": {"path": "sub/a.jpg", "size": [48, 64]},
          "annotations": [
              {"id": 0, "type": "bbox", "attributes": {"rotation": 30.0, "score": 0.5}, "group": 0,
               "label_id": 0, "z_order": 0, "bbox": [1.5, 2, 20, 10]},
              {"id": 1, "type": "polygon", "attributes": {}, "group": 0, "label_id": 1, "z_order": 0,
               "points": [1, 2, 30, 4, 20, 40]},
              {"id": 2, "type": "ellipse", "attributes": {"rotation": 90}, "group": 0, "label_id": 0,
               "z_order": 0, "points": [10, 10, 30, 20]},
              {"id": 3, "type": "mask", "attributes": {}, "group": 0, "label_id": 1, "z_order": 0,
               "rle": {"counts": "3211", "size": [3, 3]}},
              {"id": 4, "type": "label", "attributes": {}, "group": 0, "label_id": 1},
              {"id": 5, "type": "points", "label_id": 0, "points": [5, 5], "visibility": [2]},
              {"id": 6, "type": "polyline", "label_id": 0, "points": [0, 0, 9, 9]},
              {"id": 7, "type": "caption", "caption": "a cat"}]},
         {"id": "b", "media": {"path": "b.png"}, "annotations": [
             {"id": 0, "type": "mask", "label_id": 0, "rle": {"counts": [3, 2, 1, 3], "size": [3, 3]}}]},
         {"id": "c", "annotations": []}]},
]
CODEC_SEEDS = [
    {"name": "Cells", "task_type": "bbox", "labels": [{"name": "RBC"}, {"name": "WBC", "children": [{"name": "N"}]}],
     "datasource": {"kind": "local", "path": "/data/cells", "pattern": "**/*.jpg"}, "instructions": "# Boxes"},
    {"labels": ["cat", "dog"]},
    {"name": "Pets", "task_type": "multilabel", "labels": ["Cat", "Dog"],
     "datasource": {"kind": "manifest", "path": "/data/m/labels.csv", "format": "csv",
                    "mapping": {"image": "Url", "category": "Label", "confidence": "Score"},
                    "import_as": "final", "datastores": {"workspaceblobstore": "/data/blobs"}}},
]
# Manifests (the manifest target): the first byte picks CSV (0), JSONL (1) or MLTable YAML (2).
MANIFEST_SEEDS = [
    b"\x00\xef\xbb\xbfUrl,Label\r\nAmlDatastore://ds/a.jpg,\"Cat,Dog\"\r\nb.jpg,Cat\r\n",
    b"\x00file;class;score\nx/1.png;Car;0.5\n\"two\nlines\";Dog;1.5\n",
    b'\x01{"image_url":"azureml://subscriptions/s/resourcegroups/r/workspaces/w/datastores/ds/paths/a.jpg",'
    b'"label":["Cat"],"label_confidence":[0.9]}\n{"image_url":"b.jpg","label":[{"label":"x","topX":0}]}\n',
    b"\x02paths:\n  - file: ./train.jsonl\ntransformations:\n  - read_json_lines:\n      encoding: utf8\n"
    b"  - convert_column_types:\n      - columns: image_url\n        column_type: stream_info\n",
    b"\x02paths:\n- pattern: './p/*.csv'\ntransformations:\n- read_delimited: {delimiter: ';'}\n",
]
# Whole requests as clients send them (the http_request target).
HTTP_SEEDS = [
    b"GET /api/v1/projects?limit=10&state=open%20now HTTP/1.1\r\nHost: t\r\n\r\n",
    b"POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
    b"X-Forwarded-For: 203.0.113.9, 10.0.0.7\r\nContent-Length: 39\r\n\r\n"
    b'{"username": "admin", "password": "pw"}',
    b"POST /api/v1/projects/1/import?format=cvat HTTP/1.1\r\nHost: t\r\n"
    b"Transfer-Encoding: chunked\r\nContent-Type: application/xml\r\n\r\n"
    b"5\r\n<a/>\n\r\n0\r\n\r\n",
]
# List Blobs answers and Azure error bodies (the azure_list target).
AZURE_LIST_SEEDS = [
    b'<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://a.blob.core.windows.net/"'
    b' ContainerName="photos"><Prefix>p/</Prefix><MaxResults>50</MaxResults><Blobs><Blob><Name>p/a b.jpg</Name>'
    b'<Properties><Etag>"0x8D1"</Etag><Content-Length>1234</Content-Length></Properties></Blob>'
    b'<Blob><Name Encoded="true">p%2F%EF%BF%BE.png</Name><Properties><Etag>0x8D2</Etag>'
    b'<Content-Length>5</Content-Length></Properties></Blob></Blobs><NextMarker>2!72!MDAw</NextMarker>'
    b'</EnumerationResults>',
    b'<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationPermissionMismatch</Code>'
    b'<Message>This request is not authorized to perform this operation using this permission.</Message></Error>',
]


def dicom_element(group: int, element: int, vr: bytes, value: bytes) -> bytes:
    """One explicit VR little endian element, padded to even length."""
    if len(value) % 2:
        value += b"\0" if vr in (b"UI", b"OB") else b" "
    if vr in (b"OB", b"OW", b"UN", b"SQ", b"UT"):
        return struct.pack("<HH2sHI", group, element, vr, 0, len(value)) + value
    return struct.pack("<HH2sH", group, element, vr, len(value)) + value


def dicom_seed(rows: int = 4, columns: int = 4, frames: int = 2, photometric: bytes = b"MONOCHROME2") -> bytes:
    """A small uncompressed DICOM file (explicit VR little endian, 8 bits, `frames` frames)."""
    samples = 3 if photometric == b"RGB" else 1
    ts = b"1.2.840.10008.1.2.1"
    meta_body = dicom_element(0x0002, 0x0001, b"OB", b"\0\1") + dicom_element(0x0002, 0x0010, b"UI", ts)
    meta = dicom_element(0x0002, 0x0000, b"UL", struct.pack("<I", len(meta_body))) + meta_body
    pixels = bytes(i % 256 for i in range(rows * columns * samples * frames))
    data = (dicom_element(0x0008, 0x0060, b"CS", b"CT")
            + dicom_element(0x0028, 0x0002, b"US", struct.pack("<H", samples))
            + dicom_element(0x0028, 0x0004, b"CS", photometric)
            + dicom_element(0x0028, 0x0008, b"IS", str(frames).encode())
            + dicom_element(0x0028, 0x0010, b"US", struct.pack("<H", rows))
            + dicom_element(0x0028, 0x0011, b"US", struct.pack("<H", columns))
            + dicom_element(0x0028, 0x0100, b"US", struct.pack("<H", 8))
            + dicom_element(0x0028, 0x0101, b"US", struct.pack("<H", 8))
            + dicom_element(0x0028, 0x0102, b"US", struct.pack("<H", 7))
            + dicom_element(0x0028, 0x0103, b"US", struct.pack("<H", 0))
            + dicom_element(0x0028, 0x1050, b"DS", b"128")
            + dicom_element(0x0028, 0x1051, b"DS", b"256")
            + dicom_element(0x7FE0, 0x0010, b"OB", pixels))
    return b"\0" * 128 + b"DICM" + meta + data


def dicom_seeds(scratch: pathlib.Path) -> list[tuple[str, bytes]]:
    """Uncompressed seeds written here, and, where Debian's dcmtk is installed, the same
    files through each codec (so the fuzzer starts inside every decoder)."""
    seeds = [("mono.dcm", dicom_seed()), ("rgb.dcm", dicom_seed(photometric=b"RGB")),
             ("mono1.dcm", dicom_seed(frames=1, photometric=b"MONOCHROME1"))]
    scratch.mkdir(parents=True, exist_ok=True)
    tools = [("dcmcjpeg", "+eb"), ("dcmcjpeg", "+e1"), ("dcmcjpls", "+el"), ("dcmcrle", ""),
             ("dcmconv", "+tb"), ("dcmconv", "+ti"), ("dcmconv", "+td")]
    for name, data in list(seeds):
        source = scratch / name
        source.write_bytes(data)
        for tool, option in tools:
            if shutil.which(tool) is None:
                continue
            out = scratch / f"{tool}{option}-{name}"
            args = [tool] + ([option] if option else []) + [str(source), str(out)]
            if subprocess.run(args, capture_output=True).returncode == 0 and out.is_file():
                seeds.append((out.name, out.read_bytes()))
    return seeds


def files_for(pattern: str, repo: pathlib.Path, datasets: pathlib.Path) -> list[pathlib.Path]:
    base, glob = (repo, pattern[5:]) if pattern.startswith("repo:") else (datasets, pattern)
    if not base.is_dir():
        return []
    found = [p for p in sorted(base.glob(glob)) if p.is_file() and p.stat().st_size <= MAX_SEED_BYTES]
    return found[:MAX_FILES_PER_GLOB]


def zip_folder(folder: pathlib.Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.stat().st_size <= MAX_SEED_BYTES:
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def write_seed(out: pathlib.Path, name: str, data: bytes) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_bytes(data)


def main() -> int:
    repo = pathlib.Path(sys.argv[1]).resolve()
    out = pathlib.Path(sys.argv[2]).resolve()
    datasets = (repo / ".." / "shared" / "datasets").resolve()
    shutil.rmtree(out, ignore_errors=True)
    counts = {}
    for target, (globs, folders) in IMPORT_SEEDS.items():
        name = target if target in ("image_probe", "header_probe") else f"import_{target}"
        target_dir = out / name
        n = 0
        for pattern in globs:
            for path in files_for(pattern, repo, datasets):
                write_seed(target_dir, f"{n:03d}-{path.name}", path.read_bytes())
                n += 1
        for folder in folders:
            if (datasets / folder).is_dir():
                write_seed(target_dir, f"{n:03d}-{pathlib.Path(folder).name}.zip", zip_folder(datasets / folder))
                n += 1
        counts[name] = n
    for name, seeds in (("shapes", SHAPE_SEEDS), ("json_codec", CODEC_SEEDS),
                        ("import_labelme", LABELME_SEEDS), ("import_datumaro", DATUMARO_SEEDS)):
        for i, seed in enumerate(seeds):
            write_seed(out / name, f"own-{i:03d}.json", json.dumps(seed).encode())
        counts[name] = counts.get(name, 0) + len(seeds)
    for i, seed in enumerate(HEADER_PROBE_SEEDS):
        write_seed(out / "header_probe", f"own-{i:03d}.img", seed)
    counts["header_probe"] = counts.get("header_probe", 0) + len(HEADER_PROBE_SEEDS)
    for i, seed in enumerate(MANIFEST_SEEDS):
        write_seed(out / "manifest", f"own-{i:03d}.bin", seed)
    counts["manifest"] = len(MANIFEST_SEEDS)
    dicom = dicom_seeds(out / ".dicom-scratch")
    shutil.rmtree(out / ".dicom-scratch", ignore_errors=True)
    for i, (name, data) in enumerate(dicom):
        write_seed(out / "dicom", f"own-{i:03d}-{name}", data)
    counts["dicom"] = len(dicom)
    for i, seed in enumerate(HTTP_SEEDS):
        write_seed(out / "http_request", f"own-{i:03d}.http", seed)
    counts["http_request"] = len(HTTP_SEEDS)
    for i, seed in enumerate(AZURE_LIST_SEEDS):
        write_seed(out / "azure_list", f"own-{i:03d}.xml", seed)
    counts["azure_list"] = len(AZURE_LIST_SEEDS)
    regressions = repo / "server" / "fuzz" / "regressions"
    if regressions.is_dir():
        for target_dir in sorted(p for p in regressions.iterdir() if p.is_dir()):
            for path in sorted(target_dir.iterdir()):
                write_seed(out / target_dir.name, f"regression-{path.name}", path.read_bytes())
                counts[target_dir.name] = counts.get(target_dir.name, 0) + 1
    for name in sorted(counts):
        print(f"{name}: {counts[name]} seeds")
    if not datasets.is_dir():
        print(f"note: {datasets} is absent; seeds come from the repository alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
