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

/** A reusable question dialog; `ask` resolves true only for the confirming button. */
export class AskDialog {
    readonly element: HTMLDialogElement;
    private readonly title_ = h("h2", { id: "ask-title" });
    private readonly detail_ = h("p", {});
    private readonly confirm_ = h("button", { type: "submit", class: "primary", value: "yes" });
    private resolve_: ((yes: boolean) => void) | null = null;

    constructor() {
        this.element = h(
            "dialog",
            { class: "shortcuts ask", "aria-labelledby": "ask-title" },
            this.title_,
            this.detail_,
            h(
                "form",
                { method: "dialog" },
                h("button", { type: "submit", value: "no" }, "Cancel"),
                " ",
                this.confirm_,
            ),
        );
        this.element.addEventListener("close", () => {
            const r = this.resolve_;
            this.resolve_ = null;
            r?.(this.element.returnValue === "yes");
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
        return new Promise((resolve) => {
            this.resolve_ = resolve;
            this.element.showModal();
            // Enter answers yes, so a confirmed submit stays two key presses.
            this.confirm_.focus();
        });
    }
}
