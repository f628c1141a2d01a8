// Keyboard maps as data: one table per page, read both by the page's key handler (`resolveKey`)
// and by its "?" help dialog (`keys` and `help`), so the two can never disagree.

/** The parts of a KeyboardEvent a binding looks at (plain data, so tables test without a DOM). */
export interface KeyPress {
    readonly key: string;
    readonly ctrl: boolean;
    readonly shift: boolean;
    readonly alt: boolean;
}

export interface KeyBinding<A> {
    /** How the help dialog writes the keys, e.g. "Ctrl+Z". */
    readonly keys: string;
    readonly help: string;
    /** The action for this press, or null when the binding does not apply. */
    readonly match: (k: KeyPress) => A | null;
}

export function keyPress(e: KeyboardEvent): KeyPress {
    return { key: e.key, ctrl: e.ctrlKey || e.metaKey, shift: e.shiftKey, alt: e.altKey };
}

/** The first binding's action for `k`, or null. */
export function resolveKey<A>(table: readonly KeyBinding<A>[], k: KeyPress): A | null {
    for (const b of table) {
        const a = b.match(k);
        if (a !== null) {
            return a;
        }
    }
    return null;
}

const kNamedKeys = [
    "Enter",
    "Escape",
    "Backspace",
    "Delete",
    "Tab",
    " ",
    "ArrowLeft",
    "ArrowRight",
    "ArrowUp",
    "ArrowDown",
    "Home",
    "End",
    "PageUp",
    "PageDown",
];

/** Printable ASCII and the common named keys, with every modifier combination. */
export function everyKeyPress(): KeyPress[] {
    const keys = [...kNamedKeys];
    for (let c = 0x21; c < 0x7f; c++) {
        keys.push(String.fromCharCode(c));
    }
    const out: KeyPress[] = [];
    for (const key of keys) {
        for (let mods = 0; mods < 8; mods++) {
            out.push({
                key,
                ctrl: (mods & 1) !== 0,
                shift: (mods & 2) !== 0,
                alt: (mods & 4) !== 0,
            });
        }
    }
    return out;
}

/** The presses of `everyKeyPress` that two bindings of `table` act on (a sound table has none). */
export function keyClashes<A>(table: readonly KeyBinding<A>[]): string[] {
    return everyKeyPress()
        .filter((k) => table.filter((b) => b.match(k) !== null).length > 1)
        .map(
            (k) =>
                `${k.ctrl ? "Ctrl+" : ""}${k.alt ? "Alt+" : ""}${k.shift ? "Shift+" : ""}${k.key}`,
        );
}

/** Binds `keys` (case-insensitive for letters) without Ctrl or Alt. */
export function plain<A>(keys: readonly string[], action: A): (k: KeyPress) => A | null {
    const wanted = new Set(keys.map((s) => s.toLowerCase()));
    return (k) => (!k.ctrl && !k.alt && wanted.has(k.key.toLowerCase()) ? action : null);
}

/** Binds Ctrl (or Cmd) + `key`; `shift` must match exactly. */
export function withCtrl<A>(key: string, shift: boolean, action: A): (k: KeyPress) => A | null {
    return (k) =>
        k.ctrl && !k.alt && k.shift === shift && k.key.toLowerCase() === key.toLowerCase()
            ? action
            : null;
}

/** A line of the help dialog that no key handler acts on (mouse gestures, tool-local keys). */
export function helpOnly(): () => null {
    return () => null;
}

/** Keys typed into a field or pressed on an open dialog are not shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
    return (
        target instanceof HTMLInputElement ||
        target instanceof HTMLTextAreaElement ||
        target instanceof HTMLSelectElement
    );
}
