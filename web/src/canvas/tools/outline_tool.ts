// O: drag a box around an object and get a polygon around the object inside (the server's
// GrabCut, POST …/outline), to edit with the vertex tool. The box stays on screen while the
// server works; a new box or Esc drops the answer to the one before (a stray click does not).
import type { Box } from "../../geometry/box";
import { boxFromCorners, clampBox } from "../../geometry/box";
import type { ImagePoint } from "../../geometry/point";
import type { Preview } from "./tool";
import { BaseTool } from "./tool";

/** The server refuses smaller boxes (image pixels). */
const kMinSide = 4;

export const kNoObjectFound =
    "No object stands out inside that box. Draw a tighter box, or use the polygon tool (P).";

export class OutlineTool extends BaseTool {
    readonly name = "outline";
    private start_: ImagePoint | null = null;
    private box_: Box | null = null;
    /** The box whose outline is awaited, and its request's number. */
    private pending_: { box: Box; ticket: number } | null = null;
    private tickets_ = 0;

    override get busy(): boolean {
        return this.start_ !== null;
    }

    /** True while the server works on a box. */
    get waiting(): boolean {
        return this.pending_ !== null;
    }

    down(p: ImagePoint): void {
        if (this.host.label() === null) {
            return;
        }
        this.start_ = p;
        this.box_ = null;
    }

    override move(p: ImagePoint): void {
        if (this.start_ !== null) {
            this.box_ = clampBox(boxFromCorners(this.start_, p), this.host.image);
        }
    }

    override up(p: ImagePoint): void {
        if (this.start_ === null) {
            return;
        }
        this.move(p);
        const box = this.box_;
        const label = this.host.label();
        this.start_ = null;
        this.box_ = null;
        if (box === null || label === null || box.w < kMinSide || box.h < kMinSide) {
            return;
        }
        const outline = this.host.outline;
        if (outline === undefined) {
            this.host.notify?.("Outlining is not available here.");
            return;
        }
        const ticket = ++this.tickets_;
        this.pending_ = { box, ticket };
        void outline(box).then((r) => {
            if (this.pending_?.ticket !== ticket) {
                return; // cancelled, or a newer box was drawn
            }
            this.pending_ = null;
            if (!r.ok) {
                this.host.notify?.(r.message);
                return;
            }
            if (r.ring.length < 3) {
                this.host.notify?.(kNoObjectFound);
                return;
            }
            const id = this.host.newId();
            this.host.doc.add({ id, label, geometry: { kind: "polygon", rings: [r.ring] } });
            this.host.doc.select(id);
        });
    }

    override cancel(): void {
        this.start_ = null;
        this.box_ = null;
        this.pending_ = null;
    }

    override key(key: string): boolean {
        if (key === "Escape" && this.pending_ !== null) {
            this.cancel();
            return true;
        }
        return super.key(key);
    }

    override preview(): Preview | null {
        const box = this.box_ ?? this.pending_?.box ?? null;
        return box === null ? null : { kind: "box", box };
    }
}
