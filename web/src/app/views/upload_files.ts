// What the upload panel sends: files from the pickers or a drop, each with the name it gets in
// the project ("folder/sub/a.jpg"), and a small pool that runs a few uploads at once.

export interface PickedFile {
    readonly file: File;
    readonly relativePath: string;
}

// The server's accepted image extensions (blobs/local_source.hpp).
const kImageExtensions = /\.(jpe?g|jpe|jfif|png|bmp|tiff?|dcm|dicom)$/i;

export function isImageName(name: string): boolean {
    return kImageExtensions.test(name) && !name.split("/").some((p) => p.startsWith("."));
}

/** Files from an <input type=file> (webkitRelativePath is set for a folder pick). */
export function fromInput(files: Iterable<File>): PickedFile[] {
    const out: PickedFile[] = [];
    for (const file of files) {
        const path = file.webkitRelativePath !== "" ? file.webkitRelativePath : file.name;
        if (isImageName(path)) {
            out.push({ file, relativePath: path });
        }
    }
    return out;
}

// The parts of the File and Directory Entries API the walk needs (fakes implement them in tests).
export interface EntryLike {
    readonly isFile: boolean;
    readonly isDirectory: boolean;
    readonly name: string;
    readonly fullPath: string;
}
export interface FileEntryLike extends EntryLike {
    file(ok: (f: File) => void, fail: (e: unknown) => void): void;
}
export interface DirectoryEntryLike extends EntryLike {
    createReader(): {
        readEntries(ok: (entries: EntryLike[]) => void, fail: (e: unknown) => void): void;
    };
}

function fileOf(entry: FileEntryLike): Promise<File | null> {
    return new Promise((resolve) => {
        entry.file(resolve, () => {
            resolve(null);
        });
    });
}

async function childrenOf(entry: DirectoryEntryLike): Promise<EntryLike[]> {
    const reader = entry.createReader();
    const all: EntryLike[] = [];
    // readEntries hands out a batch at a time (100 in Chromium) until an empty one.
    for (;;) {
        const batch = await new Promise<EntryLike[]>((resolve) => {
            reader.readEntries(resolve, () => {
                resolve([]);
            });
        });
        if (batch.length === 0) {
            return all;
        }
        all.push(...batch);
    }
}

/** Walks dropped entries (DataTransferItem.webkitGetAsEntry) down their folders. */
export async function fromEntries(entries: EntryLike[]): Promise<PickedFile[]> {
    const out: PickedFile[] = [];
    const walk = async (entry: EntryLike): Promise<void> => {
        if (entry.name.startsWith(".")) {
            return;
        }
        if (entry.isDirectory) {
            for (const child of await childrenOf(entry as DirectoryEntryLike)) {
                await walk(child);
            }
            return;
        }
        const path = entry.fullPath.replace(/^\/+/, "");
        if (entry.isFile && isImageName(path)) {
            const file = await fileOf(entry as FileEntryLike);
            if (file !== null) {
                out.push({ file, relativePath: path });
            }
        }
    };
    for (const entry of entries) {
        await walk(entry);
    }
    return out;
}

/** Runs `work` over `items`, at most `parallel` at a time, in order of starting. */
export async function runPool<T>(
    items: readonly T[],
    parallel: number,
    work: (item: T, index: number) => Promise<void>,
): Promise<void> {
    let next = 0;
    const lane = async (): Promise<void> => {
        while (next < items.length) {
            const index = next++;
            await work(items[index] as T, index);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, lane));
}
