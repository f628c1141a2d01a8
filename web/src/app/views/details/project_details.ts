// Project details: datasources (no server secrets: the server hides paths from labelers), item
// counts, refresh status, where exports go, instructions, and the owner's edits (name,
// instructions, classes, pause/run, delete).
import type { Project } from "../../../schema/api";
import { exportFormatsFor } from "../../../schema/api";
import { kProgressLabels, progressSegments } from "../../../schema/progress";
import type { AppContext, Unmount } from "../../context";
import { errorBox, formatCount, h, replaceChildren } from "../../dom";
import { projectTabs } from "../project_tabs";
import { taskTypeName } from "../widgets";
import { deleteCard } from "./delete_project";
import { instructionsCard } from "./instructions_form";
import { labelEditor } from "./label_editor";
import { nameForm } from "./name_form";

function sourcesCard(p: Project): HTMLElement {
    const ds = p.datasource;
    return h(
        "section",
        { class: "card", "aria-labelledby": "details-sources" },
        h("h2", { id: "details-sources" }, "Data sources"),
        h(
            "dl",
            { class: "facts" },
            h("dt", {}, "Kind"),
            h("dd", {}, ds.kind),
            ds.path === "" ? null : [h("dt", {}, "Folder"), h("dd", {}, h("code", {}, ds.path))],
            ds.kind === "azure_blob"
                ? [
                      h("dt", {}, "Container"),
                      h(
                          "dd",
                          {},
                          h("code", {}, `${ds.account_url ?? ""}/${ds.container ?? ""}`),
                          ds.prefix ? [" under ", h("code", {}, ds.prefix)] : null,
                      ),
                      h("dt", {}, "Credential"),
                      h("dd", {}, ds.credential === "account_key" ? "Account key" : "SAS token"),
                  ]
                : null,
            h("dt", {}, "Pattern"),
            h("dd", {}, h("code", {}, ds.pattern)),
            h("dt", {}, "Item limit"),
            h("dd", {}, formatCount(p.item_limit), p.item_limit_reached ? " (reached)" : ""),
        ),
        h(
            "p",
            { class: "muted", "data-testid": "refresh-status" },
            "Incremental refresh: not set up for this project.",
        ),
    );
}

function countsCard(p: Project): HTMLElement {
    return h(
        "section",
        { class: "card", "aria-labelledby": "details-counts" },
        h("h2", { id: "details-counts" }, "Items"),
        h(
            "ul",
            { class: "legend" },
            progressSegments(p.progress).map((s) =>
                h("li", {}, `${kProgressLabels[s.state]}: `, h("strong", {}, formatCount(s.count))),
            ),
            h("li", {}, "Total: ", h("strong", {}, formatCount(p.progress.total))),
        ),
    );
}

function outputCard(ctx: AppContext, p: Project): HTMLElement {
    return h(
        "section",
        { class: "card", "aria-labelledby": "details-output" },
        h("h2", { id: "details-output" }, "Output"),
        h(
            "p",
            {},
            "Labels stay in Tessera's database; exports are downloaded from here or with " +
                "`tessera export` on the server, in these formats:",
        ),
        h(
            "ul",
            { class: "plain" },
            exportFormatsFor(p.task_type).map((f) =>
                h("li", {}, h("a", { href: ctx.client.exportUrl(p.id, f), download: "" }, f)),
            ),
        ),
    );
}

export function mountProjectDetails(main: HTMLElement, ctx: AppContext, id: number): Unmount {
    const owner = ctx.user.role === "owner";
    const status = h("div", { role: "status" });
    const render = (p: Project): void => {
        document.title = `${p.name} · Details · Tessera`;
        const toggle = (action: "start" | "pause") => () => {
            const call =
                action === "start" ? ctx.client.startProject(id) : ctx.client.pauseProject(id);
            void call.then((r) => {
                if (r.ok) {
                    render(r.value);
                } else {
                    replaceChildren(status, errorBox(r.error.message));
                }
            });
        };
        replaceChildren(
            main,
            h(
                "div",
                { class: "page-head" },
                h(
                    "div",
                    {},
                    h("h1", {}, p.name),
                    h(
                        "p",
                        { class: "muted" },
                        taskTypeName(p.task_type),
                        " · ",
                        h(
                            "span",
                            { class: `badge ${p.status}`, "data-testid": "status" },
                            p.status,
                        ),
                    ),
                ),
                h(
                    "div",
                    { class: "actions" },
                    owner && p.status !== "running"
                        ? h(
                              "button",
                              { type: "button", class: "primary", onclick: toggle("start") },
                              "Run",
                          )
                        : null,
                    owner && p.status === "running"
                        ? h("button", { type: "button", onclick: toggle("pause") }, "Pause")
                        : null,
                ),
            ),
            projectTabs(id, "details"),
            status,
            owner ? nameForm(ctx.client, p, render) : null,
            h(
                "div",
                { class: "dash-grid" },
                sourcesCard(p),
                countsCard(p),
                outputCard(ctx, p),
                instructionsCard(ctx.client, p, owner, render),
            ),
            owner ? labelEditor(ctx.client, p, render) : null,
            owner
                ? deleteCard(ctx.client, p, () => {
                      ctx.navigate({ name: "projects" });
                  })
                : null,
        );
    };
    replaceChildren(main, h("h1", {}, "Loading…"));
    void ctx.client.getProject(id).then((r) => {
        if (r.ok) {
            render(r.value);
        } else {
            replaceChildren(main, h("h1", {}, "Project"), errorBox(r.error.message));
        }
    });
    return () => undefined;
}
