// Unit tests of the converter's pieces that the reference comparison cannot pin down by itself:
// the wire encoding, TensorFlow's padding arithmetic, and that what is not supported is refused
// by name instead of converted into a different network.
import assert from "node:assert/strict";
import { test } from "node:test";
import { convert, samePadding } from "./convert.js";
import { Message, varint } from "./protobuf.js";
import { testGraphs } from "./test_graphs.js";
import type { TfGraphModel } from "./tfjs_model.js";
import { decodeWeights } from "./tfjs_model.js";

test("varints are base-128, little end first; negatives take ten bytes", () => {
    assert.deepEqual([...varint(0)], [0]);
    assert.deepEqual([...varint(1)], [1]);
    assert.deepEqual([...varint(300)], [0xac, 0x02]);
    assert.deepEqual([...varint(-1)], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
});

test("a message writes keys, lengths and fixed floats as protobuf does", () => {
    const bytes = new Message().int(1, 150).string(2, "testing").float(3, 1).encode();
    assert.deepEqual(
        [...bytes],
        [0x08, 0x96, 0x01, 0x12, 0x07, ...Buffer.from("testing"), 0x1d, 0x00, 0x00, 0x80, 0x3f],
    );
});

test("SAME padding puts the odd pixel at the end, as TensorFlow does", () => {
    assert.deepEqual(samePadding(224, 3, 2, 1, "SAME"), { out: 112, begin: 0, end: 1 });
    assert.deepEqual(samePadding(13, 3, 2, 1, "SAME"), { out: 7, begin: 1, end: 1 });
    assert.deepEqual(samePadding(8, 3, 1, 2, "SAME"), { out: 8, begin: 2, end: 2 });
    assert.deepEqual(samePadding(11, 3, 1, 2, "VALID"), { out: 7, begin: 0, end: 0 });
    assert.throws(() => samePadding(8, 3, 1, 1, "EXPLICIT"), /EXPLICIT is not supported/);
});

function withNode(model: TfGraphModel, op: string): TfGraphModel {
    const nodes = model.json.modelTopology.node.map((n) => ({ ...n }));
    const last = nodes[nodes.length - 1];
    assert.ok(last);
    last.op = op;
    return { ...model, json: { ...model.json, modelTopology: { node: nodes } } };
}

test("an unsupported op is an error naming the op and the node", () => {
    const [graph] = testGraphs(1);
    assert.ok(graph);
    assert.throws(
        () => convert(withNode(graph.model, "Erf"), { output: graph.output }),
        new RegExp(`op Erf \\(node ${graph.output}\\) is not supported`),
    );
});

test("the output is found by its full name or a suffix, and must be unique", () => {
    const [graph] = testGraphs(1);
    assert.ok(graph);
    assert.ok(convert(graph.model, { output: graph.output }).onnx.length > 0);
    assert.throws(
        () => convert(graph.model, { output: "no_such_node" }),
        /no node named no_such_node/,
    );
});

test("weights that run past the shards are refused", () => {
    const json = {
        modelTopology: { node: [] },
        weightsManifest: [{ paths: ["a"], weights: [{ name: "w", shape: [4], dtype: "float32" }] }],
    };
    assert.throws(() => decodeWeights(json, Buffer.alloc(8)), /runs past the end of the shards/);
    const quantized = decodeWeights(
        {
            ...json,
            weightsManifest: [
                {
                    paths: ["a"],
                    weights: [
                        {
                            name: "w",
                            shape: [2],
                            dtype: "float32",
                            quantization: { dtype: "uint8", scale: 0.5, min: -1 },
                        },
                    ],
                },
            ],
        },
        Buffer.from([0, 4]),
    );
    assert.deepEqual([...(quantized.get("w")?.values ?? [])], [-1, 1]);
});
