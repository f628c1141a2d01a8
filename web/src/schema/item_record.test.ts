import { describe, expect, it } from "vitest";

import type { AnnotationVersion } from "./api";
import { formatTime, versionContent, versionLine } from "./item_record";

const kAt = Date.UTC(2026, 11, 8, 10, 2);

function version(over: Partial<AnnotationVersion>): AnnotationVersion {
    return { annotation_id: 1, source: "human", author: "lara", stored_at: kAt, ...over };
}

describe("item record lines", () => {
    it("says who answered what and when, and which answer counts", () => {
        expect(formatTime(kAt)).toBe("2026-12-08 10:02 UTC");
        expect(versionLine(version({ labels: ["Cat"], counts: true }))).toBe(
            "lara: Cat (2026-12-08 10:02 UTC); counts for the item",
        );
        expect(versionLine(version({ labels: [] }))).toBe("lara: no class (2026-12-08 10:02 UTC)");
    });

    it("counts shapes by class", () => {
        const shapes = [{ label: "RBC" }, { label: "WBC" }, { label: "RBC" }];
        expect(versionContent(version({ shapes }))).toBe("3 shapes: RBC ×2, WBC");
        expect(versionContent(version({ shapes: [] }))).toBe("no shapes");
    });

    it("names machine answers by where they came from", () => {
        expect(
            versionLine(
                version({
                    author: null,
                    source: "prelabel",
                    labels: ["Dog"],
                    ml_round_id: 3,
                    confidence: 0.9712,
                }),
            ),
        ).toBe("ML assist, round 3: Dog (2026-12-08 10:02 UTC); confidence 97.1%");
        expect(versionLine(version({ author: null, source: "import", labels: ["Dog"] }))).toBe(
            "import: Dog (2026-12-08 10:02 UTC)",
        );
    });

    it("says why and by whom an earlier version was replaced", () => {
        const later = kAt + 3 * 60_000;
        expect(
            versionLine(
                version({
                    labels: ["Cat"],
                    replaced_at: later,
                    replaced_by: "lara",
                    reason: "edited",
                }),
            ),
        ).toBe("lara: Cat (2026-12-08 10:02 UTC); changed by lara, 2026-12-08 10:05 UTC");
        expect(
            versionLine(
                version({
                    labels: ["Cat"],
                    replaced_at: later,
                    replaced_by: null,
                    reason: "restarted",
                }),
            ),
        ).toBe(
            "lara: Cat (2026-12-08 10:02 UTC); cleared when labeling started over, 2026-12-08 10:05 UTC",
        );
        expect(
            versionLine(
                version({
                    author: null,
                    source: "import",
                    labels: ["Cat"],
                    replaced_at: later,
                    replaced_by: "admin",
                    reason: "imported",
                }),
            ),
        ).toBe(
            "import: Cat (2026-12-08 10:02 UTC); replaced by an import by admin, 2026-12-08 10:05 UTC",
        );
    });
});
