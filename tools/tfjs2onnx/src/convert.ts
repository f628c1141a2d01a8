// TensorFlow.js graph model -> ONNX (opset 10, the newest whose Clip OpenCV 4.6's importer takes:
// it refuses opset 11's Clip with min and max as inputs).
//
// TensorFlow graphs are NHWC; ONNX convolutions are NCHW. Every 4-d tensor is therefore kept NCHW
// on the ONNX side while its TensorFlow (NHWC) shape is tracked here, and what depends on the
// layout is translated: convolution weights (HWIO -> OIHW, depthwise HWC1 -> C1HW with group C),
// per-channel constants ([C] -> [C,1,1]), axes (concat, squeeze, mean) and flattening (a
// transpose back to NHWC first, so that the flattened order is TensorFlow's).
//
// Only the nodes the chosen output depends on are converted, so a classifier after the features
// is dropped. An op or attribute outside the supported set is an error naming the node, never a
// silently different network.
import { GraphBuilder, type Attribute, type Dim } from "./onnx.js";
import type { TfAttrValue, TfGraphModel, TfNode, Weight } from "./tfjs_model.js";

export interface ConvertOptions {
    /** The output node: its full name or a suffix after a "/" (e.g. "feature_vector/SpatialSqueeze"). */
    output: string;
    /** The input's NHWC shape where the Placeholder leaves it open (besides the batch). */
    inputShape?: readonly number[];
    inputName?: string;
    outputName?: string;
    docString?: string;
}

export interface Converted {
    onnx: Buffer;
    outputNode: string;
    /** NHWC as TensorFlow sees it; the ONNX input is NCHW. -1 is the batch. */
    inputShape: number[];
    outputShape: number[];
    nodeCount: number;
}

/** A converted tensor: its ONNX name and its TensorFlow shape (NHWC for 4-d; -1 for the batch). */
interface Value {
    name: string;
    shape: number[];
}

const textDecoder = new TextDecoder();
const decodeString = (s: string | undefined): string =>
    s === undefined ? "" : textDecoder.decode(Buffer.from(s, "base64"));

function ints(attr: TfAttrValue | undefined): number[] {
    return (attr?.list?.i ?? []).map(Number);
}

/** TensorFlow's output size and ONNX pads (begin, end) for one spatial axis. SAME puts the odd
 * padding pixel at the end. */
export function samePadding(
    inSize: number,
    kernel: number,
    stride: number,
    dilation: number,
    padding: string,
): { out: number; begin: number; end: number } {
    const effective = (kernel - 1) * dilation + 1;
    if (padding === "VALID") {
        return { out: Math.floor((inSize - effective) / stride) + 1, begin: 0, end: 0 };
    }
    if (padding !== "SAME") {
        throw new Error(`padding ${padding} is not supported (SAME or VALID)`);
    }
    const out = Math.ceil(inSize / stride);
    const total = Math.max((out - 1) * stride + effective - inSize, 0);
    const begin = Math.floor(total / 2);
    return { out, begin, end: total - begin };
}

function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
    const out = new Float32Array(values.length);
    for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
            out[c * rows + r] = values[r * cols + c] as number;
        }
    }
    return out;
}

const unaryOps: Record<string, (n: TfNode) => { op: string; attributes?: Attribute[] }> = {
    Relu: () => ({ op: "Relu" }),
    Relu6: () => ({
        op: "Clip",
        attributes: [
            { name: "min", float: 0 },
            { name: "max", float: 6 },
        ],
    }),
    Sigmoid: () => ({ op: "Sigmoid" }),
    Tanh: () => ({ op: "Tanh" }),
    LeakyRelu: (n) => ({
        op: "LeakyRelu",
        attributes: [{ name: "alpha", float: n.attr?.alpha?.f ?? 0.2 }],
    }),
};

const binaryOps: Record<string, string> = {
    Add: "Add",
    AddV2: "Add",
    BiasAdd: "Add",
    Sub: "Sub",
    Mul: "Mul",
    RealDiv: "Div",
};

class Converter {
    private readonly graph: GraphBuilder;
    private readonly nodes = new Map<string, TfNode>();
    private readonly values = new Map<string, Value>();
    private inputValue: Value | null = null;
    private converting = new Set<string>();
    nodeCount = 0;

    constructor(
        private readonly model: TfGraphModel,
        private readonly options: ConvertOptions,
    ) {
        this.graph = new GraphBuilder("tfjs2onnx");
        for (const n of model.json.modelTopology.node) {
            this.nodes.set(n.name, n);
        }
    }

    findOutput(): TfNode {
        const wanted = this.options.output;
        const matches = [...this.nodes.values()].filter(
            (n) => n.name === wanted || n.name.endsWith(`/${wanted}`),
        );
        if (matches.length !== 1) {
            throw new Error(
                matches.length === 0
                    ? `no node named ${wanted}`
                    : `${matches.length} nodes match ${wanted}: ${matches.map((n) => n.name).join(", ")}`,
            );
        }
        return matches[0] as TfNode;
    }

    run(): Converted {
        const out = this.findOutput();
        const value = this.value(out.name);
        const outputName = this.options.outputName ?? "output";
        this.emit("Identity", [value.name], outputName);
        const input = this.inputValue;
        if (!input) {
            throw new Error(`${out.name} does not depend on the model's input`);
        }
        const onnx = this.graph.encodeModel({
            input: { name: input.name, dims: this.onnxDims(input.shape) },
            output: { name: outputName, dims: this.onnxDims(value.shape) },
            opset: 10,
            producer: "tessera-tfjs2onnx",
            docString: this.options.docString ?? "",
        });
        return {
            onnx,
            outputNode: out.name,
            inputShape: input.shape,
            outputShape: value.shape,
            nodeCount: this.nodeCount,
        };
    }

    private onnxDims(shape: readonly number[]): Dim[] {
        const nchw = shape.length === 4 ? [shape[0], shape[3], shape[1], shape[2]] : [...shape];
        return nchw.map((d) => (d === undefined || d < 0 ? "N" : d));
    }

    private emit(op: string, inputs: string[], hint: string, attributes: Attribute[] = []): string {
        const output = this.graph.uniqueName(hint);
        this.graph.addNode({ op, inputs, outputs: [output], attributes });
        this.nodeCount++;
        return output;
    }

    private weight(ref: string, what: string, node: TfNode): Weight {
        const name = ref.split(":")[0] ?? ref;
        const w = this.model.weights.get(name);
        if (!w) {
            throw new Error(`${node.op} ${node.name}: its ${what} (${name}) is not a constant`);
        }
        return w;
    }

    private isConstant(ref: string): boolean {
        return this.model.weights.has(ref.split(":")[0] ?? ref);
    }

    /** The converted value of a node's output, converting what it depends on first. */
    private value(ref: string): Value {
        const name = ref.startsWith("^") ? ref.slice(1) : (ref.split(":")[0] ?? ref);
        const done = this.values.get(name);
        if (done) {
            return done;
        }
        const node = this.nodes.get(name);
        if (!node) {
            throw new Error(`no node named ${name}`);
        }
        if (this.converting.has(name)) {
            throw new Error(`the graph has a cycle through ${name}`);
        }
        this.converting.add(name);
        const value = this.convertNode(node);
        this.converting.delete(name);
        this.values.set(name, value);
        return value;
    }

    private dataInputs(node: TfNode): string[] {
        return (node.input ?? []).filter((i) => !i.startsWith("^"));
    }

    private convertNode(node: TfNode): Value {
        const inputs = this.dataInputs(node);
        const first = (): Value => this.value(inputs[0] ?? "");
        switch (node.op) {
            case "Placeholder":
                return this.placeholder(node);
            case "Identity":
                return first();
            case "Conv2D":
            case "_FusedConv2D":
            case "DepthwiseConv2dNative":
            case "FusedDepthwiseConv2dNative":
                return this.conv(node, inputs);
            case "AvgPool":
            case "MaxPool":
                return this.pool(node, first());
            case "Mean":
                return this.mean(node, first(), inputs);
            case "Squeeze":
                return this.squeeze(node, first());
            case "Reshape":
                return this.reshape(node, first(), inputs);
            case "Pad":
            case "PadV2":
                return this.pad(node, first(), inputs);
            case "ConcatV2":
                return this.concat(node, inputs);
            case "MatMul":
            case "_FusedMatMul":
                return this.matmul(node, inputs);
            case "Softmax": {
                const x = first();
                if (x.shape.length !== 2) {
                    throw new Error(`Softmax ${node.name}: only 2-d inputs are supported`);
                }
                return {
                    name: this.emit("Softmax", [x.name], node.name, [{ name: "axis", int: 1 }]),
                    shape: x.shape,
                };
            }
            case "Const":
                throw new Error(
                    `Const ${node.name} is used as a tensor where a constant cannot be`,
                );
            default:
                break;
        }
        const unary = unaryOps[node.op];
        if (unary) {
            const x = first();
            const { op, attributes } = unary(node);
            return { name: this.emit(op, [x.name], node.name, attributes), shape: x.shape };
        }
        const binary = binaryOps[node.op];
        if (binary) {
            return this.binary(node, binary, inputs);
        }
        throw new Error(`op ${node.op} (node ${node.name}) is not supported`);
    }

    private placeholder(node: TfNode): Value {
        if (this.inputValue) {
            throw new Error(
                `the output depends on two inputs: ${this.inputValue.name} and ${node.name}`,
            );
        }
        const dims = node.attr?.shape?.shape?.dim?.map((d) => Number(d.size));
        const shape = this.options.inputShape ? [-1, ...this.options.inputShape] : dims;
        if (!shape || shape.length !== 4 || shape.slice(1).some((d) => d <= 0)) {
            throw new Error(
                `input ${node.name}: its shape (${JSON.stringify(dims)}) must be NHWC with known height, width and channels`,
            );
        }
        shape[0] = -1;
        this.inputValue = { name: this.options.inputName ?? "input", shape };
        return this.inputValue;
    }

    /** A constant as an initializer laid out to broadcast against `other` (per-channel [C] against
     * an NCHW tensor becomes [C,1,1]). */
    private constantFor(node: TfNode, ref: string, other: Value | null): Value {
        const w = this.weight(ref, "operand", node);
        const count = w.values.length;
        let dims = w.shape;
        if (other?.shape.length === 4 && count > 1) {
            const channels = other.shape[3];
            if (count !== channels || w.shape.slice(0, -1).some((d) => d !== 1)) {
                throw new Error(
                    `${node.op} ${node.name}: a constant of shape [${w.shape.join(",")}] against a 4-d tensor`,
                );
            }
            dims = [count, 1, 1];
        }
        return { name: this.graph.addFloat(`c_${node.name}`, dims, w.values), shape: w.shape };
    }

    private binary(node: TfNode, op: string, inputs: string[]): Value {
        const [a, b] = inputs;
        if (a === undefined || b === undefined) {
            throw new Error(`${node.op} ${node.name}: needs two inputs`);
        }
        const aConst = this.isConstant(a);
        const bConst = this.isConstant(b);
        if (aConst && bConst) {
            throw new Error(`${node.op} ${node.name}: both operands are constants`);
        }
        const x = aConst ? null : this.value(a);
        const y = bConst ? null : this.value(b);
        const left = x ?? this.constantFor(node, a, y);
        const right = y ?? this.constantFor(node, b, x);
        const tensor = (x ?? y) as Value;
        if (x && y && x.shape.join() !== y.shape.join()) {
            throw new Error(
                `${node.op} ${node.name}: shapes [${x.shape.join(",")}] and [${y.shape.join(",")}] differ`,
            );
        }
        return { name: this.emit(op, [left.name, right.name], node.name), shape: tensor.shape };
    }

    private conv(node: TfNode, inputs: string[]): Value {
        const x = this.value(inputs[0] ?? "");
        const depthwise = node.op.includes("Depthwise");
        const w = this.weight(inputs[1] ?? "", "filter", node);
        const format = decodeString(node.attr?.data_format?.s) || "NHWC";
        if (format !== "NHWC") {
            throw new Error(`${node.op} ${node.name}: data_format ${format} is not supported`);
        }
        if (x.shape.length !== 4 || w.shape.length !== 4) {
            throw new Error(`${node.op} ${node.name}: needs a 4-d input and filter`);
        }
        const [kh, kw, ci, multiplier] = w.shape as [number, number, number, number];
        const [, inH, inW, inC] = x.shape as [number, number, number, number];
        if (ci !== inC) {
            throw new Error(
                `${node.op} ${node.name}: the filter takes ${ci} channels, the input has ${inC}`,
            );
        }
        const strides = ints(node.attr?.strides);
        const dilations = ints(node.attr?.dilations);
        const sh = strides[1] ?? 1;
        const sw = strides[2] ?? 1;
        const dh = dilations[1] ?? 1;
        const dw = dilations[2] ?? 1;
        const padding = decodeString(node.attr?.padding?.s);
        const ph = samePadding(inH, kh, sh, dh, padding);
        const pw = samePadding(inW, kw, sw, dw, padding);
        // HWIO -> OIHW; depthwise HW C M -> (C*M) 1 H W, output channel c*M + m as TensorFlow.
        const outC = depthwise ? ci * multiplier : multiplier;
        const inPerGroup = depthwise ? 1 : ci;
        const oihw = new Float32Array(outC * inPerGroup * kh * kw);
        for (let h = 0; h < kh; h++) {
            for (let col = 0; col < kw; col++) {
                for (let i = 0; i < ci; i++) {
                    for (let m = 0; m < multiplier; m++) {
                        const src = ((h * kw + col) * ci + i) * multiplier + m;
                        const o = depthwise ? i * multiplier + m : m;
                        const ii = depthwise ? 0 : i;
                        oihw[((o * inPerGroup + ii) * kh + h) * kw + col] = w.values[src] as number;
                    }
                }
            }
        }
        const fused = (node.attr?.fused_ops?.list?.s ?? []).map(decodeString);
        const convInputs = [
            x.name,
            this.graph.addFloat(`w_${node.name}`, [outC, inPerGroup, kh, kw], oihw),
        ];
        let activations = fused;
        if (fused[0] === "BiasAdd") {
            const bias = this.weight(inputs[2] ?? "", "bias", node);
            if (bias.values.length !== outC) {
                throw new Error(
                    `${node.op} ${node.name}: bias of ${bias.values.length} for ${outC} channels`,
                );
            }
            convInputs.push(this.graph.addFloat(`b_${node.name}`, [outC], bias.values));
            activations = fused.slice(1);
        }
        let out = this.emit("Conv", convInputs, node.name, [
            { name: "kernel_shape", ints: [kh, kw] },
            { name: "strides", ints: [sh, sw] },
            { name: "dilations", ints: [dh, dw] },
            { name: "pads", ints: [ph.begin, pw.begin, ph.end, pw.end] },
            { name: "group", int: depthwise ? ci : 1 },
        ]);
        out = this.activations(node, activations, out);
        return { name: out, shape: [-1, ph.out, pw.out, outC] };
    }

    private activations(node: TfNode, fused: string[], input: string): string {
        let out = input;
        for (const f of fused) {
            const unary = unaryOps[f];
            if (!unary) {
                throw new Error(`${node.op} ${node.name}: fused op ${f} is not supported`);
            }
            const { op, attributes } = unary(node);
            out = this.emit(op, [out], `${node.name}_${f}`, attributes);
        }
        return out;
    }

    private pool(node: TfNode, x: Value): Value {
        const k = ints(node.attr?.ksize);
        const s = ints(node.attr?.strides);
        const padding = decodeString(node.attr?.padding?.s);
        const [, inH, inW, c] = x.shape as [number, number, number, number];
        const kh = k[1] ?? 1;
        const kw = k[2] ?? 1;
        const ph = samePadding(inH, kh, s[1] ?? 1, 1, padding);
        const pw = samePadding(inW, kw, s[2] ?? 1, 1, padding);
        const op = node.op === "AvgPool" ? "AveragePool" : "MaxPool";
        // ONNX's AveragePool leaves padding out of the count by default, as TensorFlow does.
        const name = this.emit(op, [x.name], node.name, [
            { name: "kernel_shape", ints: [kh, kw] },
            { name: "strides", ints: [s[1] ?? 1, s[2] ?? 1] },
            { name: "pads", ints: [ph.begin, pw.begin, ph.end, pw.end] },
        ]);
        return { name, shape: [-1, ph.out, pw.out, c] };
    }

    private mean(node: TfNode, x: Value, inputs: string[]): Value {
        const axes = [...this.weight(inputs[1] ?? "", "axes", node).values]
            .map((a) => (a < 0 ? a + 4 : a))
            .sort();
        if (x.shape.length !== 4 || axes.join() !== "1,2") {
            throw new Error(
                `Mean ${node.name}: only the mean over height and width of a 4-d tensor is supported`,
            );
        }
        const c = x.shape[3] as number;
        const pooled = this.emit("GlobalAveragePool", [x.name], node.name);
        if (node.attr?.keep_dims?.b) {
            return { name: pooled, shape: [-1, 1, 1, c] };
        }
        return {
            name: this.emit("Flatten", [pooled], `${node.name}_flat`, [{ name: "axis", int: 1 }]),
            shape: [-1, c],
        };
    }

    private squeeze(node: TfNode, x: Value): Value {
        const dims = ints(node.attr?.squeeze_dims).map((a) => (a < 0 ? a + x.shape.length : a));
        const squeezed =
            dims.length > 0
                ? dims
                : x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
        if (
            x.shape.length === 4 &&
            squeezed.sort().join() === "1,2" &&
            x.shape[1] === 1 &&
            x.shape[2] === 1
        ) {
            const name = this.emit("Flatten", [x.name], node.name, [{ name: "axis", int: 1 }]);
            return { name, shape: [-1, x.shape[3] as number] };
        }
        throw new Error(`Squeeze ${node.name}: only squeezing a 1x1 height and width is supported`);
    }

    private reshape(node: TfNode, x: Value, inputs: string[]): Value {
        const target = [...this.weight(inputs[1] ?? "", "shape", node).values];
        if (target.length !== 2) {
            throw new Error(`Reshape ${node.name}: only reshaping to 2-d is supported`);
        }
        let source = x.name;
        if (x.shape.length === 4) {
            // Back to NHWC first, so that the rows are flattened in TensorFlow's order.
            source = this.emit("Transpose", [x.name], `${node.name}_nhwc`, [
                { name: "perm", ints: [0, 2, 3, 1] },
            ]);
        }
        const elements = x.shape.slice(1).reduce((a, b) => a * b, 1);
        const cols = target[1] === -1 ? elements : (target[1] as number);
        if (elements % cols !== 0 || (target[0] !== -1 && target[0] !== 0 && cols !== elements)) {
            throw new Error(
                `Reshape ${node.name}: [${x.shape.join(",")}] to [${target.join(",")}] is not per batch row`,
            );
        }
        const shape = this.graph.addInt64(`s_${node.name}`, [-1, cols]);
        return { name: this.emit("Reshape", [source, shape], node.name), shape: [-1, cols] };
    }

    private pad(node: TfNode, x: Value, inputs: string[]): Value {
        const p = [...this.weight(inputs[1] ?? "", "paddings", node).values];
        if (x.shape.length !== 4 || p.length !== 8 || p[0] || p[1] || p[6] || p[7]) {
            throw new Error(
                `${node.op} ${node.name}: only padding height and width of a 4-d tensor is supported`,
            );
        }
        const [, , top, bottom, left, right] = p as [
            number,
            number,
            number,
            number,
            number,
            number,
        ];
        const value =
            node.op === "PadV2" ? (this.weight(inputs[2] ?? "", "value", node).values[0] ?? 0) : 0;
        const name = this.emit("Pad", [x.name], node.name, [
            { name: "pads", ints: [0, 0, top, left, 0, 0, bottom, right] },
            { name: "value", float: value },
        ]);
        const [n, h, w, c] = x.shape as [number, number, number, number];
        return { name, shape: [n, h + top + bottom, w + left + right, c] };
    }

    private concat(node: TfNode, inputs: string[]): Value {
        const axisRef = inputs[inputs.length - 1] ?? "";
        const parts = inputs.slice(0, -1).map((i) => this.value(i));
        const rank = parts[0]?.shape.length ?? 0;
        const rawAxis = this.weight(axisRef, "axis", node).values[0] ?? 0;
        const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
        if (axis !== rank - 1 || (rank !== 4 && rank !== 2)) {
            throw new Error(`ConcatV2 ${node.name}: only concatenating channels is supported`);
        }
        const channels = parts.reduce((sum, v) => sum + (v.shape[rank - 1] as number), 0);
        const name = this.emit(
            "Concat",
            parts.map((v) => v.name),
            node.name,
            [{ name: "axis", int: 1 }],
        );
        const shape = [...(parts[0] as Value).shape];
        shape[rank - 1] = channels;
        return { name, shape };
    }

    private matmul(node: TfNode, inputs: string[]): Value {
        const x = this.value(inputs[0] ?? "");
        const w = this.weight(inputs[1] ?? "", "weights", node);
        if (x.shape.length !== 2 || w.shape.length !== 2 || node.attr?.transpose_a?.b) {
            throw new Error(
                `${node.op} ${node.name}: only a 2-d input times a 2-d constant is supported`,
            );
        }
        // Always written as [units, inputs] with transB = 1: OpenCV 4.6's Gemm import takes
        // only that form (with transB = 0 it reads the bias against the wrong dimension).
        const transB = node.attr?.transpose_b?.b ?? false;
        const [rows, cols] = w.shape as [number, number];
        const units = transB ? rows : cols;
        const fanIn = transB ? cols : rows;
        if (fanIn !== x.shape[1]) {
            throw new Error(
                `${node.op} ${node.name}: weights for ${fanIn} inputs, the input has ${x.shape[1]}`,
            );
        }
        const unitsByInputs = transB ? w.values : transpose(w.values, rows, cols);
        const gemmInputs = [
            x.name,
            this.graph.addFloat(`w_${node.name}`, [units, fanIn], unitsByInputs),
        ];
        const fused = (node.attr?.fused_ops?.list?.s ?? []).map(decodeString);
        let activations = fused;
        if (fused[0] === "BiasAdd") {
            gemmInputs.push(
                this.graph.addFloat(
                    `b_${node.name}`,
                    [units],
                    this.weight(inputs[2] ?? "", "bias", node).values,
                ),
            );
            activations = fused.slice(1);
        } else {
            // Opset 10's Gemm requires C.
            gemmInputs.push(
                this.graph.addFloat(`b_${node.name}`, [units], new Float32Array(units)),
            );
        }
        let out = this.emit("Gemm", gemmInputs, node.name, [{ name: "transB", int: 1 }]);
        out = this.activations(node, activations, out);
        return { name: out, shape: [-1, units] };
    }
}

export function convert(model: TfGraphModel, options: ConvertOptions): Converted {
    return new Converter(model, options).run();
}
