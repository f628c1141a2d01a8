// The drawing page's dialogs: the "?" shortcut list and the Submit / Skip confirmations.
import type { Item } from "../../../schema/api";
import type { Question } from "../dialogs";
import { AskDialog, shortcutsDialog } from "../dialogs";
import { kDrawingKeys } from "./drawing_keys";

export function plural(n: number, what: string): string {
    return `${n} ${what}${n === 1 ? "" : "s"}`;
}

export function submitQuestion(item: Item, shapeCount: number): Question {
    return {
        title: "Submit this image?",
        detail: `${item.name}: ${plural(shapeCount, "shape")} will be stored as your answer.`,
        confirm: "Submit",
    };
}

export function skipQuestion(item: Item): Question {
    return {
        title: "Skip this image?",
        detail: `${item.name} goes back without an answer; its shapes are dropped.`,
        confirm: "Skip",
    };
}

export class DrawingDialogs {
    readonly help = shortcutsDialog(kDrawingKeys);
    private readonly ask_ = new AskDialog();

    /** Both dialogs, to append to the page. */
    get elements(): HTMLElement[] {
        return [this.help, this.ask_.element];
    }

    /** A dialog is up: the page's keys wait. */
    get open(): boolean {
        return this.help.open || this.ask_.open;
    }

    showHelp(): void {
        this.help.showModal();
    }

    confirmSubmit(item: Item, shapeCount: number): Promise<boolean> {
        return this.ask_.ask(submitQuestion(item, shapeCount));
    }

    confirmSkip(item: Item): Promise<boolean> {
        return this.ask_.ask(skipQuestion(item));
    }
}
