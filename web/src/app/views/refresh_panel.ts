// The dashboard's incremental refresh card (owners): refresh on or off, the interval, "Refresh
// now", when the last refresh finished, and the items whose file a refresh found gone.
import type { ApiClient } from "../../client/api_client";
import type { Dashboard, Id, Project, RefreshSettings } from "../../schema/api";
import { parseIntervalMinutes, refreshSummary } from "../../schema/refresh";
import { errorBox, formatCount, h, replaceChildren } from "../dom";

// The card lists this many missing files; the count says how many there are.
const kShownMissing = 20;

function formatTime(t: number): string {
    return new Date(t).toLocaleString("en-GB");
}

export interface RefreshPanel {
    element: HTMLElement;
    /** Called with each dashboard update: reloads when a refresh job has finished. */
    update(d: Dashboard): void;
}

export function refreshPanel(client: ApiClient, project: Project): RefreshPanel {
    const id: Id = project.id;
    let settings: RefreshSettings = project.refresh;
    let lastFinished: number | null = null;
    const summary = h("p", { "data-testid": "refresh-summary" });
    const status = h("div", { role: "status" });
    const missing = h("div", { "data-testid": "missing-items" });
    const enabled = h("input", { type: "checkbox", id: "refresh-enabled" });
    const minutes = h("input", {
        type: "number",
        id: "refresh-minutes",
        min: 1,
        step: 1,
        inputmode: "numeric",
        "aria-describedby": "refresh-minutes-hint",
    });

    const show = (): void => {
        summary.textContent = refreshSummary(settings, formatTime);
        enabled.checked = settings.enabled;
        minutes.value = String(Math.round(settings.interval_s / 60));
    };

    const loadMissing = (): void => {
        void client.listItemsWhere(id, { state: "missing", limit: kShownMissing }).then((r) => {
            if (!r.ok) {
                replaceChildren(missing, errorBox(r.error.message));
                return;
            }
            const items = r.value.items;
            replaceChildren(
                missing,
                items.length === 0
                    ? null
                    : h(
                          "details",
                          {},
                          h(
                              "summary",
                              {},
                              items.length < kShownMissing
                                  ? `Files no longer found at the source (${formatCount(items.length)})`
                                  : `Files no longer found at the source (the first ${kShownMissing})`,
                          ),
                          h(
                              "ul",
                              { class: "missing-list" },
                              items.map((item) => h("li", {}, item.path ?? item.name)),
                          ),
                          h(
                              "p",
                              { class: "hint" },
                              "Their items keep their labels and come back when the files do.",
                          ),
                      ),
            );
        });
    };

    const reload = (): void => {
        void client.getProject(id).then((r) => {
            if (r.ok) {
                settings = r.value.refresh;
                show();
            }
        });
        loadMissing();
    };

    const save = (e: Event): void => {
        e.preventDefault();
        const interval = parseIntervalMinutes(minutes.value);
        if (!interval.ok) {
            replaceChildren(status, errorBox(interval.message));
            minutes.focus();
            return;
        }
        void client
            .updateRefresh(id, { enabled: enabled.checked, interval_s: interval.seconds })
            .then((r) => {
                if (!r.ok) {
                    replaceChildren(status, errorBox(r.error.message));
                    return;
                }
                settings = r.value.refresh;
                show();
                replaceChildren(status, h("p", { class: "muted" }, "Saved."));
            });
    };

    const refreshNow = (): void => {
        void client.refreshNow(id).then((r) => {
            replaceChildren(
                status,
                r.ok
                    ? h("p", { class: "muted" }, `Refresh queued (job ${r.value.job.id}).`)
                    : errorBox(r.error.message),
            );
        });
    };

    const element = h(
        "section",
        { class: "card refresh", "aria-labelledby": "dash-refresh" },
        h("h2", { id: "dash-refresh" }, "Incremental refresh"),
        summary,
        h(
            "p",
            { class: "hint" },
            "Refresh adds files that are new in the datasource; files that are gone mark their " +
                "items missing, and known files are not read again.",
        ),
        h(
            "form",
            { class: "refresh-form", onsubmit: save },
            h("label", { class: "type" }, enabled, h("span", {}, "Refresh at regular intervals")),
            h(
                "div",
                { class: "field" },
                h("label", { for: "refresh-minutes" }, "Every (minutes)"),
                minutes,
                h("span", { class: "hint", id: "refresh-minutes-hint" }, "At least 1 minute."),
            ),
            h(
                "div",
                { class: "wizard-nav" },
                h("button", { type: "submit", class: "primary" }, "Save"),
                h("button", { type: "button", onclick: refreshNow }, "Refresh now"),
            ),
        ),
        status,
        missing,
    );
    show();
    loadMissing();
    return {
        element,
        update(d: Dashboard): void {
            const latest = d.jobs.find((j) => j.kind === "refresh");
            const finished = latest?.finished_at ?? null;
            if (finished !== null && finished !== lastFinished) {
                if (lastFinished !== null) {
                    reload();
                }
                lastFinished = finished;
            }
        },
    };
}
