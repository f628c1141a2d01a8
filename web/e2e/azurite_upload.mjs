// Uploads blobs to Azurite with Microsoft's own client (@azure/storage-blob), so the Azure Blob
// tests read what the real SDK wrote, not only what our C++ client could have written itself.
//   node e2e/azurite_upload.mjs ENDPOINT CONTAINER DIR
//       creates CONTAINER (if missing) and uploads every file under DIR, named by its path
//       relative to DIR ('/'-separated)
//   node e2e/azurite_upload.mjs ENDPOINT CONTAINER --synthetic COUNT PREFIX
//       uploads COUNT small blobs PREFIX00000.jpg, PREFIX00001.jpg, ... (listing tests)
//   node e2e/azurite_upload.mjs ENDPOINT CONTAINER --delete NAME...
//       deletes the named blobs (a source file gone, for the refresh tests)
// ENDPOINT is Azurite's blob endpoint, e.g. http://127.0.0.1:10000/devstoreaccount1; the
// well-known development account key is used. Prints the number of blobs uploaded (or deleted).
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";

const devAccount = "devstoreaccount1";
const devKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const parallel = 32;

async function filesUnder(dir, prefix = "") {
    const out = [];
    for (const entry of await readdir(dir, { withFileTypes: true })) {
        const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
            out.push(...(await filesUnder(path.join(dir, entry.name), relative)));
        } else if (entry.isFile()) {
            out.push({ name: relative, load: () => readFile(path.join(dir, entry.name)) });
        }
    }
    return out;
}

function syntheticBlobs(count, prefix) {
    const out = [];
    for (let i = 0; i < count; i++) {
        const name = `${prefix}${String(i).padStart(5, "0")}.jpg`;
        out.push({ name, load: () => Promise.resolve(Buffer.from(`blob ${name}`)) });
    }
    return out;
}

async function main() {
    const [endpoint, containerName, ...rest] = process.argv.slice(2);
    if (!endpoint || !containerName || rest.length === 0) {
        throw new Error(
            "usage: azurite_upload.mjs ENDPOINT CONTAINER (DIR | --synthetic N PREFIX | --delete NAME...)",
        );
    }
    const service = new BlobServiceClient(
        endpoint,
        new StorageSharedKeyCredential(devAccount, devKey),
    );
    const container = service.getContainerClient(containerName);
    if (rest[0] === "--delete") {
        const names = rest.slice(1);
        for (const name of names) {
            await container.getBlockBlobClient(name).delete();
        }
        console.log(names.length);
        return;
    }
    const blobs =
        rest[0] === "--synthetic"
            ? syntheticBlobs(Number(rest[1]), rest[2] ?? "")
            : await filesUnder(rest[0]);
    await container.createIfNotExists();
    let next = 0;
    async function worker() {
        while (next < blobs.length) {
            const blob = blobs[next++];
            const data = await blob.load();
            await container.getBlockBlobClient(blob.name).uploadData(data);
        }
    }
    await Promise.all(Array.from({ length: parallel }, worker));
    console.log(blobs.length);
}

main().catch((error) => {
    console.error(`azurite_upload: ${error.message}`);
    process.exit(1);
});
