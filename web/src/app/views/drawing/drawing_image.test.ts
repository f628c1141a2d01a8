import { describe, expect, it } from "vitest";

import type { ApiResult } from "../../../client/result";
import { fail, ok } from "../../../client/result";
import type { Id, Item } from "../../../schema/api";
import type { ApiShape } from "../../../schema/shapes";
import { AnnotationDocument } from "../../../store/annotation_document";
import type { DraftStatus } from "./autosave";
import type { DraftDeps, ToolHostDeps, ToolSettings } from "./drawing_image";
import { autosaverFor, clampBrushRadius, kBrushRange, toolHost } from "./drawing_image";
import type { Opened } from "./drawing_session";
import { draftKey } from "./drawing_session";

const item: Item = {
    id: 9,
    name: "a.png",
    width: 640,
    height: 480,
    image_url: "",
    thumbnail_url: "",
};

describe("clampBrushRadius", () => {
    it("keeps [ and ] inside the brush slider's range", () => {
        expect(clampBrushRadius(0)).toBe(kBrushRange.min);
        expect(clampBrushRadius(66)).toBe(kBrushRange.max);
        expect(clampBrushRadius(10)).toBe(10);
    });
});

describe("toolHost", () => {
    const setup = (scale: number) => {
        const settings: ToolSettings = { templateSize: { w: 50, h: 50 }, brushRadius: 8 };
        const notes: string[] = [];
        let label: string | null = "Cat";
        const deps: ToolHostDeps = {
            settings,
            labels: ["Cat", "Dog"],
            label: () => label,
            newId: () => "s1",
            notify: (m) => notes.push(m),
        };
        const stage = { imagePixelsPerScreenPixel: scale };
        const host = toolHost(new AnnotationDocument(), item, stage, deps);
        return {
            host,
            settings,
            notes,
            stage,
            setLabel: (l: string | null) => {
                label = l;
            },
        };
    };

    it("converts the brush radius between screen and image pixels at the current zoom", () => {
        const { host, settings, stage } = setup(2);
        expect(host.brushRadius).toBe(16);
        host.brushRadius = 10;
        expect(settings.brushRadius).toBe(5);
        stage.imagePixelsPerScreenPixel = 0.5;
        expect(host.brushRadius).toBe(2.5);
        expect(host.tolerance()).toBe(3);
    });

    it("shares the template size and reads the label at each call", () => {
        const { host, settings, setLabel, notes } = setup(1);
        host.templateSize = { w: 20, h: 30 };
        expect(settings.templateSize).toEqual({ w: 20, h: 30 });
        expect(host.label()).toBe("Cat");
        setLabel("Dog");
        expect(host.label()).toBe("Dog");
        expect(host.labels()).toEqual(["Cat", "Dog"]);
        expect(host.image).toEqual({ width: 640, height: 480 });
        host.notify?.("too small");
        expect(notes).toEqual(["too small"]);
    });
});

describe("autosaverFor", () => {
    const setup = (saved: ApiResult<unknown>) => {
        const calls: { pid: Id; id: Id; shapes: readonly ApiShape[]; keepalive: boolean }[] = [];
        const storage = new Map<string, string>();
        const statuses: DraftStatus[] = [];
        const deps: DraftDeps = {
            client: {
                saveDraft: (pid, id, shapes, keepalive) => {
                    calls.push({ pid, id, shapes, keepalive: keepalive === true });
                    return Promise.resolve(saved);
                },
            },
            projectId: 3,
            storage: {
                getItem: (k) => storage.get(k) ?? null,
                setItem: (k, v) => storage.set(k, v),
                removeItem: (k) => storage.delete(k),
            },
            // The test flushes by hand.
            timers: { set: () => 1, clear: () => undefined },
            onStatus: (s) => statuses.push(s),
        };
        return { deps, calls, storage, statuses };
    };
    const leased: Opened = { kind: "leased", item, lease: "L" };

    it("drafts nothing for an earlier answer under review", () => {
        const { deps } = setup(ok(null));
        const review: Opened = { kind: "review", item, updatedAt: 1, shapes: [] };
        expect(autosaverFor(review, new AnnotationDocument(), deps)).toBeNull();
    });

    it("saves the document's shapes as the item's draft and reports the status", async () => {
        const { deps, calls, storage, statuses } = setup(ok(null));
        const doc = new AnnotationDocument();
        const saver = autosaverFor(leased, doc, deps);
        doc.replaceAll([
            { id: "a", label: "Cat", geometry: { kind: "box", box: { x: 1, y: 2, w: 3, h: 4 } } },
        ]);
        saver?.changed();
        expect(storage.has(draftKey(3, 9))).toBe(true);
        await saver?.flush(true);
        expect(calls).toEqual([
            {
                pid: 3,
                id: 9,
                shapes: [{ type: "box", id: "a", label: "Cat", x: 1, y: 2, w: 3, h: 4 }],
                keepalive: true,
            },
        ]);
        expect(statuses).toEqual(["changed", "saving", "saved"]);
        expect(storage.has(draftKey(3, 9))).toBe(false);
    });

    it("keeps the local copy when the server refuses", async () => {
        const { deps, storage, statuses } = setup(
            fail({ status: 503, code: "unavailable", message: "down" }),
        );
        const saver = autosaverFor(leased, new AnnotationDocument(), deps);
        saver?.changed();
        await saver?.flush(false);
        expect(statuses.at(-1)).toBe("failed");
        expect(storage.has(draftKey(3, 9))).toBe(true);
    });
});
