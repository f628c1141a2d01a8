// Adding and renaming classes of an existing project, with Azure's three choices for the work
// already done, each explained in words (PATCH /projects/{id} {"labels","rename","on_new_labels"}).
import type { ApiClient } from "../../../client/api_client";
import type { OnNewLabels, Project } from "../../../schema/api";
import { applyLabelChanges, kLabelChoices } from "../../../schema/label_changes";
import { normalizeLabels } from "../../../schema/labels";
import { errorBox, h, replaceChildren } from "../../dom";

export function labelEditor(
    client: ApiClient,
    project: Project,
    onSaved: (p: Project) => void,
): HTMLElement {
    const renames = new Map<string, string>();
    const renameRows = project.label_list.map((entry, i) => {
        const id = `rename-${i}`;
        const input = h("input", { id, value: entry.name, "data-path": entry.path });
        input.addEventListener("input", () => renames.set(entry.path, input.value));
        return h(
            "li",
            { style: `margin-left:${entry.depth * 1.2}rem` },
            h("label", { for: id, class: "muted" }, `${entry.path} → `),
            input,
        );
    });
    const added = h("input", { id: "add-classes", placeholder: "Other, Unknown" });
    const choices = kLabelChoices.map((c, i) =>
        h(
            "label",
            { class: "choice" },
            h("input", {
                type: "radio",
                name: "on-new-labels",
                value: c.value,
                checked: i === 0,
            }),
            h("strong", {}, c.title),
            h("span", { class: "muted" }, ` — ${c.detail}`),
        ),
    );
    const status = h("div", { role: "status", "data-testid": "labels-status" });
    const form = h(
        "form",
        { class: "wizard-form", "aria-label": "Change label classes" },
        h(
            "fieldset",
            { class: "types" },
            h("legend", {}, "Rename classes"),
            h("ul", { class: "plain" }, renameRows),
        ),
        h(
            "div",
            { class: "field" },
            h("label", { for: "add-classes" }, "Add classes (comma-separated)"),
            added,
        ),
        h(
            "fieldset",
            { class: "types" },
            h("legend", {}, "What happens to the work already done?"),
            h(
                "p",
                { class: "muted" },
                "Renaming keeps every answer (the names change in place). Renaming and starting " +
                    "over need the project paused first.",
            ),
            choices,
        ),
        h("div", {}, h("button", { type: "submit", class: "primary" }, "Save classes")),
        status,
    );
    form.addEventListener("submit", (e) => {
        e.preventDefault();
        const checked = form.querySelector<HTMLInputElement>("input[name=on-new-labels]:checked");
        const choice = (checked?.value ?? "continue") as OnNewLabels;
        const changes = applyLabelChanges(
            normalizeLabels(project.labels),
            renames,
            added.value.split(","),
        );
        if (typeof changes === "string") {
            replaceChildren(status, errorBox(changes));
            return;
        }
        void client
            .patchProject(project.id, {
                labels: changes.labels,
                rename: changes.rename,
                on_new_labels: choice,
            })
            .then((r) => {
                if (r.ok) {
                    onSaved(r.value);
                } else {
                    replaceChildren(status, errorBox(r.error.message));
                }
            });
    });
    return h(
        "section",
        { class: "card", "aria-labelledby": "details-labels" },
        h("h2", { id: "details-labels" }, "Label classes"),
        form,
    );
}
