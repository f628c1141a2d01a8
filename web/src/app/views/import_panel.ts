// The dashboard's import form (owners): pick or drop an annotation file, check the detected
// format, choose prelabels or final labels, and read the server's row report. Each import
// then shows in the project's job list, which is also its import history.
import type { ApiClient } from "../../client/api_client";
import type { ImportFormat, ImportMode, ImportReport, Project } from "../../schema/api";
import {
    detectImportFormat,
    importFormatsFor,
    kImportFormatNames,
} from "../../schema/import_format";
import { errorBox, formatCount, h, replaceChildren } from "../dom";
import { ImportOptionsForm } from "./import_options_form";

// The report lists this many unmatched rows and errors; the counts say how many there were.
const kShownRows = 100;
const kHeadBytes = 8192;

function rowsTable(caption: string, head: string[], rows: string[][]): HTMLElement {
    return h(
        "table",
        { class: "report-rows" },
        h("caption", {}, caption),
        h(
            "thead",
            {},
            h(
                "tr",
                {},
                head.map((c) => h("th", { scope: "col" }, c)),
            ),
        ),
        h(
            "tbody",
            {},
            rows.slice(0, kShownRows).map((r) =>
                h(
                    "tr",
                    {},
                    r.map((c) => h("td", {}, c)),
                ),
            ),
        ),
    );
}

function reportView(r: ImportReport): HTMLElement {
    const summary = r.applied
        ? `Imported: ${formatCount(r.matched)} image(s) matched, ${formatCount(r.unmatched.length)} not matched.`
        : `Nothing was imported: ${formatCount(r.errors.length)} row error(s). Fix them and import again.`;
    return h(
        "div",
        { class: r.applied ? "report ok" : "report failed", "data-testid": "import-report" },
        h("p", { class: r.applied ? "" : "error" }, summary),
        r.errors.length > 0
            ? rowsTable(
                  `Errors (${formatCount(r.errors.length)})`,
                  ["Row", "Problem"],
                  r.errors.map((e) => [String(e.row), e.message]),
              )
            : null,
        r.unmatched.length > 0
            ? rowsTable(
                  `Not matched to an image of the project (${formatCount(r.unmatched.length)})`,
                  ["Row", "Name", "Reason"],
                  r.unmatched.map((u) => [String(u.row), u.name, u.reason]),
              )
            : null,
        r.errors.length > kShownRows || r.unmatched.length > kShownRows
            ? h("p", { class: "hint" }, `Only the first ${kShownRows} rows of each list are shown.`)
            : null,
    );
}

export function importPanel(client: ApiClient, project: Project): HTMLElement {
    const taskType = project.task_type;
    let file: File | null = null;
    let busy = false;
    const formats = importFormatsFor(taskType);
    const options = new ImportOptionsForm(project.label_list.map((l) => l.path));
    const format = h(
        "select",
        {
            id: "imp-format",
            "aria-describedby": "imp-format-hint",
            onchange: () => {
                options.show(format.value as ImportFormat);
            },
        },
        formats.map((f) => h("option", { value: f }, kImportFormatNames[f])),
    );
    options.show(format.value as ImportFormat);
    const chosen = h("p", { class: "muted", "data-testid": "import-file" }, "No file chosen.");
    const result = h("div", { role: "status" });
    const submit = h("button", { type: "submit", class: "primary", disabled: true }, "Import");
    const picker = h("input", {
        type: "file",
        id: "imp-file",
        accept: ".json,.jsonl,.ndjson,.xml,.zip,.csv,.txt",
        onchange: () => {
            const f = picker.files?.[0];
            if (f !== undefined) {
                void choose(f);
            }
        },
    });
    const choose = async (f: File): Promise<void> => {
        file = f;
        const head = f.name.toLowerCase().endsWith(".zip")
            ? ""
            : await f.slice(0, kHeadBytes).text();
        format.value = detectImportFormat(f.name, head, taskType);
        options.show(format.value as ImportFormat);
        chosen.textContent = `${f.name} (${formatCount(f.size)} bytes)`;
        submit.disabled = busy;
        replaceChildren(result);
    };
    const drop = h(
        "div",
        {
            class: "drop-zone",
            ondragover: (e: Event) => {
                e.preventDefault();
                drop.classList.add("over");
            },
            ondragleave: () => {
                drop.classList.remove("over");
            },
            ondrop: (e: Event) => {
                e.preventDefault();
                drop.classList.remove("over");
                const f = (e as DragEvent).dataTransfer?.files[0];
                if (f !== undefined) {
                    void choose(f);
                }
            },
        },
        h("label", { for: "imp-file" }, "Drop an annotation file here, or choose one: "),
        picker,
        chosen,
    );
    const mode = (value: ImportMode, label: string, hint: string): HTMLElement =>
        h(
            "label",
            { class: "type" },
            h("input", { type: "radio", name: "imp-mode", value, checked: value === "prelabel" }),
            h("span", {}, label, h("span", { class: "hint" }, ` — ${hint}`)),
        );
    const form = h(
        "form",
        {
            class: "import-form",
            onsubmit: (e: Event) => {
                e.preventDefault();
                if (file === null || busy) {
                    return;
                }
                const problem = options.check();
                if (problem !== null) {
                    replaceChildren(result, errorBox(problem.message));
                    return;
                }
                const checked = form.querySelector<HTMLInputElement>(
                    "input[name=imp-mode]:checked",
                );
                busy = true;
                submit.disabled = true;
                submit.textContent = "Importing…";
                const upload = file;
                void client
                    .importFile(project.id, upload, {
                        format: format.value as ImportFormat,
                        mode: checked?.value === "final" ? "final" : "prelabel",
                        fileName: upload.name,
                        options: options.read(),
                    })
                    .then((r) => {
                        busy = false;
                        submit.disabled = false;
                        submit.textContent = "Import";
                        replaceChildren(
                            result,
                            r.ok ? reportView(r.value) : errorBox(r.error.message),
                        );
                    });
            },
        },
        drop,
        h(
            "div",
            { class: "field" },
            h("label", { for: "imp-format" }, "Format"),
            format,
            h(
                "p",
                { class: "hint", id: "imp-format-hint" },
                "Detected from the file; change it if it is wrong.",
            ),
        ),
        options.element,
        h(
            "fieldset",
            { class: "types" },
            h("legend", {}, "Import as"),
            mode("prelabel", "Prelabels", "shown to labelers to review and submit"),
            mode("final", "Final labels", "stored as the items' results, counted as labeled"),
        ),
        h("div", { class: "wizard-nav" }, submit),
        result,
    );
    return h(
        "section",
        { class: "card import", "aria-labelledby": "dash-import" },
        h("h2", { id: "dash-import" }, "Import annotations"),
        form,
    );
}
