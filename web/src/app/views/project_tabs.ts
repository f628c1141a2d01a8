// The tabs every project page shares: Dashboard, Details, Data.
import { h } from "../dom";

export type ProjectTab = "dashboard" | "details" | "data";

const kTabs: readonly { tab: ProjectTab; label: string; suffix: string }[] = [
    { tab: "dashboard", label: "Dashboard", suffix: "" },
    { tab: "details", label: "Details", suffix: "/details" },
    { tab: "data", label: "Data", suffix: "/data" },
];

export function projectTabs(id: number, current: ProjectTab): HTMLElement {
    return h(
        "nav",
        { class: "project-tabs", "aria-label": "Project" },
        kTabs.map((t) =>
            h(
                "a",
                {
                    href: `#/projects/${id}${t.suffix}`,
                    "aria-current": t.tab === current ? "page" : null,
                },
                t.label,
            ),
        ),
    );
}
