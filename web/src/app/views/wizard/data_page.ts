// The wizard's Data page: the folder (typed, or picked in a browser over the server's allowed
// roots), the pattern, and a live count of the images they give, asked of the server's dry run.
import type { ApiClient } from "../../../client/api_client";
import type { FolderListing } from "../../../schema/api";
import { h, replaceChildren } from "../../dom";
import type { WizardState } from "./wizard_state";
import { kPatternExamples, previewText } from "./wizard_state";

const kPreviewDelayMs = 400;

function field(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
    return h(
        "div",
        { class: "field" },
        h("label", { for: id }, label),
        control,
        hint === undefined ? null : h("p", { class: "hint", id: `${id}-hint` }, hint),
    );
}

function input(
    id: string,
    value: string,
    set: (v: string) => void,
    extra: Record<string, string> = {},
): HTMLInputElement {
    return h("input", {
        id,
        value,
        autocomplete: "off",
        ...extra,
        oninput: (e: Event) => {
            set((e.target as HTMLInputElement).value);
        },
    });
}

/** The roots line and the browser panel; `pick` puts a folder into the path field. */
function folderBrowser(
    client: ApiClient,
    rootsLine: HTMLElement,
    pick: (path: string) => void,
): { panel: HTMLElement; open: (path: string) => void } {
    const panel = h("div", {
        class: "folder-browser",
        role: "group",
        "aria-label": "Folders on the server",
        hidden: true,
    });
    const show = (listing: FolderListing): void => {
        const inFolder = listing.path !== "";
        const targets = inFolder
            ? listing.folders
            : listing.roots.map((r) => ({ name: r, path: r }));
        replaceChildren(
            panel,
            h(
                "div",
                { class: "browser-head" },
                h(
                    "p",
                    { class: "browser-path" },
                    inFolder ? h("code", {}, listing.path) : "Allowed roots",
                ),
                inFolder
                    ? h(
                          "button",
                          {
                              type: "button",
                              onclick: () => {
                                  load(listing.parent ?? "");
                              },
                          },
                          listing.parent === null ? "↑ All roots" : "↑ Up",
                      )
                    : null,
                inFolder
                    ? h(
                          "button",
                          {
                              type: "button",
                              class: "primary",
                              onclick: () => {
                                  pick(listing.path);
                                  panel.hidden = true;
                              },
                          },
                          "Use this folder",
                      )
                    : null,
            ),
            targets.length === 0
                ? h("p", { class: "muted" }, "No sub-folders.")
                : h(
                      "ul",
                      { class: "folders" },
                      targets.map((f) =>
                          h(
                              "li",
                              {},
                              h(
                                  "button",
                                  {
                                      type: "button",
                                      class: "link",
                                      onclick: () => {
                                          load(f.path);
                                      },
                                  },
                                  h("span", { "aria-hidden": "true" }, "📁 "),
                                  f.name,
                              ),
                          ),
                      ),
                  ),
            listing.truncated
                ? h("p", { class: "hint" }, "Only the first 1,000 sub-folders are shown.")
                : null,
        );
        panel.querySelector<HTMLElement>(".folders button, .browser-head button")?.focus();
    };
    const load = (path: string): void => {
        void client.listFolders(path).then((r) => {
            if (r.ok) {
                show(r.value);
            } else {
                replaceChildren(panel, h("p", { class: "error", role: "alert" }, r.error.message));
            }
        });
    };
    void client.listFolders("").then((r) => {
        if (r.ok) {
            replaceChildren(
                rootsLine,
                "Folders the server may read: ",
                r.value.roots.flatMap((root, i) => [i > 0 ? ", " : "", h("code", {}, root)]),
                ".",
            );
        }
    });
    return {
        panel,
        open: (path: string) => {
            panel.hidden = false;
            // Start where the field points when that is a folder inside a root, else at the roots.
            void client.listFolders(path).then((r) => {
                if (r.ok) {
                    show(r.value);
                } else {
                    load("");
                }
            });
        },
    };
}

export function dataPage(s: WizardState, client: ApiClient): HTMLElement {
    const preview = h("p", { class: "preview muted", role: "status", "data-testid": "preview" });
    let timer: number | undefined;
    let asked = 0;
    const refresh = (): void => {
        s.preview = null;
        window.clearTimeout(timer);
        const path = s.path.trim();
        if (!path.startsWith("/")) {
            preview.textContent = "";
            return;
        }
        const ticket = ++asked;
        timer = window.setTimeout(() => {
            preview.textContent = "Counting images…";
            void client.previewDatasource(path, s.pattern.trim()).then((r) => {
                if (ticket !== asked) {
                    return; // the user typed on; a newer answer is coming
                }
                if (r.ok) {
                    s.preview = r.value;
                    preview.textContent = previewText(r.value, s.pattern);
                    preview.className = r.value.count === 0 ? "preview error" : "preview ok";
                } else {
                    preview.textContent = r.error.message;
                    preview.className = "preview error";
                }
            });
        }, kPreviewDelayMs);
    };

    const path = input(
        "p-path",
        s.path,
        (v) => {
            s.path = v;
            refresh();
        },
        { placeholder: "/data/images", "aria-describedby": "p-path-hint p-roots" },
    );
    const pattern = input(
        "p-pattern",
        s.pattern,
        (v) => {
            s.pattern = v;
            refresh();
        },
        { "aria-describedby": "p-pattern-hint" },
    );
    const rootsLine = h("p", { class: "hint", id: "p-roots" });
    const browser = folderBrowser(client, rootsLine, (picked) => {
        path.value = picked;
        s.path = picked;
        refresh();
        path.focus();
    });
    const examples = h(
        "p",
        { class: "hint" },
        "Examples: ",
        kPatternExamples.map((ex) =>
            h(
                "button",
                {
                    type: "button",
                    class: "chip-button",
                    "aria-label": `Use pattern ${ex}`,
                    onclick: () => {
                        pattern.value = ex;
                        s.pattern = ex;
                        refresh();
                    },
                },
                h("code", {}, ex),
            ),
        ),
    );
    refresh();
    return h(
        "div",
        {},
        field(
            "p-path",
            "Local folder on the server",
            h(
                "div",
                { class: "with-button" },
                path,
                h(
                    "button",
                    {
                        type: "button",
                        onclick: () => {
                            browser.open(s.path.trim());
                        },
                    },
                    "Browse…",
                ),
            ),
            "The full path, starting with /, of a folder inside one of the allowed roots.",
        ),
        rootsLine,
        browser.panel,
        field(
            "p-pattern",
            "File pattern (glob)",
            pattern,
            "** matches any number of folders, * any name part.",
        ),
        examples,
        preview,
        field(
            "p-limit",
            "Item limit (optional)",
            input("p-limit", s.itemLimit, (v) => (s.itemLimit = v), {
                inputmode: "numeric",
                placeholder: "500000",
            }),
            "Ingest stops after this many images.",
        ),
    );
}
