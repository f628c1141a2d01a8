// ONNX's ModelProto, written with ./protobuf.ts. Field numbers from onnx/onnx.proto (IR version
// 6); only what a converted CNN uses: float and int64 tensors, int/float/ints attributes.
import { Message } from "./protobuf.js";

const enum AttributeType {
    Float = 1,
    Int = 2,
    Ints = 7,
}

const enum DataType {
    Float = 1,
    Int64 = 7,
}

export type Attribute =
    | { name: string; float: number }
    | { name: string; int: number }
    | { name: string; ints: readonly number[] };

export interface Node {
    op: string;
    inputs: readonly string[];
    outputs: readonly string[];
    attributes?: readonly Attribute[];
}

/** A dimension is a fixed size or a symbolic name (the batch). */
export type Dim = number | string;

function attributeProto(a: Attribute): Message {
    const m = new Message().string(1, a.name);
    if ("float" in a) {
        return m.float(2, a.float).int(20, AttributeType.Float);
    }
    if ("int" in a) {
        return m.int(3, a.int).int(20, AttributeType.Int);
    }
    for (const i of a.ints) {
        m.int(8, i);
    }
    return m.int(20, AttributeType.Ints);
}

function nodeProto(n: Node, name: string): Message {
    const m = new Message();
    for (const i of n.inputs) {
        m.string(1, i);
    }
    for (const o of n.outputs) {
        m.string(2, o);
    }
    m.string(3, name).string(4, n.op);
    for (const a of n.attributes ?? []) {
        m.message(5, attributeProto(a));
    }
    return m;
}

function valueInfoProto(name: string, dims: readonly Dim[]): Message {
    const shape = new Message();
    for (const d of dims) {
        shape.message(
            1,
            typeof d === "number" ? new Message().int(1, d) : new Message().string(2, d),
        );
    }
    const tensorType = new Message().int(1, DataType.Float).message(2, shape);
    return new Message().string(1, name).message(2, new Message().message(1, tensorType));
}

/** Builds one graph: nodes in execution order, float or int64 initializers, one input and one
 * output. */
export class GraphBuilder {
    private readonly nodes: Message[] = [];
    private readonly initializers: Message[] = [];
    private readonly names = new Set<string>();

    constructor(private readonly graphName: string) {}

    /** A fresh tensor name derived from `hint` (ONNX names must be unique in a graph). */
    uniqueName(hint: string): string {
        const base = hint.replace(/[^A-Za-z0-9_]/g, "_");
        let name = base;
        for (let i = 1; this.names.has(name); i++) {
            name = `${base}_${i}`;
        }
        this.names.add(name);
        return name;
    }

    addNode(node: Node): void {
        this.nodes.push(nodeProto(node, this.uniqueName(`n_${node.outputs[0] ?? node.op}`)));
    }

    addFloat(hint: string, dims: readonly number[], values: Float32Array): string {
        const name = this.uniqueName(hint);
        const raw = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
        const t = new Message();
        for (const d of dims) {
            t.int(1, d);
        }
        this.initializers.push(t.int(2, DataType.Float).string(8, name).bytes(9, raw));
        return name;
    }

    addInt64(hint: string, values: readonly number[]): string {
        const name = this.uniqueName(hint);
        const raw = Buffer.alloc(8 * values.length);
        values.forEach((v, i) => raw.writeBigInt64LE(BigInt(v), 8 * i));
        this.initializers.push(
            new Message()
                .int(1, values.length)
                .int(2, DataType.Int64)
                .string(8, name)
                .bytes(9, raw),
        );
        return name;
    }

    /** The serialized ModelProto. */
    encodeModel(opts: {
        input: { name: string; dims: readonly Dim[] };
        output: { name: string; dims: readonly Dim[] };
        opset: number;
        producer: string;
        docString: string;
    }): Buffer {
        const graph = new Message();
        for (const n of this.nodes) {
            graph.message(1, n);
        }
        graph.string(2, this.graphName);
        for (const t of this.initializers) {
            graph.message(5, t);
        }
        graph.message(11, valueInfoProto(opts.input.name, opts.input.dims));
        graph.message(12, valueInfoProto(opts.output.name, opts.output.dims));
        const opset = new Message().string(1, "").int(2, opts.opset);
        return new Message()
            .int(1, 6)
            .string(2, opts.producer)
            .string(6, opts.docString)
            .message(7, graph)
            .message(8, opset)
            .encode();
    }
}
