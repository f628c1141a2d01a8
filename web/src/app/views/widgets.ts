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
    if (job.import !== undefined) {
        return importLine(job);
    }
    const total =
        job.progress_total > 0
            ? ` ${job.progress_done} / ${job.progress_total}`
            : ` ${job.progress_done}`;
    const error =
        job.error !== undefined && job.error !== null && job.error !== "" ? ` — ${job.error}` : "";
    return `${job.kind}: ${job.state}${total}${error}`;
}

/** An import in the project's history: what, by whom, and how it went. */
function importLine(job: Job): string {
    const i = job.import;
    if (i === undefined) {
        return "";
    }
    const what = `${i.file === "" ? "upload" : i.file} (${i.format}, ${i.mode})`;
    const when = new Date(job.created_at).toLocaleString("en-GB");
    const outcome = i.applied
        ? `${i.matched} matched, ${i.unmatched} not matched`
        : `nothing applied — ${job.error ?? "failed"}`;
    return `Import of ${what} by ${i.user}, ${when}: ${outcome}`;
}
