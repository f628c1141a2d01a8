// The wizard's Data page: images from a folder (typed, or picked in a browser over the server's
// allowed roots) with a pattern and a live count from the server's dry run, from an Azure Blob
// container, or from a manifest.
import type { ApiClient } from "../../../client/api_client";
import { h } from "../../dom";
import type { WizardState } from "./wizard_state";
import { folderBrowser } from "./folder_browser";
import { azureSection } from "./azure_section";
import { field, input, itemLimitField, refreshFields, switchedFieldset } from "./form_fields";
import { manifestSection } from "./manifest_section";
import { kPatternExamples, previewText } from "./wizard_state";

const kPreviewDelayMs = 400;

function folderSection(s: WizardState, client: ApiClient): HTMLElement {
    const preview = h("p", { class: "preview muted", role: "status", "data-testid": "preview" });
    let timer: number | undefined;
    let asked = 0;
    const refresh = (): void => {
        s.preview = null;
        window.clearTimeout(timer);
        const path = s.path.trim();
        if (!path.startsWith("/")) {
            preview.textContent = "";
            return;
        }
        const ticket = ++asked;
        timer = window.setTimeout(() => {
            preview.textContent = "Counting images…";
            void client.previewDatasource(path, s.pattern.trim()).then((r) => {
                if (ticket !== asked) {
                    return; // the user typed on; a newer answer is coming
                }
                if (r.ok) {
                    s.preview = r.value;
                    preview.textContent = previewText(r.value, s.pattern);
                    preview.className = r.value.count === 0 ? "preview error" : "preview ok";
                } else {
                    preview.textContent = r.error.message;
                    preview.className = "preview error";
                }
            });
        }, kPreviewDelayMs);
    };

    const path = input(
        "p-path",
        s.path,
        (v) => {
            s.path = v;
            refresh();
        },
        { placeholder: "/data/images", "aria-describedby": "p-path-hint p-roots" },
    );
    const pattern = input(
        "p-pattern",
        s.pattern,
        (v) => {
            s.pattern = v;
            refresh();
        },
        { "aria-describedby": "p-pattern-hint" },
    );
    const rootsLine = h("p", { class: "hint", id: "p-roots" });
    const browser = folderBrowser(client, rootsLine, (picked) => {
        path.value = picked;
        s.path = picked;
        refresh();
        path.focus();
    });
    const examples = h(
        "p",
        { class: "hint" },
        "Examples: ",
        kPatternExamples.map((ex) =>
            h(
                "button",
                {
                    type: "button",
                    class: "chip-button",
                    "aria-label": `Use pattern ${ex}`,
                    onclick: () => {
                        pattern.value = ex;
                        s.pattern = ex;
                        refresh();
                    },
                },
                h("code", {}, ex),
            ),
        ),
    );
    refresh();
    return h(
        "div",
        {},
        field(
            "p-path",
            "Local folder on the server",
            h(
                "div",
                { class: "with-button" },
                path,
                h(
                    "button",
                    {
                        type: "button",
                        onclick: () => {
                            browser.open(s.path.trim());
                        },
                    },
                    "Browse…",
                ),
            ),
            "The full path, starting with /, of a folder inside one of the allowed roots.",
        ),
        rootsLine,
        browser.panel,
        field(
            "p-pattern",
            "File pattern (glob)",
            pattern,
            "** matches any number of folders, * any name part.",
        ),
        examples,
        preview,
        itemLimitField(s.itemLimit, (v) => (s.itemLimit = v)),
        refreshFields(s),
    );
}

export function dataPage(s: WizardState, client: ApiClient): HTMLElement {
    return switchedFieldset<WizardState["source"]>(
        "Images from",
        "p-source",
        [
            ["folder", "Every image in a folder"],
            ["azure", "Every image in an Azure Blob Storage container"],
            ["manifest", "A manifest (CSV, JSONL or Azure MLTable) listing images and labels"],
        ],
        () => s.source,
        (value) => (s.source = value),
        (value) =>
            value === "manifest"
                ? manifestSection(s, client)
                : value === "azure"
                  ? azureSection(s)
                  : folderSection(s, client),
    );
}
