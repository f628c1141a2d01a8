// tfjs2onnx: the command line.
//
//   node dist/main.js MODEL_DIR OUT.onnx --output NODE [--input-shape H,W,C]
//
// Writes OUT.onnx (through a temporary file, so that a failed run leaves no half model) and
// OUT.onnx.json: what a loader needs to know (input layout and range, output width) and where the
// weights came from.
import fs from "node:fs";
import crypto from "node:crypto";
import { convert } from "./convert.js";
import { loadTfGraphModel } from "./tfjs_model.js";

function usage(message: string): never {
    console.error(`tfjs2onnx: ${message}`);
    console.error(
        "usage: node dist/main.js MODEL_DIR OUT.onnx --output NODE [--input-shape H,W,C] [--source TEXT]",
    );
    process.exit(2);
}

function parseArgs(argv: string[]): {
    modelDir: string;
    out: string;
    output: string;
    inputShape?: number[];
    source: string;
} {
    const positional: string[] = [];
    let output = "";
    let inputShape: number[] | undefined;
    let source = "";
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i] as string;
        const next = (): string => argv[++i] ?? usage(`${arg} needs a value`);
        if (arg === "--output") {
            output = next();
        } else if (arg === "--input-shape") {
            inputShape = next().split(",").map(Number);
            if (inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d <= 0)) {
                usage("--input-shape takes H,W,C, three positive integers");
            }
        } else if (arg === "--source") {
            source = next();
        } else if (arg.startsWith("--")) {
            usage(`unknown option ${arg}`);
        } else {
            positional.push(arg);
        }
    }
    const [modelDir, out] = positional;
    if (positional.length !== 2 || modelDir === undefined || out === undefined) {
        usage("MODEL_DIR and OUT.onnx are required");
    }
    if (!output) {
        usage("--output NODE is required (the node whose value the ONNX model returns)");
    }
    return { modelDir, out, output, inputShape, source };
}

function main(): void {
    const args = parseArgs(process.argv.slice(2));
    const model = loadTfGraphModel(args.modelDir);
    const result = convert(model, {
        output: args.output,
        inputShape: args.inputShape,
        inputName: "input",
        outputName: "features",
        docString: args.source,
    });
    const [, h, w, c] = result.inputShape;
    const metadata = {
        input: {
            name: "input",
            layout: "NCHW",
            shape: [-1, c, h, w],
            channels: "RGB",
            range: [0, 1],
        },
        output: { name: "features", shape: result.outputShape },
        converted_from: { node: result.outputNode, source: args.source },
        sha256: crypto.createHash("sha256").update(result.onnx).digest("hex"),
    };
    for (const [path, data] of [
        [args.out, result.onnx],
        [`${args.out}.json`, Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`)],
    ] as const) {
        fs.writeFileSync(`${path}.tmp`, data);
        fs.renameSync(`${path}.tmp`, path);
    }
    console.log(
        `tfjs2onnx: wrote ${args.out} (${result.onnx.length} bytes, ${result.nodeCount} nodes): input NHWC [${result.inputShape.join(",")}], output [${result.outputShape.join(",")}]`,
    );
}

try {
    main();
} catch (e) {
    console.error(`tfjs2onnx: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
}
