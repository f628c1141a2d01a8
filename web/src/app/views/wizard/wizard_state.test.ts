import { describe, expect, it } from "vitest";

import type { DatastoreRow } from "./wizard_state";
import {
    applyManifestPreview,
    dataFieldProblems,
    datastoreText,
    emptyDatastoreRow,
    emptyWizard,
    manifestFormatFor,
    previewText,
    stepForError,
    toNewProject,
    validateStep,
} from "./wizard_state";

describe("refresh at creation", () => {
    const folder = { ...emptyWizard(), name: "Pets", path: "/data", labels: [{ name: "Cat" }] };

    it("sends nothing while refresh is off", () => {
        expect(toNewProject(folder).refresh).toBeUndefined();
    });

    it("sends the interval in seconds when on", () => {
        const s = { ...folder, refreshEnabled: true, refreshMinutes: " 90 " };
        expect(validateStep("data", s)).toEqual([]);
        expect(toNewProject(s).refresh).toEqual({ enabled: true, interval_s: 5400 });
    });

    it("refuses an interval the server would refuse, and only when refresh is on", () => {
        const s = { ...folder, refreshEnabled: true, refreshMinutes: "0" };
        expect(validateStep("data", s)).toEqual(["The interval must be at least 1 minute."]);
        expect(validateStep("data", { ...s, refreshMinutes: "525601" })).toHaveLength(1);
        expect(validateStep("data", { ...s, refreshEnabled: false })).toEqual([]);
    });

    it("sends the server's refresh errors back to the Data page", () => {
        expect(
            stepForError({
                status: 400,
                code: "invalid_argument",
                message: "m",
                field: "refresh.interval_s",
            }),
        ).toBe("data");
    });
});

describe("validateStep", () => {
    it("requires a name, a folder, labels and a safe URL", () => {
        const s = emptyWizard();
        expect(validateStep("details", s)).toEqual(["Enter a project name."]);
        expect(validateStep("data", s)).toEqual(["Enter the folder that holds the images."]);
        expect(validateStep("labels", s)).toEqual(["Add at least one label class."]);
        s.instructionsUrl = "javascript:alert(1)";
        expect(validateStep("instructions", s)).toHaveLength(1);
        expect(validateStep("review", s)).toHaveLength(4);
    });

    it("accepts a complete state", () => {
        const s = {
            ...emptyWizard(),
            name: "Pets",
            path: "/data",
            labels: [{ name: "Cat" }],
            instructionsUrl: "https://x.org",
        };
        expect(validateStep("review", s)).toEqual([]);
    });

    it("wants an absolute folder", () => {
        const s = { ...emptyWizard(), path: "data/pets" };
        expect(validateStep("data", s)).toEqual([
            "Enter the folder's full path on the server, starting with /.",
        ]);
    });

    it("rejects escaping patterns and bad limits", () => {
        const s = { ...emptyWizard(), path: "/d", pattern: "../etc/*", itemLimit: "0" };
        expect(validateStep("data", s)).toHaveLength(2);
        s.pattern = "photos/**";
        s.itemLimit = "500";
        expect(validateStep("data", s)).toEqual([]);
    });
});

describe("toNewProject", () => {
    it("trims and fills defaults", () => {
        const s = {
            ...emptyWizard(),
            name: " Pets ",
            path: " /d ",
            pattern: " ",
            labels: [{ name: " Cat ", children: [] }],
        };
        expect(toNewProject(s)).toEqual({
            name: "Pets",
            task_type: "multiclass",
            labels: [{ name: "Cat", children: [] }],
            instructions: { text: "", url: "" },
            datasource: { kind: "local", path: "/d", pattern: "**/*.*" },
        });
        expect(toNewProject({ ...s, itemLimit: "20" }).item_limit).toBe(20);
    });
});

describe("stepForError", () => {
    it("sends errors to the page that owns the field", () => {
        expect(stepForError({ status: 409, code: "conflict", message: "name taken" })).toBe(
            "details",
        );
        expect(
            stepForError({
                status: 400,
                code: "invalid_argument",
                message: "x",
                field: "datasource.pattern",
            }),
        ).toBe("data");
        expect(
            stepForError({
                status: 403,
                code: "permission_denied",
                message: "path is outside the allowed roots",
            }),
        ).toBe("data");
        expect(
            stepForError({ status: 400, code: "invalid_argument", message: "x", field: "labels" }),
        ).toBe("labels");
        expect(stepForError({ status: 500, code: "internal", message: "boom" })).toBe("review");
    });
});

describe("previewText", () => {
    it("says how many images match, and 'at least' when the server stopped counting", () => {
        const p = { path: "/data/pets", count: 1234, capped: false, examples: [] };
        expect(previewText(p, "")).toBe("1,234 images in /data/pets match **/*.*.");
        expect(previewText({ ...p, count: 10000, capped: true }, "*.png")).toBe(
            "At least 10,000 images in /data/pets match *.png.",
        );
        expect(previewText({ ...p, count: 1 }, "a/*")).toBe("1 image in /data/pets matches a/*.");
        expect(previewText({ ...p, count: 0 }, "*.gif")).toBe(
            "No images in /data/pets match *.gif.",
        );
    });
    it("does not say 'no images' when the server stopped looking early", () => {
        const p = { path: "/big", count: 0, capped: true, scan_limited: true, examples: [] };
        expect(previewText(p, "*.gif")).toBe(
            "At least 0 images in /big match *.gif (the preview stopped early in this large folder; the import looks at every file).",
        );
    });
});

function folderRow(name: string, path: string): DatastoreRow {
    return { ...emptyDatastoreRow(), name, path };
}

const kKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

function azureRow(name: string): DatastoreRow {
    const row = { ...emptyDatastoreRow(), name, kind: "azure" as const };
    row.azure = {
        ...row.azure,
        accountUrl: "http://127.0.0.1:10000/devstoreaccount1",
        container: "exports",
        prefix: "run1",
        credential: "account_key",
        accountKey: ` ${kKey} `,
    };
    return row;
}

describe("manifest source", () => {
    const preview = {
        path: "/data/m/labels.csv",
        files: ["labels.csv"],
        read_format: "csv" as const,
        columns: ["Url", "Label", "Score"],
        rows: [["a.jpg", "Cat", "0.9"]],
        guess: { image: "Url", category: "Label", confidence: "" },
    };

    it("needs a manifest path, an image column and well-formed datastores", () => {
        const s = { ...emptyWizard(), source: "manifest" as const };
        expect(validateStep("data", s)).toEqual([
            "Enter the manifest file (or MLTable folder).",
            "Choose the column that holds the image.",
        ]);
        s.path = "/data/m/labels.csv";
        s.mapping = { image: "Url", category: "", confidence: "" };
        s.datastores = [folderRow("ds", "/data/blobs"), folderRow("ds", "blobs")];
        expect(validateStep("data", s)).toEqual([
            "The datastore ds is mapped twice.",
            "Enter the full path of the folder for datastore ds.",
        ]);
        s.datastores = [folderRow("ds", "/data/blobs")];
        expect(validateStep("data", s)).toEqual([]);
    });

    it("checks an Azure datastore with the Azure source's rules, naming its fields", () => {
        const s = { ...emptyWizard(), source: "manifest" as const, path: "/data/m.csv" };
        s.mapping = { image: "Url", category: "", confidence: "" };
        const row = azureRow("wsblobs");
        row.azure.container = "Not_A_Container";
        row.azure.accountKey = "";
        s.datastores = [folderRow("local", "/data/blobs"), row];
        const problems = validateStep("data", s);
        expect(problems).toHaveLength(2);
        expect(problems[0]).toMatch(/^Datastore wsblobs: Container names are 3-63/);
        expect(problems[1]).toBe("Datastore wsblobs: Enter the account key.");
        // Shown next to the inputs of row 2, whose fields the server names the same way.
        expect(dataFieldProblems(s).map((p) => p.field)).toEqual([
            "datasource.datastores.wsblobs.container",
            "datasource.datastores.wsblobs.account_key",
        ]);
        // A folder row keeps the Azure fields it was not switched to out of the checks.
        const local = folderRow("local", "/data/blobs");
        local.azure.container = "Bad_Name";
        s.datastores = [local, azureRow("wsblobs")];
        expect(validateStep("data", s)).toEqual([]);
        expect(dataFieldProblems(s)).toEqual([]);
    });

    it("takes the server's guess without overriding the user's choice", () => {
        const s = { ...emptyWizard(), source: "manifest" as const };
        s.mapping = { image: "", category: "Score", confidence: "gone" };
        applyManifestPreview(s, preview);
        expect(s.mapping).toEqual({ image: "Url", category: "Score", confidence: "" });
    });

    it("builds the manifest datasource the API takes", () => {
        const s = {
            ...emptyWizard(),
            name: "M",
            source: "manifest" as const,
            path: " /data/m/labels.csv ",
            manifestFormat: "csv" as const,
            mapping: { image: "Url", category: "Label", confidence: "" },
            importAs: "final" as const,
            datastores: [folderRow(" workspaceblobstore ", " /data/blobs "), azureRow(" blobs2 ")],
            labels: [{ name: "Cat" }],
        };
        expect(validateStep("review", s)).toEqual([]);
        expect(toNewProject(s).datasource).toEqual({
            kind: "manifest",
            path: "/data/m/labels.csv",
            format: "csv",
            mapping: { image: "Url", category: "Label" },
            import_as: "final",
            datastores: {
                workspaceblobstore: "/data/blobs",
                // The azure_blob datasource's object, with only the chosen credential and no
                // pattern: the rows name their blobs.
                blobs2: {
                    kind: "azure_blob",
                    account_url: "http://127.0.0.1:10000/devstoreaccount1",
                    container: "exports",
                    prefix: "run1",
                    account_key: kKey,
                },
            },
        });
    });

    it("says where each datastore is read from on the review page", () => {
        expect(datastoreText(folderRow("a", "/data/a"))).toBe("a → /data/a");
        expect(datastoreText(azureRow("b"))).toBe(
            "b → http://127.0.0.1:10000/devstoreaccount1 / exports/run1 (Azure Blob)",
        );
    });

    it("suggests the format from the path", () => {
        expect(manifestFormatFor("/d/a.JSONL")).toBe("jsonl");
        expect(manifestFormatFor("/d/a.csv")).toBe("csv");
        expect(manifestFormatFor("/d/table")).toBe("mltable");
        expect(manifestFormatFor("/d/table/MLTable")).toBe("mltable");
    });
});
