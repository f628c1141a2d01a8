// The dashboard's "Upload images" panel (owners): files or whole folders from the pickers or a
// drop, sent with tus (client/tus_upload.ts) in 8 MiB chunks, 3 files at once, with overall and
// per-file progress. A dropped connection is retried from the server's offset; after a reload the
// same files resume from where they were (upload URLs in localStorage). Files already in the
// project are skipped unless "overwrite" is checked.
import type { ApiClient } from "../../client/api_client";
import { TusUploader, fileFingerprint } from "../../client/tus_upload";
import type { UploadOutcome } from "../../client/tus_upload";
import type { Project } from "../../schema/api";
import { formatCount, h, replaceChildren } from "../dom";
import { fromEntries, fromInput, runPool } from "./upload_files";
import type { EntryLike, PickedFile } from "./upload_files";

const kChunkBytes = 8 << 20;
const kParallel = 3;
const kMaxRetries = 8;

function storageOrNull(): Storage | null {
    try {
        return window.localStorage;
    } catch {
        return null; // storage disabled: uploads still resume within the page
    }
}

function wait(attempt: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** attempt, 8000)));
}

interface Totals {
    uploaded: number;
    skipped: number;
    failed: { path: string; message: string }[];
}

export function uploadPanel(client: ApiClient, project: Project): HTMLElement {
    const tus = new TusUploader({
        fetch: (input, init) => fetch(input, init),
        storage: storageOrNull(),
        wait,
        maxRetries: kMaxRetries,
    });
    let busy = false;
    let lastFailed: PickedFile[] = [];

    const overwrite = h("input", { type: "checkbox", id: "up-overwrite" });
    const filePicker = h("input", {
        type: "file",
        id: "up-files",
        multiple: true,
        accept: "image/*,.dcm,.dicom,.tif,.tiff",
        onchange: () => {
            void start(fromInput(filePicker.files ?? []));
            filePicker.value = "";
        },
    });
    const folderPicker = h("input", {
        type: "file",
        id: "up-folder",
        multiple: true,
        webkitdirectory: true,
        onchange: () => {
            void start(fromInput(folderPicker.files ?? []));
            folderPicker.value = "";
        },
    });
    const overall = h("progress", {
        max: 1,
        value: 0,
        id: "up-overall",
        "aria-label": "Upload progress",
    });
    const overallText = h("span", { class: "muted", "data-testid": "upload-overall" }, "");
    const rows = h("ul", { class: "upload-rows", "data-testid": "upload-rows" });
    const summary = h("div", { role: "status", "data-testid": "upload-summary" });
    const retry = h(
        "button",
        {
            type: "button",
            hidden: true,
            "data-testid": "upload-retry",
            onclick: () => {
                void start(lastFailed);
            },
        },
        "Retry failed",
    );

    const drop = h(
        "div",
        {
            class: "drop-zone",
            "data-testid": "upload-drop",
            ondragover: (e: Event) => {
                e.preventDefault();
                drop.classList.add("over");
            },
            ondragleave: () => {
                drop.classList.remove("over");
            },
            ondrop: (e: Event) => {
                e.preventDefault();
                drop.classList.remove("over");
                const items = (e as DragEvent).dataTransfer?.items;
                if (items === undefined) {
                    return;
                }
                // Entries must be taken while the event runs; walking them may take longer.
                const entries: EntryLike[] = [];
                for (const item of items) {
                    const entry = item.webkitGetAsEntry();
                    if (entry !== null) {
                        entries.push(entry);
                    }
                }
                void fromEntries(entries).then(start);
            },
        },
        h("p", {}, "Drop image files or folders here, or choose them:"),
        h(
            "div",
            { class: "upload-pickers" },
            h("label", { for: "up-files" }, "Files "),
            filePicker,
            h("label", { for: "up-folder" }, "Folder "),
            folderPicker,
        ),
    );

    const setBusy = (value: boolean): void => {
        busy = value;
        filePicker.disabled = value;
        folderPicker.disabled = value;
        overwrite.disabled = value;
        retry.disabled = value;
    };

    const fileRow = (path: string): { row: HTMLElement; bar: HTMLProgressElement } => {
        const bar = h("progress", { max: 1, value: 0, "aria-label": path });
        const row = h("li", {}, h("span", { class: "upload-name" }, path), bar);
        return { row, bar };
    };

    async function start(files: PickedFile[]): Promise<void> {
        if (busy) {
            replaceChildren(
                summary,
                h("p", { class: "error", role: "alert" }, "Wait for the current upload to finish."),
            );
            return;
        }
        if (files.length === 0) {
            replaceChildren(
                summary,
                h("p", { class: "error", role: "alert" }, "No image files were chosen."),
            );
            return;
        }
        setBusy(true);
        retry.hidden = true;
        replaceChildren(summary);
        const total = files.reduce((n, f) => n + f.file.size, 0);
        const sentOf = new Array<number>(files.length).fill(0);
        const totals: Totals = { uploaded: 0, skipped: 0, failed: [] };
        const failedFiles: PickedFile[] = [];
        let finished = 0;
        const showOverall = (): void => {
            const sent = sentOf.reduce((a, b) => a + b, 0);
            overall.value = total === 0 ? 1 : sent / total;
            overallText.textContent = ` ${formatCount(finished)} of ${formatCount(files.length)} files`;
        };
        showOverall();
        await runPool(files, kParallel, async (picked, index) => {
            const { row, bar } = fileRow(picked.relativePath);
            rows.append(row);
            const outcome: UploadOutcome = await tus.upload({
                endpoint: `/api/v1/projects/${project.id}/uploads/`,
                file: picked.file,
                relativePath: picked.relativePath,
                fingerprint: fileFingerprint(
                    project.id,
                    picked.relativePath,
                    picked.file.size,
                    picked.file.lastModified,
                ),
                overwrite: overwrite.checked,
                chunkBytes: kChunkBytes,
                headers: () => ({ "X-CSRF-Token": client.csrfToken }),
                onProgress: (sent, size) => {
                    bar.value = size === 0 ? 1 : sent / size;
                    sentOf[index] = sent;
                    showOverall();
                },
            });
            row.remove();
            finished++;
            sentOf[index] = picked.file.size;
            if (outcome.kind === "uploaded") {
                totals.uploaded++;
            } else if (outcome.kind === "skipped") {
                totals.skipped++;
            } else {
                totals.failed.push({ path: picked.relativePath, message: outcome.message });
                failedFiles.push(picked);
            }
            showOverall();
        });
        lastFailed = failedFiles;
        retry.hidden = failedFiles.length === 0;
        replaceChildren(summary, summaryView(totals));
        setBusy(false);
    }

    return h(
        "section",
        { class: "card import", "aria-labelledby": "dash-upload" },
        h("h2", { id: "dash-upload" }, "Upload images"),
        drop,
        h(
            "div",
            { class: "field" },
            h("label", { class: "check" }, overwrite, " Overwrite files that already exist"),
            h("p", { class: "hint" }, "Otherwise files already in the project are skipped."),
        ),
        h("div", { class: "upload-progress" }, overall, overallText),
        rows,
        summary,
        retry,
    );
}

function summaryView(totals: Totals): HTMLElement {
    return h(
        "div",
        { class: totals.failed.length > 0 ? "report failed" : "report ok" },
        h(
            "p",
            {},
            `Uploaded ${formatCount(totals.uploaded)}, skipped ${formatCount(totals.skipped)} already in the project, ` +
                `failed ${formatCount(totals.failed.length)}.`,
        ),
        totals.failed.length > 0
            ? h(
                  "ul",
                  { class: "upload-failed" },
                  totals.failed.slice(0, 100).map((f) => h("li", {}, `${f.path}: ${f.message}`)),
              )
            : null,
    );
}
