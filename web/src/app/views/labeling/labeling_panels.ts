// What the labeling page shows in place of the grid when the queue is empty or blocked, and the
// bar over the grid while paging through earlier answers.
import type { Id } from "../../../schema/api";
import { errorBox, h } from "../../dom";

export function allDonePanel(projectId: Id, checkAgain: () => void): HTMLElement {
    return h(
        "section",
        { class: "all-done", "aria-labelledby": "all-done-title" },
        h("h2", { id: "all-done-title" }, "All done"),
        h("p", {}, "There are no more images to label right now."),
        h(
            "p",
            {},
            h(
                "a",
                { class: "button primary", href: `#/projects/${projectId}` },
                "Go to the dashboard",
            ),
            " ",
            h("button", { type: "button", onclick: checkAgain }, "Check again"),
        ),
    );
}

export function blockedPanel(projectId: Id, message: string): HTMLElement {
    return h(
        "section",
        { class: "all-done" },
        h("h2", {}, "Nothing to label"),
        errorBox(message),
        h("a", { class: "button", href: `#/projects/${projectId}` }, "Go to the dashboard"),
    );
}

export interface HistoryBarHandlers {
    older(): void;
    leave(): void;
}

/** The history bar's content on page `page` of the earlier answers. */
export function historyBarContent(page: number, on: HistoryBarHandlers): HTMLElement[] {
    return [
        h(
            "span",
            {},
            `Your earlier answers, page ${page}. Change tags, then press Enter to save. `,
        ),
        h(
            "button",
            {
                type: "button",
                class: "link",
                onclick: () => {
                    on.older();
                },
            },
            "Older",
        ),
        h(
            "button",
            {
                type: "button",
                class: "link",
                onclick: () => {
                    on.leave();
                },
            },
            "Return to labeling",
        ),
    ];
}
