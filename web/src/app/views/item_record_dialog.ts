// An item's answers and their earlier versions (GET …/items/{item_id}), opened from a Data tab
// card: who labeled it what and when, which answer counts, and every version replaced since.
import type { ApiClient } from "../../client/api_client";
import type { AnnotationVersion, ItemRecord, ListedItem } from "../../schema/api";
import { versionLine } from "../../schema/item_record";
import { errorBox, h, replaceChildren } from "../dom";

function versionList(versions: AnnotationVersion[], empty: string, testid: string): HTMLElement {
    if (versions.length === 0) {
        return h("p", { class: "muted", "data-testid": testid }, empty);
    }
    return h(
        "ol",
        { class: "versions", "data-testid": testid },
        versions.map((v) => h("li", {}, versionLine(v))),
    );
}

function recordBody(record: ItemRecord): HTMLElement[] {
    return [
        h(
            "p",
            {},
            "State: ",
            h("span", { class: `badge ${record.item.state}` }, record.item.state),
        ),
        h("h3", {}, "Answers"),
        versionList(record.answers, "No answers yet.", "record-answers"),
        h("h3", {}, "Earlier versions"),
        versionList(record.history, "No answer was changed.", "record-history"),
    ];
}

/** Opens the dialog for `item` and loads its record; closing removes it. */
export function openItemRecord(client: ApiClient, projectId: number, item: ListedItem): void {
    const body = h("div", { role: "status" }, "Loading…");
    const dialog = h(
        "dialog",
        { class: "item-record", "aria-labelledby": "item-record-title" },
        h("h2", { id: "item-record-title" }, item.name),
        body,
        h("form", { method: "dialog" }, h("button", { type: "submit", class: "primary" }, "Close")),
    );
    dialog.addEventListener("close", () => {
        dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    void client.itemRecord(projectId, item.id).then((r) => {
        if (r.ok) {
            replaceChildren(body, ...recordBody(r.value));
        } else {
            replaceChildren(body, errorBox(r.error.message));
        }
    });
}
