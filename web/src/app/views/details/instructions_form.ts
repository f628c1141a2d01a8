// The details page's instructions: rendered as the labelers see them, with an edit form for
// owners (PATCH /projects/{id} {"instructions"}).
import type { ApiClient } from "../../../client/api_client";
import type { Project } from "../../../schema/api";
import { renderMarkdown } from "../../markdown";
import { errorBox, h, replaceChildren } from "../../dom";

export function instructionsCard(
    client: ApiClient,
    project: Project,
    owner: boolean,
    onSaved: (p: Project) => void,
): HTMLElement {
    const shown = h("div", { class: "instructions", "data-testid": "instructions" });
    shown.innerHTML = renderMarkdown(project.instructions.text); // safe: escapes all input
    const link =
        project.instructions.url === ""
            ? null
            : h(
                  "p",
                  {},
                  h(
                      "a",
                      { href: project.instructions.url, target: "_blank", rel: "noopener" },
                      "Detailed instructions",
                  ),
              );
    const card = h(
        "section",
        { class: "card", "aria-labelledby": "details-instructions" },
        h("h2", { id: "details-instructions" }, "Instructions"),
        project.instructions.text === "" && link === null
            ? h("p", { class: "muted" }, "No instructions yet.")
            : [shown, link],
    );
    if (owner) {
        card.append(editForm(client, project, onSaved));
    }
    return card;
}

function editForm(client: ApiClient, project: Project, onSaved: (p: Project) => void): HTMLElement {
    const text = h("textarea", { id: "edit-instructions-text", rows: 6 });
    text.value = project.instructions.text;
    const url = h("input", {
        id: "edit-instructions-url",
        type: "url",
        value: project.instructions.url,
        placeholder: "https://…",
    });
    const status = h("div", { role: "status" });
    const form = h(
        "form",
        { class: "wizard-form", "aria-label": "Edit instructions" },
        h(
            "div",
            { class: "field" },
            h("label", { for: "edit-instructions-text" }, "Instructions (Markdown)"),
            text,
        ),
        h(
            "div",
            { class: "field" },
            h("label", { for: "edit-instructions-url" }, "Link to detailed instructions"),
            url,
        ),
        h("div", {}, h("button", { type: "submit", class: "primary" }, "Save instructions")),
        status,
    );
    form.addEventListener("submit", (e) => {
        e.preventDefault();
        void client
            .patchProject(project.id, { instructions: { text: text.value, url: url.value.trim() } })
            .then((r) => {
                if (r.ok) {
                    onSaved(r.value);
                } else {
                    replaceChildren(status, errorBox(r.error.message));
                }
            });
    });
    return h("details", {}, h("summary", {}, "Edit instructions"), form);
}
