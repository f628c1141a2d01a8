// Modal dialogs shared by the labeling and drawing pages: the "?" shortcut list, drawn from the
// page's key table, and a yes/no question (Submit and Skip on the drawing page).
import type { KeyBinding } from "../keymap";
import { h } from "../dom";

export function shortcutsDialog<A>(table: readonly KeyBinding<A>[]): HTMLDialogElement {
    return h(
        "dialog",
        { class: "shortcuts", "aria-labelledby": "shortcuts-title" },
        h("h2", { id: "shortcuts-title" }, "Keyboard shortcuts"),
        h(
            "dl",
            {},
            table.map((b) => [h("dt", {}, h("kbd", {}, b.keys)), h("dd", {}, b.help)]).flat(),
        ),
        h("form", { method: "dialog" }, h("button", { type: "submit", class: "primary" }, "Close")),
    );
}

export interface Question {
    /** The dialog's heading and accessible name, e.g. "Submit this image?". */
    readonly title: string;
    readonly detail: string;
    /** The confirming button's text; the other one is "Cancel". */
    readonly confirm: string;
}

/**
 * The answer to the question on screen. A button settles it at once (the form's submit event,
 * before the dialog closes), Esc settles it no; the dialog's close event, which comes a task
 * later, settles only what is still waiting, so a close that arrives after the next question
 * opened cannot answer that one.
 */
export class PendingAnswer {
    private resolve_: ((yes: boolean) => void) | null = null;

    get waiting(): boolean {
        return this.resolve_ !== null;
    }

    /** A new question; one still waiting is answered no. */
    begin(): Promise<boolean> {
        this.settle(false);
        return new Promise((resolve) => {
            this.resolve_ = resolve;
        });
    }

    settle(yes: boolean): void {
        const r = this.resolve_;
        this.resolve_ = null;
        r?.(yes);
    }
}

/** A reusable question dialog; `ask` resolves true only for the confirming button. */
export class AskDialog {
    readonly element: HTMLDialogElement;
    private readonly title_ = h("h2", { id: "ask-title" });
    private readonly detail_ = h("p", {});
    private readonly confirm_ = h("button", { type: "submit", class: "primary", value: "yes" });
    private readonly answer_ = new PendingAnswer();

    constructor() {
        const form = h(
            "form",
            { method: "dialog" },
            h("button", { type: "submit", value: "no" }, "Cancel"),
            " ",
            this.confirm_,
        );
        this.element = h(
            "dialog",
            { class: "shortcuts ask", "aria-labelledby": "ask-title" },
            this.title_,
            this.detail_,
            form,
        );
        form.addEventListener("submit", (e) => {
            this.answer_.settle(e.submitter === this.confirm_);
        });
        this.element.addEventListener("cancel", () => {
            this.answer_.settle(false);
        });
        this.element.addEventListener("close", () => {
            if (!this.element.open) {
                this.answer_.settle(this.element.returnValue === "yes");
            }
        });
    }

    get open(): boolean {
        return this.element.open;
    }

    ask(q: Question): Promise<boolean> {
        if (this.element.open) {
            return Promise.resolve(false);
        }
        this.title_.textContent = q.title;
        this.detail_.textContent = q.detail;
        this.confirm_.textContent = q.confirm;
        this.element.returnValue = "";
        const answer = this.answer_.begin();
        this.element.showModal();
        // Enter answers yes, so a confirmed submit stays two key presses.
        this.confirm_.focus();
        return answer;
    }
}
