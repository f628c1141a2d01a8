// A tiny element builder: enough to keep views declarative without a framework.

type Child = Node | string | number | null | undefined | false;
type Handler = (e: Event) => void;
export type Attrs = Record<string, string | number | boolean | Handler | null | undefined>;

/** `on*` attributes become listeners; `true` booleans set the attribute, false/null skip it. */
export function h<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs: Attrs = {},
    ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
        if (value === null || value === undefined || value === false) {
            continue;
        }
        if (typeof value === "function") {
            el.addEventListener(name.slice(2).toLowerCase(), value);
        } else if (
            name === "value" &&
            (el instanceof HTMLInputElement ||
                el instanceof HTMLTextAreaElement ||
                el instanceof HTMLSelectElement)
        ) {
            el.value = String(value);
        } else {
            el.setAttribute(name, value === true ? "" : String(value));
        }
    }
    append(el, children);
    return el;
}

function append(el: Node, children: (Child | Child[])[]): void {
    for (const c of children) {
        if (Array.isArray(c)) {
            append(el, c);
        } else if (c instanceof Node) {
            el.appendChild(c);
        } else if (c !== null && c !== undefined && c !== false) {
            el.appendChild(document.createTextNode(String(c)));
        }
    }
}

export function replaceChildren(el: Element, ...children: (Child | Child[])[]): void {
    el.replaceChildren();
    append(el, children);
}

/** A status line that screen readers announce. */
export function errorBox(message: string): HTMLElement {
    return h("p", { class: "error", role: "alert" }, message);
}

export function formatCount(n: number): string {
    return n.toLocaleString("en-US");
}
