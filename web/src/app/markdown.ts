// Renders labeling instructions from a small, safe Markdown subset into HTML. Everything is
// escaped first; only the constructs below produce tags: # headings, **bold**, *italic*,
// `code`, fenced code blocks, - / 1. lists, [links](https://...) with http/https only,
// paragraphs. No raw HTML passes through.

export function escapeHtml(s: string): string {
    return s
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&#39;");
}

/** Only absolute http(s) URLs are linkable; anything else (javascript:, data:) stays text. */
export function safeUrl(raw: string): string | null {
    try {
        const url = new URL(raw);
        return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch {
        return null;
    }
}

function inline(text: string): string {
    // Code spans first, so their content is not treated as emphasis or links.
    const parts = text.split(/(`[^`]+`)/g);
    return parts
        .map((part) => {
            if (part.length > 1 && part.startsWith("`") && part.endsWith("`")) {
                return `<code>${escapeHtml(part.slice(1, -1))}</code>`;
            }
            return emphasis(part);
        })
        .join("");
}

function emphasis(text: string): string {
    const linkRe = /\[([^\]]+)\]\(([^)\s]+)\)/g;
    let out = "";
    let last = 0;
    for (const m of text.matchAll(linkRe)) {
        out += styles(escapeHtml(text.slice(last, m.index)));
        const label = m[1] ?? "";
        const href = safeUrl(m[2] ?? "");
        out +=
            href === null
                ? styles(escapeHtml(m[0]))
                : `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${styles(escapeHtml(label))}</a>`;
        last = m.index + m[0].length;
    }
    return out + styles(escapeHtml(text.slice(last)));
}

/** Works on already-escaped text: the markers are plain ASCII that escaping leaves alone. */
function styles(escaped: string): string {
    return escaped
        .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
        .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
        .replace(/(^|\W)_([^_\s][^_]*)_(?=\W|$)/g, "$1<em>$2</em>");
}

type Block =
    | { kind: "p" | "ul" | "ol" | "code"; lines: string[] }
    | { kind: "h"; level: number; text: string };

function blocks(source: string): Block[] {
    const out: Block[] = [];
    let current = null as Block | null;
    const flush = (): void => {
        if (current !== null) {
            out.push(current);
            current = null;
        }
    };
    for (const line of source.replace(/\r\n?/g, "\n").split("\n")) {
        if (current?.kind === "code") {
            if (line.trim().startsWith("```")) {
                flush();
            } else {
                current.lines.push(line);
            }
            continue;
        }
        const heading = /^(#{1,6})\s+(.*)$/.exec(line);
        const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
        const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
        if (line.trim().startsWith("```")) {
            flush();
            current = { kind: "code", lines: [] };
        } else if (heading !== null) {
            flush();
            out.push({ kind: "h", level: heading[1]?.length ?? 1, text: heading[2] ?? "" });
        } else if (bullet !== null || numbered !== null) {
            const kind = bullet !== null ? "ul" : "ol";
            if (current?.kind !== kind) {
                flush();
                current = { kind, lines: [] };
            }
            current.lines.push((bullet ?? numbered)?.[1] ?? "");
        } else if (line.trim() === "") {
            flush();
        } else {
            if (current?.kind !== "p") {
                flush();
                current = { kind: "p", lines: [] };
            }
            current.lines.push(line.trim());
        }
    }
    flush();
    return out;
}

// Instructions are shown inside a page that has its own h1 and h2 sections, so "# Title"
// becomes an h3 (and so on, at most h6): one h1 per page, headings in order.
const kHeadingShift = 2;

export function renderMarkdown(source: string): string {
    return blocks(source)
        .map((b) => {
            switch (b.kind) {
                case "h": {
                    const level = Math.min(6, b.level + kHeadingShift);
                    return `<h${level}>${inline(b.text)}</h${level}>`;
                }
                case "p":
                    return `<p>${inline(b.lines.join(" "))}</p>`;
                case "ul":
                case "ol":
                    return `<${b.kind}>${b.lines.map((l) => `<li>${inline(l)}</li>`).join("")}</${b.kind}>`;
                case "code":
                    return `<pre><code>${escapeHtml(b.lines.join("\n"))}</code></pre>`;
            }
        })
        .join("\n");
}
