// Project list: progress at a glance, links to label and to the dashboard.
import type { Project } from "../../schema/api";
import type { AppContext, Unmount } from "../context";
import { errorBox, h, replaceChildren } from "../dom";
import { progressBar, taskTypeName } from "./widgets";

function row(p: Project): HTMLElement {
    return h(
        "tr",
        {},
        h("th", { scope: "row" }, h("a", { href: `#/projects/${p.id}` }, p.name)),
        h("td", {}, taskTypeName(p.task_type)),
        h("td", {}, h("span", { class: `badge ${p.status}` }, p.status)),
        h("td", {}, progressBar(p.progress, `Progress of ${p.name}`)),
        h(
            "td",
            { class: "actions" },
            // Drafts have no queue yet; they can be labeled once started.
            p.status === "draft"
                ? null
                : h(
                      "a",
                      {
                          class: "button",
                          href: `#/projects/${p.id}/label`,
                          "aria-label": `Label ${p.name}`,
                      },
                      "Label",
                  ),
            h(
                "a",
                {
                    class: "button secondary",
                    href: `#/projects/${p.id}`,
                    "aria-label": `Dashboard of ${p.name}`,
                },
                "Dashboard",
            ),
        ),
    );
}

export function mountProjects(main: HTMLElement, ctx: AppContext): Unmount {
    const body = h("div", {}, h("p", { class: "muted" }, "Loading projects…"));
    const owner = ctx.user.role === "owner";
    replaceChildren(
        main,
        h(
            "div",
            { class: "page-head" },
            h("h1", {}, "Projects"),
            owner
                ? h("a", { class: "button primary", href: "#/projects/new" }, "New project")
                : null,
        ),
        body,
    );
    void ctx.client.listProjects().then((r) => {
        if (!r.ok) {
            replaceChildren(body, errorBox(r.error.message));
            return;
        }
        const projects = r.value.projects;
        if (projects.length === 0) {
            replaceChildren(
                body,
                h(
                    "p",
                    { class: "empty" },
                    owner ? "No projects yet. Create one to start labeling." : "No projects yet.",
                ),
            );
            return;
        }
        replaceChildren(
            body,
            h(
                "table",
                { class: "projects" },
                h("caption", { class: "sr-only" }, "Projects"),
                h(
                    "thead",
                    {},
                    h(
                        "tr",
                        {},
                        ...["Name", "Type", "Status", "Progress", "Actions"].map((c) =>
                            h("th", { scope: "col" }, c),
                        ),
                    ),
                ),
                h("tbody", {}, projects.map(row)),
            ),
        );
    });
    return () => undefined;
}
