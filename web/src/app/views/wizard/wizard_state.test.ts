import { describe, expect, it } from "vitest";

import { emptyWizard, stepForError, toNewProject, validateStep } from "./wizard_state";

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
