// What the drawing page's buttons and keys do to the open image's shapes, without the DOM:
// the label for new shapes, explicit relabelling, lock, hide, delete and "copy from previous".
// Picking a label never changes a shape: only `relabel` (the shape's label menu) does, so the
// box just drawn keeps its label when the labeler picks the next one.
import { clampBox } from "../../../geometry/box";
import { clampRings } from "../../../geometry/polygon";
import type { Shape } from "../../../schema/shapes";
import type { AnnotationDocument } from "../../../store/annotation_document";

export interface ImageSize {
    readonly width: number;
    readonly height: number;
}

export class DrawingController {
    private label_: string | null;
    private doc_: AnnotationDocument | null = null;
    private size_: ImageSize = { width: 0, height: 0 };
    private allHidden_ = false;
    private previous_: { shapes: Shape[]; size: ImageSize } = {
        shapes: [],
        size: { width: 0, height: 0 },
    };

    constructor(
        private readonly labels: readonly string[],
        private readonly newId: () => string,
    ) {
        this.label_ = labels[0] ?? null;
    }

    /** The label the drawing tools give new shapes. */
    get label(): string | null {
        return this.label_;
    }

    get allHidden(): boolean {
        return this.allHidden_;
    }

    get canCopyPrevious(): boolean {
        return this.previous_.shapes.length > 0;
    }

    /** The image now open (null when none). Hiding starts over with each image. */
    open(doc: AnnotationDocument | null, size: ImageSize): void {
        this.doc_ = doc;
        this.size_ = size;
        this.allHidden_ = false;
    }

    /** Sets the label for the next shape; returns false for a label not in the project. */
    pickLabel(label: string): boolean {
        if (!this.labels.includes(label)) {
            return false;
        }
        this.label_ = label;
        return true;
    }

    /** Gives shape `id` another label (one undo step). Masks are per label and cannot move. */
    relabel(id: string, label: string): boolean {
        const s = this.doc_?.get(id);
        if (
            this.doc_ === null ||
            s === undefined ||
            s.label === label ||
            s.geometry.kind === "mask" ||
            !this.labels.includes(label)
        ) {
            return false;
        }
        this.doc_.update({ ...s, label });
        return true;
    }

    toggleLock(): void {
        this.doc_?.setLocked(!this.doc_.locked);
    }

    toggleHideAll(): void {
        const doc = this.doc_;
        if (doc === null) {
            return;
        }
        this.allHidden_ = !this.allHidden_;
        for (const s of doc.shapes()) {
            doc.setHidden(s.id, this.allHidden_);
        }
    }

    deleteSelected(): boolean {
        const id = this.doc_?.selected ?? null;
        if (id === null) {
            return false;
        }
        this.doc_?.remove([id]);
        return true;
    }

    deleteAll(): void {
        this.doc_?.remove(this.doc_.shapes().map((s) => s.id));
    }

    /** Remembers a submitted image's shapes for "Copy from previous image". */
    remember(shapes: Shape[], size: ImageSize): void {
        this.previous_ = { shapes, size };
    }

    /**
     * Adds the remembered shapes (one undo step), clamped to this image. Masks are pixel runs:
     * they only carry over between images of the same size, and not over a mask already there.
     */
    copyPrevious(): number {
        const doc = this.doc_;
        if (doc === null) {
            return 0;
        }
        const size = this.size_;
        const copies: Shape[] = [];
        for (const s of this.previous_.shapes) {
            const g = s.geometry;
            if (g.kind === "box") {
                const box = clampBox(g.box, size);
                if (box.w > 0 && box.h > 0) {
                    copies.push({
                        id: this.newId(),
                        label: s.label,
                        geometry: { kind: "box", box },
                    });
                }
            } else if (g.kind === "polygon") {
                const rings = clampRings(g.rings, size);
                copies.push({
                    id: this.newId(),
                    label: s.label,
                    geometry: { kind: "polygon", rings },
                });
            } else if (
                this.previous_.size.width === size.width &&
                this.previous_.size.height === size.height &&
                doc.get(s.id) === undefined
            ) {
                copies.push(s);
            }
        }
        doc.apply(copies.map((s) => ({ id: s.id, before: null, after: s })));
        return copies.length;
    }
}
