import { describe, expect, it } from "vitest";

import { applyLabelChanges, kLabelChoices } from "./label_changes";

const tree = [
    { name: "Animal", children: [{ name: "Cat" }] },
    { name: "Car", children: [] },
];

describe("applyLabelChanges", () => {
    it("adds top-level classes and names renames by full path", () => {
        const out = applyLabelChanges(tree, new Map([["Animal/Cat", "Kitty"]]), ["Other", " "]);
        expect(out).toEqual({
            labels: [
                { name: "Animal", children: [{ name: "Kitty" }] },
                { name: "Car", children: [] },
                { name: "Other", children: [] },
            ],
            rename: { "Animal/Cat": "Animal/Kitty" },
        });
    });

    it("moves a renamed child under its renamed parent", () => {
        const out = applyLabelChanges(
            tree,
            new Map([
                ["Animal", "Beast"],
                ["Animal/Cat", "Kitty"],
            ]),
            [],
        );
        expect(typeof out === "string" ? out : out.rename).toEqual({
            Animal: "Beast",
            "Animal/Cat": "Beast/Kitty",
        });
    });

    it("refuses bad and clashing names", () => {
        expect(applyLabelChanges(tree, new Map(), ["car"])).toMatch(/already/);
        expect(applyLabelChanges(tree, new Map([["Car", "a/b"]]), [])).toMatch(/^Car: /);
    });

    it("explains the three choices", () => {
        expect(kLabelChoices.map((c) => c.value)).toEqual([
            "continue",
            "restart_keep",
            "restart_clear",
        ]);
    });
});
