// Renaming a project (PATCH /projects/{id} {"name"}); names in use or ever deleted are refused
// by the server with a message we show as is.
import type { ApiClient } from "../../../client/api_client";
import type { Project } from "../../../schema/api";
import { errorBox, h, replaceChildren } from "../../dom";

export function nameForm(
    client: ApiClient,
    project: Project,
    onSaved: (p: Project) => void,
): HTMLElement {
    const input = h("input", {
        id: "edit-name",
        value: project.name,
        maxlength: 100,
        required: true,
    });
    const status = h("div", { role: "status" });
    const form = h(
        "form",
        { class: "inline-form", "aria-label": "Rename project" },
        h("label", { for: "edit-name" }, "Project name "),
        input,
        " ",
        h("button", { type: "submit" }, "Rename"),
        status,
    );
    form.addEventListener("submit", (e) => {
        e.preventDefault();
        void client.patchProject(project.id, { name: input.value }).then((r) => {
            if (r.ok) {
                onSaved(r.value);
            } else {
                replaceChildren(status, errorBox(r.error.message));
            }
        });
    });
    return form;
}
