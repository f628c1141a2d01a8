// Small TensorFlow.js graph models built in code, one per group of ops the converter supports,
// with seeded weights: the reference test runs each through @tensorflow/tfjs and through the
// converted ONNX model, so that every op mapping is checked against TensorFlow's own semantics,
// not against this converter's idea of them.
import type { TfAttrValue, TfGraphModel, TfModelJson, TfNode, Weight } from "./tfjs_model.js";
import { decodeWeights } from "./tfjs_model.js";

/** Park-Miller with a fixed seed: the same weights and inputs on every run and machine. */
export class SeededRandom {
    private state: number;
    constructor(seed: number) {
        this.state = seed % 2147483647 || 1;
    }
    next(): number {
        this.state = (this.state * 48271) % 2147483647;
        return this.state / 2147483647;
    }
    uniform(n: number, low: number, high: number): Float32Array {
        return Float32Array.from({ length: n }, () => low + (high - low) * this.next());
    }
}

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
const intList = (v: number[]): TfAttrValue => ({ list: { i: v.map(String) } });
const str = (s: string): TfAttrValue => ({ s: b64(s) });
const FLOAT: TfAttrValue = { type: "DT_FLOAT" };

class GraphBuilder {
    readonly nodes: TfNode[] = [];
    private readonly specs: TfModelJson["weightsManifest"][number]["weights"] = [];
    private readonly chunks: Buffer[] = [];
    private count = 0;

    constructor(private readonly random: SeededRandom) {}

    input(shape: number[]): string {
        this.nodes.push({
            name: "input",
            op: "Placeholder",
            attr: {
                dtype: FLOAT,
                shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } },
            },
        });
        return "input";
    }

    private constant(
        shape: number[],
        values: Float32Array | Int32Array,
        dtype: "float32" | "int32",
    ): string {
        const name = `const_${this.count++}`;
        const type = dtype === "float32" ? "DT_FLOAT" : "DT_INT32";
        this.nodes.push({
            name,
            op: "Const",
            attr: {
                dtype: { type },
                value: { shape: { dim: shape.map((d) => ({ size: String(d) })) } },
            },
        });
        this.specs.push({ name, shape, dtype });
        this.chunks.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
        return name;
    }

    floats(shape: number[], low = -0.5, high = 0.5): string {
        return this.constant(
            shape,
            this.random.uniform(
                shape.reduce((a, b) => a * b, 1),
                low,
                high,
            ),
            "float32",
        );
    }

    scalar(value: number): string {
        return this.constant([], Float32Array.of(value), "float32");
    }

    int32(values: number[]): string {
        return this.constant([values.length], Int32Array.from(values), "int32");
    }

    int32Matrix(rows: number[][]): string {
        return this.constant(
            [rows.length, rows[0]?.length ?? 0],
            Int32Array.from(rows.flat()),
            "int32",
        );
    }

    node(op: string, input: string[], attr: Record<string, TfAttrValue> = {}): string {
        const name = `${op.toLowerCase()}_${this.count++}`;
        this.nodes.push({ name, op, input, attr: { T: FLOAT, ...attr } });
        return name;
    }

    conv(
        x: string,
        filter: number[],
        opts: {
            op?: string;
            strides?: number;
            padding?: string;
            dilation?: number;
            fused?: string[];
        },
    ): string {
        const op = opts.op ?? "Conv2D";
        const s = opts.strides ?? 1;
        const d = opts.dilation ?? 1;
        const inputs = [x, this.floats(filter)];
        const attr: Record<string, TfAttrValue> = {
            strides: intList([1, s, s, 1]),
            dilations: intList([1, d, d, 1]),
            padding: str(opts.padding ?? "SAME"),
            data_format: str("NHWC"),
        };
        if (opts.fused) {
            const channels = op.includes("Depthwise")
                ? (filter[2] as number) * (filter[3] as number)
                : (filter[3] as number);
            inputs.push(this.floats([channels], -0.2, 0.2));
            attr.fused_ops = { list: { s: opts.fused.map(b64) } };
            attr.num_args = { i: "1" };
        }
        return this.node(op, inputs, attr);
    }

    pool(op: string, x: string, k: number, s: number, padding: string): string {
        return this.node(op, [x], {
            ksize: intList([1, k, k, 1]),
            strides: intList([1, s, s, 1]),
            padding: str(padding),
            data_format: str("NHWC"),
        });
    }

    build(): TfGraphModel {
        const data = Buffer.concat(this.chunks);
        const json: TfModelJson = {
            format: "graph-model",
            modelTopology: { node: this.nodes, versions: { producer: 1286, minConsumer: 0 } },
            weightsManifest: [{ paths: [], weights: this.specs }],
        };
        const weights: Map<string, Weight> = decodeWeights(json, data);
        return {
            json,
            weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.length),
            weights,
        };
    }
}

export interface TestGraph {
    name: string;
    model: TfGraphModel;
    /** NHWC, without the batch. */
    inputShape: [number, number, number];
    output: string;
}

type Body = (g: GraphBuilder, x: string) => string;

const bodies: Record<string, { input: [number, number, number]; body: Body }> = {
    // Plain convolution, standalone ReLU, per-channel and scalar constants on both sides.
    conv_valid_elementwise: {
        input: [9, 11, 3],
        body: (g, x) => {
            let y = g.conv(x, [3, 3, 3, 4], { padding: "VALID" });
            y = g.node("Relu", [y]);
            y = g.node("BiasAdd", [y, g.floats([4])], { data_format: str("NHWC") });
            y = g.node("Mul", [g.scalar(1.5), y]);
            y = g.node("Sub", [y, g.floats([4])]);
            y = g.node("RealDiv", [y, g.scalar(2)]);
            return g.node("Tanh", [y]);
        },
    },
    // TensorFlow's SAME on odd sizes with stride 2 (the extra pixel at the end), fused bias and
    // activations, depthwise with a channel multiplier, pooling both ways.
    fused_strided_pools: {
        input: [13, 10, 3],
        body: (g, x) => {
            let y = g.conv(x, [3, 3, 3, 6], {
                op: "_FusedConv2D",
                strides: 2,
                fused: ["BiasAdd", "Relu6"],
            });
            y = g.conv(y, [3, 3, 6, 2], {
                op: "FusedDepthwiseConv2dNative",
                strides: 2,
                fused: ["BiasAdd", "Relu"],
            });
            const a = g.pool("MaxPool", y, 3, 2, "SAME");
            const b = g.pool(
                "AvgPool",
                g.conv(y, [1, 1, 12, 12], { padding: "VALID" }),
                3,
                2,
                "SAME",
            );
            y = g.node("AddV2", [a, b]);
            return g.node("Sigmoid", [y]);
        },
    },
    // Explicit padding, dilation, a residual sum, concatenation, the spatial mean and a dense
    // head with a softmax (what a feature extractor's classifier looks like).
    pad_concat_mean_dense: {
        input: [8, 8, 4],
        body: (g, x) => {
            const padded = g.node(
                "Pad",
                [
                    x,
                    g.int32Matrix([
                        [0, 0],
                        [1, 2],
                        [2, 1],
                        [0, 0],
                    ]),
                ],
                { Tpaddings: { type: "DT_INT32" } },
            );
            const a = g.conv(padded, [3, 3, 4, 5], { padding: "VALID", dilation: 2 });
            const b = g.conv(x, [3, 3, 4, 5], { op: "DepthwiseConv2dNative", padding: "SAME" });
            const c = g.conv(x, [1, 1, 4, 5], {
                op: "_FusedConv2D",
                padding: "SAME",
                fused: ["BiasAdd", "LeakyRelu"],
            });
            const sum = g.node("AddV2", [g.conv(b, [1, 1, 20, 5], { padding: "SAME" }), c]);
            const cropped = g.pool("AvgPool", sum, 2, 1, "VALID");
            const both = g.node("ConcatV2", [cropped, a, g.int32([-1])], {
                N: { i: "2" },
                Tidx: { type: "DT_INT32" },
            });
            const mean = g.node("Mean", [both, g.int32([1, 2])], {
                keep_dims: { b: false },
                Tidx: { type: "DT_INT32" },
            });
            const dense = g.node("_FusedMatMul", [mean, g.floats([10, 7]), g.floats([7])], {
                transpose_a: { b: false },
                transpose_b: { b: false },
                fused_ops: { list: { s: [b64("BiasAdd"), b64("Relu")] } },
                num_args: { i: "1" },
            });
            const logits = g.node("MatMul", [dense, g.floats([3, 7])], {
                transpose_a: { b: false },
                transpose_b: { b: true },
            });
            return g.node("Softmax", [logits]);
        },
    },
    // Flattening a feature map is in TensorFlow's (NHWC) order; Squeeze of a 1x1 map.
    flatten_and_squeeze: {
        input: [5, 6, 3],
        body: (g, x) => {
            const y = g.conv(x, [3, 3, 3, 4], { strides: 2 });
            const flat = g.node("Reshape", [y, g.int32([-1, 36])], {
                Tshape: { type: "DT_INT32" },
            });
            const pooled = g.pool("AvgPool", g.conv(x, [1, 1, 3, 36], {}), 5, 1, "VALID");
            const squeezed = g.node("Squeeze", [g.pool("MaxPool", pooled, 1, 2, "VALID")], {
                squeeze_dims: intList([1, 2]),
            });
            return g.node("Add", [flat, g.node("Identity", [squeezed])]);
        },
    },
};

export function testGraphs(seed: number): TestGraph[] {
    return Object.entries(bodies).map(([name, { input, body }], i) => {
        const g = new GraphBuilder(new SeededRandom(seed + i));
        const output = body(g, g.input([-1, ...input]));
        return { name, model: g.build(), inputShape: input, output };
    });
}
