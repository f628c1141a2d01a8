// The few protobuf wire-format pieces an ONNX ModelProto needs: varints, length-delimited
// fields and fixed 32-bit floats. Written by hand so that the converter needs no generated code
// and no protobuf library (https://protobuf.dev/programming-guides/encoding/).

const enum WireType {
    Varint = 0,
    LengthDelimited = 2,
    Fixed32 = 5,
}

/** Encodes an unsigned or negative integer as a base-128 varint (negatives as 64-bit two's
 * complement, ten bytes, as protobuf's int64 does). */
export function varint(value: number | bigint): Buffer {
    let v = BigInt(value);
    if (v < 0n) {
        v += 1n << 64n;
    }
    const bytes: number[] = [];
    do {
        let byte = Number(v & 0x7fn);
        v >>= 7n;
        if (v > 0n) {
            byte |= 0x80;
        }
        bytes.push(byte);
    } while (v > 0n);
    return Buffer.from(bytes);
}

function key(field: number, wire: WireType): Buffer {
    return varint((field << 3) | wire);
}

/** A message under construction: fields are appended in the order they are written. */
export class Message {
    private readonly parts: Uint8Array[] = [];

    int(field: number, value: number | bigint): this {
        this.parts.push(key(field, WireType.Varint), varint(value));
        return this;
    }

    float(field: number, value: number): this {
        const b = Buffer.alloc(4);
        b.writeFloatLE(value);
        this.parts.push(key(field, WireType.Fixed32), b);
        return this;
    }

    bytes(field: number, data: Uint8Array): this {
        this.parts.push(key(field, WireType.LengthDelimited), varint(data.length), data);
        return this;
    }

    string(field: number, text: string): this {
        return this.bytes(field, Buffer.from(text, "utf8"));
    }

    message(field: number, inner: Message): this {
        return this.bytes(field, inner.encode());
    }

    encode(): Buffer {
        return Buffer.concat(this.parts);
    }
}
