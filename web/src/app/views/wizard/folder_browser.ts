// The folder browser over the server's allowed roots, for the Data page's path fields.
import type { ApiClient } from "../../../client/api_client";
import type { FolderListing } from "../../../schema/api";
import { h, replaceChildren } from "../../dom";

/** The roots line and the browser panel; `pick` puts a folder into the path field. */
export function folderBrowser(
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
