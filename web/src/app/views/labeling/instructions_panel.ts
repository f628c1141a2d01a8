// The project's instructions beside the labeling grid (toggled by "Instructions" and I).
import type { Project } from "../../../schema/api";
import { h } from "../../dom";
import { renderMarkdown, safeUrl } from "../../markdown";

export function instructionsPanel(project: Project): HTMLElement {
    const panel = h(
        "aside",
        {
            id: "instructions-panel",
            class: "instructions-panel markdown",
            "aria-label": "Instructions",
            hidden: true,
        },
        h("h2", {}, "Instructions"),
    );
    const body = h("div", { class: "instructions-body" });
    body.innerHTML =
        project.instructions.text.trim() === ""
            ? "<p>No instructions were given.</p>"
            : renderMarkdown(project.instructions.text); // safe: escaped renderer
    panel.append(body);
    const url = safeUrl(project.instructions.url);
    if (url !== null) {
        panel.append(
            h(
                "p",
                {},
                h(
                    "a",
                    { href: url, target: "_blank", rel: "noopener noreferrer" },
                    "Full instructions ↗",
                ),
            ),
        );
    }
    return panel;
}
