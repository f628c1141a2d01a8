// Labeled inputs shared by the wizard's Data page sections.
import { h } from "../../dom";

/**
 * A label, its control and an optional hint. `error` (a problem with this input, from the
 * browser's checks or the server's) is shown under it, and the control is marked invalid and
 * described by it.
 */
export function field(
    id: string,
    label: string,
    control: HTMLElement,
    hint?: string,
    error?: string,
): HTMLElement {
    if (error !== undefined) {
        control.setAttribute("aria-invalid", "true");
        const described = control.getAttribute("aria-describedby");
        control.setAttribute(
            "aria-describedby",
            described === null ? `${id}-error` : `${described} ${id}-error`,
        );
    }
    return h(
        "div",
        { class: "field" },
        h("label", { for: id }, label),
        control,
        hint === undefined ? null : h("p", { class: "hint", id: `${id}-hint` }, hint),
        error === undefined
            ? null
            : h(
                  "p",
                  { class: "error field-error", id: `${id}-error`, "data-testid": `${id}-error` },
                  error,
              ),
    );
}

export function input(
    id: string,
    value: string,
    set: (v: string) => void,
    extra: Record<string, string> = {},
): HTMLInputElement {
    return h("input", {
        id,
        value,
        autocomplete: "off",
        ...extra,
        oninput: (e: Event) => {
            set((e.target as HTMLInputElement).value);
        },
    });
}

/** The optional item limit, shared by every kind of source. */
export function itemLimitField(value: string, set: (v: string) => void): HTMLElement {
    return field(
        "p-limit",
        "Item limit (optional)",
        input("p-limit", value, set, { inputmode: "numeric", placeholder: "500000" }),
        "Ingest stops after this many images.",
    );
}
