// Project dashboard: status and controls, progress by state, label and labeler distributions,
// ingest jobs and exports. Kept live through SSE, polling every 5 s if that fails.
import { startDashboardFeed } from "../../client/dashboard_feed";
import type { Dashboard, Project } from "../../schema/api";
import { exportFormatsFor } from "../../schema/api";
import { leafName } from "../../schema/labels";
import { kProgressLabels, percentDone, progressSegments } from "../../schema/progress";
import type { AppContext, Unmount } from "../context";
import { errorBox, formatCount, h, replaceChildren } from "../dom";
import { importPanel } from "./import_panel";
import { mlPanel } from "./ml_panel";
import { uploadPanel } from "./upload_panel";
import type { RefreshPanel } from "./refresh_panel";
import { refreshPanel } from "./refresh_panel";
import { projectTabs } from "./project_tabs";
import { jobLine, taskTypeName } from "./widgets";

const kExportNames = {
    csv: "CSV",
    jsonl: "JSONL",
    mltable: "MLTable",
    coco: "COCO",
    "coco-azure": "COCO (Azure)",
    voc: "Pascal VOC",
    yolo: "YOLO",
    masks: "Masks (PNG)",
} as const;

function progressSection(d: Dashboard): HTMLElement {
    const p = d.progress;
    const pct = percentDone(p);
    const segments = progressSegments(p).filter((s) => s.count > 0);
    return h(
        "section",
        { class: "card", "aria-labelledby": "dash-progress" },
        h(
            "h2",
            { id: "dash-progress" },
            "Progress ",
            h("span", { class: "big", "data-testid": "percent" }, `${pct}%`),
        ),
        h(
            "div",
            {
                class: "stacked",
                role: "img",
                "aria-label": `${pct}% done: ${segments.map((s) => `${kProgressLabels[s.state]} ${s.count}`).join(", ")}`,
            },
            segments.map((s) =>
                h("span", {
                    class: `seg ${s.state}`,
                    style: `width:${s.percent}%`,
                    title: `${kProgressLabels[s.state]}: ${s.count}`,
                }),
            ),
        ),
        h(
            "ul",
            { class: "legend" },
            progressSegments(p).map((s) =>
                h(
                    "li",
                    {},
                    h("span", { class: `swatch ${s.state}` }),
                    `${kProgressLabels[s.state]}: `,
                    h("strong", {}, formatCount(s.count)),
                ),
            ),
            h("li", {}, "Total: ", h("strong", {}, formatCount(p.total))),
        ),
    );
}

function labelsSection(d: Dashboard): HTMLElement {
    const max = Math.max(1, ...d.labels.map((l) => l.count));
    return h(
        "section",
        { class: "card", "aria-labelledby": "dash-labels" },
        h("h2", { id: "dash-labels" }, "Label distribution"),
        d.labels.length === 0
            ? h("p", { class: "muted" }, "No labels yet.")
            : h(
                  "ul",
                  { class: "bars" },
                  d.labels.map((l) =>
                      h(
                          "li",
                          {},
                          h("span", { class: "bar-name", title: l.label }, leafName(l.label)),
                          h(
                              "span",
                              { class: "bar" },
                              h("span", { style: `width:${(l.count * 100) / max}%` }),
                          ),
                          h("span", { class: "bar-count" }, formatCount(l.count)),
                      ),
                  ),
              ),
    );
}

function labelersSection(d: Dashboard): HTMLElement {
    return h(
        "section",
        { class: "card", "aria-labelledby": "dash-labelers" },
        h("h2", { id: "dash-labelers" }, "Items per labeler"),
        d.labelers.length === 0
            ? h("p", { class: "muted" }, "Nobody has labeled yet.")
            : h(
                  "table",
                  {},
                  h(
                      "thead",
                      {},
                      h(
                          "tr",
                          {},
                          h("th", { scope: "col" }, "Labeler"),
                          h("th", { scope: "col" }, "Items"),
                      ),
                  ),
                  h(
                      "tbody",
                      {},
                      d.labelers.map((l) =>
                          h("tr", {}, h("td", {}, l.username), h("td", {}, formatCount(l.count))),
                      ),
                  ),
              ),
    );
}

function jobsSection(d: Dashboard): HTMLElement {
    return h(
        "section",
        { class: "card", "aria-labelledby": "dash-jobs" },
        h("h2", { id: "dash-jobs" }, "Jobs and imports"),
        d.jobs.length === 0
            ? h("p", { class: "muted" }, "No jobs.")
            : h(
                  "ul",
                  { class: "jobs" },
                  d.jobs.map((j) =>
                      h(
                          "li",
                          { class: `job ${j.state}`, "data-kind": j.kind },
                          h("span", {}, jobLine(j)),
                          j.progress_total > 0 && j.import === undefined
                              ? h("progress", {
                                    max: j.progress_total,
                                    value: j.progress_done,
                                    "aria-label": `${j.kind} job progress`,
                                })
                              : null,
                      ),
                  ),
              ),
    );
}

export function mountDashboard(main: HTMLElement, ctx: AppContext, id: number): Unmount {
    const head = h("div", { class: "page-head" }, h("h1", {}, "Loading…"));
    const status = h("div", { class: "status" });
    const figures = h("div", { class: "dash-grid" });
    const feedMode = h(
        "p",
        { class: "feed-mode muted", "data-testid": "feed-mode" },
        "Connecting…",
    );
    const importSlot = h("div", {});
    const refreshSlot = h("div", {});
    const owner = ctx.user.role === "owner";
    const ml = mlPanel(ctx.client, id, owner);
    replaceChildren(
        main,
        head,
        projectTabs(id, "dashboard"),
        status,
        figures,
        feedMode,
        ml.element,
        refreshSlot,
        importSlot,
    );
    let project: Project | null = null;
    let refresh: RefreshPanel | null = null;

    const renderHead = (p: Project): void => {
        const toggle = (action: "start" | "pause") => () => {
            const call =
                action === "start" ? ctx.client.startProject(id) : ctx.client.pauseProject(id);
            void call.then((r) => {
                if (r.ok) {
                    project = { ...p, ...r.value };
                    replaceChildren(status);
                    renderHead(project);
                } else {
                    replaceChildren(status, errorBox(r.error.message));
                }
            });
        };
        replaceChildren(
            head,
            h(
                "div",
                {},
                h("h1", {}, p.name),
                h(
                    "p",
                    { class: "muted" },
                    taskTypeName(p.task_type),
                    " · ",
                    h("span", { class: `badge ${p.status}`, "data-testid": "status" }, p.status),
                ),
                p.item_limit_reached
                    ? h(
                          "p",
                          { class: "notice", role: "status", "data-testid": "item-limit" },
                          `The folder holds more files than the item limit: only the first ` +
                              `${p.item_limit.toLocaleString()} (in sorted path order) were loaded.`,
                      )
                    : null,
            ),
            h(
                "div",
                { class: "actions" },
                owner && p.status !== "running"
                    ? h(
                          "button",
                          { type: "button", class: "primary", onclick: toggle("start") },
                          "Start",
                      )
                    : null,
                owner && p.status === "running"
                    ? h("button", { type: "button", onclick: toggle("pause") }, "Pause")
                    : null,
                // A draft has no queue yet: labeling starts once an owner starts the project.
                p.status === "draft"
                    ? h(
                          "span",
                          { class: "muted", "data-testid": "label-hint" },
                          owner ? "Start the project to label." : "Not started yet.",
                      )
                    : h(
                          "a",
                          { class: "button primary", href: `#/projects/${id}/label` },
                          "Label data",
                      ),
                owner
                    ? h(
                          "span",
                          { class: "exports", role: "group", "aria-label": "Export" },
                          h("span", { class: "muted", "aria-hidden": "true" }, "Export"),
                          exportFormatsFor(p.task_type).map((f) =>
                              h(
                                  "a",
                                  {
                                      class: "button secondary",
                                      href: ctx.client.exportUrl(id, f),
                                      download: "",
                                      "aria-label": `Export ${kExportNames[f]}`,
                                  },
                                  kExportNames[f],
                              ),
                          ),
                      )
                    : null,
            ),
        );
    };
    const renderFigures = (d: Dashboard): void => {
        refresh?.update(d);
        replaceChildren(
            figures,
            progressSection(d),
            labelsSection(d),
            labelersSection(d),
            jobsSection(d),
        );
    };

    void ctx.client.getProject(id).then((r) => {
        if (!r.ok) {
            replaceChildren(head, h("h1", {}, "Project"));
            replaceChildren(status, errorBox(r.error.message));
            return;
        }
        project = r.value;
        document.title = `${project.name} · Dashboard · Tessera`;
        renderHead(project);
        if (owner) {
            refresh = refreshPanel(ctx.client, project);
            replaceChildren(refreshSlot, refresh.element);
            replaceChildren(
                importSlot,
                uploadPanel(ctx.client, project),
                importPanel(ctx.client, project),
            );
        }
    });
    const stop = startDashboardFeed({
        url: ctx.client.eventsUrl(id),
        poll: () => ctx.client.dashboard(id),
        openEvents: typeof EventSource === "undefined" ? null : (url) => new EventSource(url),
        onData: renderFigures,
        onMode: (mode) => {
            feedMode.textContent = mode === "live" ? "● Live" : "Updating every 5 seconds";
        },
        setInterval: (fn, ms) => window.setInterval(fn, ms),
        clearInterval: (handle) => {
            window.clearInterval(handle as number);
        },
    });
    return () => {
        stop();
        ml.stop();
    };
}
