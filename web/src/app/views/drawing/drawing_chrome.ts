// The drawing page's header (item name, progress, badges, Previous, "?") and footer (notice, draft
// status, Back to the current image, Skip, Submit), and what they say in each mode.
import type { Project } from "../../../schema/api";
import { errorBox, h, replaceChildren } from "../../dom";
import type { DraftStatus } from "./autosave";
import { plural } from "./drawing_dialogs";
import type { Opened, Restored } from "./drawing_session";

export const kDraftText: Record<DraftStatus, string> = {
    changed: "Saving draft…",
    saving: "Saving draft…",
    saved: "Draft saved",
    failed: "Draft kept in this browser; the server did not take it yet",
};

/** Labeling a leased image vs reviewing an earlier answer, and whether a call is out. */
export interface PageMode {
    readonly reviewing: boolean;
    readonly busy: boolean;
    readonly hasImage: boolean;
}

export interface ButtonStates {
    readonly submitText: string;
    readonly submitDisabled: boolean;
    readonly skipDisabled: boolean;
    readonly previousDisabled: boolean;
    /** "Back to the current image" and the "Your earlier answer" badge. */
    readonly reviewShown: boolean;
}

export function buttonStates(m: PageMode): ButtonStates {
    return {
        submitText: m.reviewing ? "Save changes" : "Submit",
        submitDisabled: m.busy || !m.hasImage,
        skipDisabled: m.busy || !m.hasImage || m.reviewing,
        previousDisabled: m.busy,
        reviewShown: m.reviewing,
    };
}

/** The notice when an image opens: where its starting shapes came from, or nothing. */
export function openedMessage(kind: Opened["kind"], restored: Restored): string {
    const n = restored.shapes.length;
    if (kind === "review") {
        return "Change your earlier answer, then Save changes.";
    }
    if (restored.prelabel && n > 0) {
        return `${plural(n, "shape")} from a prelabel: review, correct and submit.`;
    }
    if (restored.draft && n > 0) {
        return `Restored ${plural(n, "shape")} from your draft.`;
    }
    return "";
}

export interface ChromeHandlers {
    submit(): void;
    skip(): void;
    previous(): void;
    resume(): void;
    help(): void;
}

export class DrawingChrome {
    readonly header: HTMLElement;
    readonly footer: HTMLElement;
    private readonly notice = h("div", { class: "notice", role: "status" });
    private readonly draftStatus = h("span", {
        class: "draft-status",
        role: "status",
        "data-testid": "draft-status",
    });
    private readonly progress = h("span", { class: "draw-progress", "data-testid": "progress" });
    private readonly itemTitle = h("span", { class: "muted" });
    private readonly prelabelBadge = h(
        "span",
        {
            class: "badge prelabel",
            hidden: true,
            title: "Shapes from a prelabel (ML assist or an import)",
        },
        "Prelabel — review and submit",
    );
    private readonly reviewBadge = h(
        "span",
        { class: "badge review", hidden: true },
        "Your earlier answer",
    );
    private readonly submitButton: HTMLButtonElement;
    private readonly skipButton: HTMLButtonElement;
    private readonly previousButton: HTMLButtonElement;
    private readonly resumeButton: HTMLButtonElement;

    constructor(project: Project, on: ChromeHandlers) {
        const button = (attrs: Record<string, string>, text: string, run: () => void) =>
            h("button", { type: "button", ...attrs, onclick: run }, text);
        this.submitButton = button({ class: "primary" }, "Submit", () => {
            on.submit();
        });
        this.skipButton = button({}, "Skip", () => {
            on.skip();
        });
        this.previousButton = button(
            {
                "aria-label": "Previous image",
                "aria-keyshortcuts": ", <",
                title: "Your earlier answers, newest first",
            },
            "← Previous",
            () => {
                on.previous();
            },
        );
        this.resumeButton = button({}, "Back to the current image", () => {
            on.resume();
        });
        this.resumeButton.hidden = true;
        const helpButton = button(
            { "aria-label": "Keyboard shortcuts", "aria-keyshortcuts": "?" },
            "?",
            () => {
                on.help();
            },
        );
        this.header = h(
            "div",
            { class: "toolbar" },
            h("h1", {}, h("a", { href: `#/projects/${project.id}` }, project.name)),
            this.itemTitle,
            this.progress,
            this.reviewBadge,
            this.prelabelBadge,
            h("span", { class: "spacer" }),
            this.previousButton,
            helpButton,
        );
        this.footer = h(
            "div",
            { class: "draw-actions" },
            this.notice,
            this.draftStatus,
            this.resumeButton,
            this.skipButton,
            this.submitButton,
        );
    }

    /** Replaces the notice; an empty message clears it. */
    say(message: string, isError = false): void {
        replaceChildren(
            this.notice,
            message === "" ? null : isError ? errorBox(message) : h("p", {}, message),
        );
    }

    setMode(m: PageMode): void {
        const b = buttonStates(m);
        this.submitButton.textContent = b.submitText;
        this.submitButton.disabled = b.submitDisabled;
        this.skipButton.disabled = b.skipDisabled;
        this.previousButton.disabled = b.previousDisabled;
        this.resumeButton.hidden = !b.reviewShown;
        this.reviewBadge.hidden = !b.reviewShown;
    }

    /** The header and footer for a freshly opened image. */
    showOpened(opened: Opened, restored: Restored): void {
        const item = opened.item;
        this.itemTitle.textContent = `${item.name} (${item.width} × ${item.height})`;
        this.draftStatus.textContent = restored.draft ? "Draft restored" : "";
        this.prelabelBadge.hidden = !restored.prelabel || restored.shapes.length === 0;
        const message = openedMessage(opened.kind, restored);
        if (message !== "") {
            this.say(message);
        }
    }

    showDraftStatus(s: DraftStatus): void {
        this.draftStatus.textContent = kDraftText[s];
    }

    showProgress(text: string): void {
        this.progress.textContent = text;
    }

    hidePrelabelBadge(): void {
        this.prelabelBadge.hidden = true;
    }

    /** No image: "All done". */
    clearItem(): void {
        this.progress.textContent = "";
        this.itemTitle.textContent = "";
        this.draftStatus.textContent = "";
    }
}
