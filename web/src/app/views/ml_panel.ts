// The dashboard's ML assist card (docs/design/ml.md): what the model prelabels now, the latest
// round's four stages as Azure showed them, when the next round is due, and for owners the
// settings and "Train now". Polls GET …/ml: every 2 s while a round is queued or running,
// every 15 s otherwise.
import type { ApiClient } from "../../client/api_client";
import type { Id, MlAssist } from "../../schema/api";
import {
    kMlStageTitles,
    mlHeadline,
    parsePrecisionPercent,
    savingsText,
    stageSummary,
} from "../../schema/ml";
import { errorBox, h, replaceChildren } from "../dom";

const kActivePollMs = 2000;
const kIdlePollMs = 15000;

export interface MlPanel {
    element: HTMLElement;
    stop(): void;
}

function stagesList(ml: MlAssist): HTMLElement {
    return h(
        "ol",
        { class: "ml-stages", "aria-label": "Latest round's stages" },
        ml.stages.map((stage) =>
            h(
                "li",
                { class: `ml-stage ${stage.status}`, "data-stage": stage.name },
                h("strong", {}, kMlStageTitles[stage.name]),
                " ",
                h("span", { class: `badge ${stage.status}` }, stage.status),
                " ",
                h("span", { class: "muted" }, stageSummary(stage)),
            ),
        ),
    );
}

function roundLine(ml: MlAssist): HTMLElement | null {
    const round = ml.last_round;
    if (round === null) {
        return null;
    }
    const when =
        round.finished_at > 0
            ? ` · ended ${new Date(round.finished_at).toLocaleString("en-GB")}`
            : "";
    return h(
        "p",
        { class: round.state === "failed" ? "error" : "muted", "data-testid": "ml-round" },
        `Round ${round.id} (${round.state}) on ${round.labels_used} labels${when}`,
        round.message === "" ? "" : `: ${round.message}`,
    );
}

function savingsLine(ml: MlAssist): HTMLElement | null {
    const text = savingsText(ml.savings);
    return text === null ? null : h("p", { "data-testid": "ml-savings" }, text);
}

export function mlPanel(client: ApiClient, projectId: Id, owner: boolean): MlPanel {
    const headline = h("p", { "data-testid": "ml-headline" });
    const body = h("div", {});
    const status = h("div", { role: "status" });
    const enabled = h("input", { type: "checkbox", id: "ml-enabled" });
    const precision = h("input", {
        type: "text",
        id: "ml-precision",
        inputmode: "decimal",
        size: 6,
        "aria-describedby": "ml-precision-hint",
    });
    let timer: number | undefined;
    let stopped = false;
    let formFilled = false;
    let queuedRound: Id | null = null; // "Round N queued." stays up until N ends

    const render = (ml: MlAssist): void => {
        headline.textContent = mlHeadline(ml);
        const latest = ml.last_round;
        if (latest?.id === queuedRound && (latest.state === "done" || latest.state === "failed")) {
            queuedRound = null;
            replaceChildren(status);
        }
        if (!formFilled) {
            enabled.checked = ml.settings.enabled;
            precision.value = String(Math.round(ml.settings.target_precision * 1000) / 10);
            formFilled = true;
        }
        replaceChildren(
            body,
            ml.supported ? stagesList(ml) : null,
            roundLine(ml),
            ml.supported
                ? h("p", { "data-testid": "ml-next" }, `Next round: ${ml.next.reason}.`)
                : null,
            savingsLine(ml),
        );
    };

    const load = (): void => {
        void client.mlAssist(projectId).then((r) => {
            if (stopped) {
                return;
            }
            let active = false;
            if (r.ok) {
                render(r.value);
                const state = r.value.last_round?.state;
                active = state === "queued" || state === "running";
            } else {
                replaceChildren(body, errorBox(r.error.message));
            }
            timer = window.setTimeout(load, active ? kActivePollMs : kIdlePollMs);
        });
    };

    const reloadSoon = (): void => {
        window.clearTimeout(timer);
        load();
    };

    const save = (e: Event): void => {
        e.preventDefault();
        const target = parsePrecisionPercent(precision.value);
        if (!target.ok) {
            replaceChildren(status, errorBox(target.message));
            precision.focus();
            return;
        }
        void client
            .updateMlAssist(projectId, { enabled: enabled.checked, target_precision: target.value })
            .then((r) => {
                replaceChildren(
                    status,
                    r.ok ? h("p", { class: "muted" }, "Saved.") : errorBox(r.error.message),
                );
                reloadSoon();
            });
    };

    const train = (): void => {
        void client.trainNow(projectId).then((r) => {
            queuedRound = r.ok ? r.value.round.id : null;
            replaceChildren(
                status,
                r.ok
                    ? h("p", { class: "muted" }, `Round ${r.value.round.id} queued.`)
                    : errorBox(r.error.message),
            );
            reloadSoon();
        });
    };

    const element = h(
        "section",
        { class: "card ml", "aria-labelledby": "dash-ml" },
        h("h2", { id: "dash-ml" }, "ML assist"),
        headline,
        h(
            "p",
            { class: "hint" },
            "Trained on this project's own labels. Prelabels are shown only above the confidence " +
                "at which held-out human labels prove the target precision; labelers confirm or fix them.",
        ),
        body,
        owner
            ? h(
                  "form",
                  { class: "ml-form", onsubmit: save },
                  h("label", { class: "type" }, enabled, h("span", {}, "Prelabel with ML assist")),
                  h(
                      "div",
                      { class: "field" },
                      h("label", { for: "ml-precision" }, "Target precision (%)"),
                      precision,
                      h(
                          "span",
                          { class: "hint", id: "ml-precision-hint" },
                          "50 to 99.9. Higher means fewer, surer prelabels.",
                      ),
                  ),
                  h(
                      "div",
                      { class: "wizard-nav" },
                      h("button", { type: "submit", class: "primary" }, "Save"),
                      h("button", { type: "button", onclick: train }, "Train now"),
                  ),
              )
            : null,
        status,
    );
    load();
    return {
        element,
        stop(): void {
            stopped = true;
            window.clearTimeout(timer);
        },
    };
}
