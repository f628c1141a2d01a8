import { describe, expect, it } from "vitest";

import {
    addChildLabel,
    addRootLabel,
    canAddChild,
    flattenLabels,
    labelForKey,
    leafName,
    normalizeLabels,
    removeLabel,
    renameLabel,
    validateLabelName,
    validateLabelTree,
    walkWithPaths,
} from "./labels";

const pets = [{ name: "Animal", children: [{ name: "Cat" }, { name: "Dog" }] }, { name: "Car" }];

describe("flattenLabels", () => {
    it("lists depth-first with paths, depths and keys", () => {
        expect(flattenLabels(pets)).toEqual([
            { path: "Animal", name: "Animal", depth: 0, key: 1 },
            { path: "Animal/Cat", name: "Cat", depth: 1, key: 2 },
            { path: "Animal/Dog", name: "Dog", depth: 1, key: 3 },
            { path: "Car", name: "Car", depth: 0, key: 4 },
        ]);
    });

    it("gives keys only to the first nine", () => {
        const many = Array.from({ length: 11 }, (_, i) => ({ name: `L${i}` }));
        const list = flattenLabels(many);
        expect(list[8]?.key).toBe(9);
        expect(list[9]?.key).toBeNull();
        expect(labelForKey(list, 9)?.path).toBe("L8");
        expect(labelForKey(list, 0)).toBeUndefined();
    });
});

describe("tree edits", () => {
    it("adds, renames and removes by position without mutating the input", () => {
        let tree = addRootLabel([], "Animal");
        tree = addChildLabel(tree, [0], "Cat");
        tree = addChildLabel(tree, [0, 0], "Kitten");
        const before = JSON.stringify(tree);
        const renamed = renameLabel(tree, [0, 0], "Feline");
        expect(JSON.stringify(tree)).toBe(before);
        expect(flattenLabels(renamed).map((l) => l.path)).toEqual([
            "Animal",
            "Animal/Feline",
            "Animal/Feline/Kitten",
        ]);
        expect(flattenLabels(removeLabel(renamed, [0, 0])).map((l) => l.path)).toEqual(["Animal"]);
    });

    it("ignores paths that do not exist", () => {
        const tree = addRootLabel([], "A");
        expect(removeLabel(tree, [3])).toEqual(tree);
        expect(renameLabel(tree, [0, 2], "x")).toEqual(tree);
    });

    it("stops at six levels", () => {
        expect(canAddChild([0, 0, 0, 0, 0])).toBe(true);
        expect(canAddChild([0, 0, 0, 0, 0, 0])).toBe(false);
        let tree = addRootLabel([], "L1");
        const at: number[] = [0];
        for (let depth = 2; depth <= 7; depth++) {
            tree = addChildLabel(tree, at, `L${depth}`);
            at.push(0);
        }
        expect(flattenLabels(tree).map((l) => l.depth)).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it("pairs every node with its position", () => {
        const walked = walkWithPaths(pets);
        expect(walked.map((w) => w.at)).toEqual([[0], [0, 0], [0, 1], [1]]);
        expect(walked[2]?.entry.path).toBe("Animal/Dog");
    });
});

describe("validation", () => {
    it("rejects empty, slashed and overlong names", () => {
        expect(validateLabelName("  ")).toMatch(/empty/);
        expect(validateLabelName("a/b")).toMatch(/'\/'/);
        expect(validateLabelName("x".repeat(101))).toMatch(/100/);
        expect(validateLabelName("Cat")).toBeNull();
    });

    it("reports duplicates among siblings case-insensitively and empty trees", () => {
        expect(validateLabelTree([])).toEqual(["Add at least one label class."]);
        const problems = validateLabelTree([{ name: "Cat" }, { name: "cat " }]);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/duplicate/);
        expect(validateLabelTree([{ name: "Cat", children: [{ name: "Cat" }] }])).toEqual([]);
    });
});

describe("helpers", () => {
    it("normalizes plain strings and finds leaf names", () => {
        expect(normalizeLabels(["A", { name: "B", children: ["C"] as never }])).toEqual([
            { name: "A" },
            { name: "B", children: [{ name: "C" }] },
        ]);
        expect(leafName("Animal/Cat")).toBe("Cat");
        expect(leafName("Car")).toBe("Car");
    });
});
