// tfjs graph model -> ONNX, first version (issue 10; docs/design/ml.md, "Converter").
//
//   node tools/tfjs2onnx/convert.cjs MODEL_DIR OUT.onnx
//
// MODEL_DIR is npm nsfwjs's dist/models/mobilenet_v2_mid: model.min.js (a module whose value is
// the tfjs model.json) and group1-shard{1,2}of2.min.js (modules whose values are the weight
// shards in base64, uint8-quantized: value = q * scale + min). Writes an ONNX model (opset 10,
// NCHW, input "input" [N,3,224,224] in [0,1], output "features" [N,1792]: the backbone's
// pooled features, without nsfwjs's own classifier). The protobuf is encoded by hand: only the
// ONNX messages used here. Handles exactly the ops this graph has (below); anything else is an
// error. A spike, checked by hand on 2026-12-07 (compare_with_tfjs.cjs): OpenCV 4.6's DNN gives
// the same features as @tensorflow/tfjs to 1.1e-5. Not yet run by the build or the tests.
const fs = require("fs");
const path = require("path");
const M = path.resolve(process.argv[2] ?? "");
const out = process.argv[3];
if (!process.argv[2] || !out) {
    console.error("usage: node convert.cjs MODEL_DIR OUT.onnx");
    process.exit(2);
}
const j = require(M + "/model.min.js");
const shards = [1, 2].map((i) => Buffer.from(require(`${M}/group1-shard${i}of2.min.js`), "base64"));
const all = Buffer.concat(shards);

// ---- weights (dequantized) ----
const W = new Map();
let off = 0;
for (const w of j.weightsManifest[0].weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const q = w.quantization;
    const vals = new Float32Array(n);
    if (q && q.dtype === "uint8") {
        for (let i = 0; i < n; i++) vals[i] = all[off + i] * q.scale + q.min;
        off += n;
    } else {
        for (let i = 0; i < n; i++) vals[i] = all.readFloatLE(off + 4 * i);
        off += 4 * n;
    }
    W.set(w.name, { shape: w.shape, vals });
}

// ---- protobuf encoding ----
function varint(n) {
    const b = [];
    let v = BigInt(n);
    if (v < 0n) v += 1n << 64n;
    do {
        let byte = Number(v & 0x7fn);
        v >>= 7n;
        if (v > 0n) byte |= 0x80;
        b.push(byte);
    } while (v > 0n);
    return Buffer.from(b);
}
const key = (f, t) => varint((f << 3) | t);
const fInt = (f, n) => Buffer.concat([key(f, 0), varint(n)]);
const fBytes = (f, buf) => Buffer.concat([key(f, 2), varint(buf.length), buf]);
const fStr = (f, s) => fBytes(f, Buffer.from(s, "utf8"));
const fFloat = (f, x) => {
    const b = Buffer.alloc(4);
    b.writeFloatLE(x);
    return Buffer.concat([key(f, 5), b]);
};

function tensor(name, dims, floats) {
    const raw = Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
    return Buffer.concat([
        ...dims.map((d) => fInt(1, d)),
        fInt(2, 1),
        fStr(8, name),
        fBytes(9, raw),
    ]);
}
function attrInts(name, ints) {
    return Buffer.concat([fStr(1, name), ...ints.map((i) => fInt(8, i)), fInt(20, 7)]);
}
function attrFloat(name, x) {
    return Buffer.concat([fStr(1, name), fFloat(2, x), fInt(20, 1)]);
}
function attrInt(name, i) {
    return Buffer.concat([fStr(1, name), fInt(3, i), fInt(20, 2)]);
}
function node(op, inputs, outputs, name, attrs = []) {
    return Buffer.concat([
        ...inputs.map((s) => fStr(1, s)),
        ...outputs.map((s) => fStr(2, s)),
        fStr(3, name),
        fStr(4, op),
        ...attrs.map((a) => fBytes(5, a)),
    ]);
}
function valueInfo(name, dims) {
    const shape = Buffer.concat(
        dims.map((d) => fBytes(1, typeof d === "number" ? fInt(1, d) : fStr(2, d))),
    );
    const tt = Buffer.concat([fInt(1, 1), fBytes(2, shape)]);
    return Buffer.concat([fStr(1, name), fBytes(2, fBytes(1, tt))]);
}

// ---- graph ----
const nodes = [];
const inits = [];
const size = new Map(); // tensor -> spatial size
const b64 = (s) => Buffer.from(s, "base64").toString();
const short = (s) => s.replace(/.*predict\//, "").replace(/[^A-Za-z0-9_]/g, "_");
const constName = (n) => "c_" + short(n);
let scalarMul, scalarSub;
for (const w of j.weightsManifest[0].weights) {
    if (/hub_input\/Mul\/y$/.test(w.name)) scalarMul = W.get(w.name).vals[0];
    if (/hub_input\/Sub\/y$/.test(w.name)) scalarSub = W.get(w.name).vals[0];
}
inits.push(
    tensor("mul_y", [], new Float32Array([scalarMul])),
    tensor("sub_y", [], new Float32Array([scalarSub])),
);
const name = new Map(); // tf node name -> onnx tensor name
let feature = null;
for (const n of j.modelTopology.node) {
    const o = "t_" + short(n.name);
    const ins = (n.input || []).map((s) => s.split(":")[0]);
    if (n.op === "Placeholder") {
        name.set(n.name, "input");
        size.set("input", 224);
    } else if (n.op === "Mul") {
        nodes.push(node("Mul", [name.get(ins[1]), "mul_y"], [o], o));
        name.set(n.name, o);
        size.set(o, 224);
    } else if (n.op === "Sub") {
        nodes.push(node("Sub", [name.get(ins[0]), "sub_y"], [o], o));
        name.set(n.name, o);
        size.set(o, 224);
    } else if (n.op === "_FusedConv2D" || n.op === "FusedDepthwiseConv2dNative") {
        const x = name.get(ins[0]);
        const w = W.get(ins[1]),
            bias = W.get(ins[2]);
        const [kh, kw, ci, co] = w.shape;
        const dw = n.op === "FusedDepthwiseConv2dNative";
        const stride = Number(n.attr.strides.list.i[1]);
        const inS = size.get(x);
        const outS = Math.ceil(inS / stride);
        const padTotal = Math.max((outS - 1) * stride + kh - inS, 0);
        const pb = Math.floor(padTotal / 2),
            pe = padTotal - pb;
        // HWIO -> OIHW (conv: O=co, I=ci); depthwise HW C 1 -> C 1 H W
        const O = dw ? ci : co,
            I = dw ? 1 : ci;
        const t = new Float32Array(O * I * kh * kw);
        for (let h = 0; h < kh; h++)
            for (let ww = 0; ww < kw; ww++)
                for (let i = 0; i < ci; i++)
                    for (let c = 0; c < co; c++) {
                        const src = ((h * kw + ww) * ci + i) * co + c;
                        const oo = dw ? i : c,
                            ii = dw ? 0 : i;
                        t[((oo * I + ii) * kh + h) * kw + ww] = w.vals[src];
                    }
        const wn = constName(ins[1]),
            bn = constName(ins[2]);
        inits.push(tensor(wn, [O, I, kh, kw], t), tensor(bn, [O], bias.vals));
        const fused = n.attr.fused_ops.list.s.map(b64);
        const convOut = fused.includes("Relu6") ? o + "_pre" : o;
        nodes.push(
            node("Conv", [x, wn, bn], [convOut], convOut, [
                attrInts("kernel_shape", [kh, kw]),
                attrInts("strides", [stride, stride]),
                attrInts("pads", [pb, pb, pe, pe]),
                attrInt("group", dw ? ci : 1),
            ]),
        );
        if (fused.includes("Relu6"))
            nodes.push(node("Clip", [convOut], [o], o, [attrFloat("min", 0), attrFloat("max", 6)]));
        name.set(n.name, o);
        size.set(o, outS);
    } else if (n.op === "AddV2") {
        nodes.push(node("Add", [name.get(ins[0]), name.get(ins[1])], [o], o));
        name.set(n.name, o);
        size.set(o, size.get(name.get(ins[0])));
    } else if (n.op === "AvgPool") {
        nodes.push(node("GlobalAveragePool", [name.get(ins[0])], [o], o));
        name.set(n.name, o);
    } else if (n.op === "Squeeze") {
        nodes.push(
            node("Flatten", [name.get(ins[0])], ["features"], "features", [attrInt("axis", 1)]),
        );
        name.set(n.name, "features");
        feature = "features";
        break; // what follows is nsfwjs's classifier
    } else if (n.op !== "Const") {
        throw new Error(`unsupported op ${n.op} (${n.name})`);
    }
}
const graph = Buffer.concat([
    ...nodes.map((x) => fBytes(1, x)),
    fStr(2, "mobilenet_v2_mid_features"),
    ...inits.map((x) => fBytes(5, x)),
    fBytes(11, valueInfo("input", ["N", 3, 224, 224])),
    fBytes(12, valueInfo(feature, ["N", 1792])),
]);
const opset = Buffer.concat([fStr(1, ""), fInt(2, 10)]);
const model = Buffer.concat([
    fInt(1, 6),
    fStr(2, "tessera-tfjs2onnx-spike"),
    fBytes(7, graph),
    fBytes(8, opset),
]);
fs.writeFileSync(out, model);
console.error(`wrote ${out}: ${model.length} bytes, ${nodes.length} nodes`);
