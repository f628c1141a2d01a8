import { describe, expect, it } from "vitest";

import { fromEntries, fromInput, isImageName, runPool } from "./upload_files";
import type { EntryLike } from "./upload_files";

function fileEntry(fullPath: string): EntryLike & { file: (ok: (f: File) => void) => void } {
    const name = fullPath.split("/").pop() ?? fullPath;
    return {
        isFile: true,
        isDirectory: false,
        name,
        fullPath,
        file: (ok) => {
            ok(new File(["x"], name));
        },
    };
}

function dirEntry(fullPath: string, children: EntryLike[]): EntryLike {
    return {
        isFile: false,
        isDirectory: true,
        name: fullPath.split("/").pop() ?? fullPath,
        fullPath,
        createReader: () => {
            // Two batches, then an empty one, as Chromium hands them out.
            const batches = [children.slice(0, 1), children.slice(1), []];
            return {
                readEntries: (ok: (e: EntryLike[]) => void) => {
                    ok(batches.shift() ?? []);
                },
            };
        },
    } as EntryLike;
}

describe("upload files", () => {
    it("knows the server's image extensions", () => {
        expect(isImageName("a/B.JPG")).toBe(true);
        expect(isImageName("scan.dcm")).toBe(true);
        expect(isImageName("notes.txt")).toBe(false);
        expect(isImageName(".git/x.png")).toBe(false);
    });

    it("walks dropped folders and keeps their names", async () => {
        const picked = await fromEntries([
            dirEntry("/trip", [
                fileEntry("/trip/a.jpg"),
                dirEntry("/trip/day2", [
                    fileEntry("/trip/day2/b.png"),
                    fileEntry("/trip/day2/c.txt"),
                ]),
                dirEntry("/trip/.thumbs", [fileEntry("/trip/.thumbs/d.jpg")]),
            ]),
            fileEntry("/single.tif"),
        ]);
        expect(picked.map((p) => p.relativePath)).toEqual([
            "trip/a.jpg",
            "trip/day2/b.png",
            "single.tif",
        ]);
    });

    it("uses webkitRelativePath from a folder pick", () => {
        const f = new File(["x"], "a.jpg");
        Object.defineProperty(f, "webkitRelativePath", { value: "pets/a.jpg" });
        expect(fromInput([f, new File(["y"], "b.txt")]).map((p) => p.relativePath)).toEqual([
            "pets/a.jpg",
        ]);
    });

    it("runs a few at a time", async () => {
        let running = 0;
        let most = 0;
        const done: number[] = [];
        await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
            running++;
            most = Math.max(most, running);
            await Promise.resolve();
            await Promise.resolve();
            running--;
            done.push(n);
        });
        expect(most).toBe(3);
        expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });
});
