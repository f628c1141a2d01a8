// Minimal PNG encoder (8-bit RGB, no interlace) for test images; zlib from node's stdlib.
import { deflateSync } from "node:zlib";

const kCrcTable = (() => {
    const table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
        let c = n;
        for (let k = 0; k < 8; k++) {
            c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        }
        table[n] = c >>> 0;
    }
    return table;
})();

function crc32(buf) {
    let c = 0xffffffff;
    for (const b of buf) {
        c = kCrcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    }
    return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, "ascii");
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
}

/** A width x height PNG of 8-bit RGB `pixels` (row by row, R G B interleaved). */
export function rgbPng(width, height, pixels) {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // colour type: RGB
    const stride = width * 3;
    const raw = Buffer.alloc(height * (1 + stride)); // each row: filter byte 0, then pixels
    for (let y = 0; y < height; y++) {
        Buffer.from(pixels.buffer, pixels.byteOffset + y * stride, stride).copy(
            raw,
            y * (1 + stride) + 1,
        );
    }
    return Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk("IHDR", ihdr),
        chunk("IDAT", deflateSync(raw)),
        chunk("IEND", Buffer.alloc(0)),
    ]);
}

/** A width x height PNG filled with one colour. */
export function solidPng(width, height, [r, g, b]) {
    const pixels = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) {
        pixels[3 * i] = r;
        pixels[3 * i + 1] = g;
        pixels[3 * i + 2] = b;
    }
    return rgbPng(width, height, pixels);
}
