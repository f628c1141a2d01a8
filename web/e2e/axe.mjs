// Accessibility check of the page as it is now, with axe-core: fails on any moderate, serious
// or critical violation (printing each with the elements concerned) and on a page that does not
// have exactly one h1. Minor findings are printed as notes.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const kAxeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const kFailing = new Set(["moderate", "serious", "critical"]);

/** Returns the number of minor findings; throws on failing ones. */
export async function checkA11y(page, name) {
    // Evaluated through the DevTools protocol, so the page's CSP does not block it.
    if (!(await page.evaluate(() => "axe" in window))) {
        await page.evaluate(kAxeSource);
    }
    const violations = await page.evaluate(async () => {
        const result = await window.axe.run(document, { resultTypes: ["violations"] });
        return result.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
        }));
    });
    const lines = (list) =>
        list
            .map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.nodes.join("\n    ")}`)
            .join("\n");
    const failing = violations.filter((v) => kFailing.has(v.impact));
    const notes = violations.filter((v) => !kFailing.has(v.impact));
    if (notes.length > 0) {
        console.log(`axe ${name}: ${notes.length} minor finding(s)\n${lines(notes)}`);
    }
    if (failing.length > 0) {
        throw new Error(
            `axe ${name}: ${failing.length} moderate/serious/critical violation(s)\n${lines(failing)}`,
        );
    }
    const headings = await page.locator("h1").count();
    if (headings !== 1) {
        throw new Error(`axe ${name}: the page has ${headings} h1 elements, expected exactly 1`);
    }
    return notes.length;
}
