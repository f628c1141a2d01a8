// The Data page for a manifest source (docs/formats/manifests.md): the manifest's path and
// format, the column mapping read from the server's preview (image required, category and
// confidence optional), how its labels are imported, and the Azure datastores its references
// name mapped onto server folders or Azure Blob containers (the Azure source's fields).
import type { ApiClient } from "../../../client/api_client";
import type { ImportAs, ManifestFormat } from "../../../schema/api";
import { h, replaceChildren } from "../../dom";
import { folderBrowser } from "./folder_browser";
import { datastoreScope } from "./azure_form";
import { azureFields } from "./azure_section";
import { field, input, itemLimitField, radioChoice, switchedFieldset } from "./form_fields";
import type { DatastoreRow, WizardState } from "./wizard_state";
import { applyManifestPreview, emptyDatastoreRow, manifestFormatFor } from "./wizard_state";

const kFormats: [ManifestFormat, string][] = [
    ["csv", "CSV (header row; , ; or tab)"],
    ["jsonl", "JSON Lines"],
    ["mltable", "Azure MLTable (folder or MLTable file)"],
];

function select(
    id: string,
    options: [string, string][],
    value: string,
    set: (v: string) => void,
): HTMLSelectElement {
    const el = h(
        "select",
        {
            id,
            onchange: (e: Event) => {
                set((e.target as HTMLSelectElement).value);
            },
        },
        options.map(([v, label]) => h("option", { value: v }, label)),
    );
    el.value = value;
    return el;
}

/** The mapping dropdowns and the first rows, once the columns are known. */
function mappingPanel(s: WizardState): HTMLElement {
    const preview = s.manifestPreview;
    if (preview === null) {
        return h("p", { class: "hint" }, "Read the columns to map them.");
    }
    const columns: [string, string][] = preview.columns.map((c) => [c, c]);
    const optional: [string, string][] = [["", "(none)"], ...columns];
    const table = h(
        "table",
        { class: "manifest-rows" },
        h(
            "thead",
            {},
            h(
                "tr",
                {},
                preview.columns.map((c) => h("th", {}, c)),
            ),
        ),
        h(
            "tbody",
            {},
            preview.rows.map((row) =>
                h(
                    "tr",
                    {},
                    row.map((cell) => h("td", {}, cell)),
                ),
            ),
        ),
    );
    return h(
        "div",
        { "data-testid": "manifest-mapping" },
        preview.files.length > 1
            ? h("p", { class: "hint" }, `Files: ${preview.files.join(", ")}`)
            : null,
        field(
            "p-map-image",
            "Image (required)",
            select("p-map-image", [["", "(choose)"], ...columns], s.mapping.image, (v) => {
                s.mapping.image = v;
            }),
        ),
        field(
            "p-map-category",
            "Category (optional)",
            select("p-map-category", optional, s.mapping.category, (v) => {
                s.mapping.category = v;
            }),
            "Labels: one, or several for multi-label (a list or a comma-separated cell).",
        ),
        field(
            "p-map-confidence",
            "Confidence (optional)",
            select("p-map-confidence", optional, s.mapping.confidence, (v) => {
                s.mapping.confidence = v;
            }),
        ),
        preview.rows.length === 0 ? h("p", { class: "muted" }, "The manifest has no rows.") : table,
    );
}

/** Row `i`: its name, where it is (a server folder or an Azure container) and a remove button. */
function datastoreRow(
    s: WizardState,
    row: DatastoreRow,
    i: number,
    redraw: () => void,
): HTMLElement {
    const n = i + 1;
    const folder = (): HTMLElement =>
        field(
            `p-ds-path-${i}`,
            `Datastore ${n} folder on the server`,
            input(`p-ds-path-${i}`, row.path, (v) => (row.path = v), {
                placeholder: "/data/blobs",
            }),
        );
    const azure = (): HTMLElement =>
        h("div", {}, azureFields(s, row.azure, datastoreScope(i, row.name), false));
    return h(
        "fieldset",
        { class: "field datastore", "data-testid": `datastore-${i}` },
        h("legend", {}, `Datastore ${n}`),
        field(
            `p-ds-name-${i}`,
            `Datastore ${n} name`,
            input(`p-ds-name-${i}`, row.name, (v) => (row.name = v), {
                placeholder: "workspaceblobstore",
                spellcheck: "false",
            }),
        ),
        switchedFieldset<DatastoreRow["kind"]>(
            `Datastore ${n} is`,
            `p-ds-kind-${i}`,
            [
                ["folder", "A folder on the server"],
                ["azure", "An Azure Blob Storage container"],
            ],
            () => row.kind,
            (value) => (row.kind = value),
            (value) => (value === "azure" ? azure() : folder()),
        ),
        h(
            "button",
            {
                type: "button",
                onclick: () => {
                    s.datastores.splice(i, 1);
                    redraw();
                },
            },
            `Remove datastore ${n}`,
        ),
    );
}

function datastoreRows(s: WizardState, redraw: () => void): HTMLElement {
    return h(
        "div",
        { class: "field" },
        h("p", {}, "Datastores"),
        h(
            "p",
            { class: "hint" },
            "References like azureml://…/datastores/NAME/paths/… or AmlDatastore://NAME/… are read from the server folder or the Azure Blob container you map NAME to.",
        ),
        s.datastores.map((row, i) => datastoreRow(s, row, i, redraw)),
        h(
            "button",
            {
                type: "button",
                onclick: () => {
                    s.datastores.push(emptyDatastoreRow());
                    redraw();
                },
            },
            "Add datastore",
        ),
    );
}

export function manifestSection(s: WizardState, client: ApiClient): HTMLElement {
    const status = h("p", { class: "preview muted", role: "status", "data-testid": "preview" });
    const mapping = h("div", {});
    const datastores = h("div", {});
    const redrawMapping = (): void => {
        replaceChildren(mapping, mappingPanel(s));
    };
    const redrawDatastores = (): void => {
        replaceChildren(datastores, datastoreRows(s, redrawDatastores));
    };
    let asked = 0;
    const readColumns = (): void => {
        const path = s.path.trim();
        if (!path.startsWith("/")) {
            status.textContent = "Enter the manifest's full path, starting with /.";
            status.className = "preview error";
            return;
        }
        const ticket = ++asked;
        status.textContent = "Reading the manifest…";
        status.className = "preview muted";
        void client.previewManifest(path, s.manifestFormat).then((r) => {
            if (ticket !== asked) {
                return;
            }
            if (r.ok) {
                applyManifestPreview(s, r.value);
                status.textContent = `${r.value.columns.length} columns in ${r.value.path}.`;
                status.className = "preview ok";
            } else {
                s.manifestPreview = null;
                status.textContent = r.error.message;
                status.className = "preview error";
            }
            redrawMapping();
        });
    };
    const format = select("p-format", kFormats, s.manifestFormat, (v) => {
        s.manifestFormat = v as ManifestFormat;
        s.manifestPreview = null;
        redrawMapping();
    });
    const path = input(
        "p-path",
        s.path,
        (v) => {
            s.path = v;
            s.manifestFormat = manifestFormatFor(v);
            format.value = s.manifestFormat;
            s.manifestPreview = null;
            redrawMapping();
        },
        { placeholder: "/data/exports/labels.csv", "aria-describedby": "p-path-hint p-roots" },
    );
    const rootsLine = h("p", { class: "hint", id: "p-roots" });
    const browser = folderBrowser(client, rootsLine, (picked) => {
        path.value = picked;
        s.path = picked;
        s.manifestFormat = "mltable";
        format.value = "mltable";
        path.focus();
    });
    const importAs = (value: ImportAs, label: string): HTMLElement =>
        radioChoice("p-import-as", value, label, s.importAs === value, () => {
            s.importAs = value;
        });
    redrawMapping();
    redrawDatastores();
    return h(
        "div",
        {},
        field(
            "p-path",
            "Manifest on the server",
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
            "The full path of a CSV or JSONL file, or of an MLTable folder (Browse picks folders).",
        ),
        rootsLine,
        browser.panel,
        field("p-format", "Format", format),
        h(
            "p",
            {},
            h("button", { type: "button", class: "primary", onclick: readColumns }, "Read columns"),
        ),
        status,
        mapping,
        h(
            "fieldset",
            { class: "field" },
            h("legend", {}, "Import labels as"),
            importAs("prelabel", "Prelabels: labelers confirm or fix them"),
            importAs("final", "Final labels: only unlabeled images are queued"),
        ),
        datastores,
        itemLimitField(s.itemLimit, (v) => (s.itemLimit = v)),
    );
}
