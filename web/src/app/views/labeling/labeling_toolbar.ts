// The labeling page's tool bar: project name, layout switch, Select all, Skip, Back,
// Instructions, "?" and Submit with the reason it is disabled.
import type { PageSize, Project } from "../../../schema/api";
import { kPageSizes } from "../../../schema/api";
import type { Gate } from "../../../store/labeling_store";
import { h } from "../../dom";

export interface LabelingToolbarHandlers {
    switchLayout(n: PageSize): void;
    selectAll(): void;
    skip(): void;
    back(): void;
    toggleInstructions(): void;
    help(): void;
    submit(): void;
}

/** What the tool bar's state is computed from. */
export interface ToolbarInput {
    readonly layout: PageSize;
    /** Whether the page on screen (history's while it is open) may be submitted. */
    readonly gate: Gate;
    readonly busy: boolean;
    readonly inHistory: boolean;
    /** Images on the page on screen (history's while it is open). */
    readonly shownCount: number;
    /** Images on the labeling page (what Skip would give back). */
    readonly queuedCount: number;
    readonly instructionsOpen: boolean;
}

export interface ToolbarState {
    readonly layout: PageSize;
    readonly submitText: string;
    readonly submitDisabled: boolean;
    /** Why Submit is disabled; empty when it is not. */
    readonly submitReason: string;
    readonly skipDisabled: boolean;
    readonly selectAllDisabled: boolean;
    readonly instructionsExpanded: boolean;
}

export function toolbarState(s: ToolbarInput): ToolbarState {
    return {
        layout: s.layout,
        submitText: s.inHistory ? "Save changes" : "Submit",
        submitDisabled: s.busy || !s.gate.ok,
        submitReason: s.gate.ok ? "" : s.gate.reason,
        skipDisabled: s.busy || s.inHistory || s.queuedCount === 0,
        selectAllDisabled: s.shownCount === 0,
        instructionsExpanded: s.instructionsOpen,
    };
}

function button(attrs: Record<string, string>, text: string, run: () => void): HTMLButtonElement {
    return h("button", { type: "button", ...attrs, onclick: run }, text);
}

/** One button per page size: 1, 4, 6, 9 images per page. */
function layoutButtons(on: LabelingToolbarHandlers): HTMLButtonElement[] {
    return kPageSizes.map((n) =>
        button(
            { class: "seg-button", "aria-label": `Show ${n} image${n === 1 ? "" : "s"} per page` },
            String(n),
            () => {
                on.switchLayout(n);
            },
        ),
    );
}

export class LabelingToolbar {
    readonly element: HTMLElement;
    private readonly layoutButtons: HTMLButtonElement[];
    private readonly selectAllButton: HTMLButtonElement;
    private readonly skipButton: HTMLButtonElement;
    private readonly instructionsButton: HTMLButtonElement;
    private readonly submitReason = h("span", { id: "submit-reason", class: "reason" });
    private readonly submitButton: HTMLButtonElement;

    constructor(project: Project, on: LabelingToolbarHandlers) {
        this.layoutButtons = layoutButtons(on);
        this.selectAllButton = button({}, "Select all", () => {
            on.selectAll();
        });
        this.skipButton = button({}, "Skip", () => {
            on.skip();
        });
        this.instructionsButton = button(
            { "aria-expanded": "false", "aria-controls": "instructions-panel" },
            "Instructions",
            () => {
                on.toggleInstructions();
            },
        );
        this.submitButton = button(
            { class: "primary", "aria-describedby": "submit-reason" },
            "Submit",
            () => {
                on.submit();
            },
        );
        this.element = h(
            "div",
            { class: "toolbar", role: "toolbar", "aria-label": "Labeling tools" },
            h(
                "h1",
                {},
                h("a", { href: `#/projects/${project.id}`, title: "Dashboard" }, project.name),
            ),
            h("div", { class: "seg", role: "group", "aria-label": "Layout" }, this.layoutButtons),
            this.selectAllButton,
            this.skipButton,
            button(
                {
                    "aria-label": "Back: review your earlier answers",
                    "aria-keyshortcuts": "Backspace , <",
                },
                "← Back",
                () => {
                    on.back();
                },
            ),
            this.instructionsButton,
            button({ "aria-label": "Keyboard shortcuts", "aria-keyshortcuts": "?" }, "?", () => {
                on.help();
            }),
            h("div", { class: "submit" }, this.submitReason, this.submitButton),
        );
    }

    render(s: ToolbarState): void {
        for (const [i, b] of this.layoutButtons.entries()) {
            b.setAttribute("aria-pressed", kPageSizes[i] === s.layout ? "true" : "false");
        }
        this.submitButton.disabled = s.submitDisabled;
        this.submitButton.textContent = s.submitText;
        this.submitReason.textContent = s.submitReason;
        this.skipButton.disabled = s.skipDisabled;
        this.selectAllButton.disabled = s.selectAllDisabled;
        this.instructionsButton.setAttribute("aria-expanded", String(s.instructionsExpanded));
    }
}
