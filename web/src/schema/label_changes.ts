// What the label editor sends when an owner changes a running project's classes: the new tree,
// the renames (old path → new path) and one of Azure's three choices, explained in words.
import type { LabelSpec, OnNewLabels } from "./api";
import { addRootLabel, renameLabel, validateLabelName, walkWithPaths } from "./labels";

export const kLabelChoices: readonly { value: OnNewLabels; title: string; detail: string }[] = [
    {
        value: "continue",
        title: "Continue, and keep all existing labels",
        detail:
            "Labeled items stay done. The new classes are available from now on, for the items " +
            "not labeled yet.",
    },
    {
        value: "restart_keep",
        title: "Start over, and keep all existing labels",
        detail:
            "Every labeled or skipped item goes back to the queue. Its current labels are shown " +
            "to the next labeler as pre-filled suggestions to confirm or fix.",
    },
    {
        value: "restart_clear",
        title: "Start over, and remove all existing labels",
        detail:
            "Every labeled or skipped item goes back to the queue with no labels at all. This " +
            "cannot be undone.",
    },
];

export interface LabelChanges {
    labels: LabelSpec[];
    rename: Record<string, string>;
}

/**
 * Applies renames (class path → new name of that class) and new top-level classes to `roots`.
 * Returns the problem as a string when a name is invalid or clashes.
 */
export function applyLabelChanges(
    roots: readonly LabelSpec[],
    renames: ReadonlyMap<string, string>,
    added: readonly string[],
): LabelChanges | string {
    let labels = [...roots];
    const rename: Record<string, string> = {};
    for (const { at, entry } of walkWithPaths(roots)) {
        const name = renames.get(entry.path)?.trim();
        if (name === undefined || name === "" || name === entry.name) {
            continue;
        }
        const problem = validateLabelName(name);
        if (problem !== null) {
            return `${entry.path}: ${problem}`;
        }
        labels = renameLabel(labels, at, name);
        const parent = entry.path.slice(0, entry.path.length - entry.name.length);
        rename[entry.path] = parent + name;
    }
    for (const raw of added) {
        const name = raw.trim();
        if (name === "") {
            continue;
        }
        const problem = validateLabelName(name);
        if (problem !== null) {
            return `${name}: ${problem}`;
        }
        if (labels.some((l) => l.name.toLowerCase() === name.toLowerCase())) {
            return `${name}: there already is a class with that name`;
        }
        labels = addRootLabel(labels, name);
    }
    // A parent renamed together with one of its children: the server moves the child with the
    // parent, so the child's own rename must start from its old full path and end under the
    // parent's new one.
    const sorted = Object.keys(rename).sort((a, b) => a.length - b.length);
    for (const from of sorted) {
        for (const child of sorted) {
            if (child !== from && child.startsWith(from + "/")) {
                const to = rename[child] ?? "";
                rename[child] = (rename[from] ?? from) + to.slice(from.length);
            }
        }
    }
    return { labels, rename };
}
