// Labeled inputs shared by the wizard's Data page sections.
import { h, replaceChildren } from "../../dom";

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

/** Incremental refresh on or off and its interval; the dashboard's refresh card edits them later. */
export function refreshFields(s: { refreshEnabled: boolean; refreshMinutes: string }): HTMLElement {
    const minutes = input("p-refresh-minutes", s.refreshMinutes, (v) => (s.refreshMinutes = v), {
        inputmode: "numeric",
        "aria-describedby": "p-refresh-minutes-hint",
    });
    minutes.disabled = !s.refreshEnabled;
    const enabled = h("input", {
        type: "checkbox",
        id: "p-refresh-enabled",
        checked: s.refreshEnabled,
        onchange: (e: Event) => {
            s.refreshEnabled = (e.target as HTMLInputElement).checked;
            minutes.disabled = !s.refreshEnabled;
        },
    });
    return h(
        "fieldset",
        { class: "field" },
        h("legend", {}, "Incremental refresh"),
        h(
            "label",
            { class: "type" },
            enabled,
            h("span", {}, "Look for new and deleted files at regular intervals"),
        ),
        field(
            "p-refresh-minutes",
            "Every (minutes)",
            minutes,
            "At least 1 minute. New files are added; deleted ones mark their items missing.",
        ),
    );
}

/** One choice of a radio group (`name`): checked when `checked`, `onChoose` when picked. */
export function radioChoice(
    name: string,
    value: string,
    label: string,
    checked: boolean,
    onChoose: () => void,
): HTMLElement {
    return h(
        "label",
        { class: "radio" },
        h("input", { type: "radio", name, value, checked, onchange: onChoose }),
        " ",
        label,
    );
}

/**
 * A radio group (`legend`, `name`) and, below it, what the chosen option shows: `render(value)`,
 * drawn again when the choice changes. `current` and `choose` read and set the state it edits.
 */
export function switchedFieldset<T extends string>(
    legend: string,
    name: string,
    options: readonly (readonly [T, string])[],
    current: () => T,
    choose: (value: T) => void,
    render: (value: T) => HTMLElement,
): HTMLElement {
    const body = h("div", {});
    const show = (): void => {
        replaceChildren(body, render(current()));
    };
    show();
    return h(
        "div",
        {},
        h(
            "fieldset",
            { class: "field" },
            h("legend", {}, legend),
            options.map(([value, label]) =>
                radioChoice(name, value, label, current() === value, () => {
                    choose(value);
                    show();
                }),
            ),
        ),
        body,
    );
}
