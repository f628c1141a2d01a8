// Small pieces shared by several views.
import type { Job, Progress, TaskType } from "../../schema/api";
import { kTaskTypeNames } from "../../schema/api";
import { percentDone } from "../../schema/progress";
import { h } from "../dom";

export function progressBar(p: Progress, label: string): HTMLElement {
    const pct = percentDone(p);
    return h(
        "div",
        { class: "progress" },
        h("progress", { max: 100, value: pct, "aria-label": label }),
        h("span", { class: "pct" }, `${pct}%`),
    );
}

export function taskTypeName(t: TaskType): string {
    return kTaskTypeNames[t];
}

export function jobLine(job: Job): string {
    const total =
        job.progress_total > 0
            ? ` ${job.progress_done} / ${job.progress_total}`
            : ` ${job.progress_done}`;
    const error =
        job.error !== undefined && job.error !== null && job.error !== "" ? ` — ${job.error}` : "";
    return `${job.kind}: ${job.state}${total}${error}`;
}
