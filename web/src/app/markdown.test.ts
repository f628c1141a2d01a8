import { describe, expect, it } from "vitest";

import { escapeHtml, renderMarkdown, safeUrl } from "./markdown";

describe("renderMarkdown", () => {
    it("puts headings below the page's own h1 and h2", () => {
        expect(renderMarkdown("# A\n\n## B\n\n#### D\n\n###### F")).toBe(
            "<h3>A</h3>\n<h4>B</h4>\n<h6>D</h6>\n<h6>F</h6>",
        );
    });

    it("renders the supported subset", () => {
        const md = "# Title\n\nTag **every** *cat*.\n\n- one\n- `two`\n\n1. first\n2. second";
        expect(renderMarkdown(md)).toBe(
            [
                "<h3>Title</h3>",
                "<p>Tag <strong>every</strong> <em>cat</em>.</p>",
                "<ul><li>one</li><li><code>two</code></li></ul>",
                "<ol><li>first</li><li>second</li></ol>",
            ].join("\n"),
        );
    });

    it("escapes raw HTML everywhere", () => {
        const out = renderMarkdown(
            '<img src=x onerror="alert(1)">\n\n# <script>x</script>\n\n- <b>hi</b>',
        );
        expect(out).not.toContain("<img");
        expect(out).not.toContain("<script");
        expect(out).not.toContain("<b>");
        expect(out).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    });

    it("links only http and https URLs", () => {
        expect(renderMarkdown("[guide](https://example.com/a?b=1&c=2)")).toBe(
            '<p><a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">guide</a></p>',
        );
        const evil = renderMarkdown("[x](javascript:alert(1)) [y](data:text/html,hi)");
        expect(evil).not.toContain("<a");
        expect(evil).toContain("[x](javascript:alert(1)");
    });

    it("cannot break out of an attribute through the URL", () => {
        const out = renderMarkdown('[x](https://e.com/"onmouseover="alert(1))');
        expect(out).not.toMatch(/"\s*onmouseover=/);
    });

    it("keeps fenced code verbatim but escaped", () => {
        expect(renderMarkdown("```\n**not bold** <i>\n```")).toBe(
            "<pre><code>**not bold** &lt;i&gt;</code></pre>",
        );
    });

    it("renders nothing for empty input", () => {
        expect(renderMarkdown("")).toBe("");
    });
});

describe("helpers", () => {
    it("escapes all five characters", () => {
        expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
        );
    });

    it("accepts only absolute http(s) URLs", () => {
        expect(safeUrl("http://x.org")).toBe("http://x.org/");
        expect(safeUrl("/relative")).toBeNull();
        expect(safeUrl("JavaScript:alert(1)")).toBeNull();
    });
});
