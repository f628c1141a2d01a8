// The create wizard's data and rules, kept apart from the DOM so they can be tested.
import type { ApiError } from "../../../client/result";
import type {
    AzureBlobDatastore,
    DatasourcePreview,
    ImportAs,
    LabelSpec,
    ManifestFormat,
    ManifestPreview,
    NewProject,
    TaskType,
} from "../../../schema/api";
import { trimLabelTree, validateLabelTree } from "../../../schema/labels";
import { parseIntervalMinutes } from "../../../schema/refresh";
import { safeUrl } from "../../markdown";
import type { AzureForm, FieldProblem } from "./azure_form";
import {
    azureDatasource,
    azureDatastore,
    azureProblems,
    datastoreScope,
    emptyAzureForm,
} from "./azure_form";

export const kSteps = ["details", "data", "labels", "instructions", "review"] as const;
export type Step = (typeof kSteps)[number];

export const kStepTitles: Record<Step, string> = {
    details: "Project details",
    data: "Data",
    labels: "Label classes",
    instructions: "Instructions",
    review: "Review & create",
};

export const kPatternExamples = ["**/*.*", "photos/**", "*.png"];

/**
 * One Azure datastore name mapped onto a server folder or an Azure Blob container (a row of the
 * manifest's Data page).
 */
export interface DatastoreRow {
    name: string;
    kind: "folder" | "azure";
    path: string;
    azure: AzureForm;
}

export function emptyDatastoreRow(): DatastoreRow {
    return { name: "", kind: "folder", path: "", azure: emptyAzureForm() };
}

export interface WizardState {
    name: string;
    taskType: TaskType;
    /**
     * Where the images come from: every image of a folder or of an Azure Blob container, or
     * those a manifest lists.
     */
    source: "folder" | "azure" | "manifest";
    path: string;
    pattern: string;
    itemLimit: string;
    /** Incremental refresh of a folder, as the dashboard's refresh card edits it later. */
    refreshEnabled: boolean;
    refreshMinutes: string;
    labels: LabelSpec[];
    instructionsText: string;
    instructionsUrl: string;
    /** The server's count for `path` + `pattern`, set when the Data page was checked. */
    preview: DatasourcePreview | null;
    manifestFormat: ManifestFormat;
    /** Column names; "" for an optional one left out. */
    mapping: { image: string; category: string; confidence: string };
    importAs: ImportAs;
    datastores: DatastoreRow[];
    /** The manifest's columns and first rows, once read. */
    manifestPreview: ManifestPreview | null;
    azure: AzureForm;
    /** The Data page's problems with one input each, shown next to it. */
    fieldProblems: FieldProblem[];
    /** The server's refusal of the last Create, shown next to the input it names. */
    serverError: ApiError | null;
}

export function emptyWizard(): WizardState {
    return {
        name: "",
        taskType: "multiclass",
        path: "",
        pattern: "**/*.*",
        itemLimit: "",
        refreshEnabled: false,
        refreshMinutes: "60",
        labels: [],
        instructionsText: "",
        instructionsUrl: "",
        preview: null,
        source: "folder",
        manifestFormat: "csv",
        mapping: { image: "", category: "", confidence: "" },
        importAs: "prelabel",
        datastores: [],
        manifestPreview: null,
        azure: emptyAzureForm(),
        fieldProblems: [],
        serverError: null,
    };
}

/** The manifest format a file name suggests (the MLTable file or its folder: mltable). */
export function manifestFormatFor(path: string): ManifestFormat {
    const lower = path.trim().toLowerCase();
    if (lower.endsWith(".jsonl") || lower.endsWith(".json")) {
        return "jsonl";
    }
    if (lower.endsWith(".csv") || lower.endsWith(".tsv") || lower.endsWith(".txt")) {
        return "csv";
    }
    return "mltable";
}

/** Takes the server's guess into the mapping, keeping what the user already chose. */
export function applyManifestPreview(s: WizardState, preview: ManifestPreview): void {
    s.manifestPreview = preview;
    const known = (c: string): boolean => preview.columns.includes(c);
    s.mapping = {
        image: known(s.mapping.image) ? s.mapping.image : preview.guess.image,
        category: known(s.mapping.category) ? s.mapping.category : preview.guess.category,
        confidence: known(s.mapping.confidence) ? s.mapping.confidence : preview.guess.confidence,
    };
}

/** Where a datastore's references are read from, as the review page shows it. */
export function datastoreText(row: DatastoreRow): string {
    if (row.kind === "folder") {
        return `${row.name.trim()} → ${row.path.trim()}`;
    }
    const a = row.azure;
    const prefix = a.prefix.trim() === "" ? "" : `/${a.prefix.trim()}`;
    return `${row.name.trim()} → ${a.accountUrl.trim()} / ${a.container.trim()}${prefix} (Azure Blob)`;
}

/** The problems of datastore row `index` (`names`: those of the rows before it). */
function datastoreProblems(row: DatastoreRow, index: number, names: Set<string>): string[] {
    const out: string[] = [];
    const name = row.name.trim();
    if (name === "" || name.includes("/")) {
        out.push("Each datastore needs a name without '/'.");
    } else if (names.has(name)) {
        out.push(`The datastore ${name} is mapped twice.`);
    }
    names.add(name);
    if (row.kind === "azure") {
        const shown = name || "(unnamed)";
        out.push(
            ...azureProblems(row.azure, datastoreScope(index, name)).map(
                (p) => `Datastore ${shown}: ${p.message}`,
            ),
        );
    } else if (!row.path.trim().startsWith("/")) {
        out.push(`Enter the full path of the folder for datastore ${name || "(unnamed)"}.`);
    }
    return out;
}

function manifestProblems(s: WizardState): string[] {
    const out: string[] = [];
    if (s.path.trim() === "") {
        out.push("Enter the manifest file (or MLTable folder).");
    } else if (!s.path.trim().startsWith("/")) {
        out.push("Enter the manifest's full path on the server, starting with /.");
    }
    if (s.mapping.image.trim() === "") {
        out.push("Choose the column that holds the image.");
    }
    const names = new Set<string>();
    s.datastores.forEach((row, i) => {
        out.push(...datastoreProblems(row, i, names));
    });
    out.push(...itemLimitProblems(s));
    return out;
}

function itemLimitProblems(s: WizardState): string[] {
    return s.itemLimit.trim() !== "" && !/^[1-9]\d{0,11}$/.test(s.itemLimit.trim())
        ? ["The item limit must be a positive whole number."]
        : [];
}

/** The Data page's problems with one Azure input each, shown next to that input. */
export function dataFieldProblems(s: WizardState): FieldProblem[] {
    if (s.source === "azure") {
        return azureProblems(s.azure);
    }
    if (s.source === "manifest") {
        return s.datastores.flatMap((row, i) =>
            row.kind === "azure" ? azureProblems(row.azure, datastoreScope(i, row.name)) : [],
        );
    }
    return [];
}

/** Problems that keep the user on `step`; empty when they may go on. */
export function validateStep(step: Step, s: WizardState): string[] {
    switch (step) {
        case "details":
            return s.name.trim() === ""
                ? ["Enter a project name."]
                : s.name.trim().length > 100
                  ? ["Project names are at most 100 characters."]
                  : [];
        case "data": {
            if (s.source === "manifest") {
                return manifestProblems(s);
            }
            if (s.source === "azure") {
                return [
                    ...azureProblems(s.azure).map((p) => p.message),
                    ...itemLimitProblems(s),
                    ...refreshProblems(s),
                ];
            }
            const out: string[] = [];
            if (s.path.trim() === "") {
                out.push("Enter the folder that holds the images.");
            } else if (!s.path.trim().startsWith("/")) {
                out.push("Enter the folder's full path on the server, starting with /.");
            }
            if (s.pattern.split("/").includes("..") || s.pattern.startsWith("/")) {
                out.push("The pattern must be relative and must not contain '..'.");
            }
            out.push(...itemLimitProblems(s));
            out.push(...refreshProblems(s));
            return out;
        }
        case "labels":
            return validateLabelTree(s.labels);
        case "instructions":
            return s.instructionsUrl.trim() !== "" && safeUrl(s.instructionsUrl.trim()) === null
                ? ["The instructions URL must start with http:// or https://."]
                : [];
        case "review":
            return kSteps.filter((x) => x !== "review").flatMap((x) => validateStep(x, s));
    }
}

function refreshProblems(s: WizardState): string[] {
    if (!s.refreshEnabled) {
        return [];
    }
    const interval = parseIntervalMinutes(s.refreshMinutes);
    return interval.ok ? [] : [interval.message];
}

export function toNewProject(s: WizardState): NewProject {
    const spec: NewProject = {
        name: s.name.trim(),
        task_type: s.taskType,
        labels: trimLabelTree(s.labels),
        instructions: { text: s.instructionsText, url: s.instructionsUrl.trim() },
        datasource:
            s.source === "manifest"
                ? manifestDatasource(s)
                : s.source === "azure"
                  ? azureDatasource(s.azure)
                  : {
                        kind: "local",
                        path: s.path.trim(),
                        pattern: s.pattern.trim() === "" ? "**/*.*" : s.pattern.trim(),
                    },
    };
    if (s.itemLimit.trim() !== "") {
        spec.item_limit = Number(s.itemLimit.trim());
    }
    const interval = parseIntervalMinutes(s.refreshMinutes);
    if (s.source !== "manifest" && s.refreshEnabled && interval.ok) {
        spec.refresh = { enabled: true, interval_s: interval.seconds };
    }
    return spec;
}

function manifestDatasource(s: WizardState): NewProject["datasource"] {
    const mapping: { image: string; category?: string; confidence?: string } = {
        image: s.mapping.image.trim(),
    };
    if (s.mapping.category.trim() !== "") {
        mapping.category = s.mapping.category.trim();
    }
    if (s.mapping.confidence.trim() !== "") {
        mapping.confidence = s.mapping.confidence.trim();
    }
    const datastores: Record<string, string | AzureBlobDatastore> = {};
    for (const row of s.datastores) {
        datastores[row.name.trim()] =
            row.kind === "azure" ? azureDatastore(row.azure) : row.path.trim();
    }
    return {
        kind: "manifest",
        path: s.path.trim(),
        format: s.manifestFormat,
        mapping,
        import_as: s.importAs,
        datastores,
    };
}

/** The page whose inputs a server error is about, so it is shown next to them. */
export function stepForError(e: ApiError): Step {
    const field = (e.field ?? "").toLowerCase();
    if (field.startsWith("name") || field.startsWith("task_type") || e.code === "conflict") {
        return "details";
    }
    if (
        field.startsWith("datasource") ||
        field.startsWith("path") ||
        field.startsWith("pattern") ||
        field.startsWith("item_limit") ||
        field.startsWith("refresh")
    ) {
        return "data";
    }
    if (field.startsWith("labels")) {
        return "labels";
    }
    if (field.startsWith("instructions")) {
        return "instructions";
    }
    // A folder outside the allowed roots comes back as permission_denied without a field.
    if (e.code === "permission_denied" && /path|folder|root|director/i.test(e.message)) {
        return "data";
    }
    return "review";
}

/** The Data page's line about what the server found; `pattern` as the user typed it. */
export function previewText(p: DatasourcePreview, pattern: string): string {
    const shown = pattern.trim() === "" ? "**/*.*" : pattern.trim();
    const n = p.count.toLocaleString("en-US");
    if (p.scan_limited === true) {
        return `At least ${n} images in ${p.path} match ${shown} (the preview stopped early in this large folder; the import looks at every file).`;
    }
    if (p.count === 0) {
        return `No images in ${p.path} match ${shown}.`;
    }
    if (p.capped) {
        return `At least ${n} images in ${p.path} match ${shown}.`;
    }
    return p.count === 1
        ? `1 image in ${p.path} matches ${shown}.`
        : `${n} images in ${p.path} match ${shown}.`;
}
