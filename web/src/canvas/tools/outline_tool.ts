// O: drag a box around an object and get a polygon around the object inside (the server's
// GrabCut, POST …/outline), to edit with the vertex tool. The box stays on screen while the
// server works; a new box or Esc drops the answer to the one before (a stray click does not).
import type { Box } from "../../geometry/box";
import { BoxDragTool } from "./box_tools";
import type { Preview } from "./tool";

export const kNoObjectFound =
    "No object stands out inside that box. Draw a tighter box, or use the polygon tool (P).";

export class OutlineTool extends BoxDragTool {
    readonly name = "outline";
    /** The server refuses smaller boxes (image pixels). */
    protected readonly minSide = 4;
    /** The box whose outline is awaited, and its request's number. */
    private pending_: { box: Box; ticket: number } | null = null;
    private tickets_ = 0;

    protected dropped(box: Box, label: string): void {
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
        super.cancel();
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
        const dragged = super.preview();
        if (dragged !== null || this.pending_ === null) {
            return dragged;
        }
        return { kind: "box", box: this.pending_.box };
    }
}
