// The create wizard's data and rules, kept apart from the DOM so they can be tested.
import type { ApiError } from "../../../client/result";
import type { DatasourcePreview, LabelSpec, NewProject, TaskType } from "../../../schema/api";
import { trimLabelTree, validateLabelTree } from "../../../schema/labels";
import { safeUrl } from "../../markdown";

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

export interface WizardState {
    name: string;
    taskType: TaskType;
    path: string;
    pattern: string;
    itemLimit: string;
    labels: LabelSpec[];
    instructionsText: string;
    instructionsUrl: string;
    /** The server's count for `path` + `pattern`, set when the Data page was checked. */
    preview: DatasourcePreview | null;
}

export function emptyWizard(): WizardState {
    return {
        name: "",
        taskType: "multiclass",
        path: "",
        pattern: "**/*.*",
        itemLimit: "",
        labels: [],
        instructionsText: "",
        instructionsUrl: "",
        preview: null,
    };
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
            const out: string[] = [];
            if (s.path.trim() === "") {
                out.push("Enter the folder that holds the images.");
            } else if (!s.path.trim().startsWith("/")) {
                out.push("Enter the folder's full path on the server, starting with /.");
            }
            if (s.pattern.split("/").includes("..") || s.pattern.startsWith("/")) {
                out.push("The pattern must be relative and must not contain '..'.");
            }
            if (s.itemLimit.trim() !== "" && !/^[1-9]\d{0,11}$/.test(s.itemLimit.trim())) {
                out.push("The item limit must be a positive whole number.");
            }
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

export function toNewProject(s: WizardState): NewProject {
    const spec: NewProject = {
        name: s.name.trim(),
        task_type: s.taskType,
        labels: trimLabelTree(s.labels),
        instructions: { text: s.instructionsText, url: s.instructionsUrl.trim() },
        datasource: {
            kind: "local",
            path: s.path.trim(),
            pattern: s.pattern.trim() === "" ? "**/*.*" : s.pattern.trim(),
        },
    };
    if (s.itemLimit.trim() !== "") {
        spec.item_limit = Number(s.itemLimit.trim());
    }
    return spec;
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
        field.startsWith("item_limit")
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
