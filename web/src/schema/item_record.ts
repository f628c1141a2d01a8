// How an item's record (GET …/items/{item_id}) reads on the Data tab: each current answer and
// each earlier version as one line of words, oldest first.
import type { AnnotationVersion } from "./api";

/** What a version holds: its classes, or how many shapes of which classes. */
export function versionContent(v: AnnotationVersion): string {
    if (v.labels !== undefined) {
        return v.labels.length === 0 ? "no class" : v.labels.join(", ");
    }
    if (Array.isArray(v.shapes)) {
        const counts = new Map<string, number>();
        for (const shape of v.shapes) {
            const label =
                typeof shape === "object" && shape !== null && "label" in shape
                    ? String(shape.label)
                    : "?";
            counts.set(label, (counts.get(label) ?? 0) + 1);
        }
        const parts = [...counts].map(([label, n]) => (n === 1 ? label : `${label} ×${n}`));
        const total = v.shapes.length;
        return total === 0
            ? "no shapes"
            : `${total} shape${total === 1 ? "" : "s"}: ${parts.join(", ")}`;
    }
    return "–";
}

/** Who gave it: the labeler, or where a machine answer came from. */
export function versionAuthor(v: AnnotationVersion): string {
    if (v.author !== null) {
        return v.author;
    }
    switch (v.source) {
        case "prelabel":
            return v.ml_round_id === undefined
                ? "imported prelabel"
                : `ML assist, round ${v.ml_round_id}`;
        case "import":
            return "import";
        case "consensus":
            return "consensus";
        default:
            return "unknown";
    }
}

/** A time as "2026-12-08 10:02 UTC": the same for every reader of a shared screenshot. */
export function formatTime(ms: number): string {
    return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Why and by whom an earlier version was replaced. */
export function replacedNote(v: AnnotationVersion): string {
    const by = v.replaced_by ? ` by ${v.replaced_by}` : "";
    const at = v.replaced_at === undefined ? "" : `, ${formatTime(v.replaced_at)}`;
    switch (v.reason) {
        case "edited":
            return `changed${by}${at}`;
        case "imported":
            return `replaced by an import${by}${at}`;
        case "restarted":
            return `cleared when labeling started over${by}${at}`;
        default:
            return `replaced${by}${at}`;
    }
}

/** One line for a version: "lara: Cat (2026-12-08 10:02 UTC)", with a note where it has one. */
export function versionLine(v: AnnotationVersion): string {
    const head = `${versionAuthor(v)}: ${versionContent(v)} (${formatTime(v.stored_at)})`;
    const notes: string[] = [];
    if (v.counts === true) {
        notes.push("counts for the item");
    }
    if (v.source === "prelabel" && v.confidence !== undefined) {
        notes.push(`confidence ${(v.confidence * 100).toFixed(1)}%`);
    }
    if (v.reason !== undefined) {
        notes.push(replacedNote(v));
    }
    return notes.length === 0 ? head : `${head}; ${notes.join("; ")}`;
}
