// Label tree helpers shared by the create wizard (editing a tree) and the labeling page
// (flattened list with keys). Mirrors server/src/domain/label_tree.cpp: depth-first display
// order, the first nine nodes get keys 1-9, at most six levels, no '/' in names.
import type { LabelEntry, LabelSpec } from "./api";

export const kMaxLabelDepth = 6;
export const kMaxLabelNameLength = 100;
export const kMaxKeyedLabels = 9;

/** Where a node sits in a tree: child indexes from the roots down. */
export type TreePath = readonly number[];

export function flattenLabels(roots: readonly LabelSpec[]): LabelEntry[] {
    const out: LabelEntry[] = [];
    const walk = (nodes: readonly LabelSpec[], prefix: string, depth: number): void => {
        for (const node of nodes) {
            const path = prefix === "" ? node.name : `${prefix}/${node.name}`;
            const key = out.length < kMaxKeyedLabels ? out.length + 1 : null;
            out.push({ path, name: node.name, depth, key });
            walk(node.children ?? [], path, depth + 1);
        }
    };
    walk(roots, "", 0);
    return out;
}

/** The API accepts plain strings for leaf labels; normalise to objects. */
export function normalizeLabels(labels: readonly (LabelSpec | string)[]): LabelSpec[] {
    return labels.map((l) =>
        typeof l === "string"
            ? { name: l }
            : { name: l.name, children: normalizeLabels(l.children ?? []) },
    );
}

/** The label with keyboard key `key`, if any. */
export function labelForKey(list: readonly LabelEntry[], key: number): LabelEntry | undefined {
    return list.find((l) => l.key === key);
}

/** Last path segment: what a chip shows for "Animal/Cat". */
export function leafName(path: string): string {
    const i = path.lastIndexOf("/");
    return i < 0 ? path : path.slice(i + 1);
}

function hasControlCharacter(s: string): boolean {
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c < 0x20 || c === 0x7f) {
            return true;
        }
    }
    return false;
}

/** Returns an error message for a bad name, or null. */
export function validateLabelName(name: string): string | null {
    const trimmed = name.trim();
    if (trimmed === "") {
        return "Label names cannot be empty.";
    }
    if (trimmed.includes("/")) {
        return "Label names cannot contain '/'.";
    }
    if (hasControlCharacter(trimmed)) {
        return "Label names cannot contain control characters.";
    }
    if (new TextEncoder().encode(trimmed).length > kMaxLabelNameLength) {
        return `Label names are at most ${kMaxLabelNameLength} bytes.`;
    }
    return null;
}

/** Every problem in a tree (empty tree, bad names, duplicate siblings, too deep). */
export function validateLabelTree(roots: readonly LabelSpec[]): string[] {
    const problems: string[] = [];
    if (roots.length === 0) {
        problems.push("Add at least one label class.");
    }
    const walk = (nodes: readonly LabelSpec[], depth: number, where: string): void => {
        const seen = new Set<string>();
        for (const node of nodes) {
            const nameError = validateLabelName(node.name);
            const label = node.name.trim() === "" ? "(empty)" : node.name.trim();
            if (nameError !== null) {
                problems.push(`${where}${label}: ${nameError}`);
            }
            const folded = node.name.trim().toLowerCase();
            if (seen.has(folded)) {
                problems.push(`${where}${label}: duplicate name among its siblings.`);
            }
            seen.add(folded);
            if (depth > kMaxLabelDepth) {
                problems.push(
                    `${where}${label}: labels can be at most ${kMaxLabelDepth} levels deep.`,
                );
            }
            walk(node.children ?? [], depth + 1, `${where}${label}/`);
        }
    };
    walk(roots, 1, "");
    return problems;
}

/** Trims every name; the wizard sends this form. */
export function trimLabelTree(roots: readonly LabelSpec[]): LabelSpec[] {
    return roots.map((n) => ({ name: n.name.trim(), children: trimLabelTree(n.children ?? []) }));
}

// Immutable edits addressed by TreePath. Invalid paths leave the tree unchanged.

function updateAt(
    nodes: readonly LabelSpec[],
    at: TreePath,
    fn: (siblings: LabelSpec[], index: number) => LabelSpec[],
): LabelSpec[] {
    const [head, ...rest] = at;
    if (head === undefined || head < 0 || head >= nodes.length) {
        return [...nodes];
    }
    if (rest.length === 0) {
        return fn([...nodes], head);
    }
    return nodes.map((n, i) =>
        i === head ? { ...n, children: updateAt(n.children ?? [], rest, fn) } : n,
    );
}

export function addRootLabel(roots: readonly LabelSpec[], name: string): LabelSpec[] {
    return [...roots, { name, children: [] }];
}

/** Depth of the node at `at` (1 for a root). */
export function depthOf(at: TreePath): number {
    return at.length;
}

export function canAddChild(at: TreePath): boolean {
    return depthOf(at) < kMaxLabelDepth;
}

export function addChildLabel(
    roots: readonly LabelSpec[],
    at: TreePath,
    name: string,
): LabelSpec[] {
    if (!canAddChild(at)) {
        return [...roots];
    }
    return updateAt(roots, at, (siblings, i) => {
        const node = siblings[i];
        if (node !== undefined) {
            siblings[i] = { ...node, children: [...(node.children ?? []), { name, children: [] }] };
        }
        return siblings;
    });
}

export function renameLabel(roots: readonly LabelSpec[], at: TreePath, name: string): LabelSpec[] {
    return updateAt(roots, at, (siblings, i) => {
        const node = siblings[i];
        if (node !== undefined) {
            siblings[i] = { ...node, name };
        }
        return siblings;
    });
}

export function removeLabel(roots: readonly LabelSpec[], at: TreePath): LabelSpec[] {
    return updateAt(roots, at, (siblings, i) => {
        siblings.splice(i, 1);
        return siblings;
    });
}

/** Each node with its TreePath, in display order: what the tree editor renders. */
export function walkWithPaths(
    roots: readonly LabelSpec[],
): { node: LabelSpec; at: TreePath; entry: LabelEntry }[] {
    const entries = flattenLabels(roots);
    const out: { node: LabelSpec; at: TreePath; entry: LabelEntry }[] = [];
    const walk = (nodes: readonly LabelSpec[], prefix: TreePath): void => {
        nodes.forEach((node, i) => {
            const at = [...prefix, i];
            const entry = entries[out.length];
            if (entry !== undefined) {
                out.push({ node, at, entry });
            }
            walk(node.children ?? [], at);
        });
    };
    walk(roots, []);
    return out;
}
