// The labeling page for bounding box, polygon and semantic segmentation projects. It composes the
// header and footer (DrawingChrome), the work area (DrawingWorkspace: tool bar, side panels,
// stage) and the dialogs, and routes the keys. The moves between images live in DrawingFlow, the
// server traffic in DrawingSession, the shape actions in DrawingController, the keys in
// kDrawingKeys; see docs/design/canvas.md.
import type { AnswerEffort, Item, Project } from "../../../schema/api";
import type { Shape } from "../../../schema/shapes";
import { ActivityClock } from "../../../store/activity_clock";
import type { AppContext, Unmount } from "../../context";
import { h, replaceChildren } from "../../dom";
import { isTypingTarget, keyPress } from "../../keymap";
import { runDrawingAction } from "./drawing_actions";
import { DrawingChrome } from "./drawing_chrome";
import { DrawingDialogs } from "./drawing_dialogs";
import type { FlowImage, FlowView } from "./drawing_flow";
import { DrawingFlow } from "./drawing_flow";
import type { DrawingAction } from "./drawing_keys";
import { routeKey } from "./drawing_keys";
import type { Opened } from "./drawing_session";
import { DrawingSession } from "./drawing_session";
import { DrawingWorkspace } from "./drawing_workspace";
import { imageSource } from "./image_source";

const kRenewMs = 120_000;

export function mountDrawing(main: HTMLElement, ctx: AppContext, project: Project): Unmount {
    const page = new DrawingPage(main, ctx, project);
    return () => {
        page.dispose();
    };
}

class DrawingPage implements FlowView {
    disposed = false;
    private readonly session: DrawingSession;
    private readonly flow: DrawingFlow;
    private readonly chrome: DrawingChrome;
    private readonly ws: DrawingWorkspace;
    private readonly dialogs = new DrawingDialogs();
    /** Active time on the image, sent with its answer (savings figures). */
    private readonly activity = new ActivityClock();
    private readonly renewTimer: number;

    constructor(
        main: HTMLElement,
        private readonly ctx: AppContext,
        private readonly project: Project,
    ) {
        this.session = new DrawingSession(ctx.client, project.id, localStorage);
        this.flow = new DrawingFlow(this.session, this);
        this.chrome = new DrawingChrome(project, {
            submit: () => void this.flow.submit(),
            skip: () => void this.flow.skip(),
            previous: () => void this.flow.previous(),
            resume: () => void this.flow.resume(),
            help: () => {
                this.dialogs.showHelp();
            },
        });
        this.ws = new DrawingWorkspace(project, {
            client: ctx.client,
            act: (a) => {
                this.act(a);
            },
            sayError: (m) => {
                this.say(m, true);
            },
            showDraftStatus: (s) => {
                this.chrome.showDraftStatus(s);
            },
        });
        replaceChildren(
            main,
            h(
                "div",
                { class: "drawing" },
                this.chrome.header,
                this.ws.elements,
                this.chrome.footer,
                this.dialogs.elements,
            ),
        );
        window.addEventListener("keydown", this.onKey);
        window.addEventListener("pointerdown", this.onPointer);
        document.addEventListener("visibilitychange", this.onHide);
        window.addEventListener("pagehide", this.onPageHide);
        this.renewTimer = window.setInterval(() => void this.flow.renew(), kRenewMs);
        void this.flow.loadNext();
    }

    dispose(): void {
        this.disposed = true;
        window.removeEventListener("keydown", this.onKey);
        window.removeEventListener("pointerdown", this.onPointer);
        document.removeEventListener("visibilitychange", this.onHide);
        window.removeEventListener("pagehide", this.onPageHide);
        window.clearInterval(this.renewTimer);
        this.chrome.hidePrelabelBadge();
        this.ws.dispose();
        this.session.release();
    }

    // FlowView

    current(): FlowImage | null {
        return this.ws.current;
    }

    finishShapes(): Shape[] {
        return this.ws.finishShapes();
    }

    effort(): AnswerEffort {
        return {
            active_ms: this.activity.lap(performance.now()),
            edits: this.ws.current?.doc.localEdits ?? 0,
        };
    }

    say(message: string, isError = false): void {
        this.chrome.say(message, isError);
    }

    busyChanged(): void {
        this.renderMode();
    }

    confirmSubmit(item: Item, shapeCount: number): Promise<boolean> {
        return this.dialogs.confirmSubmit(item, shapeCount);
    }

    confirmSkip(item: Item): Promise<boolean> {
        return this.dialogs.confirmSkip(item);
    }

    remember(shapes: Shape[], item: Item): void {
        this.ws.remember(shapes, item);
    }

    async show(opened: Opened): Promise<void> {
        const [source, restored] = await Promise.all([
            imageSource(this.ctx.client, this.project.id, opened.item),
            this.session.restore(opened),
        ]);
        if (this.disposed) {
            return;
        }
        this.chrome.hidePrelabelBadge();
        this.activity.touch(performance.now()); // a new image is on screen
        const o = this.ws.open(opened, source, restored);
        this.chrome.showOpened(opened, restored);
        this.renderMode();
        this.ws.afterOpen(o, source);
        void this.showProgress(opened);
    }

    showAllDone(): void {
        this.chrome.hidePrelabelBadge();
        this.ws.showAllDone();
        this.chrome.clearItem();
        this.renderMode();
    }

    private async showProgress(opened: Opened): Promise<void> {
        if (opened.kind === "review") {
            this.chrome.showProgress("Earlier answer");
            return;
        }
        const text = await this.session.progress();
        if (text !== null && this.ws.current?.opened === opened) {
            this.chrome.showProgress(text);
        }
    }

    private renderMode(): void {
        this.chrome.setMode({
            reviewing: this.session.reviewing,
            busy: this.flow.busy,
            hasImage: this.ws.current !== null,
        });
    }

    // Keys and actions

    /** Runs one action of the key table (also what the tool bar's buttons call). */
    private act(a: DrawingAction): void {
        const ws = this.ws;
        runDrawingAction(a, {
            ctl: ws.ctl,
            image: () => ws.actionImage(),
            pickLabelKey: (key) => {
                ws.pickLabelKey(key);
            },
            pickToolKey: (key) => {
                ws.pickToolKey(key);
            },
            nudgeBrush: (delta) => {
                ws.nudgeBrush(delta);
            },
            showHelp: () => {
                this.dialogs.showHelp();
            },
            submit: () => void this.flow.submit(),
            previous: () => void this.flow.previous(),
            dicom: ws.dicom,
        });
    }

    private readonly onKey = (e: KeyboardEvent): void => {
        this.activity.touch(performance.now());
        if (isTypingTarget(e.target) || this.dialogs.open) {
            return;
        }
        const route = routeKey(keyPress(e), this.ws.keyedImage());
        if (route.kind === "tool" || (route.kind === "action" && route.preventDefault)) {
            e.preventDefault();
        }
        if (route.kind === "action") {
            this.act(route.action);
        }
    };

    private readonly onPointer = (): void => {
        this.activity.touch(performance.now());
    };

    private readonly onHide = (): void => {
        if (document.visibilityState === "hidden") {
            this.activity.pause(performance.now());
            void this.ws.current?.saver?.flush(true);
        } else {
            this.activity.touch(performance.now());
        }
    };

    private readonly onPageHide = (): void => {
        void this.ws.current?.saver?.flush(true);
        this.session.release(true);
    };
}
