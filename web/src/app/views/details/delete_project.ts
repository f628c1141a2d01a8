// Deleting a project: the button stays disabled until the owner types the project's name.
import type { ApiClient } from "../../../client/api_client";
import type { Project } from "../../../schema/api";
import { errorBox, h, replaceChildren } from "../../dom";

export function deleteCard(
    client: ApiClient,
    project: Project,
    onDeleted: () => void,
): HTMLElement {
    const input = h("input", { id: "delete-confirm", autocomplete: "off" });
    const button = h(
        "button",
        { type: "submit", class: "danger", disabled: true },
        "Delete project",
    );
    input.addEventListener("input", () => {
        button.disabled = input.value !== project.name;
    });
    const status = h("div", { role: "status" });
    const form = h(
        "form",
        { class: "wizard-form", "aria-label": "Delete project" },
        h(
            "p",
            {},
            "Deleting removes the project and its labels for everyone. Its name stays reserved: " +
                "no new project can take it.",
        ),
        h(
            "div",
            { class: "field" },
            h("label", { for: "delete-confirm" }, `Type “${project.name}” to confirm`),
            input,
        ),
        h("div", {}, button),
        status,
    );
    form.addEventListener("submit", (e) => {
        e.preventDefault();
        if (input.value !== project.name) {
            return;
        }
        void client.deleteProject(project.id).then((r) => {
            if (r.ok) {
                onDeleted();
            } else {
                replaceChildren(status, errorBox(r.error.message));
            }
        });
    });
    return h(
        "section",
        { class: "card danger-zone", "aria-labelledby": "details-delete" },
        h("h2", { id: "details-delete" }, "Delete"),
        form,
    );
}
