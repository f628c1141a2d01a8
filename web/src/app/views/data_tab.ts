// The Data tab: the project's items with thumbnails, filtered by state, class, labeler and name,
// paged forward by the server's keyset (`next_after`) and back through the pages already seen.
import type { ItemPage, ListedItem, Project } from "../../schema/api";
import { kProgressStates } from "../../schema/api";
import type { ItemQuery } from "../../schema/item_query";
import { itemQueryString, kNoFilter, PageTrail } from "../../schema/item_query";
import { kProgressLabels } from "../../schema/progress";
import type { AppContext, Unmount } from "../context";
import { errorBox, h, replaceChildren } from "../dom";
import { openItemRecord } from "./item_record_dialog";
import { projectTabs } from "./project_tabs";

function filterForm(project: Project, onChange: (q: ItemQuery) => void): HTMLFormElement {
    const state = h(
        "select",
        { id: "filter-state" },
        h("option", { value: "" }, "Any state"),
        kProgressStates.map((s) => h("option", { value: s }, kProgressLabels[s])),
    );
    const label = h(
        "select",
        { id: "filter-label" },
        h("option", { value: "" }, "Any class"),
        project.label_list.map((l) => h("option", { value: l.path }, l.path)),
    );
    const labeler = h("input", { id: "filter-labeler", placeholder: "username" });
    const q = h("input", { id: "filter-q", type: "search", placeholder: "part of the name" });
    const form = h(
        "form",
        { class: "filters", role: "search", "aria-label": "Filter items" },
        h("label", { for: "filter-state" }, "State "),
        state,
        h("label", { for: "filter-label" }, " Class "),
        label,
        h("label", { for: "filter-labeler" }, " Labeler "),
        labeler,
        h("label", { for: "filter-q" }, " Name "),
        q,
        " ",
        h("button", { type: "submit", class: "primary" }, "Filter"),
    );
    const read = (): ItemQuery => ({
        state: state.value as ItemQuery["state"],
        label: label.value,
        labeler: labeler.value,
        q: q.value,
    });
    form.addEventListener("submit", (e) => {
        e.preventDefault();
        onChange(read());
    });
    state.addEventListener("change", () => {
        onChange(read());
    });
    label.addEventListener("change", () => {
        onChange(read());
    });
    return form;
}

function itemCard(item: ListedItem, onOpen: (item: ListedItem) => void): HTMLElement {
    const answers = h(
        "button",
        { type: "button", class: "link", "aria-label": `Answers and history of ${item.name}` },
        "Answers",
    );
    answers.addEventListener("click", () => {
        onOpen(item);
    });
    return h(
        "li",
        { class: "data-item", "data-testid": "data-item" },
        h(
            "a",
            { href: item.image_url, target: "_blank", rel: "noopener", title: item.path },
            h("img", {
                src: item.thumbnail_url,
                alt: "", // the name beside it is the link text
                loading: "lazy",
                width: 128,
                height: 96,
            }),
            h("span", { class: "data-name" }, item.name),
        ),
        h("span", { class: `badge ${item.state}` }, item.state),
        answers,
    );
}

export function mountDataTab(main: HTMLElement, ctx: AppContext, id: number): Unmount {
    const trail = new PageTrail();
    let query: ItemQuery = kNoFilter;
    let nextAfter: number | null = null;
    const grid = h("ul", { class: "data-grid", "aria-label": "Items" });
    const status = h("div", { role: "status", "data-testid": "data-status" });
    const prev = h("button", { type: "button", disabled: true }, "Previous");
    const next = h("button", { type: "button", disabled: true }, "Next page");
    const show = (page: ItemPage): void => {
        nextAfter = page.next_after;
        replaceChildren(
            grid,
            page.items.map((item) =>
                itemCard(item, (opened) => {
                    openItemRecord(ctx.client, id, opened);
                }),
            ),
        );
        replaceChildren(
            status,
            page.items.length === 0
                ? nextAfter === null
                    ? "No items match."
                    : "None on this stretch of the project; look further with Next page."
                : `Page ${trail.pageNumber}`,
        );
        prev.disabled = !trail.hasPrevious;
        next.disabled = nextAfter === null;
    };
    const load = (): void => {
        void ctx.client.listItems(id, itemQueryString(query, trail.current)).then((r) => {
            if (r.ok) {
                show(r.value);
            } else {
                replaceChildren(status, errorBox(r.error.message));
            }
        });
    };
    prev.addEventListener("click", () => {
        trail.back();
        load();
    });
    next.addEventListener("click", () => {
        if (nextAfter !== null) {
            trail.forward(nextAfter);
            load();
        }
    });
    replaceChildren(main, h("h1", {}, "Loading…"));
    void ctx.client.getProject(id).then((r) => {
        if (!r.ok) {
            replaceChildren(main, h("h1", {}, "Data"), errorBox(r.error.message));
            return;
        }
        document.title = `${r.value.name} · Data · Tessera`;
        replaceChildren(
            main,
            h("div", { class: "page-head" }, h("h1", {}, `${r.value.name}: data`)),
            projectTabs(id, "data"),
            filterForm(r.value, (q) => {
                query = q;
                trail.reset();
                load();
            }),
            status,
            grid,
            h("div", { class: "pager" }, prev, " ", next),
        );
        load();
    });
    return () => undefined;
}
