import { describe, expect, it } from "vitest";

import type { ActionTarget } from "./drawing_actions";
import { runDrawingAction } from "./drawing_actions";
import type { DrawingAction } from "./drawing_keys";
import { labelForKey } from "./drawing_side_panels";

/** A target that logs each call by name; `open` says whether an image is on screen. */
function target(open: boolean): { t: ActionTarget; log: string[] } {
    const log: string[] = [];
    const rec =
        (name: string) =>
        (...args: unknown[]): void => {
            log.push([name, ...args.map(String)].join(" "));
        };
    const t: ActionTarget = {
        ctl: {
            toggleLock: rec("lock"),
            toggleHideAll: rec("hideAll"),
            deleteSelected: rec("deleteSelected"),
            deleteAll: rec("deleteAll"),
        },
        image: () =>
            open
                ? {
                      doc: { undo: rec("undo"), redo: rec("redo"), select: rec("select") },
                      stage: { zoom: rec("zoom"), fit: rec("fit") },
                      cancelTool: rec("cancelTool"),
                  }
                : null,
        pickLabelKey: rec("label"),
        pickToolKey: rec("tool"),
        nudgeBrush: rec("brush"),
        showHelp: rec("help"),
        submit: rec("submit"),
        previous: rec("previous"),
    };
    return { t, log };
}

const run = (open: boolean, ...actions: DrawingAction[]): string[] => {
    const { t, log } = target(open);
    for (const a of actions) {
        runDrawingAction(a, t);
    }
    return log;
};

describe("runDrawingAction", () => {
    it("passes the page's actions on with their key or step", () => {
        expect(
            run(
                false,
                { kind: "label", key: 3 },
                { kind: "tool", key: "p" },
                { kind: "brush", delta: -2 },
                { kind: "help" },
                { kind: "submit" },
                { kind: "previous" },
            ),
        ).toEqual(["label 3", "tool p", "brush -2", "help", "submit", "previous"]);
    });

    it("undo first drops the shape being drawn", () => {
        expect(run(true, { kind: "undo" }, { kind: "redo" })).toEqual([
            "cancelTool",
            "undo",
            "redo",
        ]);
    });

    it("zooms by 1.25 and 0.8, fits, and Esc clears the selection", () => {
        expect(
            run(
                true,
                { kind: "zoomIn" },
                { kind: "zoomOut" },
                { kind: "fit" },
                { kind: "deselect" },
            ),
        ).toEqual(["zoom 1.25", "zoom 0.8", "fit", "select null"]);
    });

    it("the shape actions go to the controller; image actions need an image", () => {
        const actions: DrawingAction[] = [
            { kind: "lock" },
            { kind: "hide" },
            { kind: "deleteSelected" },
            { kind: "deleteAll" },
            { kind: "undo" },
            { kind: "zoomIn" },
        ];
        expect(run(false, ...actions)).toEqual(["lock", "hideAll", "deleteSelected", "deleteAll"]);
    });
});

describe("labelForKey", () => {
    it("finds the label bound to a digit, and none for an unbound one", () => {
        const labels = [
            { path: "Cat", name: "Cat", depth: 0, key: 1 },
            { path: "Dog", name: "Dog", depth: 0, key: null },
            { path: "Bird", name: "Bird", depth: 0, key: 3 },
        ];
        expect(labelForKey(labels, 3)?.path).toBe("Bird");
        expect(labelForKey(labels, 2)).toBeUndefined();
    });
});
