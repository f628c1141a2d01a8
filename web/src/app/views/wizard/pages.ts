// The wizard's pages. Each edits the shared state in place as the user types.
import { kTaskTypes } from "../../../schema/api";
import type { TaskType } from "../../../schema/api";
import { flattenLabels } from "../../../schema/labels";
import { intervalText, parseIntervalMinutes } from "../../../schema/refresh";
import { h, replaceChildren } from "../../dom";
import { renderMarkdown } from "../../markdown";
import { taskTypeName } from "../widgets";
import { labelEditor } from "./label_editor";
import type { WizardState } from "./wizard_state";
import { datastoreText, previewText } from "./wizard_state";

function field(id: string, label: string, input: HTMLElement, hint?: string): HTMLElement {
    return h(
        "div",
        { class: "field" },
        h("label", { for: id }, label),
        input,
        hint === undefined ? null : h("p", { class: "hint", id: `${id}-hint` }, hint),
    );
}

function text(
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

export function detailsPage(s: WizardState): HTMLElement {
    const types = h(
        "fieldset",
        { class: "types" },
        h("legend", {}, "Task type"),
        kTaskTypes.map((t: TaskType) =>
            h(
                "label",
                { class: "type" },
                h("input", {
                    type: "radio",
                    name: "task_type",
                    value: t,
                    checked: s.taskType === t,
                    onchange: () => {
                        s.taskType = t;
                    },
                }),
                h("span", {}, taskTypeName(t)),
            ),
        ),
    );
    return h(
        "div",
        {},
        field(
            "p-name",
            "Project name",
            text("p-name", s.name, (v) => (s.name = v), { maxlength: "100" }),
        ),
        types,
    );
}

export function labelsPage(s: WizardState): HTMLElement {
    return h(
        "div",
        {},
        h(
            "p",
            { class: "hint" },
            "Any label can be chosen, parents too. The first nine get the keys 1–9 on the labeling page.",
        ),
        labelEditor(s.labels, (labels) => {
            s.labels = labels;
        }),
    );
}

export function instructionsPage(s: WizardState): HTMLElement {
    const preview = h("div", { class: "markdown preview", "aria-live": "polite" });
    const update = (): void => {
        preview.innerHTML = renderMarkdown(s.instructionsText); // safe: renderMarkdown escapes all input
    };
    const area = h("textarea", {
        id: "p-instructions",
        rows: 12,
        value: s.instructionsText,
        placeholder: "# What to tag\n\nTag **every** image with its main colour.",
        oninput: (e: Event) => {
            s.instructionsText = (e.target as HTMLTextAreaElement).value;
            update();
        },
    });
    update();
    return h(
        "div",
        {},
        h(
            "div",
            { class: "split" },
            field(
                "p-instructions",
                "Instructions (Markdown: headings, **bold**, *italics*, lists, links, `code`)",
                area,
            ),
            h("section", { "aria-label": "Preview" }, h("h3", {}, "Preview"), preview),
        ),
        field(
            "p-url",
            "Link to full instructions (optional)",
            text("p-url", s.instructionsUrl, (v) => (s.instructionsUrl = v), {
                type: "url",
                placeholder: "https://",
            }),
        ),
    );
}

function dataRows(s: WizardState): [string, string][] {
    if (s.source === "manifest") {
        const m = s.mapping;
        return [
            ["Manifest", `${s.path.trim()} (${s.manifestFormat})`],
            [
                "Columns",
                `image: ${m.image}, category: ${m.category || "none"}, confidence: ${m.confidence || "none"}`,
            ],
            ["Labels import as", s.importAs === "final" ? "Final labels" : "Prelabels to review"],
            [
                "Datastores",
                s.datastores.length === 0 ? "None" : s.datastores.map(datastoreText).join(", "),
            ],
        ];
    }
    if (s.source === "azure") {
        const a = s.azure;
        return [
            ["Container", `${a.accountUrl.trim()} / ${a.container.trim()}`],
            ["Folder in the container", a.prefix.trim() === "" ? "All of it" : a.prefix.trim()],
            ["Pattern", a.pattern.trim() === "" ? "**/*.*" : a.pattern.trim()],
            ["Credential", a.credential === "sas_token" ? "SAS token" : "Account key"],
            ["Refresh", refreshText(s)],
        ];
    }
    return [
        ["Folder", s.path.trim()],
        ["Pattern", s.pattern.trim() === "" ? "**/*.*" : s.pattern.trim()],
        ["Images", s.preview === null ? "Not counted yet" : previewText(s.preview, s.pattern)],
        ["Refresh", refreshText(s)],
    ];
}

function refreshText(s: WizardState): string {
    const interval = parseIntervalMinutes(s.refreshMinutes);
    return s.refreshEnabled && interval.ok ? `On, ${intervalText(interval.seconds)}` : "Off";
}

export function reviewPage(s: WizardState): HTMLElement {
    const labels = flattenLabels(s.labels);
    const rows: [string, string][] = [
        ["Name", s.name.trim()],
        ["Task type", taskTypeName(s.taskType)],
        ...dataRows(s),
        ["Item limit", s.itemLimit.trim() === "" ? "Server default" : s.itemLimit.trim()],
        ["Labels", labels.map((l) => l.path).join(", ")],
        ["Instructions URL", s.instructionsUrl.trim() === "" ? "None" : s.instructionsUrl.trim()],
    ];
    const dl = h("dl", { class: "review" });
    replaceChildren(dl, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]).flat());
    // The instructions as labelers will see them, not a line count.
    const instructions = h("div", {
        class: "markdown preview",
        "data-testid": "review-instructions",
    });
    if (s.instructionsText.trim() === "") {
        instructions.textContent = "No instructions.";
    } else {
        instructions.innerHTML = renderMarkdown(s.instructionsText); // safe: escapes all input
    }
    return h(
        "div",
        {},
        dl,
        h(
            "section",
            { "aria-labelledby": "review-instructions-title" },
            h("h3", { id: "review-instructions-title" }, "Instructions"),
            instructions,
        ),
    );
}
