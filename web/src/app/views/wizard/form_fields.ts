// Labeled inputs shared by the wizard's Data page sections.
import { h } from "../../dom";

export function field(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
    return h(
        "div",
        { class: "field" },
        h("label", { for: id }, label),
        control,
        hint === undefined ? null : h("p", { class: "hint", id: `${id}-hint` }, hint),
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
