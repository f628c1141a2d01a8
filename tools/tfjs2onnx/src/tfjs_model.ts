// Reads a TensorFlow.js graph model: the topology (TensorFlow's GraphDef as JSON) and its weights,
// dequantized to float32. Two layouts on disk:
//   - the converter's own: model.json and the binary shards its weightsManifest names;
//   - npm nsfwjs's bundled models: model.min.js, a module whose value is model.json, and
//     <shard>.min.js modules whose values are the shards in base64.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

export interface TfAttrValue {
    s?: string; // base64
    i?: string;
    f?: number;
    b?: boolean;
    type?: string;
    list?: { i?: string[]; s?: string[]; f?: number[] };
    shape?: { dim?: { size: string }[]; unknownRank?: boolean };
}

export interface TfNode {
    name: string;
    op: string;
    input?: string[];
    attr?: Record<string, TfAttrValue>;
}

interface TfWeightSpec {
    name: string;
    shape: number[];
    dtype: string;
    quantization?: { dtype: string; scale?: number; min?: number };
}

/** What model.json holds (the fields the converter reads). */
export interface TfModelJson {
    format?: string;
    modelTopology: { node: TfNode[]; versions?: { producer?: number; minConsumer?: number } };
    weightsManifest: { paths: string[]; weights: TfWeightSpec[] }[];
}

export interface Weight {
    shape: number[];
    values: Float32Array;
}

export interface TfGraphModel {
    json: TfModelJson;
    /** All shards concatenated, as stored (quantized): what @tensorflow/tfjs loads. */
    weightData: ArrayBuffer;
    weights: Map<string, Weight>;
}

const requireModule = createRequire(import.meta.url);

function readShard(dir: string, shard: string): Buffer {
    const plain = path.join(dir, shard);
    if (fs.existsSync(plain)) {
        return fs.readFileSync(plain);
    }
    const bundled = `${plain}.min.js`;
    if (fs.existsSync(bundled)) {
        const value: unknown = requireModule(bundled);
        if (typeof value !== "string") {
            throw new Error(`${bundled}: expected a module whose value is a base64 string`);
        }
        return Buffer.from(value, "base64");
    }
    throw new Error(`weight shard ${shard} not found in ${dir} (as ${shard} or ${shard}.min.js)`);
}

function readModelJson(dir: string): TfModelJson {
    const plain = path.join(dir, "model.json");
    const value: unknown = fs.existsSync(plain)
        ? JSON.parse(fs.readFileSync(plain, "utf8"))
        : requireModule(path.join(dir, "model.min.js"));
    const json = value as Partial<TfModelJson> | null;
    if (!json?.modelTopology?.node || !Array.isArray(json.weightsManifest)) {
        throw new Error(`${dir}: not a TensorFlow.js graph model (no modelTopology.node)`);
    }
    if (json.format !== undefined && json.format !== "graph-model") {
        throw new Error(`${dir}: format "${json.format}" is not supported, only graph-model`);
    }
    return json as TfModelJson;
}

function bytesPerElement(spec: TfWeightSpec): number {
    switch (spec.quantization?.dtype ?? spec.dtype) {
        case "uint8":
        case "bool":
            return 1;
        case "uint16":
        case "float16":
            return 2;
        case "float32":
        case "int32":
            return 4;
        default:
            throw new Error(
                `weight ${spec.name}: dtype ${spec.quantization?.dtype ?? spec.dtype} is not supported`,
            );
    }
}

function float16ToFloat(h: number): number {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) {
        return sign * 2 ** -14 * (fraction / 1024);
    }
    if (exponent === 31) {
        return fraction ? NaN : sign * Infinity;
    }
    return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** One weight's values as float32, dequantized as tfjs does (value = q * scale + min). */
function decodeWeight(spec: TfWeightSpec, data: Buffer, offset: number): Float32Array {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    const q = spec.quantization;
    const kind = q?.dtype ?? spec.dtype;
    for (let i = 0; i < n; i++) {
        if (kind === "uint8" && q) {
            values[i] = data.readUInt8(offset + i) * (q.scale ?? 1) + (q.min ?? 0);
        } else if (kind === "uint16" && q) {
            values[i] = data.readUInt16LE(offset + 2 * i) * (q.scale ?? 1) + (q.min ?? 0);
        } else if (kind === "float16") {
            values[i] = float16ToFloat(data.readUInt16LE(offset + 2 * i));
        } else if (kind === "int32") {
            values[i] = data.readInt32LE(offset + 4 * i);
        } else if (kind === "float32") {
            values[i] = data.readFloatLE(offset + 4 * i);
        } else {
            throw new Error(`weight ${spec.name}: dtype ${kind} is not supported`);
        }
    }
    return values;
}

/** Decodes every weight of a manifest from the concatenated shards. */
export function decodeWeights(json: TfModelJson, data: Buffer): Map<string, Weight> {
    const weights = new Map<string, Weight>();
    let offset = 0;
    for (const group of json.weightsManifest) {
        for (const spec of group.weights) {
            const size = spec.shape.reduce((a, b) => a * b, 1) * bytesPerElement(spec);
            if (offset + size > data.length) {
                throw new Error(
                    `weight ${spec.name} runs past the end of the shards (${data.length} bytes)`,
                );
            }
            weights.set(spec.name, { shape: spec.shape, values: decodeWeight(spec, data, offset) });
            offset += size;
        }
    }
    if (offset !== data.length) {
        throw new Error(`the shards hold ${data.length} bytes, the manifest describes ${offset}`);
    }
    return weights;
}

export function loadTfGraphModel(modelDir: string): TfGraphModel {
    const dir = path.resolve(modelDir);
    const json = readModelJson(dir);
    const data = Buffer.concat(
        json.weightsManifest.flatMap((group) => group.paths.map((p) => readShard(dir, p))),
    );
    return {
        json,
        weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.length),
        weights: decodeWeights(json, data),
    };
}
