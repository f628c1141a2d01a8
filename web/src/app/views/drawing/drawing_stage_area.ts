// The middle of the drawing page: the stage of the image on screen with the "preparing" line over
// a preview, or "All done" when the queue is empty.
import type { ImageSource } from "../../../canvas/image_layer";
import type { Id } from "../../../schema/api";
import { h } from "../../dom";
import type { OpenImage, OpenImageDeps } from "./drawing_image";
import { closeImage, openImage, swapToTilesWhenReady } from "./drawing_image";
import type { Opened, Restored } from "./drawing_session";
import type { TileApi } from "./image_source";

export interface StageAreaDeps extends OpenImageDeps {
    readonly client: OpenImageDeps["client"] & TileApi;
    sayError(message: string): void;
}

export class StageArea {
    readonly element = h("div", { class: "draw-stage-host" });
    private readonly preparing = h("div", {
        class: "stage-preparing",
        role: "status",
        hidden: true,
    });
    private open_: OpenImage | null = null;
    private disposed_ = false;

    constructor(private readonly deps: StageAreaDeps) {}

    /** The image on screen, null before the first and after the last. */
    get current(): OpenImage | null {
        return this.open_;
    }

    /** Replaces the image on screen; a preview is swapped to tiles once the server has them. */
    show(
        opened: Opened,
        source: ImageSource,
        restored: Restored,
        filter: { readonly brightness: number; readonly contrast: number },
    ): OpenImage {
        this.close();
        const o = openImage(this.element, opened, source, restored, this.deps);
        this.element.append(this.preparing);
        o.stage.setFilter(filter.brightness, filter.contrast);
        this.open_ = o;
        return o;
    }

    /** Call after the page around the new image is drawn (the wait shows over the preview). */
    swapToTilesIfPreparing(o: OpenImage, source: ImageSource): void {
        if (source.kind !== "preparing") {
            return;
        }
        void swapToTilesWhenReady(o, {
            client: this.deps.client,
            projectId: this.deps.projectId,
            preparing: this.preparing,
            cancelled: () => this.disposed_ || this.open_ !== o,
            sayError: (m) => {
                this.deps.sayError(m);
            },
        });
    }

    /** Closes the image on screen; its pending draft goes out at once. Returns false if none. */
    close(): boolean {
        this.preparing.hidden = true;
        const o = this.open_;
        if (o === null) {
            return false;
        }
        closeImage(o);
        this.open_ = null;
        return true;
    }

    showAllDone(projectId: Id): void {
        this.close();
        this.element.replaceChildren(
            h(
                "div",
                { class: "done" },
                h("h2", {}, "All done"),
                h("a", { href: `#/projects/${projectId}` }, "Back to the dashboard"),
            ),
        );
    }

    dispose(): void {
        this.disposed_ = true;
        this.close();
    }
}
