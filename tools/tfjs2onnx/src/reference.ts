// Writes the converter's reference test cases: for each, an ONNX model, seeded inputs and the
// outputs @tensorflow/tfjs (CPU backend) computes for them from the original TensorFlow.js graph.
// The C++ test (server/src/ml/onnx_backbone_test.cpp) runs every ONNX model with OpenCV DNN on the
// same inputs and compares. Run at test time, so the reference is TensorFlow.js's answer today.
//
//   node dist/reference.js OUT_DIR [--backbone ONNX MODEL_DIR NODE]
//
// Cases: the small graphs of test_graphs.ts, converted here, one op group each; and with
// --backbone, the default backbone as the build converted it (ONNX) against its original graph.
import fs from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { convert } from "./convert.js";
import { SeededRandom, testGraphs } from "./test_graphs.js";
import { loadTfGraphModel, type TfGraphModel } from "./tfjs_model.js";

interface Case {
    name: string;
    onnx: string;
    input: string;
    input_shape: number[]; // NCHW, as the ONNX model takes it
    expected: string;
    output_shape: number[];
    tolerance: number; // on |onnx - tfjs|, relative to the largest |tfjs| value
}

const BATCH = 3;

/** Images that look a little like photographs: a colour gradient, a few flat shapes, noise. */
function pictureLike(random: SeededRandom, h: number, w: number): Float32Array {
    const nhwc = new Float32Array(h * w * 3);
    const base = random.uniform(6, 0, 1);
    const shapes = Array.from({ length: 4 }, () => random.uniform(6, 0, 1));
    for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
            for (let c = 0; c < 3; c++) {
                let v = (base[c] as number) * (x / w) + (base[c + 3] as number) * (y / h);
                for (const s of shapes) {
                    const dx = x / w - (s[0] as number);
                    const dy = y / h - (s[1] as number);
                    if (dx * dx + dy * dy < ((s[2] as number) * 0.3) ** 2) {
                        v = s[3 + c] as number;
                    }
                }
                nhwc[(y * w + x) * 3 + c] = Math.min(
                    1,
                    Math.max(0, v + 0.05 * (random.next() - 0.5)),
                );
            }
        }
    }
    return nhwc;
}

function toNchw(nhwc: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
    const out = new Float32Array(nhwc.length);
    for (let b = 0; b < n; b++) {
        for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
                for (let k = 0; k < c; k++) {
                    out[((b * c + k) * h + y) * w + x] = nhwc[
                        ((b * h + y) * w + x) * c + k
                    ] as number;
                }
            }
        }
    }
    return out;
}

async function runTfjs(
    model: TfGraphModel,
    output: string,
    nhwc: Float32Array,
    shape: number[],
): Promise<{ values: Float32Array; shape: number[] }> {
    const graph = await tf.loadGraphModel(
        tf.io.fromMemory({
            modelTopology: model.json.modelTopology,
            weightSpecs: model.json.weightsManifest.flatMap(
                (g) => g.weights,
            ) as tf.io.WeightsManifestEntry[],
            weightData: model.weightData,
            format: "graph-model",
        }),
    );
    const x = tf.tensor(nhwc, shape);
    const y = graph.execute(x, output) as tf.Tensor;
    const values = (await y.data()) as Float32Array;
    const outShape =
        y.shape.length === 4 ? [y.shape[0], y.shape[3], y.shape[1], y.shape[2]] : y.shape;
    const result =
        y.shape.length === 4
            ? toNchw(values, ...(y.shape as [number, number, number, number]))
            : Float32Array.from(values);
    x.dispose();
    y.dispose();
    return { values: result, shape: outShape as number[] };
}

function write(dir: string, file: string, data: Float32Array | Buffer): string {
    const bytes =
        data instanceof Buffer ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    fs.writeFileSync(path.join(dir, file), bytes);
    return file;
}

async function writeCase(
    dir: string,
    name: string,
    onnxFile: string,
    model: TfGraphModel,
    output: string,
    input: [number, number, number],
    images: Float32Array,
    tolerance: number,
): Promise<Case> {
    const [h, w, c] = input;
    const reference = await runTfjs(model, output, images, [BATCH, h, w, c]);
    return {
        name,
        onnx: onnxFile,
        input: write(dir, `${name}.input.f32`, toNchw(images, BATCH, h, w, c)),
        input_shape: [BATCH, c, h, w],
        expected: write(dir, `${name}.expected.f32`, reference.values),
        output_shape: reference.shape,
        tolerance,
    };
}

async function main(): Promise<void> {
    const [dir, flag, onnx, modelDir, node] = process.argv.slice(2);
    if (!dir || (flag !== undefined && (flag !== "--backbone" || !onnx || !modelDir || !node))) {
        console.error("usage: node dist/reference.js OUT_DIR [--backbone ONNX MODEL_DIR NODE]");
        process.exit(2);
    }
    await tf.setBackend("cpu");
    fs.mkdirSync(dir, { recursive: true });
    const cases: Case[] = [];
    const random = new SeededRandom(20261207);
    for (const graph of testGraphs(7)) {
        const converted = convert(graph.model, { output: graph.output });
        const [h, w, c] = graph.inputShape;
        const images = random.uniform(BATCH * h * w * c, 0, 1);
        cases.push(
            await writeCase(
                dir,
                graph.name,
                write(dir, `${graph.name}.onnx`, converted.onnx),
                graph.model,
                graph.output,
                graph.inputShape,
                images,
                1e-5,
            ),
        );
    }
    if (onnx && modelDir && node) {
        const model = loadTfGraphModel(modelDir);
        const full = model.json.modelTopology.node.find(
            (n) => n.name === node || n.name.endsWith(`/${node}`),
        );
        if (!full) {
            throw new Error(`no node ${node} in ${modelDir}`);
        }
        const images = new Float32Array(BATCH * 224 * 224 * 3);
        for (let b = 0; b < BATCH; b++) {
            images.set(pictureLike(random, 224, 224), b * 224 * 224 * 3);
        }
        // float32 sums over 1792 channels in a different order: 1e-4 of the largest value (the
        // spike saw 1.1e-5 against values up to 5.3).
        cases.push(
            await writeCase(
                dir,
                "default_backbone",
                path.resolve(onnx),
                model,
                full.name,
                [224, 224, 3],
                images,
                1e-4,
            ),
        );
    }
    fs.writeFileSync(path.join(dir, "manifest.json"), `${JSON.stringify(cases, null, 2)}\n`);
    console.log(`reference: ${cases.length} cases in ${dir}`);
}

main().catch((e: unknown) => {
    console.error(`reference: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
});
