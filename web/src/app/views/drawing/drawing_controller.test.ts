import { describe, expect, it } from "vitest";

import { createTool } from "../../../canvas/tools/index";
import type { ToolHost } from "../../../canvas/tools/tool";
import { imagePoint } from "../../../geometry/point";
import type { Shape } from "../../../schema/shapes";
import { AnnotationDocument } from "../../../store/annotation_document";
import { DrawingController } from "./drawing_controller";

const kLabels = ["RBC", "WBC", "Platelets"];
const kSize = { width: 400, height: 300 };

function setup(): { doc: AnnotationDocument; ctl: DrawingController; host: ToolHost } {
    let n = 0;
    const newId = (): string => `s${++n}`;
    const doc = new AnnotationDocument();
    const ctl = new DrawingController(kLabels, newId);
    ctl.open(doc, kSize);
    const host: ToolHost = {
        doc,
        image: kSize,
        label: () => ctl.label,
        labels: () => kLabels,
        tolerance: () => 3,
        newId,
        templateSize: { w: 50, h: 50 },
        brushRadius: 4,
        notify: () => undefined,
    };
    return { doc, ctl, host };
}

function dragBox(host: ToolHost, x: number): void {
    const tool = createTool("box", host);
    tool.down(imagePoint(x, 10));
    tool.move(imagePoint(x + 40, 50));
    tool.up(imagePoint(x + 40, 50));
}

const box = (id: string, label: string, x: number): Shape => ({
    id,
    label,
    geometry: { kind: "box", box: { x, y: 0, w: 10, h: 10 } },
});

describe("DrawingController", () => {
    it("picking the next label never relabels the box just drawn (still selected)", () => {
        const { doc, ctl, host } = setup();
        for (const label of kLabels) {
            ctl.pickLabel(label);
            dragBox(host, 10 + 100 * kLabels.indexOf(label));
        }
        expect(doc.selected).not.toBeNull();
        expect(doc.shapes().map((s) => s.label)).toEqual(kLabels);
        expect(ctl.pickLabel("Nope")).toBe(false);
        expect(ctl.label).toBe("Platelets");
    });

    it("relabels only the named shape, as one undo step, and never a mask", () => {
        const { doc, ctl } = setup();
        doc.replaceAll([
            box("a", "RBC", 0),
            box("b", "RBC", 50),
            { id: "m", label: "WBC", geometry: { kind: "mask", runs: [0, 5] } },
        ]);
        expect(ctl.relabel("b", "WBC")).toBe(true);
        expect(doc.shapes().map((s) => s.label)).toEqual(["RBC", "WBC", "WBC"]);
        expect(ctl.relabel("m", "RBC")).toBe(false);
        expect(ctl.relabel("b", "Unknown")).toBe(false);
        expect(ctl.relabel("missing", "RBC")).toBe(false);
        doc.undo();
        expect(doc.get("b")?.label).toBe("RBC");
    });

    it("deletes the selection or everything, hides and locks", () => {
        const { doc, ctl } = setup();
        doc.replaceAll([box("a", "RBC", 0), box("b", "WBC", 50)]);
        expect(ctl.deleteSelected()).toBe(false);
        doc.select("a");
        expect(ctl.deleteSelected()).toBe(true);
        expect(doc.shapes().map((s) => s.id)).toEqual(["b"]);
        ctl.toggleHideAll();
        expect(ctl.allHidden).toBe(true);
        expect(doc.isHidden("b")).toBe(true);
        ctl.toggleLock();
        expect(doc.locked).toBe(true);
        ctl.deleteAll();
        expect(doc.size).toBe(0);
        doc.undo();
        expect(doc.size).toBe(1);
    });

    it("copies the previous image's shapes clamped to this one, masks only at equal size", () => {
        const { doc, ctl } = setup();
        expect(ctl.canCopyPrevious).toBe(false);
        const mask: Shape = {
            id: "mask:RBC",
            label: "RBC",
            geometry: { kind: "mask", runs: [0, 3] },
        };
        ctl.remember([box("a", "RBC", 395), mask], { width: 800, height: 600 });
        expect(ctl.canCopyPrevious).toBe(true);
        expect(ctl.copyPrevious()).toBe(1);
        const copied = doc.shapes()[0];
        expect(copied?.geometry).toEqual({ kind: "box", box: { x: 395, y: 0, w: 5, h: 10 } });
        expect(copied?.id).not.toBe("a");
        ctl.remember([mask], kSize);
        expect(ctl.copyPrevious()).toBe(1);
        expect(doc.get("mask:RBC")).toEqual(mask);
    });
});
