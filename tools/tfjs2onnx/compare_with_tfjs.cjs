// Checks convert.cjs's output against @tensorflow/tfjs (CPU backend) running the original graph.
//
//   node tools/tfjs2onnx/compare_with_tfjs.cjs MODEL_DIR X.npy Y.npy
//
// X.npy: float32 NCHW images in [0,1]; Y.npy: the ONNX model's features for them (from OpenCV
// DNN). Prints the largest difference. Needs @tensorflow/tfjs resolvable from the working
// directory (not yet a dependency of this repository: see docs/design/ml.md).
const tf = require("@tensorflow/tfjs");
const fs = require("fs");
const path = require("path");
const M = path.resolve(process.argv[2] ?? "");
const j = require(M + "/model.min.js");
const shards = [1, 2].map((i) => Buffer.from(require(`${M}/group1-shard${i}of2.min.js`), "base64"));
const all = Buffer.concat(shards);

function readNpy(p) {
    const b = fs.readFileSync(p);
    const hlen = b.readUInt16LE(8);
    const header = b.slice(10, 10 + hlen).toString();
    const shape = header
        .match(/\(([^)]*)\)/)[1]
        .split(",")
        .filter((s) => s.trim())
        .map(Number);
    const data = new Float32Array(
        b.buffer.slice(b.byteOffset + 10 + hlen, b.byteOffset + b.length),
    );
    return { shape, data };
}

(async () => {
    await tf.setBackend("cpu");
    const model = await tf.loadGraphModel(
        tf.io.fromMemory({
            modelTopology: j.modelTopology,
            weightSpecs: j.weightsManifest[0].weights,
            weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.length),
            format: j.format,
            generatedBy: j.generatedBy,
            convertedBy: j.convertedBy,
        }),
    );
    const x = readNpy(process.argv[3]);
    const nchw = tf.tensor(x.data, x.shape);
    const nhwc = nchw.transpose([0, 2, 3, 1]);
    const feat = j.modelTopology.node.find((n) => n.op === "Squeeze").name;
    const y = model.execute(nhwc, feat);
    const ref = await y.data();
    const cv = readNpy(process.argv[4]);
    let maxDiff = 0,
        maxAbs = 0;
    for (let i = 0; i < ref.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(ref[i] - cv.data[i]));
        maxAbs = Math.max(maxAbs, Math.abs(ref[i]));
    }
    console.log(
        "shape",
        y.shape,
        "first",
        Array.from(ref.slice(0, 5)),
        "max |ref|",
        maxAbs,
        "max |ref - opencv|",
        maxDiff,
    );
})();
