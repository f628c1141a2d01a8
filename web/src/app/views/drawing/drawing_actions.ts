// What each action of the drawing key table does (the tool bar's buttons run the same ones).
import type { DrawingAction } from "./drawing_keys";

/** The image on screen as the actions see it. */
export interface ActionImage {
    readonly doc: { undo(): unknown; redo(): unknown; select(id: null): unknown };
    readonly stage: { zoom(factor: number): unknown; fit(): unknown };
    /** Drops the shape the active tool is drawing. */
    cancelTool(): void;
}

/** The page's side of the actions. */
export interface ActionTarget {
    readonly ctl: {
        toggleLock(): unknown;
        toggleHideAll(): unknown;
        deleteSelected(): unknown;
        deleteAll(): unknown;
    };
    /** Null with no image open. */
    image(): ActionImage | null;
    pickLabelKey(key: number): void;
    pickToolKey(key: string): void;
    nudgeBrush(delta: number): void;
    showHelp(): void;
    submit(): void;
    previous(): void;
    /** The DICOM controls (drawing page); absent where a page has none. */
    readonly dicom?: {
        toggleTool(): void;
        resetWindow(): void;
        stepFrame(delta: number): void;
    };
}

export function runDrawingAction(a: DrawingAction, t: ActionTarget): void {
    switch (a.kind) {
        case "label":
            t.pickLabelKey(a.key);
            return;
        case "tool":
            t.pickToolKey(a.key);
            return;
        case "brush":
            t.nudgeBrush(a.delta);
            return;
        case "help":
            t.showHelp();
            return;
        case "windowLevel":
            t.dicom?.toggleTool();
            return;
        case "windowReset":
            t.dicom?.resetWindow();
            return;
        case "frame":
            t.dicom?.stepFrame(a.delta);
            return;
        case "submit":
            t.submit();
            return;
        case "previous":
            t.previous();
            return;
        default:
            runShapeAction(a, t);
    }
}

/** The actions on the shapes and the view of the image on screen. */
function runShapeAction(a: DrawingAction, t: ActionTarget): void {
    const o = t.image();
    switch (a.kind) {
        case "lock":
            t.ctl.toggleLock();
            return;
        case "hide":
            t.ctl.toggleHideAll();
            return;
        case "deleteSelected":
            t.ctl.deleteSelected();
            return;
        case "deleteAll":
            t.ctl.deleteAll();
            return;
        case "undo":
            o?.cancelTool();
            o?.doc.undo();
            return;
        case "redo":
            o?.doc.redo();
            return;
        case "deselect":
            o?.doc.select(null);
            return;
        case "zoomIn":
            o?.stage.zoom(1.25);
            return;
        case "zoomOut":
            o?.stage.zoom(0.8);
            return;
        case "fit":
            o?.stage.fit();
            return;
    }
}
