// The image grid: one tile per visible item with a selection circle, the image and tag chips.
// Image elements are kept per item so re-rendering after a key press does not reload them.
import type { Id, Item } from "../../../schema/api";
import { leafName } from "../../../schema/labels";
import type { LabelingStore, PoolItem, SelectMode } from "../../../store/labeling_store";
import { h, replaceChildren } from "../../dom";

const kPrelabelBadge = "Prelabel — review and submit";

/**
 * A tile's accessible name: its visible words in their order (badge, file name, tags), so what a
 * voice-control user reads off the screen names it (axe label-content-name-mismatch).
 */
/** Where a tile's prelabel came from: ML assist with its confidence, or an import. */
export function prelabelTitle(item: Item): string {
    const prelabel = item.prelabel;
    if (prelabel?.source !== "model") {
        return "Tags from an imported prelabel";
    }
    const confidence =
        prelabel.confidence === null
            ? ""
            : ` (confidence ${Math.round(prelabel.confidence * 100)}%)`;
    return `Tags suggested by ML assist${confidence}`;
}

export function tileName(p: Pick<PoolItem, "item" | "tags" | "prelabel">): string {
    const parts = p.prelabel === true ? [kPrelabelBadge, p.item.name] : [p.item.name];
    parts.push(p.tags.length > 0 ? p.tags.map(leafName).join(", ") : "not tagged");
    return parts.join(", ");
}

export class GridView {
    readonly element: HTMLElement;
    private readonly images_ = new Map<string, HTMLImageElement>();

    constructor(private readonly store: LabelingStore) {
        this.element = h("div", {
            class: "grid",
            role: "listbox",
            "aria-multiselectable": "true",
            "aria-label": "Images on this page",
            tabindex: 0,
        });
    }

    render(): void {
        const shown = this.store.visible();
        this.element.dataset.layout = String(this.store.layout);
        this.element.style.setProperty("--cols", String(this.store.columns));
        // Rows of the whole layout, so a short last page keeps the tiles' size.
        this.element.style.setProperty(
            "--rows",
            String(Math.ceil(this.store.layout / this.store.columns)),
        );
        replaceChildren(
            this.element,
            shown.map((p, i) => this.tile(p, i)),
        );
        // Forget images that left the page so the map does not grow without bound.
        const keep = new Set(shown.map((p) => this.imageKey(p)));
        for (const key of [...this.images_.keys()]) {
            if (!keep.has(key)) {
                this.images_.delete(key);
            }
        }
    }

    private imageKey(p: PoolItem): string {
        return `${p.item.id}:${this.store.layout === 1 ? "full" : "thumb"}`;
    }

    private image(p: PoolItem): HTMLImageElement {
        const key = this.imageKey(p);
        let img = this.images_.get(key);
        if (img === undefined) {
            const src = this.store.layout === 1 ? p.item.image_url : p.item.thumbnail_url;
            img = h("img", { src, alt: p.item.name, draggable: "false", decoding: "async" });
            this.images_.set(key, img);
        }
        return img;
    }

    private tile(p: PoolItem, index: number): HTMLElement {
        const id = p.item.id;
        const selected = this.store.isSelected(id);
        const cursor = index === this.store.focusIndex;
        const modeOf = (e: MouseEvent): SelectMode =>
            e.shiftKey ? "range" : e.ctrlKey || e.metaKey ? "toggle" : "replace";
        // A div, not a figure: axe's aria-allowed-role refuses role=option on figure.
        return h(
            "div",
            {
                class: `tile${selected ? " selected" : ""}${cursor ? " cursor" : ""}${p.tags.length === 0 ? " untagged" : ""}`,
                role: "option",
                "aria-selected": selected ? "true" : "false",
                "aria-label": tileName(p),
                "data-item-id": id,
                "data-name": p.item.name,
                onclick: (e: Event) => {
                    this.store.select(id, modeOf(e as MouseEvent));
                },
            },
            // The circle and the chips' × are mouse shortcuts: an option may hold no controls
            // (axe nested-interactive), and the keys do the same for everyone else.
            h(
                "span",
                {
                    class: "selector",
                    "aria-hidden": "true",
                    onclick: (e: Event) => {
                        // The circle adds to or removes from the selection, like a checkbox.
                        e.stopPropagation();
                        this.store.select(id, (e as MouseEvent).shiftKey ? "range" : "toggle");
                    },
                },
                selected ? "✓" : "",
            ),
            p.prelabel === true
                ? h(
                      "span",
                      { class: "badge prelabel", title: prelabelTitle(p.item) },
                      kPrelabelBadge,
                  )
                : null,
            // Spaces between the words of the tile for text readers; the layout ignores them.
            " ",
            h("div", { class: "frame" }, this.image(p)),
            h(
                "div",
                { class: "caption" },
                h("span", { class: "name", title: p.item.name }, p.item.name),
                " ",
                this.chips(id, p),
            ),
        );
    }

    private chips(id: Id, p: PoolItem): HTMLElement {
        return h(
            "ul",
            { class: "chips", "aria-label": `Tags of ${p.item.name}` },
            p.tags.map((t) =>
                h(
                    "li",
                    { class: "chip", title: t },
                    leafName(t),
                    h(
                        "span",
                        {
                            class: "remove",
                            "aria-hidden": "true",
                            title: `Remove ${t}`,
                            onclick: (e: Event) => {
                                e.stopPropagation();
                                this.store.removeTag(id, t);
                            },
                        },
                        "×",
                    ),
                ),
            ),
        );
    }
}
